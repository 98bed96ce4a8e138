//! Schedules of saved searches and their runs, one per slot.

use chrono::{DateTime, Utc};
use postgres::Row;

use super::Db;
use super::values::{self, opt_utc, utc, utc_text};
use crate::error::Result;
use crate::model::{SavedSearchId, ScheduleRun, StoredSchedule, TenantId};

const SCHEDULE: &str = "SELECT s.search_id, s.schedule, s.set_at,
        (SELECT r.slot FROM schedule_runs r
         WHERE r.tenant_id = s.tenant_id AND r.search_id = s.search_id
         ORDER BY r.slot_us DESC LIMIT 1)
     FROM schedules s WHERE s.tenant_id = $1";

fn schedule(r: &Row) -> Result<StoredSchedule> {
    Ok(StoredSchedule {
        search_id: SavedSearchId::from_uuid(values::get(r, 0)?),
        json: values::get(r, 1)?,
        set_at: utc(r, 2)?,
        last_slot: opt_utc(r, 3)?,
    })
}

/// The schedule of a saved search of the tenant.
pub(super) fn get(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<Option<StoredSchedule>> {
    let sql = format!("{SCHEDULE} AND s.search_id = $2");
    db.query_opt(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .as_ref()
        .map(schedule)
        .transpose()
}

/// Every schedule of the tenant.
pub(super) fn all(db: &mut Db<'_>, tenant: &TenantId) -> Result<Vec<StoredSchedule>> {
    db.query(SCHEDULE, &[&tenant.as_str()])?
        .iter()
        .map(schedule)
        .collect()
}

/// Sets (or replaces) the schedule of a saved search of the tenant.
pub(super) fn set(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    json: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "INSERT INTO schedules (tenant_id, search_id, schedule, set_at)
         SELECT tenant_id, id, $3, $4 FROM saved_searches WHERE tenant_id = $1 AND id = $2
         ON CONFLICT (tenant_id, search_id) DO UPDATE SET schedule = excluded.schedule,
             set_at = excluded.set_at",
        &[&tenant.as_str(), id.as_uuid(), &json, &utc_text(&at)],
    )?;
    Ok(())
}

/// Removes the schedule of a saved search of the tenant; `false` if it had none.
pub(super) fn delete(db: &mut Db<'_>, tenant: &TenantId, id: &SavedSearchId) -> Result<bool> {
    Ok(db.execute(
        "DELETE FROM schedules WHERE tenant_id = $1 AND search_id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )? == 1)
}

/// Claims `slot` of a saved search of the tenant for a run starting `at`: `false` if a run of
/// that slot was claimed before.
pub(super) fn claim(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
    at: DateTime<Utc>,
    by: &str,
) -> Result<bool> {
    Ok(db.execute(
        "INSERT INTO schedule_runs (tenant_id, search_id, slot, slot_us, started_at, ran_by)
         SELECT tenant_id, id, $3, $4, $5, $6 FROM saved_searches
         WHERE tenant_id = $1 AND id = $2
         ON CONFLICT (tenant_id, search_id, slot_us) DO NOTHING",
        &[
            &tenant.as_str(),
            id.as_uuid(),
            &utc_text(&slot),
            &slot.timestamp_micros(),
            &utc_text(&at),
            &by,
        ],
    )? == 1)
}

/// Completes the run of `slot`: when, how many rows, which file.
pub(super) fn finish(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
    at: DateTime<Utc>,
    rows: u64,
    file: Option<&str>,
) -> Result<()> {
    db.execute(
        "UPDATE schedule_runs SET finished_at = $4, rows = $5, file = $6
         WHERE tenant_id = $1 AND search_id = $2 AND slot_us = $3",
        &[
            &tenant.as_str(),
            id.as_uuid(),
            &slot.timestamp_micros(),
            &utc_text(&at),
            &i64::try_from(rows).unwrap_or(i64::MAX),
            &file,
        ],
    )?;
    Ok(())
}

/// Forgets the claim of `slot` (its run failed: the next call runs it again).
pub(super) fn release(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    slot: DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "DELETE FROM schedule_runs WHERE tenant_id = $1 AND search_id = $2 AND slot_us = $3",
        &[&tenant.as_str(), id.as_uuid(), &slot.timestamp_micros()],
    )?;
    Ok(())
}

/// Up to `limit` runs of a saved search of the tenant, latest slot first.
pub(super) fn runs(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    limit: u32,
) -> Result<Vec<ScheduleRun>> {
    db.query(
        "SELECT search_id, slot, started_at, finished_at, ran_by, rows, file FROM schedule_runs
         WHERE tenant_id = $1 AND search_id = $2 ORDER BY slot_us DESC LIMIT $3",
        &[&tenant.as_str(), id.as_uuid(), &i64::from(limit)],
    )?
    .iter()
    .map(|r| {
        Ok(ScheduleRun {
            search_id: SavedSearchId::from_uuid(values::get(r, 0)?),
            slot: utc(r, 1)?,
            started_at: utc(r, 2)?,
            finished_at: opt_utc(r, 3)?,
            ran_by: values::get(r, 4)?,
            rows: values::get::<Option<i64>>(r, 5)?.map(|n| u64::try_from(n).unwrap_or_default()),
            file: values::get(r, 6)?,
        })
    })
    .collect()
}
