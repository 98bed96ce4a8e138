//! Merge records: their rows, members and moved bookings, the rows a merge moves with a
//! customer, and the merged ids that still resolve. Snapshots are JSON text, kept byte for
//! byte (one this version cannot read is left as stored unless it is written over).

use std::collections::BTreeSet;

use postgres::Row;

use super::Db;
use super::values::{customer_id, enumerated, get, opt_utc, utc, utc_text};
use crate::error::{Error, Result};
use crate::model::{Actor, Customer, CustomerId, TenantId};
use crate::model::{BookingMove, MergeId, MergeRecord, Undo};
use crate::store::port::{MergeParties, Snapshot, StoredMerge};

/// Rows of a customer that a merge moves to the primary and `unmerge` moves back: the table,
/// its id column, and the table recording each move (`tenant_id`, `merge_id`, the id column,
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
        db: &mut Db<'_>,
        tenant: &TenantId,
        merge: &MergeId,
        from: &CustomerId,
        to: &CustomerId,
    ) -> Result<()> {
        let Self { table, id, moves } = self;
        db.execute(
            &format!(
                "INSERT INTO {moves} (tenant_id, merge_id, {id}, from_customer)
                 SELECT tenant_id, $3::UUID, id, customer_id FROM {table}
                 WHERE tenant_id = $1 AND customer_id = $2"
            ),
            &[&tenant.as_str(), from.as_uuid(), merge.as_uuid()],
        )?;
        db.execute(
            &format!(
                "UPDATE {table} SET customer_id = $3 WHERE tenant_id = $1 AND customer_id = $2"
            ),
            &[&tenant.as_str(), from.as_uuid(), to.as_uuid()],
        )?;
        Ok(())
    }

    /// Moves back the rows merge `merge` moved that are still on `primary` (one deleted since
    /// is gone).
    fn move_back(
        &self,
        db: &mut Db<'_>,
        tenant: &TenantId,
        merge: &MergeId,
        primary: &CustomerId,
    ) -> Result<()> {
        let Self { table, id, moves } = self;
        // A row is moved at most once by a merge (`{id}` is in the key of `{moves}`), so the
        // join finds one move for each row it updates.
        db.execute(
            &format!(
                "UPDATE {table} SET customer_id = m.from_customer FROM {moves} m
                 WHERE {table}.tenant_id = $1 AND {table}.customer_id = $3
                 AND m.tenant_id = $1 AND m.merge_id = $2 AND m.{id} = {table}.id"
            ),
            &[&tenant.as_str(), merge.as_uuid(), primary.as_uuid()],
        )?;
        Ok(())
    }
}

