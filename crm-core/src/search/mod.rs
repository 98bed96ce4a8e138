//! Search: type-ahead over names, emails and phones, and the "find customer" filters, on a
//! tantivy index derived from SQLite and kept in step with every write.

mod bookings;
mod document;
mod index;
mod latest;
mod query;
mod terms;

pub(crate) use index::{Applied, Replacement, SearchIndex};

use crate::error::{Error, Result};
pub(crate) use crate::model::TextFilter;
use crate::model::limits::{MAX_SEARCH_CHARS, MAX_SEARCH_WORDS};
use crate::model::{CustomerId, CustomerQuery, IndexedCustomer, TenantId};

impl CustomerQuery {
    /// Checks the bounds that size a search's work: the page (`limit`, `offset`), the text
    /// (length, words) and the filters (how many, each value's length).
    ///
    /// # Errors
    /// Validation naming the argument and the bound.
    pub(crate) fn validate(&self) -> Result<()> {
        self.check_page()?;
        self.typed_words().map(drop)
    }

    /// The typed words, once the text and the filters are checked: text at most
    /// [`MAX_SEARCH_CHARS`] characters (counted before anything is folded or split) and
    /// [`MAX_SEARCH_WORDS`] words, filters as [`check_filters`](Self::check_filters) says.
    pub(crate) fn typed_words(&self) -> Result<Vec<terms::Typed>> {
        if self.text.chars().nth(MAX_SEARCH_CHARS).is_some() {
            return Err(Error::validation(
                "text",
                format!("longer than {MAX_SEARCH_CHARS} characters"),
            ));
        }
        self.check_filters()?;
        let typed = terms::typed(&self.text);
        if query::word_count(&typed) > MAX_SEARCH_WORDS {
            return Err(Error::validation(
                "text",
                format!("more than {MAX_SEARCH_WORDS} words"),
            ));
        }
        Ok(typed)
    }
}

/// The ids of `limit` hits of `q` after the first `offset`, in its order (its own page
/// ignored), and the total count, without reading the rows from SQLite and without checking the
/// bounds of a caller's query: a caller's query is checked before (a search, an export's pass
/// over every hit, whose depth the tenant's size bounds), and the library's own queries
/// (duplicate candidates, from stored names, which may hold more words than a typed search)
/// stay within memory through the typo limits.
pub(crate) fn ids_at(
    index: &SearchIndex,
    tenant: &TenantId,
    q: &CustomerQuery,
    offset: usize,
    limit: usize,
) -> Result<(Vec<CustomerId>, u64)> {
    if q.is_relative() {
        return Err(Error::Internal(
            "a relative period reached the search unresolved".into(),
        ));
    }
    let built = query::build(&index.fields, tenant.as_str(), q);
    index.search(&built, q.sort, offset, limit)
}

impl SearchIndex {
    /// The index document of a customer, as a rebuild hands it to the indexing threads.
    pub(crate) fn document(&self, c: &IndexedCustomer) -> tantivy::TantivyDocument {
        self.fields.document(c)
    }
}
