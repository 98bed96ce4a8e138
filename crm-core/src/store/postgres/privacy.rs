//! Suppressed contacts, anonymisation records and the query of inactive customers.

use chrono::{DateTime, Utc};

use super::Db;
use super::values::{customer_id, get, utc, utc_text};
use crate::error::Result;
use crate::model::AnonymisationNote;
use crate::model::{Actor, CustomerId, PrivacyAction, PrivacyLogEntry, TenantId};

/// The tenant's key for keyed hashes, if it has one.
pub(super) fn suppression_key(db: &mut Db<'_>, tenant: &TenantId) -> Result<Option<Vec<u8>>> {
    let row = db.query_opt(
        "SELECT suppression_key FROM tenants WHERE tenant_id = $1",
        &[&tenant.as_str()],
    )?;
    Ok(row
        .map(|r| get::<Option<Vec<u8>>>(&r, 0))
        .transpose()?
        .flatten())
}

/// Sets the tenant's key for keyed hashes.
pub(super) fn set_suppression_key(db: &mut Db<'_>, tenant: &TenantId, key: &[u8]) -> Result<()> {
    db.execute(
        "UPDATE tenants SET suppression_key = $2 WHERE tenant_id = $1",
        &[&tenant.as_str(), &key],
    )?;
    Ok(())
}

/// Remembers the digest of a forgotten contact (once).
pub(super) fn insert_suppression(
    db: &mut Db<'_>,
    tenant: &TenantId,
    kind: &str,
    digest: &[u8],
    at: &DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "INSERT INTO suppressions (tenant_id, kind, digest, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
        &[&tenant.as_str(), &kind, &digest, &utc_text(at)],
    )?;
    Ok(())
}

/// Records an anonymisation.
pub(super) fn insert_anonymisation(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    actor: &Actor,
    reason: &str,
    at: &DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "INSERT INTO anonymisations (tenant_id, customer_id, at, actor_id, actor_role, reason)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &tenant.as_str(),
            customer.as_uuid(),
            &utc_text(at),
            &actor.user_id,
            &actor.role.as_str(),
            &reason,
        ],
    )?;
    Ok(())
}

/// When and why a customer was anonymised.
pub(super) fn anonymisation(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Option<AnonymisationNote>> {
    let row = db.query_opt(
        "SELECT at, reason FROM anonymisations WHERE tenant_id = $1 AND customer_id = $2",
        &[&tenant.as_str(), customer.as_uuid()],
    )?;
    row.map(|r| -> Result<AnonymisationNote> {
        Ok(AnonymisationNote {
            at: utc(&r, 0)?,
            reason: get(&r, 1)?,
        })
    })
    .transpose()
}

/// The condition of an inactive customer `c` (no change, no booking departing, changed or
/// recorded, and no unmerge bringing it back, since `$3` microseconds since the epoch). An
/// unmerge restores the record's old update time, hence the last test. The times are RFC 3339
/// text: read as `timestamptz` (which keeps microseconds) and compared in microseconds, exactly;
/// `last_booking_key` is already in microseconds.
const INACTIVE: &str = "c.anonymised_at IS NULL
    AND EXTRACT(EPOCH FROM (c.updated_at)::timestamptz) * 1000000 < $3::BIGINT
    AND c.last_booking_key < $3::BIGINT
    AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.tenant_id = $1 AND b.customer_id = c.id
                    AND EXTRACT(EPOCH FROM (b.updated_at)::timestamptz) * 1000000 >= $3::BIGINT)
    AND NOT EXISTS (SELECT 1 FROM merge_members mm
                        JOIN merges m ON m.tenant_id = mm.tenant_id AND m.id = mm.merge_id
                    WHERE mm.tenant_id = $1 AND mm.customer_id = c.id
                    AND EXTRACT(EPOCH FROM (m.undone_at)::timestamptz) * 1000000 >= $3::BIGINT)";

/// Up to `limit` inactive customers after customer no. `after_no`, in number order.
pub(super) fn inactive(
    db: &mut Db<'_>,
    tenant: &TenantId,
    before: &DateTime<Utc>,
    after_no: i64,
    limit: u32,
) -> Result<Vec<(i64, CustomerId)>> {
    let sql = format!(
        "SELECT c.customer_no, c.id FROM customers c
         WHERE c.tenant_id = $1 AND c.customer_no > $2 AND {INACTIVE}
         ORDER BY c.customer_no LIMIT $4"
    );
    db.query(
        &sql,
        &[
            &tenant.as_str(),
            &after_no,
            &before.timestamp_micros(),
            &i64::from(limit),
        ],
    )?
    .iter()
    .map(|r| -> Result<(i64, CustomerId)> { Ok((get(r, 0)?, customer_id(r, 1)?)) })
    .collect()
}

/// Whether customer `id` is still inactive since `before`.
pub(super) fn is_inactive(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
    before: &DateTime<Utc>,
) -> Result<bool> {
    let sql =
        format!("SELECT 1 FROM customers c WHERE c.tenant_id = $1 AND c.id = $2 AND {INACTIVE}");
    db.exists(
        &sql,
        &[&tenant.as_str(), id.as_uuid(), &before.timestamp_micros()],
    )
}

