//! Privacy: anonymisation (one customer, or the inactive ones), deletion, the personal-data
//! export and the contacts of forgotten customers. What is erased and kept is `privacy`'s;
//! who may be anonymised is `privacy::guard`'s.

use chrono::{DateTime, Utc};

use crate::cases::customers::changed_meanwhile;
use crate::cases::duplicates::decisions_about;
use crate::cases::lists::drop_if_empty;
use crate::error::{Error, Result};
use crate::model::{
    Actor, Customer, CustomerId, MergeId, PrivacyAction, PrivacyLogEntry, TenantId,
};
use crate::model::{Change, ChangeKind};
use crate::privacy::{
    Act, AnonymisationReport, PersonalDataExport, allow, anonymised, contacts_of, digest, kept,
    personal_fields, suppressed_fields,
};
use crate::resolve;
use crate::store::port::{self, Snapshot, Store, Tx, WriteTx};

/// The customer `id` itself, for anonymising: Conflict if merged into another (name that one)
/// or already anonymised.
fn live_personal(tx: &dyn Tx, id: &CustomerId) -> Result<Customer> {
    let c = resolve::live(tx, id)?;
    allow(&c, Act::Anonymise)?;
    Ok(c)
}

/// What anonymising `c` erases and keeps; `merges` are those holding a snapshot of its person.
fn report(tx: &dyn Tx, c: &Customer, merges: &[MergeId]) -> Result<AnonymisationReport> {
    let bookings = tx.booking_count(&c.id)?;
    let mut contacts: Vec<(&str, String)> = contacts_of(c)
        .into_iter()
        .map(|k| (k.kind, k.key))
        .collect();
    contacts.sort();
    contacts.dedup();
    let mut erased = personal_fields(c);
    if tx.document_count(&c.id)? > 0 {
        erased.push("documents".into());
    }
    if !tx.communications(&c.id)?.is_empty() {
        erased.push("communications".into());
    }
    if !tx.consents(&[c.id])?.is_empty() {
        erased.push("consent_records".into());
    }
    Ok(AnonymisationReport {
        customer_id: c.id,
        customer_no: c.customer_no,
        erased,
        kept: kept(),
        bookings,
        merges: merges.len() as u64,
        suppressed_contacts: contacts.len() as u64,
    })
}