/// The primary a merged (gone) customer was merged into by a merge that still stands.
pub(super) fn merged_into(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Option<(CustomerId, MergeId)>> {
    let row = db.query_opt(
        "SELECT m.primary_id, m.id FROM merge_members mm
             JOIN merges m ON m.tenant_id = mm.tenant_id AND m.id = mm.merge_id
         WHERE mm.tenant_id = $1 AND mm.customer_id = $2 AND m.undone_at IS NULL
         LIMIT 1",
        &[&tenant.as_str(), id.as_uuid()],
    )?;
    row.map(|r| -> Result<(CustomerId, MergeId)> {
        Ok((
            customer_id(&r, 0)?,
            MergeId::from_uuid(get::<uuid::Uuid>(&r, 1)?),
        ))
    })
    .transpose()
}

/// The customer that had customer no. `no` and was merged into another by a merge that still
/// stands.
pub(super) fn merged_by_no(
    db: &mut Db<'_>,
    tenant: &TenantId,
    no: i64,
) -> Result<Option<CustomerId>> {
    let row = db.query_opt(
        "SELECT mm.customer_id FROM merge_members mm
             JOIN merges m ON m.tenant_id = mm.tenant_id AND m.id = mm.merge_id
         WHERE mm.tenant_id = $1 AND mm.customer_no = $2 AND m.undone_at IS NULL
         LIMIT 1",
        &[&tenant.as_str(), &no],
    )?;
    row.map(|r| customer_id(&r, 0)).transpose()
}

/// The merges (standing or undone) with any of `ids` as primary or member, oldest first.
pub(super) fn of_customers(
    db: &mut Db<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<MergeId>> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
    let rows = db.query(
        "SELECT id FROM merges WHERE tenant_id = $1 AND primary_id = ANY($2)
         UNION
         SELECT merge_id FROM merge_members WHERE tenant_id = $1 AND customer_id = ANY($2)",
        &[&tenant.as_str(), &ids],
    )?;
    let mut out = BTreeSet::new();
    for r in &rows {
        out.insert(MergeId::from_uuid(get::<uuid::Uuid>(r, 0)?));
    }
    Ok(out.into_iter().collect())
}

/// The customers merged into `primary` by merges that still stand.
pub(super) fn members_of(
    db: &mut Db<'_>,
    tenant: &TenantId,
    primary: &CustomerId,
) -> Result<Vec<CustomerId>> {
    db.query(
        "SELECT mm.customer_id FROM merges m
             JOIN merge_members mm ON mm.tenant_id = m.tenant_id AND mm.merge_id = m.id
         WHERE m.tenant_id = $1 AND m.primary_id = $2 AND m.undone_at IS NULL",
        &[&tenant.as_str(), primary.as_uuid()],
    )?
    .iter()
    .map(|r| customer_id(r, 0))
    .collect()
}

/// The newest standing merge into `primary` after merge `after`.
pub(super) fn later(
    db: &mut Db<'_>,
    tenant: &TenantId,
    primary: &CustomerId,
    after: &MergeId,
) -> Result<Option<MergeId>> {
    let row = db.query_opt(
        "SELECT id FROM merges WHERE tenant_id = $1 AND primary_id = $2 AND undone_at IS NULL
         AND id > $3 ORDER BY id DESC LIMIT 1",
        &[&tenant.as_str(), primary.as_uuid(), after.as_uuid()],
    )?;
    row.map(|r| get::<uuid::Uuid>(&r, 0).map(MergeId::from_uuid))
        .transpose()
}

fn json(c: &Customer) -> Result<String> {
    serde_json::to_string(c).map_err(|e| Error::Internal(format!("snapshot: {e}")))
}

/// Reads the snapshot in column `col`. New fields of [`Customer`] carry `#[serde(default)]`, so
/// snapshots of older versions still read. serde's message may quote a value (personal data):
/// it is dropped.
fn from_json(row: &Row, col: usize) -> Result<Customer> {
    serde_json::from_str(get::<&str>(row, col)?).map_err(|_| {
        Error::Internal(format!(
            "column {col}: a merge snapshot is not a customer record this version reads"
        ))
    })
}

/// Stores a merge: its row, its members and the bookings it moved (the row first: the others
/// refer to it).
pub(super) fn insert(db: &mut Db<'_>, tenant: &TenantId, merge: &StoredMerge) -> Result<()> {
    let StoredMerge {
        record,
        after,
        moved_at,
    } = merge;
    db.execute(
        "INSERT INTO merges (tenant_id, id, primary_id, at, actor_id, actor_role, primary_before,
            primary_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &tenant.as_str(),
            record.id.as_uuid(),
            record.primary_id.as_uuid(),
            &utc_text(&record.at),
            &record.actor.user_id,
            &record.actor.role.as_str(),
            &json(&record.primary_before)?,
            &json(after)?,
        ],
    )?;
    for (i, c) in record.merged.iter().enumerate() {
        db.execute(
            "INSERT INTO merge_members (tenant_id, merge_id, position, customer_id, customer_no,
                snapshot) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &tenant.as_str(),
                record.id.as_uuid(),
                &(i as i64),
                c.id.as_uuid(),
                &c.customer_no,
                &json(c)?,
            ],
        )?;
    }
    for (i, (m, at)) in record.bookings.iter().zip(moved_at).enumerate() {
        db.execute(
            "INSERT INTO merge_bookings (tenant_id, merge_id, position, reference, from_customer,
                updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &tenant.as_str(),
                record.id.as_uuid(),
                &(i as i64),
                &m.reference,
                m.from.as_uuid(),
                &utc_text(at),
            ],
        )?;
    }
    Ok(())
}