/// Those of `digests`, of contacts of this kind, among the tenant's forgotten ones.
pub(super) fn suppressed_among(
    db: &mut Db<'_>,
    tenant: &TenantId,
    kind: &str,
    digests: &[Vec<u8>],
) -> Result<std::collections::HashSet<Vec<u8>>> {
    digests_among(db, tenant, "suppressions", "kind", kind, digests)
}

/// Appends an entry to the tenant's privacy log, at the next position (the tenant's row is
/// locked by the write, so positions do not race).
pub(super) fn log(
    db: &mut Db<'_>,
    tenant: &TenantId,
    action: PrivacyAction,
    customer_no: i64,
    actor: &Actor,
    at: &DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "INSERT INTO privacy_log (tenant_id, seq, at, action, customer_no, user_id, role, request)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7
         FROM privacy_log WHERE tenant_id = $1",
        &[
            &tenant.as_str(),
            &utc_text(at),
            &action.as_str(),
            &customer_no,
            &actor.user_id,
            &actor.role.as_str(),
            &actor.request,
        ],
    )?;
    Ok(())
}

/// Up to `limit` entries of the tenant's privacy log after position `after`, in order.
pub(super) fn log_entries(
    db: &mut Db<'_>,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<PrivacyLogEntry>> {
    let rows = db.query(
        "SELECT seq, at, action, customer_no, user_id, role, request FROM privacy_log
         WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        &[&tenant.as_str(), &after, &i64::from(limit)],
    )?;
    rows.iter()
        .map(|row| {
            Ok(PrivacyLogEntry {
                seq: get(row, 0)?,
                at: utc(row, 1)?,
                action: stored(get(row, 2)?)?,
                customer_no: get(row, 3)?,
                user_id: get(row, 4)?,
                role: stored(get(row, 5)?)?,
                request: get(row, 6)?,
            })
        })
        .collect()
}

/// A name stored by this library read back.
fn stored<T: std::str::FromStr>(name: &str) -> Result<T> {
    name.parse()
        .map_err(|_| crate::error::Error::Internal(format!("unknown name {name:?} stored")))
}

/// Records that `digest` must not be written to on `channel`; whether it was new.
pub(super) fn insert_opt_out(
    db: &mut Db<'_>,
    tenant: &TenantId,
    channel: &str,
    digest: &[u8],
    (at, source, by): (&DateTime<Utc>, &str, &str),
) -> Result<bool> {
    Ok(db.execute(
        "INSERT INTO opt_outs (tenant_id, channel, digest, at, source, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        &[
            &tenant.as_str(),
            &channel,
            &digest,
            &utc_text(at),
            &source,
            &by,
        ],
    )? > 0)
}

/// Removes the opt-out of `digest` on `channel`; whether there was one.
pub(super) fn delete_opt_out(
    db: &mut Db<'_>,
    tenant: &TenantId,
    channel: &str,
    digest: &[u8],
) -> Result<bool> {
    Ok(db.execute(
        "DELETE FROM opt_outs WHERE tenant_id = $1 AND channel = $2 AND digest = $3",
        &[&tenant.as_str(), &channel, &digest],
    )? > 0)
}

/// Whether `digest` is opted out on `channel`.
pub(super) fn is_opted_out(
    db: &mut Db<'_>,
    tenant: &TenantId,
    channel: &str,
    digest: &[u8],
) -> Result<bool> {
    let row = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM opt_outs WHERE tenant_id = $1 AND channel = $2 AND digest = $3)",
        &[&tenant.as_str(), &channel, &digest],
    )?;
    get(&row, 0)
}

/// Whether any address is opted out on `channel`.
pub(super) fn has_opt_outs(db: &mut Db<'_>, tenant: &TenantId, channel: &str) -> Result<bool> {
    let row = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM opt_outs WHERE tenant_id = $1 AND channel = $2)",
        &[&tenant.as_str(), &channel],
    )?;
    get(&row, 0)
}

/// Those of `digests` opted out on `channel`.
pub(super) fn opted_out_among(
    db: &mut Db<'_>,
    tenant: &TenantId,
    channel: &str,
    digests: &[Vec<u8>],
) -> Result<std::collections::HashSet<Vec<u8>>> {
    digests_among(db, tenant, "opt_outs", "channel", channel, digests)
}

/// Those of `digests` held in `table` (`suppressions`, `opt_outs`) for the tenant where
/// `column` is `value`.
fn digests_among(
    db: &mut Db<'_>,
    tenant: &TenantId,
    table: &'static str,
    column: &'static str,
    value: &str,
    digests: &[Vec<u8>],
) -> Result<std::collections::HashSet<Vec<u8>>> {
    if digests.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    db.query(
        &format!(
            "SELECT digest FROM {table} WHERE tenant_id = $1 AND {column} = $2 AND digest = ANY($3)"
        ),
        &[&tenant.as_str(), &value, &digests],
    )?
    .iter()
    .map(|row| get::<Vec<u8>>(row, 0))
    .collect()
}
