//! Merge records: their rows, members and moved bookings, the rows a merge moves with a
//! customer, and the merged ids that still resolve.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, Transaction, params};

use super::values::{parse_enum, parse_utc, utc_text};
use crate::error::{Error, Result};
use crate::model::{Actor, Customer, CustomerId, TenantId};
use crate::model::{BookingMove, MergeId, MergeRecord, Undo};
use crate::store::port::{MergeParties, Snapshot, StoredMerge};

/// Rows of a customer that a merge moves to the primary and `unmerge` moves back: the table,
/// its id column, and the table recording each move (`merge_id`, `tenant_id`, the id column,
/// `from_customer`).
struct MovedRows {
    table: &'static str,
    id: &'static str,
    moves: &'static str,
}

/// Documents, brochure requests, the communication log and the consent records go with their
/// customer.
const MOVED_WITH_MERGES: [MovedRows; 4] = [
    MovedRows {
        table: "documents",
        id: "document_id",
        moves: "merge_documents",
    },
    MovedRows {
        table: "brochure_requests",
        id: "request_id",
        moves: "merge_brochure_requests",
    },
    MovedRows {
        table: "communications",
        id: "communication_id",
        moves: "merge_communications",
    },
    MovedRows {
        table: "consent_records",
        id: "record_id",
        moves: "merge_consents",
    },
];

impl MovedRows {
    /// Moves the rows of `from` to `to` for merge `merge`, remembering each move.
    fn move_over(
        &self,
        tx: &Transaction<'_>,
        tenant: &TenantId,
        merge: &MergeId,
        from: &CustomerId,
        to: &CustomerId,
    ) -> Result<()> {
        let Self { table, id, moves } = self;
        tx.prepare_cached(&format!(
            "INSERT INTO {moves} (merge_id, tenant_id, {id}, from_customer)
             SELECT ?3, tenant_id, id, customer_id FROM {table} WHERE tenant_id = ?1 AND customer_id = ?2"
        )).map_err(super::db)?
        .execute(params![tenant.as_str(), from.as_uuid(), merge.as_uuid()]).map_err(super::db)?;
        tx.prepare_cached(&format!(
            "UPDATE {table} SET customer_id = ?3 WHERE tenant_id = ?1 AND customer_id = ?2"
        ))
        .map_err(super::db)?
        .execute(params![tenant.as_str(), from.as_uuid(), to.as_uuid()])
        .map_err(super::db)?;
        Ok(())
    }

    /// Moves back the rows merge `merge` moved that are still on `primary` (one deleted since
    /// is gone).
    fn move_back(
        &self,
        tx: &Transaction<'_>,
        tenant: &TenantId,
        merge: &MergeId,
        primary: &CustomerId,
    ) -> Result<()> {
        let Self { table, id, moves } = self;
        tx.prepare_cached(&format!(
            "UPDATE {table} SET customer_id = (SELECT m.from_customer FROM {moves} m
                WHERE m.merge_id = ?2 AND m.{id} = {table}.id)
             WHERE tenant_id = ?1 AND customer_id = ?3 AND id IN
                (SELECT {id} FROM {moves} WHERE merge_id = ?2 AND tenant_id = ?1)"
        ))
        .map_err(super::db)?
        .execute(params![tenant.as_str(), merge.as_uuid(), primary.as_uuid()])
        .map_err(super::db)?;
        Ok(())
    }
}

/// The primary a merged (gone) customer was merged into by a merge that still stands.
pub(super) fn merged_into(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Option<(CustomerId, MergeId)>> {
    tx.prepare_cached(
        "SELECT m.primary_id, m.id FROM merge_members mm JOIN merges m ON m.id = mm.merge_id
             WHERE mm.tenant_id = ?1 AND mm.customer_id = ?2 AND m.undone_at IS NULL",
    )
    .map_err(super::db)?
    .query_row(params![tenant.as_str(), id.as_uuid()], |r| {
        Ok((
            CustomerId::from_uuid(r.get(0)?),
            MergeId::from_uuid(r.get(1)?),
        ))
    })
    .optional()
    .map_err(super::db)
}

/// The customer that had customer no. `no` and was merged into another by a merge that still
/// stands.
pub(super) fn merged_by_no(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    no: i64,
) -> Result<Option<CustomerId>> {
    let merged: Option<uuid::Uuid> = tx
        .prepare_cached(
            "SELECT mm.customer_id FROM merge_members mm JOIN merges m ON m.id = mm.merge_id
             WHERE mm.tenant_id = ?1 AND mm.customer_no = ?2 AND m.undone_at IS NULL",
        )
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), no], |r| r.get(0))
        .optional()
        .map_err(super::db)?;
    Ok(merged.map(CustomerId::from_uuid))
}

