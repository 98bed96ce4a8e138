//! Saved searches: one per name, its matches remembered from run to run so that a run can say
//! who is new; saving another query forgets them (the next run starts afresh).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::{Actor, CustomerId, CustomerQuery, SavedSearch, SavedSearchId, TenantId};
use crate::model::{Change, ChangeKind};
use crate::store::port::{self, Store, Tx};

fn event(kind: ChangeKind) -> Change {
    Change {
        kind,
        customer_id: None,
        previous_customer_id: None,
        booking_ref: None,
        fields: Vec::new(),
    }
}

fn found(tx: &dyn Tx, id: &SavedSearchId) -> Result<SavedSearch> {
    tx.saved_search(id)?
        .ok_or_else(|| Error::not_found("saved search", id))
}

/// Saves `query` under `name`: a new saved search, or the one of that name with its query
/// replaced (its matches and last run forgotten when the query changed). A `SavedSearchSaved`
/// event follows either way.
pub(crate) fn save(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
    query: &CustomerQuery,
) -> Result<SavedSearch> {
    port::write(store, tenant, |tx| {
        let now = Utc::now();
        let id = match tx.saved_search_named(name)? {
            Some((id, stored)) => {
                // A stored query that can no longer be read is replaced like any other.
                if stored.as_ref() != Some(query) {
                    tx.set_saved_query(&id, query, now, None)?;
                    tx.forget_saved_matches(&id)?;
                }
                id
            }
            None => {
                let search = SavedSearch {
                    id: SavedSearchId::new(),
                    name: name.to_owned(),
                    query: query.clone(),
                    created_at: now,
                    updated_at: now,
                    last_run_at: None,
                };
                tx.insert_saved_search(&search)?;
                search.id
            }
        };
        tx.append(actor, &event(ChangeKind::SavedSearchSaved))?;
        found(tx, &id)
    })
}

/// The tenant's saved searches, by name.
pub(crate) fn all(store: &dyn Store, tenant: &TenantId) -> Result<Vec<SavedSearch>> {
    port::read(store, tenant, |tx| tx.saved_searches())
}

/// One saved search.
pub(crate) fn get(store: &dyn Store, tenant: &TenantId, id: &SavedSearchId) -> Result<SavedSearch> {
    port::read(store, tenant, |tx| found(tx, id))
}

/// Deletes a saved search (a `SavedSearchDeleted` event follows).
pub(crate) fn delete(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &SavedSearchId,
) -> Result<()> {
    port::write(store, tenant, |tx| {
        if !tx.delete_saved_search(id)? {
            return Err(Error::not_found("saved search", id));
        }
        tx.append(actor, &event(ChangeKind::SavedSearchDeleted))
    })
}

/// What recording a run returns: the search as it stands, when it ran before, and the
/// customers new to it.
pub(crate) type Recorded = (SavedSearch, Option<DateTime<Utc>>, Vec<CustomerId>);

/// Records a run that matched `ids` of the query saved at `saved_at`: customers not matched
/// before are remembered from now, those that no longer match are forgotten. Returns the search
/// as it stands (its `last_run_at` is this run's time, never earlier than the previous run's),
/// when it ran before, and those of `ids` (in their order, once each) that first matched after
/// `since` (by default the previous run; all on a first run). Conflict if the query was saved
/// again since it was read.
pub(crate) fn record_run(
    store: &dyn Store,
    tenant: &TenantId,
    id: &SavedSearchId,
    saved_at: DateTime<Utc>,
    ids: &[CustomerId],
    since: Option<DateTime<Utc>>,
) -> Result<Recorded> {
    port::write(store, tenant, |tx| {
        let before = found(tx, id)?;
        if before.updated_at != saved_at {
            return Err(Error::conflict(
                "the saved search was saved again while it ran: run it again",
            ));
        }
        let at = before
            .last_run_at
            .map_or_else(Utc::now, |last| Utc::now().max(last));
        let mut known: HashMap<CustomerId, DateTime<Utc>> =
            tx.saved_matches(id)?.into_iter().collect();
        let mut new = Vec::new();
        let mut seen = HashSet::with_capacity(ids.len());
        for customer in ids {
            if !seen.insert(*customer) {
                continue;
            }
            let first = match known.remove(customer) {
                Some(first) => first,
                None => {
                    tx.insert_saved_match(id, customer, at)?;
                    at
                }
            };
            let is_new = match since.or(before.last_run_at) {
                Some(since) => first > since,
                None => true,
            };
            if is_new {
                new.push(*customer);
            }
        }
        for gone in known.keys() {
            tx.delete_saved_match(id, gone)?;
        }
        tx.set_saved_last_run(id, at)?;
        Ok((found(tx, id)?, before.last_run_at, new))
    })
}
