//! Anonymisation, retention, suppression and the personal-data export in SQLite.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::port::SqliteTx;
use super::values::{parse_utc, utc_text};
use super::{bookings, changes, communications, customers, documents, lists, merges};
use crate::changes::{Change, ChangeKind};
use crate::error::{Error, Result};
use crate::merge::MergeId;
use crate::model::{Actor, Customer, CustomerId, TenantId};
use crate::privacy::{
    Act, AnonymisationNote, AnonymisationReport, PersonalDataExport, allow, anonymised,
    contacts_of, digest, kept, personal_fields,
};

/// The customer `id` itself, for anonymising: Conflict if merged into another (name that one)
/// or already anonymised.
fn live_personal(tx: &Transaction<'_>, tenant: &TenantId, id: &CustomerId) -> Result<Customer> {
    let c = merges::live(tx, tenant, id)?;
    allow(&c, Act::Anonymise)?;
    Ok(c)
}

/// `id` and every customer merged into it by merges that stand, recursively: one person.
fn person(tx: &Transaction<'_>, tenant: &TenantId, id: &CustomerId) -> Result<Vec<CustomerId>> {
    let mut all = vec![*id];
    let mut next = 0;
    let mut stmt = tx
        .prepare_cached(
            "SELECT mm.customer_id FROM merges m JOIN merge_members mm ON mm.merge_id = m.id
         WHERE m.tenant_id = ?1 AND m.primary_id = ?2 AND m.undone_at IS NULL",
        )
        .map_err(super::db)?;
    while next < all.len() {
        let at = all[next];
        next += 1;
        let found = stmt
            .query_map(params![tenant.as_str(), at.as_uuid()], |r| {
                r.get::<_, uuid::Uuid>(0)
            })
            .map_err(super::db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(super::db)?;
        for id in found.into_iter().map(CustomerId::from_uuid) {
            if !all.contains(&id) {
                all.push(id);
            }
        }
    }
    Ok(all)
}

/// The merges holding a snapshot of any of `ids` (as primary or merged), oldest first.
fn merges_of(tx: &Transaction<'_>, tenant: &TenantId, ids: &[CustomerId]) -> Result<Vec<MergeId>> {
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

fn report(tx: &Transaction<'_>, tenant: &TenantId, c: &Customer) -> Result<AnonymisationReport> {
    let person = person(tx, tenant, &c.id)?;
    let bookings: i64 = tx
        .prepare_cached("SELECT booking_count FROM customers WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), c.id.as_uuid()], |r| r.get(0))
        .map_err(super::db)?;
    let mut contacts: Vec<(&str, String)> = contacts_of(c)
        .into_iter()
        .map(|k| (k.kind, k.key))
        .collect();
    contacts.sort();
    contacts.dedup();
    let mut erased = personal_fields(c);
    if documents::count(tx, tenant, &c.id)? > 0 {
        erased.push("documents".into());
    }
    if !communications::of_customer(tx, tenant, &c.id)?.is_empty() {
        erased.push("communications".into());
    }
    Ok(AnonymisationReport {
        customer_id: c.id,
        customer_no: c.customer_no,
        erased,
        kept: kept(),
        bookings: bookings as u64,
        merges: merges_of(tx, tenant, &person)?.len() as u64,
        suppressed_contacts: contacts.len() as u64,
    })
}

pub(super) fn plan(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<AnonymisationReport> {
    let c = live_personal(tx, tenant, id)?;
    report(tx, tenant, &c)
}

/// The tenant's key for keyed hashes; made (32 random bytes) when `create` and missing.
pub(super) fn suppression_key(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    create: bool,
) -> Result<Option<Vec<u8>>> {
    let key: Option<Vec<u8>> = tx
        .prepare_cached("SELECT suppression_key FROM tenants WHERE tenant_id = ?1")
        .map_err(super::db)?
        .query_row([tenant.as_str()], |r| r.get(0))
        .optional()
        .map_err(super::db)?
        .flatten();
    if key.is_some() || !create {
        return Ok(key);
    }
    let mut fresh = vec![0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    tx.prepare_cached("UPDATE tenants SET suppression_key = ?2 WHERE tenant_id = ?1")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), fresh])
        .map_err(super::db)?;
    Ok(Some(fresh))
}

/// Anonymises one customer inside the caller's transaction; returns what was erased and kept.
fn anonymise_one(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    c: &Customer,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<AnonymisationReport> {
    let report = report(tx, tenant, c)?;
    let person = person(tx, tenant, &c.id)?;
    let now_text = utc_text(&now);

    let key = suppression_key(tx, tenant, true)?.unwrap_or_default();
    let mut remember = tx
        .prepare_cached(
            "INSERT INTO suppressions (tenant_id, kind, digest, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        )
        .map_err(super::db)?;
    for contact in contacts_of(c) {
        remember
            .execute(params![
                tenant.as_str(),
                contact.kind,
                digest(&key, &contact),
                now_text
            ])
            .map_err(super::db)?;
    }

    scrub_merges(tx, tenant, &person, now)?;

    let erased = Customer {
        updated_at: now,
        version: c.version + 1,
        ..anonymised(c, now)
    };
    customers::write(tx, tenant, &erased, false)?;
    documents::erase_all(tx, tenant, &c.id)?;
    communications::erase(tx, tenant, &c.id)?;
    crate::cases::lists::drop_if_empty(&SqliteTx::new(tx, tenant), actor, &c.lists)?;
    tx.prepare_cached(
        "INSERT INTO anonymisations (tenant_id, customer_id, at, actor_id, actor_role, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        c.id.as_uuid(),
        now_text,
        actor.user_id,
        actor.role.as_str(),
        reason
    ])
    .map_err(super::db)?;
    let fields: Vec<&str> = report.erased.iter().map(String::as_str).collect();
    let change = Change::customer(ChangeKind::CustomerAnonymised, c.id).with_fields(&fields);
    changes::append(tx, tenant, actor, &change)?;
    Ok(report)
}

/// Erases the personal data of the snapshots merge records keep of `person` (a customer and
/// those merged into it): the primary's before and after of merges into one of them, and the
/// snapshots of each of them merged. Those merges can no longer be undone.
pub(super) fn scrub_merges(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    person: &[CustomerId],
    now: DateTime<Utc>,
) -> Result<()> {
    for merge in merges_of(tx, tenant, person)? {
        let (primary, before, after): (uuid::Uuid, String, String) = tx
            .prepare_cached(
                "SELECT primary_id, primary_before, primary_after FROM merges
                 WHERE id = ?1 AND tenant_id = ?2",
            )
            .map_err(super::db)?
            .query_row(params![merge.as_uuid(), tenant.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(super::db)?;
        let members: Vec<(i64, uuid::Uuid, String)> = tx
            .prepare_cached(
                "SELECT position, customer_id, snapshot FROM merge_members
                 WHERE merge_id = ?1 AND tenant_id = ?2",
            )
            .map_err(super::db)?
            .query_map(params![merge.as_uuid(), tenant.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(super::db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(super::db)?;
        let ours = |id: uuid::Uuid| person.contains(&CustomerId::from_uuid(id));
        let primary_ours = ours(primary);
        // The merged result holds the data of every record merged: it goes as soon as one of
        // them is this person (even in a merge undone since).
        if primary_ours || members.iter().any(|m| ours(m.1)) {
            let before = if primary_ours {
                scrubbed(&before, now)?
            } else {
                before
            };
            tx.prepare_cached(
                "UPDATE merges SET primary_before = ?3, primary_after = ?4
                 WHERE id = ?1 AND tenant_id = ?2",
            )
            .map_err(super::db)?
            .execute(params![
                merge.as_uuid(),
                tenant.as_str(),
                before,
                scrubbed(&after, now)?
            ])
            .map_err(super::db)?;
        }
        for (position, id, snapshot) in members {
            if ours(id) {
                tx.prepare_cached(
                    "UPDATE merge_members SET snapshot = ?4
                     WHERE merge_id = ?1 AND tenant_id = ?2 AND position = ?3",
                )
                .map_err(super::db)?
                .execute(params![
                    merge.as_uuid(),
                    tenant.as_str(),
                    position,
                    scrubbed(&snapshot, now)?
                ])
                .map_err(super::db)?;
            }
        }
    }
    Ok(())
}

/// `id` and the customers merged into it: the records of one person.
pub(super) fn person_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<CustomerId>> {
    person(tx, tenant, id)
}

/// Another person's record in someone's export: its id and number only.
fn redacted(c: &Customer) -> Customer {
    Customer {
        first_name: "Other".into(),
        anonymised_at: c.anonymised_at,
        ..anonymised(c, c.updated_at)
    }
}

/// A customer snapshot (JSON) with its personal data erased.
/// serde's messages may quote a value (personal data): they are dropped.
fn scrubbed(snapshot: &str, now: DateTime<Utc>) -> Result<String> {
    let c: Customer = serde_json::from_str(snapshot)
        .map_err(|_| Error::Internal("a merge snapshot is not a customer record".into()))?;
    serde_json::to_string(&anonymised(&c, now))
        .map_err(|_| Error::Internal("a snapshot could not be written".into()))
}

pub(super) fn anonymise(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    id: &CustomerId,
    reason: &str,
) -> Result<AnonymisationReport> {
    let c = live_personal(tx, tenant, id)?;
    anonymise_one(tx, tenant, actor, &c, reason, Utc::now())
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

/// Anonymises those of `ids` still inactive (one may have booked since it was listed);
/// returns them.
pub(super) fn anonymise_inactive(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    ids: &[CustomerId],
    before: &DateTime<Utc>,
    reason: &str,
) -> Result<Vec<CustomerId>> {
    let sql =
        format!("SELECT 1 FROM customers c WHERE c.tenant_id = ?1 AND c.id = ?2 AND {INACTIVE}");
    let now = Utc::now();
    let mut done = Vec::new();
    for id in ids {
        let still: bool = tx
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
            .unwrap_or(false);
        if still {
            let c = customers::by_id(tx, tenant, id)?;
            anonymise_one(tx, tenant, actor, &c, reason, now)?;
            done.push(*id);
        }
    }
    Ok(done)
}

/// [`crate::privacy::suppressed_fields`] in this transaction.
pub(super) fn suppressed_fields(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    c: &Customer,
) -> Result<Vec<String>> {
    crate::privacy::suppressed_fields(&SqliteTx::new(tx, tenant), c)
}

/// Whether the digest of a contact of this kind is among the tenant's forgotten ones.
pub(super) fn is_suppressed(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    kind: &str,
    digest: &[u8],
) -> Result<bool> {
    tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM suppressions WHERE tenant_id = ?1 AND kind = ?2 AND digest = ?3)",
        ).map_err(super::db)?
        .query_row(params![tenant.as_str(), kind, digest], |r| r.get(0)).map_err(super::db)
}

pub(super) fn export(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<PersonalDataExport> {
    let id = merges::resolve(tx, tenant, id)?;
    let profile = customers::by_id(tx, tenant, &id)?;
    let bookings = bookings::history(tx, tenant, &id)?;
    let person = person(tx, tenant, &id)?;
    // Merges keep snapshots of other people too (in merges undone since, or of the customer
    // this one was merged into): those are not this person's data.
    let mut merges = merges_of(tx, tenant, &person)?
        .iter()
        .rev()
        .map(|m| merges::record(tx, tenant, m))
        .collect::<Result<Vec<_>>>()?;
    for m in &mut merges {
        if !person.contains(&m.primary_id) {
            m.primary_before = redacted(&m.primary_before);
        }
        for c in &mut m.merged {
            if !person.contains(&c.id) {
                *c = redacted(c);
            }
        }
    }
    let events = changes::about(tx, tenant, &person)?;
    let anonymisation = tx
        .prepare_cached(
            "SELECT at, reason FROM anonymisations WHERE tenant_id = ?1 AND customer_id = ?2",
        )
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], |r| {
            Ok(AnonymisationNote {
                at: parse_utc(0, &r.get::<_, String>(0)?)?,
                reason: r.get(1)?,
            })
        })
        .optional()
        .map_err(super::db)?;
    let documents = documents::list(tx, tenant, &id)?;
    let brochure_requests = lists::of_customer(tx, tenant, &id)?;
    let communications = communications::of_customer(tx, tenant, &id)?;
    Ok(PersonalDataExport::new(
        tenant.as_str(),
        profile,
        bookings,
        merges,
        events,
        documents,
        brochure_requests,
        communications,
        anonymisation,
    ))
}
