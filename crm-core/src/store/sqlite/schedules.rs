//! Schedules of saved searches and their runs, one per slot.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::values::{opt, parse_utc, utc_text};
use crate::error::Result;
use crate::model::{SavedSearchId, ScheduleRun, StoredSchedule, TenantId};

const SCHEDULE: &str = "SELECT s.search_id, s.schedule, s.set_at,
        (SELECT r.slot FROM schedule_runs r WHERE r.search_id = s.search_id
         ORDER BY r.slot_us DESC LIMIT 1)
     FROM schedules s WHERE s.tenant_id = ?1";

fn schedule(r: &Row<'_>) -> rusqlite::Result<StoredSchedule> {
    Ok(StoredSchedule {
        search_id: SavedSearchId::from_uuid(r.get(0)?),
        json: r.get(1)?,
        set_at: parse_utc(2, &r.get::<_, String>(2)?)?,
        last_slot: opt(r, 3, parse_utc)?,
    })
}

/// The schedule of a saved search of the tenant.
pub(super) fn get(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<Option<StoredSchedule>> {
    tx.prepare_cached(&format!("{SCHEDULE} AND s.search_id = ?2"))
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], schedule)
        .optional()
        .map_err(super::db)
}

/// Every schedule of the tenant.
pub(super) fn all(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<StoredSchedule>> {
    tx.prepare_cached(SCHEDULE)
        .map_err(super::db)?
        .query_map([tenant.as_str()], schedule)
        .map_err(super::db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(super::db)
}

/// Sets (or replaces) the schedule of a saved search of the tenant.
pub(super) fn set(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    json: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO schedules (search_id, tenant_id, schedule, set_at)
         SELECT id, tenant_id, ?3, ?4 FROM saved_searches WHERE id = ?1 AND tenant_id = ?2
         ON CONFLICT (search_id) DO UPDATE SET schedule = excluded.schedule,
             set_at = excluded.set_at",
    )
    .map_err(super::db)?
    .execute(params![id.as_uuid(), tenant.as_str(), json, utc_text(&at)])
    .map_err(super::db)?;
    Ok(())
}

/// Removes the schedule of a saved search of the tenant; `false` if it had none.
pub(super) fn delete(tx: &Transaction<'_>, tenant: &TenantId, id: &SavedSearchId) -> Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM schedules WHERE search_id = ?1 AND tenant_id = ?2")
        .map_err(super::db)?
        .execute(params![id.as_uuid(), tenant.as_str()])
        .map_err(super::db)?
        == 1)
}

/// Claims `slot` of a saved search of the tenant for a run starting `at`: `false` if a run of
/// that slot was claimed before.
pub(super) fn claim(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
    at: DateTime<Utc>,
    by: &str,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO schedule_runs (search_id, tenant_id, slot, slot_us, started_at, ran_by)
             SELECT id, tenant_id, ?3, ?4, ?5, ?6 FROM saved_searches
             WHERE id = ?1 AND tenant_id = ?2
             ON CONFLICT (search_id, slot_us) DO NOTHING",
        )
        .map_err(super::db)?
        .execute(params![
            id.as_uuid(),
            tenant.as_str(),
            utc_text(&slot),
            slot.timestamp_micros(),
            utc_text(&at),
            by
        ])
        .map_err(super::db)?
        == 1)
}

/// Completes the run of `slot`: when, how many rows, which file.
pub(super) fn finish(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
    at: DateTime<Utc>,
    rows: u64,
    file: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE schedule_runs SET finished_at = ?4, rows = ?5, file = ?6
         WHERE search_id = ?1 AND tenant_id = ?2 AND slot_us = ?3",
    )
    .map_err(super::db)?
    .execute(params![
        id.as_uuid(),
        tenant.as_str(),
        slot.timestamp_micros(),
        utc_text(&at),
        i64::try_from(rows).unwrap_or(i64::MAX),
        file
    ])
    .map_err(super::db)?;
    Ok(())
}

/// Forgets the claim of `slot` (its run failed: the next call runs it again).
pub(super) fn release(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "DELETE FROM schedule_runs WHERE search_id = ?1 AND tenant_id = ?2 AND slot_us = ?3",
    )
    .map_err(super::db)?
    .execute(params![
        id.as_uuid(),
        tenant.as_str(),
        slot.timestamp_micros()
    ])
    .map_err(super::db)?;
    Ok(())
}

/// Up to `limit` runs of a saved search of the tenant, latest slot first.
pub(super) fn runs(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    limit: u32,
) -> Result<Vec<ScheduleRun>> {
    tx.prepare_cached(
        "SELECT search_id, slot, started_at, finished_at, ran_by, rows, file FROM schedule_runs
         WHERE search_id = ?1 AND tenant_id = ?2 ORDER BY slot_us DESC LIMIT ?3",
    )
    .map_err(super::db)?
    .query_map(params![id.as_uuid(), tenant.as_str(), limit], |r| {
        Ok(ScheduleRun {
            search_id: SavedSearchId::from_uuid(r.get(0)?),
            slot: parse_utc(1, &r.get::<_, String>(1)?)?,
            started_at: parse_utc(2, &r.get::<_, String>(2)?)?,
            finished_at: opt(r, 3, parse_utc)?,
            ran_by: r.get(4)?,
            rows: r
                .get::<_, Option<i64>>(5)?
                .map(|n| u64::try_from(n).unwrap_or_default()),
            file: r.get(6)?,
        })
    })
    .map_err(super::db)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(super::db)
}
