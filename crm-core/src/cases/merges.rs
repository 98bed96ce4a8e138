//! Merge and unmerge: the records read and checked (`merge::rules`), the surviving customer
//! (`merge::survivorship`), then the rows moved and the merge recorded, in one transaction.

use chrono::{DateTime, Utc};

use crate::cases::customers::changed_meanwhile;
use crate::error::{Error, Result};
use crate::merge::{
    BookingMove, BookingNow, MergeId, MergePlan, MergeRecord, MergeRequest, Merged, PrimaryNow,
    Undo, check_booking_back, check_documents, check_mergeable, check_undo, check_undo_record,
    survive,
};
use crate::model::{Actor, Customer, CustomerId, TenantId};
use crate::model::{Change, ChangeKind};
use crate::policy::Emails;
use crate::resolve;
use crate::store::port::{self, Store, StoredMerge, Tx};

/// The records of a merge request, read and checked, and the bookings that would move.
struct Loaded {
    primary: Customer,
    others: Vec<Customer>,
    moves: Vec<BookingMove>,
    /// The update time of each booking of `moves` before the move.
    moved_at: Vec<DateTime<Utc>>,
}

fn load(tx: &dyn Tx, req: &MergeRequest) -> Result<Loaded> {
    req.validate()?;
    let primary = resolve::live(tx, &req.primary)?;
    let others = req
        .others
        .iter()
        .map(|id| resolve::live(tx, id))
        .collect::<Result<Vec<_>>>()?;
    check_mergeable(req, std::iter::once(&primary).chain(&others))?;
    let mut moves = Vec::new();
    let mut moved_at = Vec::new();
    for c in &others {
        for (reference, at) in tx.booking_references(&c.id)? {
            moves.push(BookingMove {
                reference,
                from: c.id,
            });
            moved_at.push(at);
        }
    }
    Ok(Loaded {
        primary,
        others,
        moves,
        moved_at,
    })
}

/// The fields that survive a merge ([`survive`]), the marketing consent as the parties'
/// consent records together allow (a withdrawal recorded last holds).
fn survive_in(
    tx: &dyn Tx,
    primary: &Customer,
    others: &[Customer],
    choices: &std::collections::BTreeMap<crate::model::MergeField, CustomerId>,
    names: crate::model::NameRule,
) -> Result<crate::merge::Survived> {
    let mut survived = survive(primary, others, choices, names)?;
    let parties: Vec<&Customer> = std::iter::once(primary).chain(others).collect();
    survived.customer.consent =
        crate::cases::consent::after_merge(tx, &parties, survived.customer.consent)?;
    Ok(survived)
}

/// What merging as `req` asks would do, without writing.
pub(crate) fn plan(store: &dyn Store, tenant: &TenantId, req: &MergeRequest) -> Result<MergePlan> {
    port::read(store, tenant, |tx| {
        let loaded = load(tx, req)?;
        let names = tx.tenant_settings()?.name_rule;
        let survived = survive_in(tx, &loaded.primary, &loaded.others, &req.choices, names)?;
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
    })
}

/// Merges `req.others` into `req.primary`: the surviving fields written over the primary, the
/// others' bookings and owned rows moved to it, the others removed, the merge recorded.
pub(crate) fn merge(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    req: &MergeRequest,
) -> Result<Merged> {
    port::write(store, tenant, |tx| {
        let Loaded {
            primary,
            others,
            moves,
            moved_at,
        } = load(tx, req)?;
        let settings = tx.tenant_settings()?;
        settings.merge.check(actor, "merge", "merge customers")?;
        let survived = survive_in(tx, &primary, &others, &req.choices, settings.name_rule)?;
        let mut documents_after = 0;
        for c in std::iter::once(&primary).chain(&others) {
            documents_after += tx.document_count(&c.id)?;
        }
        check_documents(documents_after)?;
        let now = Utc::now();
        let id = MergeId::new();
        let customer = Customer {
            updated_at: now,
            version: primary.version + 1,
            ..survived.customer
        };
        let record = MergeRecord {
            id,
            primary_id: primary.id,
            at: now,
            actor: actor.clone(),
            primary_before: primary,
            merged: others,
            bookings: moves,
            undone: None,
        };
        let stored = StoredMerge {
            record,
            after: customer,
            moved_at,
        };
        tx.insert_merge(&stored)?;
        let StoredMerge {
            record,
            after: customer,
            ..
        } = stored;
        let primary = &record.primary_before;

        for m in &record.bookings {
            tx.set_booking_customer(&m.reference, Some(primary.id), now)?;
            let mut change =
                Change::booking(ChangeKind::BookingLinked, &m.reference, Some(primary.id));
            change.previous_customer_id = Some(m.from);
            tx.append(actor, &change)?;
        }
        // The others go first: their secondary contacts and lists leave with them. Their owned
        // rows move before the row goes (they would go with it).
        for c in &record.merged {
            tx.move_owned_rows(&id, &c.id, &primary.id)?;
            tx.remove_customer(&c.id)?;
        }
        // The email policy has nothing to check: a merge keeps only emails its records had, so
        // it never makes a new sharing (it is the remedy for one).
        if !tx.update_customer(&customer)? {
            return Err(changed_meanwhile(&customer));
        }
        tx.recount_bookings(&[primary.id])?;
        for c in &record.merged {
            let mut change = Change::customer(ChangeKind::CustomerMerged, primary.id);
            change.previous_customer_id = Some(c.id);
            tx.append(actor, &change)?;
        }
        let fields = primary.changed_fields(&customer);
        let change = Change::customer(ChangeKind::CustomerUpdated, primary.id).with_fields(&fields);
        tx.append(actor, &change)?;
        Ok(Merged { record, customer })
    })
}