/// The merges (standing or undone) with any of `ids` as primary or member, oldest first.
pub(super) fn of_customers(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<MergeId>> {
    let mut out = BTreeSet::new();
    let mut as_primary = tx
        .prepare_cached("SELECT id FROM merges WHERE tenant_id = ?1 AND primary_id = ?2")
        .map_err(super::db)?;
    let mut as_member = tx
        .prepare_cached(
            "SELECT merge_id FROM merge_members WHERE tenant_id = ?1 AND customer_id = ?2",
        )
        .map_err(super::db)?;
    for id in ids {
        for stmt in [&mut as_primary, &mut as_member] {
            let found = stmt
                .query_map(params![tenant.as_str(), id.as_uuid()], |r| {
                    r.get::<_, uuid::Uuid>(0)
                })
                .map_err(super::db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(super::db)?;
            out.extend(found.into_iter().map(MergeId::from_uuid));
        }
    }
    Ok(out.into_iter().collect())
}

/// The customers merged into `primary` by merges that still stand.
pub(super) fn members_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    primary: &CustomerId,
) -> Result<Vec<CustomerId>> {
    tx.prepare_cached(
        "SELECT mm.customer_id FROM merges m JOIN merge_members mm ON mm.merge_id = m.id
         WHERE m.tenant_id = ?1 AND m.primary_id = ?2 AND m.undone_at IS NULL",
    )
    .map_err(super::db)?
    .query_map(params![tenant.as_str(), primary.as_uuid()], |r| {
        Ok(CustomerId::from_uuid(r.get(0)?))
    })
    .map_err(super::db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(super::db)
}

/// The newest standing merge into `primary` after merge `after`.
pub(super) fn later(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    primary: &CustomerId,
    after: &MergeId,
) -> Result<Option<MergeId>> {
    let later: Option<uuid::Uuid> = tx
        .prepare_cached(
            "SELECT id FROM merges WHERE tenant_id = ?1 AND primary_id = ?2 AND undone_at IS NULL
             AND id > ?3 ORDER BY id DESC LIMIT 1",
        )
        .map_err(super::db)?
        .query_row(
            params![tenant.as_str(), primary.as_uuid(), after.as_uuid()],
            |r| r.get(0),
        )
        .optional()
        .map_err(super::db)?;
    Ok(later.map(MergeId::from_uuid))
}

fn json(c: &Customer) -> Result<String> {
    serde_json::to_string(c).map_err(|e| Error::Internal(format!("snapshot: {e}")))
}

/// Reads a snapshot. New fields of [`Customer`] carry `#[serde(default)]`, so snapshots of
/// older versions still read. serde's message may quote a value (personal data): it is dropped.
fn from_json(col: usize, text: &str) -> rusqlite::Result<Customer> {
    serde_json::from_str(text).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            col,
            rusqlite::types::Type::Text,
            "a merge snapshot is not a customer record this version reads".into(),
        )
    })
}

