//! Schedules of saved searches: set or removed (a `SavedSearchSaved` event), read, and the runs
//! of their slots, each claimed once (in a transaction that checks the slot is still the one
//! due), completed, or released when it failed.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::model::{
    Actor, Change, ChangeKind, SavedSearch, SavedSearchId, ScheduleRun, StoredSchedule, TenantId,
};
use crate::schedule::Schedule;
use crate::store::port::{self, Store, Tx};

/// How many runs back a claim looks for the latest finished one.
const RUNS_LOOKED_AT: u32 = 100;

/// A stored schedule read back, with its saved search.
pub(crate) struct Scheduled {
    pub(crate) search: SavedSearch,
    pub(crate) schedule: Schedule,
    pub(crate) set_at: DateTime<Utc>,
    pub(crate) last_slot: Option<DateTime<Utc>>,
}

fn read(tx: &dyn Tx, stored: StoredSchedule) -> Result<Option<Scheduled>> {
    let schedule = Schedule::from_json(&stored.json)
        .map_err(|_| Error::Internal("a stored schedule is not readable".into()))?;
    Ok(tx.saved_search(&stored.search_id)?.map(|search| Scheduled {
        search,
        schedule,
        set_at: stored.set_at,
        last_slot: stored.last_slot,
    }))
}

/// Sets the schedule of saved search `id` (`None`: removes it). A `SavedSearchSaved` event
/// follows.
pub(crate) fn set(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &SavedSearchId,
    schedule: Option<&Schedule>,
) -> Result<()> {
    port::write(store, tenant, |tx| {
        if tx.saved_search(id)?.is_none() {
            return Err(Error::not_found("saved search", id));
        }
        match schedule {
            Some(s) => tx.set_schedule(id, &s.to_json(), Utc::now())?,
            None => {
                tx.delete_schedule(id)?;
            }
        }
        tx.append(
            actor,
            &Change {
                kind: ChangeKind::SavedSearchSaved,
                customer_id: None,
                previous_customer_id: None,
                booking_ref: None,
                fields: Vec::new(),
            },
        )
    })
}

/// The schedule of saved search `id`, if it has one.
pub(crate) fn get(
    store: &dyn Store,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<Option<Scheduled>> {
    port::read(store, tenant, |tx| {
        if tx.saved_search(id)?.is_none() {
            return Err(Error::not_found("saved search", id));
        }
        match tx.schedule(id)? {
            Some(stored) => read(tx, stored),
            None => Ok(None),
        }
    })
}

/// Every schedule of the tenant, by the name of its search.
pub(crate) fn all(store: &dyn Store, tenant: &TenantId) -> Result<Vec<Scheduled>> {
    port::read(store, tenant, |tx| {
        let mut all = Vec::new();
        for stored in tx.schedules()? {
            all.extend(read(tx, stored)?);
        }
        all.sort_by(|a, b| a.search.name.cmp(&b.search.name));
        Ok(all)
    })
}

/// Claims `slot` of saved search `id` for a run at `now` by `actor`, if that slot is still the
/// one due (its schedule not changed or removed meanwhile, the slot not claimed by another
/// call). Returns `None` when it is not, else when the latest finished run before it recorded
/// its matches (what "only new" counts from).
pub(crate) fn claim(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Option<Option<DateTime<Utc>>>> {
    port::write(store, tenant, |tx| {
        let Some(scheduled) = tx.schedule(id)?.map(|s| read(tx, s)).transpose()?.flatten() else {
            return Ok(None);
        };
        let due = scheduled
            .schedule
            .due(scheduled.set_at, scheduled.last_slot, now, tz);
        if due != Some(slot) {
            return Ok(None);
        }
        let previous = tx
            .schedule_runs(id, RUNS_LOOKED_AT)?
            .into_iter()
            .find_map(|r| r.finished_at);
        if !tx.claim_schedule_slot(id, slot, now, &actor.user_id)? {
            return Ok(None);
        }
        Ok(Some(previous))
    })
}

/// Completes the run of `slot`, whose search recorded its matches `at`.
pub(crate) fn finish(
    store: &dyn Store,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
    at: DateTime<Utc>,
    rows: u64,
    file: Option<&str>,
) -> Result<()> {
    port::write(store, tenant, |tx| {
        tx.finish_schedule_slot(id, slot, at, rows, file)
    })
}

/// Forgets the claim of `slot` (its run failed).
pub(crate) fn release(
    store: &dyn Store,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
) -> Result<()> {
    port::write(store, tenant, |tx| tx.release_schedule_slot(id, slot))
}

/// Up to `limit` runs of saved search `id`, latest slot first.
pub(crate) fn runs(
    store: &dyn Store,
    tenant: &TenantId,
    id: &SavedSearchId,
    limit: u32,
) -> Result<Vec<ScheduleRun>> {
    port::read(store, tenant, |tx| {
        if tx.saved_search(id)?.is_none() {
            return Err(Error::not_found("saved search", id));
        }
        tx.schedule_runs(id, limit)
    })
}