/// A merge's row: the record less its members and moves, and the primary as the merge left it.
fn record_row(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<Option<(MergeRecord, Customer)>> {
    let Some(r) = db.query_opt(
        "SELECT primary_id, at, actor_id, actor_role, primary_before, primary_after, undone_at,
            undone_by_id, undone_by_role
         FROM merges WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )?
    else {
        return Ok(None);
    };
    let undone = match opt_utc(&r, 6)? {
        Some(at) => Some(Undo {
            at,
            actor: Actor::new(get::<String>(&r, 7)?, enumerated(&r, 8)?),
        }),
        None => None,
    };
    Ok(Some((
        MergeRecord {
            id: *id,
            primary_id: customer_id(&r, 0)?,
            at: utc(&r, 1)?,
            actor: Actor::new(get::<String>(&r, 2)?, enumerated(&r, 3)?),
            primary_before: from_json(&r, 4)?,
            merged: Vec::new(),
            bookings: Vec::new(),
            undone,
        },
        from_json(&r, 5)?,
    )))
}

/// One merge as stored.
pub(super) fn load(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<Option<StoredMerge>> {
    let Some((mut record, after)) = record_row(db, tenant, id)? else {
        return Ok(None);
    };
    record.merged = db
        .query(
            "SELECT snapshot FROM merge_members WHERE tenant_id = $1 AND merge_id = $2
             ORDER BY position",
            &[&tenant.as_str(), id.as_uuid()],
        )?
        .iter()
        .map(|r| from_json(r, 0))
        .collect::<Result<_>>()?;
    let rows = db.query(
        "SELECT reference, from_customer, updated_at FROM merge_bookings
         WHERE tenant_id = $1 AND merge_id = $2 ORDER BY position",
        &[&tenant.as_str(), id.as_uuid()],
    )?;
    let mut moved_at = Vec::with_capacity(rows.len());
    for r in &rows {
        record.bookings.push(BookingMove {
            reference: get(r, 0)?,
            from: customer_id(r, 1)?,
        });
        moved_at.push(utc(r, 2)?);
    }
    Ok(Some(StoredMerge {
        record,
        after,
        moved_at,
    }))
}

/// Records that a merge was undone.
pub(super) fn set_undone(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &MergeId,
    undo: &Undo,
) -> Result<()> {
    db.execute(
        "UPDATE merges SET undone_at = $3, undone_by_id = $4, undone_by_role = $5
         WHERE tenant_id = $1 AND id = $2",
        &[
            &tenant.as_str(),
            id.as_uuid(),
            &utc_text(&undo.at),
            &undo.actor.user_id,
            &undo.actor.role.as_str(),
        ],
    )?;
    Ok(())
}

/// The primary of a merge and its merged records in position order.
pub(super) fn parties(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<Option<MergeParties>> {
    let Some(row) = db.query_opt(
        "SELECT primary_id FROM merges WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )?
    else {
        return Ok(None);
    };
    let primary = customer_id(&row, 0)?;
    let members = db
        .query(
            "SELECT position, customer_id FROM merge_members WHERE tenant_id = $1 AND merge_id = $2
             ORDER BY position",
            &[&tenant.as_str(), id.as_uuid()],
        )?
        .iter()
        .map(|r| -> Result<(usize, CustomerId)> {
            Ok((get::<i64>(r, 0)? as usize, customer_id(r, 1)?))
        })
        .collect::<Result<_>>()?;
    Ok(Some((primary, members)))
}

/// Where a snapshot is stored: its table, column and row (`$1` merge, `$2` tenant, `$3` the
/// position of a merged record, bound as NULL for the primary's, where it is unused; typed
/// `BIGINT` in both, as PostgreSQL cannot guess the type of a parameter only tested for NULL).
fn snapshot_place(which: Snapshot) -> (&'static str, &'static str, &'static str) {
    const MERGE: &str = "id = $1 AND tenant_id = $2 AND $3::BIGINT IS NULL";
    match which {
        Snapshot::PrimaryBefore => ("merges", "primary_before", MERGE),
        Snapshot::PrimaryAfter => ("merges", "primary_after", MERGE),
        Snapshot::Merged(_) => (
            "merge_members",
            "snapshot",
            "merge_id = $1 AND tenant_id = $2 AND position = $3::BIGINT",
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
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &MergeId,
    which: Snapshot,
) -> Result<Customer> {
    let (table, column, row) = snapshot_place(which);
    let found = db
        .query_opt(
            &format!("SELECT {column} FROM {table} WHERE {row}"),
            &[id.as_uuid(), &tenant.as_str(), &position(which)],
        )?
        .ok_or_else(|| Error::not_found("merge", id))?;
    let text: &str = get(&found, 0)?;
    serde_json::from_str(text)
        .map_err(|_| Error::Internal("a merge snapshot is not a customer record".into()))
}

/// Writes one snapshot of a merge.
pub(super) fn set_snapshot(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &MergeId,
    which: Snapshot,
    c: &Customer,
) -> Result<()> {
    let (table, column, row) = snapshot_place(which);
    db.execute(
        &format!("UPDATE {table} SET {column} = $4 WHERE {row}"),
        &[id.as_uuid(), &tenant.as_str(), &position(which), &json(c)?],
    )?;
    Ok(())
}

/// Moves the rows `from` owns to `to`, remembering each move under merge `merge`.
pub(super) fn move_owned(
    db: &mut Db<'_>,
    tenant: &TenantId,
    merge: &MergeId,
    from: &CustomerId,
    to: &CustomerId,
) -> Result<()> {
    for rows in MOVED_WITH_MERGES {
        rows.move_over(db, tenant, merge, from, to)?;
    }
    Ok(())
}

/// Moves back the rows merge `merge` moved that are still on `primary`.
pub(super) fn move_back_owned(
    db: &mut Db<'_>,
    tenant: &TenantId,
    merge: &MergeId,
    primary: &CustomerId,
) -> Result<()> {
    for rows in MOVED_WITH_MERGES {
        rows.move_back(db, tenant, merge, primary)?;
    }
    Ok(())
}
