//! Saved searches on the facade: save, list, delete, and run to find who newly matches.

use chrono::{DateTime, Utc};

use super::Tenant;
use crate::error::{Error, Result};
use crate::model::CustomerQuery;
use crate::model::{Actor, CustomerId, SavedRun, SavedSearch, SavedSearchId, search_name};

impl Tenant {
    /// Saves `query` under `name`: a new saved search, or the one of that
    /// name with its query replaced (its run history then starts afresh). A
    /// `SavedSearchSaved` event follows.
    ///
    /// The query is kept as given: typed text or a filter naming a person (an email, a phone)
    /// is personal data of the host's making, which anonymise does not reach. Save criteria
    /// (a city, a period, a list), not people.
    ///
    /// # Errors
    /// Validation on `name` (blank, over 200 characters).
    pub fn save_search(
        &self,
        actor: &Actor,
        name: &str,
        query: &CustomerQuery,
    ) -> Result<SavedSearch> {
        actor.validate()?;
        // Its page is ignored when it runs; its text and filters must be ones a search takes.
        query.typed_words()?;
        let name = search_name(name)?;
        crate::cases::saved::save(self.store.as_ref(), &self.id, actor, &name, query)
    }

    /// The tenant's saved searches, by name.
    pub fn saved_searches(&self) -> Result<Vec<SavedSearch>> {
        crate::cases::saved::all(self.store.as_ref(), &self.id)
    }

    /// One saved search.
    ///
    /// # Errors
    /// NotFound if it is not one of this tenant's.
    pub fn get_saved_search(&self, id: &SavedSearchId) -> Result<SavedSearch> {
        crate::cases::saved::get(self.store.as_ref(), &self.id, id)
    }

    /// The saved search called `name` (trimmed).
    ///
    /// # Errors
    /// NotFound if the tenant has none of that name.
    pub fn find_saved_search(&self, name: &str) -> Result<SavedSearch> {
        self.saved_searches()?
            .into_iter()
            .find(|s| s.name == name.trim())
            .ok_or_else(|| Error::not_found("saved search", "of that name"))
    }

    /// Deletes a saved search (a `SavedSearchDeleted` event follows).
    ///
    /// # Errors
    /// NotFound if it is not one of this tenant's.
    pub fn delete_saved_search(&self, actor: &Actor, id: &SavedSearchId) -> Result<()> {
        actor.validate()?;
        crate::cases::saved::delete(self.store.as_ref(), &self.id, actor, id)
    }

    /// Runs a saved search: every customer its query finds now (its page is ignored), and the
    /// customers that newly match: those that first matched after `since`, or with `None`
    /// those that did not match at the previous run (everyone on a first run). A host runs it
    /// weekly and writes to `new`. A customer who stops matching and matches again later is
    /// new again. The run is recorded (one transaction); no change event.
    ///
    /// # Errors
    /// NotFound if it is not one of this tenant's; Conflict if its query was replaced while it
    /// ran; Search if the index fails.
    pub fn run_saved(
        &self,
        actor: &Actor,
        id: &SavedSearchId,
        since: Option<DateTime<Utc>>,
    ) -> Result<SavedRun> {
        actor.validate()?;
        crate::model::check_utc("since", since)?;
        let run = self.run_saved_at(id, since, Utc::now())?;
        let mut new = Vec::with_capacity(run.new.len());
        for chunk in run.new.chunks(crate::model::limits::MAX_PAGE as usize) {
            new.extend(crate::cases::customers::rows(
                self.store.as_ref(),
                &self.id,
                chunk,
            )?);
        }
        Ok(SavedRun {
            ran_at: run.search.last_run_at.unwrap_or_else(Utc::now),
            search: run.search,
            previous_run_at: run.previous_run_at,
            total: run.total,
            new,
        })
    }

    /// [`run_saved`](Self::run_saved) with its relative periods read at `now`, by ids: every
    /// customer it matched and those new, each in its order.
    pub(crate) fn run_saved_at(
        &self,
        id: &SavedSearchId,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<SavedIds> {
        let search = crate::cases::saved::get(self.store.as_ref(), &self.id, id)?;
        let mut ids: Vec<CustomerId> = Vec::new();
        let total = self.each_hit_page_at(&search.query, now, |page, _| {
            ids.extend(page);
            Ok(())
        })?;
        let (search, previous_run_at, new) = crate::cases::saved::record_run(
            self.store.as_ref(),
            &self.id,
            id,
            search.updated_at,
            &ids,
            since,
        )?;
        Ok(SavedIds {
            search,
            previous_run_at,
            total,
            all: ids,
            new,
        })
    }
}

/// A run of a saved search by ids.
pub(crate) struct SavedIds {
    /// The search as it stands after the run.
    pub(crate) search: crate::model::SavedSearch,
    /// When it ran before.
    pub(crate) previous_run_at: Option<DateTime<Utc>>,
    /// How many it matched.
    pub(crate) total: u64,
    /// Every customer it matched, in its order.
    pub(crate) all: Vec<CustomerId>,
    /// Those new, in its order.
    pub(crate) new: Vec<CustomerId>,
}