/// A merge as stored, NotFound when no such merge belongs to the tenant.
fn stored(tx: &dyn Tx, id: &MergeId) -> Result<StoredMerge> {
    tx.merge(id)?.ok_or_else(|| Error::not_found("merge", id))
}

/// One merge's record.
pub(crate) fn record(store: &dyn Store, tenant: &TenantId, id: &MergeId) -> Result<MergeRecord> {
    port::read(store, tenant, |tx| stored(tx, id).map(|m| m.record))
}

/// Every merge the customer took part in, as primary or as a merged record, newest first;
/// NotFound for a customer that took part in none and does not exist.
pub(crate) fn history(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<MergeRecord>> {
    port::read(store, tenant, |tx| {
        let ids = tx.merges_of(std::slice::from_ref(customer))?;
        if ids.is_empty() && !tx.customer_exists(customer)? {
            return Err(Error::not_found("customer", customer));
        }
        ids.iter()
            .rev()
            .map(|id| stored(tx, id).map(|m| m.record))
            .collect()
    })
}

/// Undoes merge `id` if nothing it wrote was touched since (`merge::rules`): the merged
/// records restored, their rows and bookings moved back, the primary's fields restored.
pub(crate) fn unmerge(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &MergeId,
) -> Result<MergeRecord> {
    port::write(store, tenant, |tx| {
        tx.tenant_settings()?
            .merge
            .check(actor, "merge", "undo merges")?;
        let StoredMerge {
            mut record,
            after,
            moved_at,
        } = stored(tx, id)?;
        check_undo_record(&record)?;
        let primary_id = record.primary_id;
        let later = tx.later_merge(&primary_id, id)?;
        let primary_now = match tx.customer(&primary_id)? {
            Some(c) => PrimaryNow::Present(Box::new(c)),
            None => match tx.merged_into(&primary_id)? {
                Some((_, again)) => PrimaryNow::MergedAgain(again),
                None => PrimaryNow::Deleted,
            },
        };
        let primary = check_undo(&record, later, primary_now, &after)?;
        let mut current = Vec::with_capacity(record.bookings.len());
        for m in &record.bookings {
            let now = tx.booking_owner(&m.reference)?;
            let state = match &now {
                Some((Some(owner), _)) if *owner == primary_id => BookingNow::WithPrimary,
                Some((Some(_), _)) => BookingNow::Relinked,
                Some((None, _)) => BookingNow::Unlinked,
                None => BookingNow::Gone,
            };
            check_booking_back(id, &m.reference, state)?;
            current.extend(now.map(|(_, at)| at));
        }

        let now = Utc::now();
        // The records come back as they were, whatever the email policy says now: each that
        // shares an email with a third customer is named by an event (the merge's own records
        // aside).
        let parties: Vec<CustomerId> = std::iter::once(primary_id)
            .chain(record.merged.iter().map(|c| c.id))
            .collect();
        let mut emails = Emails::of(tx)?;
        let mut shared = Vec::new();
        for c in std::iter::once(&record.primary_before).chain(&record.merged) {
            let others: Vec<CustomerId> = parties.iter().copied().filter(|p| *p != c.id).collect();
            if let Some(other) = emails.shared_with(tx, c, &others)? {
                shared.push((c.id, other));
            }
        }
        for c in &record.merged {
            tx.restore_customer(c)?;
        }
        tx.move_back_owned_rows(id, &primary_id)?;
        for c in &record.merged {
            let mut change = Change::customer(ChangeKind::CustomerUnmerged, c.id);
            change.previous_customer_id = Some(primary_id);
            tx.append(actor, &change)?;
        }
        for ((m, before), current) in record.bookings.iter().zip(&moved_at).zip(&current) {
            // A booking untouched since the move gets back its update time too.
            let at = if *current == record.at { *before } else { now };
            tx.set_booking_customer(&m.reference, Some(m.from), at)?;
            let mut change = Change::booking(ChangeKind::BookingLinked, &m.reference, Some(m.from));
            change.previous_customer_id = Some(primary_id);
            tx.append(actor, &change)?;
        }
        // The primary takes back its fields as they were; its version keeps counting up, so a
        // copy read while merged is seen as stale.
        let mut restored = Customer {
            updated_at: now,
            version: primary.version + 1,
            ..record.primary_before.clone()
        };
        // Its records are back too: a decision recorded on it while merged (a withdrawal that
        // changed no field) is its consent now.
        restored.consent = crate::consent::summary(&tx.consents(&[primary_id])?, restored.consent);
        if !tx.update_customer(&restored)? {
            return Err(changed_meanwhile(&restored));
        }
        let counted: Vec<CustomerId> = std::iter::once(primary_id)
            .chain(record.merged.iter().map(|c| c.id))
            .collect();
        tx.recount_bookings(&counted)?;
        let undo = Undo {
            at: now,
            actor: actor.clone(),
        };
        tx.set_merge_undone(id, &undo)?;
        let fields = primary.changed_fields(&restored);
        let change = Change::customer(ChangeKind::CustomerUpdated, primary_id).with_fields(&fields);
        tx.append(actor, &change)?;
        for (id, other) in shared {
            Emails::warn(tx, actor, &id, Some(other))?;
        }
        record.undone = Some(undo);
        Ok(record)
    })
}
