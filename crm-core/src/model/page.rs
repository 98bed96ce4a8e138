//! The customer list: rows, sort orders and keyset pagination.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::CustomerId;
use super::limits::MAX_PAGE;
use crate::error::{Error, Result};

/// One row of the customer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerRow {
    /// Customer id.
    pub id: CustomerId,
    /// Customer no.
    pub customer_no: i64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Main email, as typed.
    pub email: Option<String>,
    /// Phone as typed: the landline, else the mobile.
    pub phone: Option<String>,
    /// Number of bookings.
    pub bookings: u64,
    /// Pickup date-time of the latest booking.
    pub last_booking: Option<DateTime<FixedOffset>>,
    /// When the customer was created.
    pub created_at: DateTime<Utc>,
}

impl CustomerRow {
    /// First and last name joined by a space; the one name a customer has, alone.
    pub fn full_name(&self) -> String {
        crate::model::full_name(&self.first_name, &self.last_name)
    }
}

crate::model::string_enum::string_enum!(
    /// What the customer list is sorted by; its text names (`name`, `last_booking`,
    /// `created_at`) are the ones the C and Python faces take, and the one a cursor records.
    #[derive(Default)]
    CustomerSort, "sort" {
        /// Last name then first name, accents and case folded; ascending by default.
        #[default]
        Name = "name",
        /// Latest booking date; newest first by default, customers without bookings last.
        LastBooking = "last_booking",
        /// Creation time; newest first by default.
        CreatedAt = "created_at",
    }
);

impl CustomerSort {
    fn default_descending(self) -> bool {
        !matches!(self, Self::Name)
    }
}

/// A request for one page of the customer list.
///
/// ```
/// use crm_core::{CustomerListQuery, CustomerSort};
/// let first = CustomerListQuery::new(CustomerSort::LastBooking).limit(50);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerListQuery {
    pub(crate) sort: CustomerSort,
    pub(crate) descending: bool,
    pub(crate) limit: u32,
    pub(crate) after: Option<Cursor>,
}

impl Default for CustomerListQuery {
    fn default() -> Self {
        Self::new(CustomerSort::Name)
    }
}

impl CustomerListQuery {
    /// The first page, 50 rows, in the sort's default direction.
    pub fn new(sort: CustomerSort) -> Self {
        Self {
            sort,
            descending: sort.default_descending(),
            limit: 50,
            after: None,
        }
    }

    /// Sorts the other way round from the sort's default.
    pub fn reversed(mut self) -> Self {
        self.descending = !self.sort.default_descending();
        self
    }

    /// Rows per page, 1 to [`MAX_PAGE`](crate::limits::MAX_PAGE) (checked when the query runs).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Continues after the page that returned this cursor.
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor);
        self
    }

    /// Where the page starts: the cursor's position, checked against this query (same sort
    /// order, a key of that sort's kind). `None` for the first page.
    ///
    /// # Errors
    /// Validation on `cursor` when it is not one this list returned, or belongs to another
    /// sort order.
    pub(crate) fn position(&self) -> Result<Option<CursorData>> {
        let Some(after) = &self.after else {
            return Ok(None);
        };
        let data = after.decode()?;
        if data.sort != self.sort.as_str() || data.descending != self.descending {
            return Err(Error::validation("cursor", "belongs to another sort order"));
        }
        match (&data.key, self.sort) {
            (SortKey::Name { .. }, CustomerSort::Name)
            | (SortKey::Int(_), CustomerSort::LastBooking | CustomerSort::CreatedAt) => {
                Ok(Some(data))
            }
            _ => Err(Error::validation(
                "cursor",
                "not a cursor returned by this list",
            )),
        }
    }

    pub(crate) fn checked_limit(&self) -> Result<u32> {
        if self.limit == 0 || self.limit > MAX_PAGE {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        Ok(self.limit)
    }
}

/// One page of results, with the total count and a cursor to the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// How many rows all pages hold together.
    pub total: u64,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// An opaque position in a sorted list: the sort key and id of the last row of a page.
///
/// Keyset pagination: rows inserted or deleted while paging never make a page repeat or skip
/// another row. Under [`CustomerSort::Name`] the cursor holds the id of the last row and a 16-bit
/// fingerprint of its name, never the name (cursors end up in URLs and logs); if that customer is
/// deleted or renamed before the next page is asked for, the cursor is refused (Validation on
/// `cursor`) and paging starts again. A row whose
/// own sort key changes meanwhile (a new booking under
/// [`CustomerSort::LastBooking`]) may move across the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

#[derive(Serialize, Deserialize)]
pub(crate) struct CursorData {
    pub(crate) sort: String,
    pub(crate) descending: bool,
    pub(crate) key: SortKey,
    pub(crate) id: CustomerId,
}

/// Where a cursor stands in its sort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum SortKey {
    /// The value of an integer sort column (last booking, creation time).
    Int(i64),
    /// The name sort: the key is read back from the row, and this fingerprint of it tells
    /// whether the row was renamed since. Names are personal data: a cursor never holds one.
    Name { fp: u16 },
}

impl SortKey {
    /// A 16-bit FNV-1a fingerprint of a name sort key: enough to notice a rename, too little to
    /// recover a name.
    pub(crate) fn name(sort_name: &str) -> Self {
        let mut hash: u32 = 0x811c_9dc5;
        for byte in sort_name.bytes() {
            hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
        Self::Name {
            fp: (hash ^ (hash >> 16)) as u16,
        }
    }
}

impl Cursor {
    /// The cursor as text, to hand to a client and back.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a cursor from its text form; a malformed one is a Validation error on `cursor`.
    pub fn parse(text: &str) -> Result<Self> {
        Self(text.to_owned())
            .decode()
            .map(|_| Self(text.to_owned()))
    }

    pub(crate) fn encode(data: &CursorData) -> Result<Self> {
        let json = serde_json::to_vec(data).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Self(URL_SAFE_NO_PAD.encode(json)))
    }

    pub(crate) fn decode(&self) -> Result<CursorData> {
        let bad = || Error::validation("cursor", "not a cursor returned by this list");
        let bytes = URL_SAFE_NO_PAD.decode(&self.0).map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