/// Stores a merge: its row, its members and the bookings it moved.
pub(super) fn insert(tx: &Transaction<'_>, tenant: &TenantId, merge: &StoredMerge) -> Result<()> {
    let StoredMerge {
        record,
        after,
        moved_at,
    } = merge;
    tx.prepare_cached(
        "INSERT INTO merges (id, tenant_id, primary_id, at, actor_id, actor_role, primary_before,
            primary_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(super::db)?
    .execute(params![
        record.id.as_uuid(),
        tenant.as_str(),
        record.primary_id.as_uuid(),
        utc_text(&record.at),
        record.actor.user_id,
        record.actor.role.as_str(),
        json(&record.primary_before)?,
        json(after)?,
    ])
    .map_err(super::db)?;
    let mut member = tx.prepare_cached(
        "INSERT INTO merge_members (merge_id, tenant_id, position, customer_id, customer_no, snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    ).map_err(super::db)?;
    for (i, c) in record.merged.iter().enumerate() {
        member
            .execute(params![
                record.id.as_uuid(),
                tenant.as_str(),
                i,
                c.id.as_uuid(),
                c.customer_no,
                json(c)?
            ])
            .map_err(super::db)?;
    }
    let mut moved = tx
        .prepare_cached(
            "INSERT INTO merge_bookings (merge_id, tenant_id, position, reference, from_customer,
            updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(super::db)?;
    for (i, (m, at)) in record.bookings.iter().zip(moved_at).enumerate() {
        moved
            .execute(params![
                record.id.as_uuid(),
                tenant.as_str(),
                i,
                m.reference,
                m.from.as_uuid(),
                utc_text(at)
            ])
            .map_err(super::db)?;
    }
    Ok(())
}

/// A merge's row: the record less its members and moves, and the primary as the merge left it.
fn record_row(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<Option<(MergeRecord, Customer)>> {
    tx.prepare_cached(
        "SELECT primary_id, at, actor_id, actor_role, primary_before, primary_after, undone_at,
            undone_by_id, undone_by_role
         FROM merges WHERE tenant_id = ?1 AND id = ?2",
    )
    .map_err(super::db)?
    .query_row(params![tenant.as_str(), id.as_uuid()], |r| {
        let undone_at: Option<String> = r.get(6)?;
        let undone = match undone_at {
            Some(at) => Some(Undo {
                at: parse_utc(6, &at)?,
                actor: Actor::new(
                    r.get::<_, String>(7)?,
                    parse_enum(8, &r.get::<_, String>(8)?)?,
                ),
            }),
            None => None,
        };
        Ok((
            MergeRecord {
                id: *id,
                primary_id: CustomerId::from_uuid(r.get(0)?),
                at: parse_utc(1, &r.get::<_, String>(1)?)?,
                actor: Actor::new(
                    r.get::<_, String>(2)?,
                    parse_enum(3, &r.get::<_, String>(3)?)?,
                ),
                primary_before: from_json(4, &r.get::<_, String>(4)?)?,
                merged: Vec::new(),
                bookings: Vec::new(),
                undone,
            },
            from_json(5, &r.get::<_, String>(5)?)?,
        ))
    })
    .optional()
    .map_err(super::db)
}

/// One merge as stored.
pub(super) fn load(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<Option<StoredMerge>> {
    let Some((mut record, after)) = record_row(tx, tenant, id)? else {
        return Ok(None);
    };
    record.merged = tx
        .prepare_cached(
            "SELECT snapshot FROM merge_members WHERE merge_id = ?1 AND tenant_id = ?2 ORDER BY position",
        ).map_err(super::db)?
        .query_map(params![id.as_uuid(), tenant.as_str()], |r| {
            from_json(0, &r.get::<_, String>(0)?)
        }).map_err(super::db)?
        .collect::<rusqlite::Result<_>>().map_err(super::db)?;
    let mut moved_at = Vec::new();
    let mut stmt = tx
        .prepare_cached(
            "SELECT reference, from_customer, updated_at FROM merge_bookings
         WHERE merge_id = ?1 AND tenant_id = ?2 ORDER BY position",
        )
        .map_err(super::db)?;
    let mut rows = stmt
        .query(params![id.as_uuid(), tenant.as_str()])
        .map_err(super::db)?;
    while let Some(r) = rows.next().map_err(super::db)? {
        record.bookings.push(BookingMove {
            reference: r.get(0).map_err(super::db)?,
            from: CustomerId::from_uuid(r.get(1).map_err(super::db)?),
        });
        let at: String = r.get(2).map_err(super::db)?;
        moved_at.push(parse_utc(2, &at).map_err(super::db)?);
    }
    Ok(Some(StoredMerge {
        record,
        after,
        moved_at,
    }))
}

/// Records that a merge was undone.
pub(super) fn set_undone(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
    undo: &Undo,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE merges SET undone_at = ?3, undone_by_id = ?4, undone_by_role = ?5
         WHERE tenant_id = ?1 AND id = ?2",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        id.as_uuid(),
        utc_text(&undo.at),
        undo.actor.user_id,
        undo.actor.role.as_str()
    ])
    .map_err(super::db)?;
    Ok(())
}

/// The primary of a merge and its merged records in position order.
pub(super) fn parties(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<Option<MergeParties>> {
    let primary: Option<uuid::Uuid> = tx
        .prepare_cached("SELECT primary_id FROM merges WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], |r| r.get(0))
        .optional()
        .map_err(super::db)?;
    let Some(primary) = primary else {
        return Ok(None);
    };
    let members = tx
        .prepare_cached(
            "SELECT position, customer_id FROM merge_members WHERE merge_id = ?1 AND tenant_id = ?2
             ORDER BY position",
        )
        .map_err(super::db)?
        .query_map(params![id.as_uuid(), tenant.as_str()], |r| {
            Ok((
                r.get::<_, i64>(0)? as usize,
                CustomerId::from_uuid(r.get(1)?),
            ))
        })
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)?;
    Ok(Some((CustomerId::from_uuid(primary), members)))
}

/// Where a snapshot is stored: its table, column and row (`?1` merge, `?2` tenant, `?3` the
/// position of a merged record, bound as NULL for the primary's, where it is unused).
fn snapshot_place(which: Snapshot) -> (&'static str, &'static str, &'static str) {
    const MERGE: &str = "id = ?1 AND tenant_id = ?2 AND ?3 IS NULL";
    match which {
        Snapshot::PrimaryBefore => ("merges", "primary_before", MERGE),
        Snapshot::PrimaryAfter => ("merges", "primary_after", MERGE),
        Snapshot::Merged(_) => (
            "merge_members",
            "snapshot",
            "merge_id = ?1 AND tenant_id = ?2 AND position = ?3",
        ),
    }
}

fn position(which: Snapshot) -> Option<i64> {
    match which {
        Snapshot::Merged(p) => Some(p as i64),
        _ => None,
    }
}

/// One snapshot of a merge. serde's message may quote a value (personal data): it is dropped.
pub(super) fn snapshot(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
    which: Snapshot,
) -> Result<Customer> {
    let (table, column, row) = snapshot_place(which);
    let text: String = tx
        .prepare_cached(&format!("SELECT {column} FROM {table} WHERE {row}"))
        .map_err(super::db)?
        .query_row(
            params![id.as_uuid(), tenant.as_str(), position(which)],
            |r| r.get(0),
        )
        .optional()
        .map_err(super::db)?
        .ok_or_else(|| Error::not_found("merge", id))?;
    serde_json::from_str(&text)
        .map_err(|_| Error::Internal("a merge snapshot is not a customer record".into()))
}

/// Writes one snapshot of a merge.
pub(super) fn set_snapshot(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
    which: Snapshot,
    c: &Customer,
) -> Result<()> {
    let (table, column, row) = snapshot_place(which);
    tx.prepare_cached(&format!("UPDATE {table} SET {column} = ?4 WHERE {row}"))
        .map_err(super::db)?
        .execute(params![
            id.as_uuid(),
            tenant.as_str(),
            position(which),
            json(c)?
        ])
        .map_err(super::db)?;
    Ok(())
}

/// Moves the rows `from` owns to `to`, remembering each move under merge `merge`.
pub(super) fn move_owned(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    merge: &MergeId,
    from: &CustomerId,
    to: &CustomerId,
) -> Result<()> {
    for rows in MOVED_WITH_MERGES {
        rows.move_over(tx, tenant, merge, from, to)?;
    }
    Ok(())
}

/// Moves back the rows merge `merge` moved that are still on `primary`.
pub(super) fn move_back_owned(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    merge: &MergeId,
    primary: &CustomerId,
) -> Result<()> {
    for rows in MOVED_WITH_MERGES {
        rows.move_back(tx, tenant, merge, primary)?;
    }
    Ok(())
}
