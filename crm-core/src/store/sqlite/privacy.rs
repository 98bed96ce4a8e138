//! Suppressed contacts, anonymisation records and the query of inactive customers.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::values::{parse_enum, parse_utc, utc_text};
use crate::error::Result;
use crate::model::AnonymisationNote;
use crate::model::{Actor, CustomerId, PrivacyAction, PrivacyLogEntry, TenantId};

/// The tenant's key for keyed hashes, if it has one.
pub(super) fn suppression_key(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Option<Vec<u8>>> {
    Ok(tx
        .prepare_cached("SELECT suppression_key FROM tenants WHERE tenant_id = ?1")
        .map_err(super::db)?
        .query_row([tenant.as_str()], |r| r.get(0))
        .optional()
        .map_err(super::db)?
        .flatten())
}

/// Sets the tenant's key for keyed hashes.
pub(super) fn set_suppression_key(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    key: &[u8],
) -> Result<()> {
    tx.prepare_cached("UPDATE tenants SET suppression_key = ?2 WHERE tenant_id = ?1")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), key])
        .map_err(super::db)?;
    Ok(())
}

/// Remembers the digest of a forgotten contact (once).
pub(super) fn insert_suppression(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    kind: &str,
    digest: &[u8],
    at: &DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO suppressions (tenant_id, kind, digest, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
    )
    .map_err(super::db)?
    .execute(params![tenant.as_str(), kind, digest, utc_text(at)])
    .map_err(super::db)?;
    Ok(())
}

/// Records an anonymisation.
pub(super) fn insert_anonymisation(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    actor: &Actor,
    reason: &str,
    at: &DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO anonymisations (tenant_id, customer_id, at, actor_id, actor_role, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        customer.as_uuid(),
        utc_text(at),
        actor.user_id,
        actor.role.as_str(),
        reason
    ])
    .map_err(super::db)?;
    Ok(())
}

/// When and why a customer was anonymised.
pub(super) fn anonymisation(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Option<AnonymisationNote>> {
    tx.prepare_cached(
        "SELECT at, reason FROM anonymisations WHERE tenant_id = ?1 AND customer_id = ?2",
    )
    .map_err(super::db)?
    .query_row(params![tenant.as_str(), customer.as_uuid()], |r| {
        Ok(AnonymisationNote {
            at: parse_utc(0, &r.get::<_, String>(0)?)?,
            reason: r.get(1)?,
        })
    })
    .optional()
    .map_err(super::db)
}

/// The condition of an inactive customer `c` (no change, no booking departing, changed or
/// recorded, and no unmerge bringing it back, since `?3` seconds / `?4` microseconds since the
/// epoch). An unmerge restores the record's old update time, hence the last test.
const INACTIVE: &str = "c.anonymised_at IS NULL
    AND unixepoch(c.updated_at, 'subsec') < ?3
    AND c.last_booking_key < ?4
    AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = c.id AND b.tenant_id = ?1
                    AND unixepoch(b.updated_at, 'subsec') >= ?3)
    AND NOT EXISTS (SELECT 1 FROM merge_members mm JOIN merges m ON m.id = mm.merge_id
                    WHERE mm.tenant_id = ?1 AND mm.customer_id = c.id
                    AND unixepoch(m.undone_at, 'subsec') >= ?3)";

fn seconds(t: &DateTime<Utc>) -> f64 {
    t.timestamp_micros() as f64 / 1e6
}

/// Up to `limit` inactive customers after customer no. `after_no`, in number order.
pub(super) fn inactive(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    before: &DateTime<Utc>,
    after_no: i64,
    limit: u32,
) -> Result<Vec<(i64, CustomerId)>> {
    let sql = format!(
        "SELECT c.customer_no, c.id FROM customers c
         WHERE c.tenant_id = ?1 AND c.customer_no > ?2 AND {INACTIVE}
         ORDER BY c.customer_no LIMIT ?5"
    );
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_map(
            params![
                tenant.as_str(),
                after_no,
                seconds(before),
                before.timestamp_micros(),
                limit
            ],
            |r| Ok((r.get(0)?, CustomerId::from_uuid(r.get(1)?))),
        )
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)
}

/// Whether customer `id` is still inactive since `before`.
pub(super) fn is_inactive(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
    before: &DateTime<Utc>,
) -> Result<bool> {
    let sql =
        format!("SELECT 1 FROM customers c WHERE c.tenant_id = ?1 AND c.id = ?2 AND {INACTIVE}");
    Ok(tx
        .prepare_cached(&sql)
        .map_err(super::db)?
        .query_row(
            params![
                tenant.as_str(),
                id.as_uuid(),
                seconds(before),
                before.timestamp_micros()
            ],
            |_| Ok(true),
        )
        .optional()
        .map_err(super::db)?
        .unwrap_or(false))
}

