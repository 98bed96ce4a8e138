//! Merges: the plan, the transactional merge, its record, the resolution of merged ids, and the
//! unmerge that restores what the merge changed.

use chrono::Utc;
use rusqlite::{OptionalExtension, Transaction, params};

use super::port::SqliteTx;
use super::values::{parse_enum, parse_utc, utc_text};
use super::{bookings, changes, customers, documents};
use crate::changes::{Change, ChangeKind};
use crate::error::{Error, Result};
use crate::merge::{
    BookingMove, BookingNow, MergeId, MergePlan, MergeRecord, MergeRequest, Merged, PrimaryNow,
    Undo, check_booking_back, check_documents, check_mergeable, check_undo, check_undo_record,
    survive,
};
use crate::model::{Actor, Customer, CustomerId, TenantId};

/// Rows of a customer that a merge moves to the primary and `unmerge` moves back: the table,
/// its id column, and the table recording each move (`merge_id`, `tenant_id`, the id column,
/// `from_customer`).
struct MovedRows {
    table: &'static str,
    id: &'static str,
    moves: &'static str,
}

/// Documents, brochure requests and the communication log go with their customer.
const MOVED_WITH_MERGES: [MovedRows; 3] = [
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

/// The customer `id` stands for now ([`crate::resolve::current`]).
pub(super) fn resolve(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<CustomerId> {
    crate::resolve::current(&SqliteTx::new(tx, tenant), id)
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

/// The customer that customer no. `no` stands for now ([`crate::resolve::by_no`]).
pub(super) fn resolve_no(tx: &Transaction<'_>, tenant: &TenantId, no: i64) -> Result<Customer> {
    crate::resolve::by_no(&SqliteTx::new(tx, tenant), no)
}

/// The customer `id` itself, for a call that changes it ([`crate::resolve::live`]).
pub(super) fn live(tx: &Transaction<'_>, tenant: &TenantId, id: &CustomerId) -> Result<Customer> {
    crate::resolve::live(&SqliteTx::new(tx, tenant), id)
}

/// The records of a merge request, read and checked, and the bookings that would move.
struct Loaded {
    primary: Customer,
    others: Vec<Customer>,
    moves: Vec<BookingMove>,
    /// The `updated_at` of each booking of `moves`, as stored.
    updated: Vec<String>,
}

fn load(tx: &Transaction<'_>, tenant: &TenantId, req: &MergeRequest) -> Result<Loaded> {
    req.validate()?;
    let primary = live(tx, tenant, &req.primary)?;
    let others = req
        .others
        .iter()
        .map(|id| live(tx, tenant, id))
        .collect::<Result<Vec<_>>>()?;
    check_mergeable(req, std::iter::once(&primary).chain(&others))?;
    let mut moves = Vec::new();
    let mut stmt = tx
        .prepare_cached(
            "SELECT reference, updated_at FROM bookings WHERE customer_id = ?2 AND tenant_id = ?1
         ORDER BY reference",
        )
        .map_err(super::db)?;
    let mut updated = Vec::new();
    for c in &others {
        let rows = stmt
            .query_map(params![tenant.as_str(), c.id.as_uuid()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(super::db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(super::db)?;
        for (reference, at) in rows {
            moves.push(BookingMove {
                reference,
                from: c.id,
            });
            updated.push(at);
        }
    }
    Ok(Loaded {
        primary,
        others,
        moves,
        updated,
    })
}

pub(super) fn plan(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    req: &MergeRequest,
) -> Result<MergePlan> {
    let loaded = load(tx, tenant, req)?;
    let names = super::customers::tenant_settings(tx, tenant)?.name_rule;
    let survived = survive(&loaded.primary, &loaded.others, &req.choices, names)?;
    Ok(MergePlan {
        customer: survived.customer,
        sources: survived.sources,
        versions: std::iter::once(&loaded.primary)
            .chain(&loaded.others)
            .map(|c| (c.id, c.version))
            .collect(),
        merged: loaded.others,
        bookings: loaded.moves,
    })
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

pub(super) fn merge(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    req: &MergeRequest,
) -> Result<Merged> {
    let Loaded {
        primary,
        others,
        moves,
        updated,
    } = load(tx, tenant, req)?;
    let names = super::customers::tenant_settings(tx, tenant)?.name_rule;
    let survived = survive(&primary, &others, &req.choices, names)?;
    let mut documents_after = 0;
    for c in std::iter::once(&primary).chain(&others) {
        documents_after += documents::count(tx, tenant, &c.id)?;
    }
    check_documents(documents_after)?;
    let now = Utc::now();
    let now_text = utc_text(&now);
    let id = MergeId::new();

    let customer = Customer {
        updated_at: now,
        version: primary.version + 1,
        ..survived.customer
    };
    tx.prepare_cached(
        "INSERT INTO merges (id, tenant_id, primary_id, at, actor_id, actor_role, primary_before,
            primary_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(super::db)?
    .execute(params![
        id.as_uuid(),
        tenant.as_str(),
        primary.id.as_uuid(),
        now_text,
        actor.user_id,
        actor.role.as_str(),
        json(&primary)?,
        json(&customer)?,
    ])
    .map_err(super::db)?;

    // The others go first: their secondary contacts and lists leave with them.
    let mut relink = tx
        .prepare_cached(
            "UPDATE bookings SET customer_id = ?3, updated_at = ?4
         WHERE tenant_id = ?1 AND reference = ?2",
        )
        .map_err(super::db)?;
    for m in &moves {
        relink
            .execute(params![
                tenant.as_str(),
                m.reference,
                primary.id.as_uuid(),
                now_text
            ])
            .map_err(super::db)?;
        let mut change = Change::booking(ChangeKind::BookingLinked, &m.reference, Some(primary.id));
        change.previous_customer_id = Some(m.from);
        changes::append(tx, tenant, actor, &change)?;
    }
    for c in &others {
        // Before the row goes: its documents would go with it.
        for rows in MOVED_WITH_MERGES {
            rows.move_over(tx, tenant, &id, &c.id, &primary.id)?;
        }
        customers::remove(tx, tenant, &c.id)?;
    }
    customers::write(tx, tenant, &customer, false)?;
    bookings::refresh_counters(tx, tenant, [primary.id])?;

    let mut member = tx.prepare_cached(
        "INSERT INTO merge_members (merge_id, tenant_id, position, customer_id, customer_no, snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    ).map_err(super::db)?;
    for (i, c) in others.iter().enumerate() {
        member
            .execute(params![
                id.as_uuid(),
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
    for (i, (m, at)) in moves.iter().zip(&updated).enumerate() {
        moved
            .execute(params![
                id.as_uuid(),
                tenant.as_str(),
                i,
                m.reference,
                m.from.as_uuid(),
                at
            ])
            .map_err(super::db)?;
    }

    for c in &others {
        let mut change = Change::customer(ChangeKind::CustomerMerged, primary.id);
        change.previous_customer_id = Some(c.id);
        changes::append(tx, tenant, actor, &change)?;
    }
    let fields = primary.changed_fields(&customer);
    let change = Change::customer(ChangeKind::CustomerUpdated, primary.id).with_fields(&fields);
    changes::append(tx, tenant, actor, &change)?;

    Ok(Merged {
        record: MergeRecord {
            id,
            primary_id: primary.id,
            at: now,
            actor: actor.clone(),
            primary_before: primary,
            merged: others,
            bookings: moves,
            undone: None,
        },
        customer,
    })
}

/// A merge's row: the record less its members and moves, and the primary as the merge left it.
fn record_row(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<(MergeRecord, Customer)> {
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
    .map_err(super::db)?
    .ok_or_else(|| Error::not_found("merge", id))
}

/// The whole record of a merge, the primary as the merge left it, and the update time each
/// moved booking had before the move.
fn full_record(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &MergeId,
) -> Result<(MergeRecord, Customer, Vec<String>)> {
    let (mut record, after) = record_row(tx, tenant, id)?;
    record.merged = tx
        .prepare_cached(
            "SELECT snapshot FROM merge_members WHERE merge_id = ?1 AND tenant_id = ?2 ORDER BY position",
        ).map_err(super::db)?
        .query_map(params![id.as_uuid(), tenant.as_str()], |r| {
            from_json(0, &r.get::<_, String>(0)?)
        }).map_err(super::db)?
        .collect::<rusqlite::Result<_>>().map_err(super::db)?;
    let mut updated = Vec::new();
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
        updated.push(r.get(2).map_err(super::db)?);
    }
    Ok((record, after, updated))
}

pub(super) fn record(tx: &Transaction<'_>, tenant: &TenantId, id: &MergeId) -> Result<MergeRecord> {
    full_record(tx, tenant, id).map(|(r, _, _)| r)
}

/// Every merge the customer took part in, as primary or as a merged record, newest first.
pub(super) fn history(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<MergeRecord>> {
    let ids: Vec<uuid::Uuid> = tx
        .prepare_cached(
            "SELECT id FROM merges WHERE tenant_id = ?1 AND primary_id = ?2
             UNION SELECT merge_id FROM merge_members WHERE tenant_id = ?1 AND customer_id = ?2
             ORDER BY 1 DESC",
        )
        .map_err(super::db)?
        .query_map(params![tenant.as_str(), customer.as_uuid()], |r| r.get(0))
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)?;
    if ids.is_empty() {
        customers::ensure_exists(tx, tenant, customer)?;
    }
    ids.into_iter()
        .map(|id| record(tx, tenant, &MergeId::from_uuid(id)))
        .collect()
}

pub(super) fn unmerge(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    id: &MergeId,
) -> Result<MergeRecord> {
    let (mut record, after, updated) = full_record(tx, tenant, id)?;
    check_undo_record(&record)?;
    let primary_id = record.primary_id;
    let later: Option<uuid::Uuid> = tx
        .prepare_cached(
            "SELECT id FROM merges WHERE tenant_id = ?1 AND primary_id = ?2 AND undone_at IS NULL
             AND id > ?3 ORDER BY id DESC LIMIT 1",
        )
        .map_err(super::db)?
        .query_row(
            params![tenant.as_str(), primary_id.as_uuid(), id.as_uuid()],
            |r| r.get(0),
        )
        .optional()
        .map_err(super::db)?;
    let primary_now = match customers::find(tx, tenant, &primary_id)? {
        Some(c) => PrimaryNow::Present(Box::new(c)),
        None => match merged_into(tx, tenant, &primary_id)? {
            Some((_, again)) => PrimaryNow::MergedAgain(again),
            None => PrimaryNow::Deleted,
        },
    };
    let primary = check_undo(&record, later.map(MergeId::from_uuid), primary_now, &after)?;
    let mut current = Vec::with_capacity(record.bookings.len());
    for m in &record.bookings {
        let now: Option<(Option<uuid::Uuid>, String)> = tx
            .prepare_cached(
                "SELECT customer_id, updated_at FROM bookings WHERE tenant_id = ?1 AND reference = ?2",
            ).map_err(super::db)?
            .query_row(params![tenant.as_str(), m.reference], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional().map_err(super::db)?;
        let state = match &now {
            Some((Some(owner), _)) if owner == primary_id.as_uuid() => BookingNow::WithPrimary,
            Some((Some(_), _)) => BookingNow::Relinked,
            Some((None, _)) => BookingNow::Unlinked,
            None => BookingNow::Gone,
        };
        check_booking_back(id, &m.reference, state)?;
        if let Some((_, at)) = now {
            current.push(at);
        }
    }

    let now = Utc::now();
    let now_text = utc_text(&now);
    for c in &record.merged {
        customers::restore(tx, tenant, c)?;
    }
    for rows in MOVED_WITH_MERGES {
        rows.move_back(tx, tenant, id, &primary_id)?;
    }
    let mut relink = tx
        .prepare_cached(
            "UPDATE bookings SET customer_id = ?3, updated_at = ?4
         WHERE tenant_id = ?1 AND reference = ?2",
        )
        .map_err(super::db)?;
    for c in &record.merged {
        let mut change = Change::customer(ChangeKind::CustomerUnmerged, c.id);
        change.previous_customer_id = Some(primary_id);
        changes::append(tx, tenant, actor, &change)?;
    }
    let merge_wrote = record_moved_at(&record);
    for ((m, before), current) in record.bookings.iter().zip(&updated).zip(&current) {
        // A booking untouched since the move gets back its update time too.
        let at = if *current == merge_wrote {
            before
        } else {
            &now_text
        };
        relink
            .execute(params![tenant.as_str(), m.reference, m.from.as_uuid(), at])
            .map_err(super::db)?;
        let mut change = Change::booking(ChangeKind::BookingLinked, &m.reference, Some(m.from));
        change.previous_customer_id = Some(primary_id);
        changes::append(tx, tenant, actor, &change)?;
    }
    // The primary takes back its fields as they were; its version keeps counting up, so a
    // copy read while merged is seen as stale.
    let restored = Customer {
        updated_at: now,
        version: primary.version + 1,
        ..record.primary_before.clone()
    };
    customers::write(tx, tenant, &restored, false)?;
    bookings::refresh_counters(
        tx,
        tenant,
        std::iter::once(primary_id).chain(record.merged.iter().map(|c| c.id)),
    )?;
    tx.prepare_cached(
        "UPDATE merges SET undone_at = ?3, undone_by_id = ?4, undone_by_role = ?5
         WHERE tenant_id = ?1 AND id = ?2",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        id.as_uuid(),
        now_text,
        actor.user_id,
        actor.role.as_str()
    ])
    .map_err(super::db)?;
    let fields = primary.changed_fields(&restored);
    let change = Change::customer(ChangeKind::CustomerUpdated, primary_id).with_fields(&fields);
    changes::append(tx, tenant, actor, &change)?;
    record.undone = Some(Undo {
        at: now,
        actor: actor.clone(),
    });
    Ok(record)
}

/// The `updated_at` text the merge wrote on the bookings it moved.
fn record_moved_at(record: &MergeRecord) -> String {
    utc_text(&record.at)
}