/// What anonymising customer `id` would erase and keep.
pub(crate) fn plan(
    store: &dyn Store,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<AnonymisationReport> {
    port::read(store, tenant, |tx| {
        let c = live_personal(tx, id)?;
        report(tx, &c, &tx.merges_of(&resolve::person(tx, &c.id)?)?)
    })
}

/// Anonymises customer `id` (itself, not merged, not anonymised yet).
pub(crate) fn anonymise(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &CustomerId,
    reason: &str,
) -> Result<AnonymisationReport> {
    port::write(store, tenant, |tx| {
        let c = live_personal(tx, id)?;
        anonymise_one(tx, actor, &c, reason, Utc::now())
    })
}

/// Anonymises those of `ids` still inactive since `before` (one may have booked since it was
/// listed), in one transaction; returns them.
pub(crate) fn anonymise_inactive(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    ids: &[CustomerId],
    before: &DateTime<Utc>,
    reason: &str,
) -> Result<Vec<CustomerId>> {
    port::write(store, tenant, |tx| {
        let now = Utc::now();
        let mut done = Vec::new();
        for id in ids {
            if tx.is_inactive(id, before)? {
                let c = tx
                    .customer(id)?
                    .ok_or_else(|| Error::not_found("customer", id))?;
                anonymise_one(tx, actor, &c, reason, now)?;
                done.push(*id);
            }
        }
        Ok(done)
    })
}

/// Up to `limit` entries of the tenant's privacy log after position `after`.
pub(crate) fn log(
    store: &dyn Store,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<PrivacyLogEntry>> {
    port::read(store, tenant, |tx| tx.privacy_log(after, limit))
}

/// Up to `limit` customers inactive since `before`, after customer no. `after_no`.
pub(crate) fn inactive(
    store: &dyn Store,
    tenant: &TenantId,
    before: &DateTime<Utc>,
    after_no: i64,
    limit: u32,
) -> Result<Vec<(i64, CustomerId)>> {
    port::read(store, tenant, |tx| {
        tx.inactive_customers(before, after_no, limit)
    })
}

/// The tenant's key for the digests of forgotten contacts, made (32 random bytes) if missing.
pub(crate) fn suppression_key(tx: &dyn WriteTx) -> Result<Vec<u8>> {
    if let Some(key) = tx.suppression_key()? {
        return Ok(key);
    }
    let mut fresh = vec![0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    tx.set_suppression_key(&fresh)?;
    Ok(fresh)
}

/// Anonymises `c` in the caller's transaction: its contacts remembered as digests, the merge
/// snapshots of it scrubbed, its fields, documents and log erased, its emptied lists dropped.
fn anonymise_one(
    tx: &dyn WriteTx,
    actor: &Actor,
    c: &Customer,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<AnonymisationReport> {
    let person = resolve::person(tx, &c.id)?;
    let merges = tx.merges_of(&person)?;
    let report = report(tx, c, &merges)?;
    let key = suppression_key(tx)?;
    for contact in contacts_of(c) {
        tx.insert_suppression(contact.kind, &digest(&key, &contact), now)?;
    }
    scrub_merges(tx, &person, &merges, now)?;
    let erased = Customer {
        updated_at: now,
        version: c.version + 1,
        ..anonymised(c, now)
    };
    if !tx.update_customer(&erased)? {
        return Err(changed_meanwhile(&erased));
    }
    tx.erase_documents(&c.id)?;
    tx.erase_communications(&c.id)?;
    tx.erase_consents(&c.id)?;
    drop_if_empty(tx, actor, &c.lists)?;
    tx.insert_anonymisation(&c.id, actor, reason, now)?;
    tx.log_privacy(PrivacyAction::Anonymise, c.customer_no, actor, now)?;
    let fields: Vec<&str> = report.erased.iter().map(String::as_str).collect();
    let change = Change::customer(ChangeKind::CustomerAnonymised, c.id).with_fields(&fields);
    tx.append(actor, &change)?;
    Ok(report)
}

/// Erases the personal data of the snapshots merge records keep of `person` (a customer and
/// those merged into it): the primary's before and after of merges into one of them, and the
/// snapshots of each of them merged. Those merges can no longer be undone.
/// `merges` are those holding a snapshot of `person` ([`Tx::merges_of`]).
fn scrub_merges(
    tx: &dyn WriteTx,
    person: &[CustomerId],
    merges: &[MergeId],
    now: DateTime<Utc>,
) -> Result<()> {
    for &id in merges {
        let Some((primary, merged)) = tx.merge_parties(&id)? else {
            continue;
        };
        let ours = |id: &CustomerId| person.contains(id);
        let primary_ours = ours(&primary);
        let scrub = |which: Snapshot| -> Result<()> {
            let erased = anonymised(&tx.merge_snapshot(&id, which)?, now);
            tx.set_merge_snapshot(&id, which, &erased)
        };
        // The merged result holds the data of every record merged: it goes as soon as one of
        // them is this person (even in a merge undone since).
        if primary_ours || merged.iter().any(|(_, c)| ours(c)) {
            scrub(Snapshot::PrimaryAfter)?;
        }
        if primary_ours {
            scrub(Snapshot::PrimaryBefore)?;
        }
        for (position, c) in &merged {
            if ours(c) {
                scrub(Snapshot::Merged(*position))?;
            }
        }
    }
    Ok(())
}

/// Deletes customer `id` (itself, not a merged id): its bookings detached (an event each), the
/// merge snapshots of it scrubbed, its emptied lists dropped. Returns how many bookings were
/// detached.
pub(crate) fn delete(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &CustomerId,
) -> Result<u64> {
    port::write(store, tenant, |tx| {
        tx.tenant_settings()?
            .hard_delete
            .check(actor, "hard_delete", "delete customers")?;
        let deleted = resolve::live(tx, id)?;
        let lists = deleted.lists;
        let now = Utc::now();
        tx.log_privacy(PrivacyAction::Delete, deleted.customer_no, actor, now)?;
        // Merge records keep snapshots of the person: they go with it.
        let person = resolve::person(tx, id)?;
        scrub_merges(tx, &person, &tx.merges_of(&person)?, now)?;
        // Decisions about the person name it: they go too.
        for member in &person {
            tx.delete_not_duplicates_of(member)?;
        }
        let detached = tx.unlink_bookings(id, now)?;
        for reference in &detached {
            let mut change = Change::booking(ChangeKind::BookingUnlinked, reference, None);
            change.previous_customer_id = Some(*id);
            tx.append(actor, &change)?;
        }
        tx.remove_customer(id)?;
        drop_if_empty(tx, actor, &lists)?;
        tx.append(actor, &Change::customer(ChangeKind::CustomerDeleted, *id))?;
        Ok(detached.len() as u64)
    })
}

/// The contact fields of `customer` that belong to anonymised customers.
pub(crate) fn suppressed(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &Customer,
) -> Result<Vec<String>> {
    port::read(store, tenant, |tx| suppressed_fields(tx, customer))
}

/// Another person's record in someone's export: its id and number only.
fn redacted(c: &Customer) -> Customer {
    Customer {
        first_name: "Other".into(),
        anonymised_at: c.anonymised_at,
        ..anonymised(c, c.updated_at)
    }
}

/// Every personal datum held on the customer `id` stands for; the export is recorded in the
/// privacy log.
pub(crate) fn export(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &CustomerId,
) -> Result<PersonalDataExport> {
    port::write(store, tenant, |tx| {
        let profile = resolve::customer(tx, id)?;
        let id = profile.id;
        tx.log_privacy(
            PrivacyAction::Export,
            profile.customer_no,
            actor,
            Utc::now(),
        )?;
        let bookings = tx.booking_history(&id)?;
        let person = resolve::person(tx, &id)?;
        // Merges keep snapshots of other people too (in merges undone since, or of the customer
        // this one was merged into): those are not this person's data.
        let mut merges = Vec::new();
        for m in tx.merges_of(&person)?.iter().rev() {
            let Some(stored) = tx.merge(m)? else {
                continue;
            };
            let mut record = stored.record;
            if !person.contains(&record.primary_id) {
                record.primary_before = redacted(&record.primary_before);
            }
            for c in &mut record.merged {
                if !person.contains(&c.id) {
                    *c = redacted(c);
                }
            }
            merges.push(record);
        }
        let not_duplicates = decisions_about(tx, &person)?;
        let events = tx.changes_about(&person)?;
        let anonymisation = tx.anonymisation(&id)?;
        let documents = tx.documents(&id)?;
        let brochure_requests = tx.brochure_requests(&id)?;
        let communications = tx.communications(&id)?;
        let consents = tx.consents(&[id])?;
        Ok(PersonalDataExport::new(
            tenant.as_str(),
            profile,
            consents,
            bookings,
            merges,
            not_duplicates,
            events,
            documents,
            brochure_requests,
            communications,
            anonymisation,
        ))
    })
}