/// Those of `digests`, of contacts of this kind, among the tenant's forgotten ones.
pub(super) fn suppressed_among(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    kind: &str,
    digests: &[Vec<u8>],
) -> Result<std::collections::HashSet<Vec<u8>>> {
    digests_among(tx, tenant, "suppressions", "kind", kind, digests)
}

/// Appends an entry to the tenant's privacy log, at the next position.
pub(super) fn log(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    action: PrivacyAction,
    customer_no: i64,
    actor: &Actor,
    at: &DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO privacy_log (tenant_id, seq, at, action, customer_no, user_id, role, request)
         SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7
         FROM privacy_log WHERE tenant_id = ?1",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        utc_text(at),
        action.as_str(),
        customer_no,
        actor.user_id,
        actor.role.as_str(),
        actor.request,
    ])
    .map_err(super::db)?;
    Ok(())
}

/// Up to `limit` entries of the tenant's privacy log after position `after`, in order.
pub(super) fn log_entries(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<PrivacyLogEntry>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT seq, at, action, customer_no, user_id, role, request FROM privacy_log
             WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )
        .map_err(super::db)?;
    stmt.query_map(params![tenant.as_str(), after, limit], |r| {
        Ok(PrivacyLogEntry {
            seq: r.get(0)?,
            at: parse_utc(1, &r.get::<_, String>(1)?)?,
            action: parse_enum(2, &r.get::<_, String>(2)?)?,
            customer_no: r.get(3)?,
            user_id: r.get(4)?,
            role: parse_enum(5, &r.get::<_, String>(5)?)?,
            request: r.get(6)?,
        })
    })
    .map_err(super::db)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(super::db)
}

/// Records that `digest` must not be written to on `channel`; whether it was new.
pub(super) fn insert_opt_out(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    channel: &str,
    digest: &[u8],
    (at, source, by): (&DateTime<Utc>, &str, &str),
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO opt_outs (tenant_id, channel, digest, at, source, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        )
        .map_err(super::db)?
        .execute(params![
            tenant.as_str(),
            channel,
            digest,
            utc_text(at),
            source,
            by
        ])
        .map_err(super::db)?
        > 0)
}

/// Removes the opt-out of `digest` on `channel`; whether there was one.
pub(super) fn delete_opt_out(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    channel: &str,
    digest: &[u8],
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM opt_outs WHERE tenant_id = ?1 AND channel = ?2 AND digest = ?3",
        )
        .map_err(super::db)?
        .execute(params![tenant.as_str(), channel, digest])
        .map_err(super::db)?
        > 0)
}

/// Whether `digest` is opted out on `channel`.
pub(super) fn is_opted_out(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    channel: &str,
    digest: &[u8],
) -> Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM opt_outs WHERE tenant_id = ?1 AND channel = ?2 AND digest = ?3)",
    )
    .map_err(super::db)?
    .query_row(params![tenant.as_str(), channel, digest], |r| r.get(0))
    .map_err(super::db)
}

/// Whether any address is opted out on `channel`.
pub(super) fn has_opt_outs(tx: &Transaction<'_>, tenant: &TenantId, channel: &str) -> Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM opt_outs WHERE tenant_id = ?1 AND channel = ?2)",
    )
    .map_err(super::db)?
    .query_row(params![tenant.as_str(), channel], |r| r.get(0))
    .map_err(super::db)
}

/// Those of `digests` opted out on `channel`.
pub(super) fn opted_out_among(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    channel: &str,
    digests: &[Vec<u8>],
) -> Result<std::collections::HashSet<Vec<u8>>> {
    digests_among(tx, tenant, "opt_outs", "channel", channel, digests)
}

/// Those of `digests` held in `table` (`suppressions`, `opt_outs`) for the tenant where
/// `column` is `value`, a few hundred per statement.
fn digests_among(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    table: &'static str,
    column: &'static str,
    value: &str,
    digests: &[Vec<u8>],
) -> Result<std::collections::HashSet<Vec<u8>>> {
    let mut out = std::collections::HashSet::new();
    for chunk in digests.chunks(500) {
        let marks = super::numbered_marks(3, chunk.len());
        let sql = format!(
            "SELECT digest FROM {table} WHERE tenant_id = ?1 AND {column} = ?2 AND digest IN ({marks})"
        );
        let tenant_text = tenant.as_str();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&tenant_text, &value];
        args.extend(chunk.iter().map(|d| d as &dyn rusqlite::ToSql));
        let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
        let rows = stmt
            .query_map(args.as_slice(), |r| r.get::<_, Vec<u8>>(0))
            .map_err(super::db)?;
        for digest in rows {
            out.insert(digest.map_err(super::db)?);
        }
    }
    Ok(out)
}
