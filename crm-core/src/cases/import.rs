//! Imports: each row matched to a customer inside the write transaction (so it sees the rows
//! before it), then laid over it (`Customer::overlay`) or created; an anonymised customer is
//! left alone. The rows come in batches from the caller's sink, which flags duplicates and
//! takes the outcomes.

use std::collections::{HashMap, HashSet};

use crate::dedupe::DuplicateMatch;
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Actor, Customer, CustomerId, TenantId, email_key};
use crate::policy::Emails;
use crate::privacy::suppressed_fields_each;
use crate::resolve;
use crate::store::port::{self, Store, Tx, WriteTx};

/// The value an imported row is matched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MatchValue {
    /// Main or secondary email, ignoring case.
    Email(String),
    /// Customer no. (a merged one answers the customer it was merged into).
    CustomerNo(i64),
    /// The value of the custom field named by the import.
    Custom(String),
}

/// A checked row, ready to create or update a customer.
#[derive(Debug, Clone)]
pub(crate) struct ImportRow {
    /// The row in the file (the header is row 1).
    pub(crate) row: u64,
    /// The fields, validated, with a fresh id.
    pub(crate) fields: Customer,
    /// What to look the customer up by; `None` creates one.
    pub(crate) key: Option<MatchValue>,
}

/// What a row did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowOutcome {
    /// Created this customer; `duplicates` are the stored customers it resembles.
    Created {
        row: u64,
        id: CustomerId,
        duplicates: Vec<DuplicateMatch>,
        suppressed: Vec<String>,
    },
    /// Changed this customer.
    Updated {
        row: u64,
        id: CustomerId,
        suppressed: Vec<String>,
    },
    /// Matched this customer and changed nothing.
    Unchanged { row: u64, id: CustomerId },
    /// Left alone, for this reason.
    Skipped { row: u64, reason: String },
    /// Not imported: the field and the reason.
    Failed {
        row: u64,
        field: String,
        reason: String,
    },
}

impl RowOutcome {
    /// The row in the file.
    pub(crate) fn row(&self) -> u64 {
        match self {
            Self::Created { row, .. }
            | Self::Updated { row, .. }
            | Self::Unchanged { row, .. }
            | Self::Skipped { row, .. }
            | Self::Failed { row, .. } => *row,
        }
    }
}

/// Reads of customers, made by whoever holds the store: a read transaction, or the write
/// transaction of an import (which sees its own rows).
pub(crate) trait CustomerReads {
    /// The customers among `ids` that exist, in id order.
    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>>;
    /// The customers whose main or secondary email matches, ignoring case, oldest first.
    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>>;
}

/// Reads in a transaction of the tenant.
pub(crate) struct TxReads<'a>(pub(crate) &'a dyn Tx);

impl CustomerReads for TxReads<'_> {
    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        self.0.customers(ids)
    }

    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>> {
        self.0.customers_by_email(email)
    }
}

/// Reads through a store, each in its own read transaction of the tenant.
pub(crate) struct StoreReads<'a> {
    /// The store.
    pub(crate) store: &'a dyn Store,
    /// The tenant read.
    pub(crate) tenant: &'a TenantId,
}

impl CustomerReads for StoreReads<'_> {
    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        port::read(self.store, self.tenant, |tx| tx.customers(ids))
    }

    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>> {
        port::read(self.store, self.tenant, |tx| tx.customers_by_email(email))
    }
}

/// The caller's side of an import: hands over batches, flags duplicates, takes the outcomes.
/// While a transaction is open it must not call the store (only `reads`).
pub(crate) trait ImportSink {
    /// The next batch of rows, `None` at the end.
    fn next_batch(&mut self) -> Result<Option<Vec<ImportRow>>>;
    /// For each of `customers`, about to be created in this order, the customers likely the same
    /// person: stored ones, and those created before it by this import.
    fn duplicates(
        &mut self,
        customers: &[Customer],
        reads: &dyn CustomerReads,
    ) -> Result<Vec<Vec<DuplicateMatch>>>;
    /// A stored customer the import just changed (its new contacts may make it the duplicate of
    /// a row created later).
    fn updated(&mut self, customer: &Customer);
    /// The outcomes of a batch: committed already, or while one transaction spans the import,
    /// to be committed at its end.
    fn batch_done(&mut self, outcomes: Vec<RowOutcome>) -> Result<()>;
    /// At the end of an import in one transaction: whether to commit it.
    fn commit(&self) -> bool;
}

/// How an import uses transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImportTransactions {
    /// One per batch, each committed.
    PerBatch,
    /// One for the whole import, committed if the sink says so at the end.
    Single,
}

/// Runs an import for the tenant: batches of rows from `sink`, each row matched (by
/// `custom_key`'s value for [`MatchValue::Custom`]) then updated or created, in transactions as
/// `transactions` says. Returns whether rows were committed.
pub(crate) fn run(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    custom_key: Option<&str>,
    transactions: ImportTransactions,
    sink: &mut dyn ImportSink,
) -> Result<bool> {
    let mut custom = match custom_key {
        Some(key) => Some((
            key.to_owned(),
            port::read(store, tenant, |tx| tx.custom_values(key))?,
        )),
        None => None,
    };
    match transactions {
        ImportTransactions::PerBatch => {
            let mut any = false;
            while let Some(rows) = sink.next_batch()? {
                let outcomes = port::write(store, tenant, |tx| {
                    batch(tx, actor, rows, &mut custom, sink)
                })?;
                any = true;
                sink.batch_done(outcomes)?;
            }
            Ok(any)
        }
        ImportTransactions::Single => port::write_or_discard(store, tenant, |tx| {
            while let Some(rows) = sink.next_batch()? {
                let outcomes = batch(tx, actor, rows, &mut custom, sink)?;
                sink.batch_done(outcomes)?;
            }
            let commit = sink.commit();
            Ok((commit, commit))
        }),
    }
}

/// Rows waiting to be created, in file order, and the keys a later row could match them on.
#[derive(Default)]
struct Pending {
    rows: Vec<(ImportRow, Vec<String>)>,
    /// Email keys (main and secondary) and custom-field values of the waiting rows.
    keys: HashSet<String>,
}

impl Pending {
    fn add(&mut self, row: ImportRow, suppressed: Vec<String>, custom: Option<&str>) {
        let c = &row.fields;
        self.keys.extend(
            c.email
                .iter()
                .chain(&c.secondary_emails)
                .map(|e| email_key(e)),
        );
        if let Some(value) = custom.and_then(|key| c.custom_fields.get(key)) {
            self.keys.insert(format!("custom:{value}"));
        }
        self.rows.push((row, suppressed));
    }

    /// Whether `key` could match a waiting row (then they are created first, so it sees them):
    /// the same email or custom value, or a customer no. not given yet (a waiting row may be
    /// about to get it).
    fn holds(&self, tx: &dyn Tx, key: &MatchValue) -> Result<bool> {
        Ok(match key {
            MatchValue::Email(email) => self.keys.contains(&email_key(email)),
            MatchValue::Custom(value) => self.keys.contains(&format!("custom:{value}")),
            MatchValue::CustomerNo(no) => !self.rows.is_empty() && *no >= tx.next_customer_no()?,
        })
    }
}

/// Imports one batch of rows in `tx`. `custom` maps the custom-field values already seen to
/// their customers and learns the ones this batch creates.
///
/// Rows that create a customer are created together, as a batch of `create_customers` is (one
/// customer-number range, one duplicate check for all), unless a later row of the batch could
/// match one of them: those waiting are created first, so that row sees them. Outcomes come
/// back in row order.
fn batch(
    tx: &dyn WriteTx,
    actor: &Actor,
    rows: Vec<ImportRow>,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
) -> Result<Vec<RowOutcome>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut pending = Pending::default();
    let custom_key = custom.as_ref().map(|(key, _)| key.clone());
    // The region national numbers of a matched customer without a country are read in.
    let region = tx.tenant_settings()?.region();
    // A new row whose email the tenant's policy refuses fails alone, before it waits.
    let mut emails = Emails::of(tx)?;
    // The rows' forgotten contacts, looked up for the batch at once (an import forgets no one).
    let suppressed = {
        let fields: Vec<&Customer> = rows.iter().map(|r| &r.fields).collect();
        suppressed_fields_each(tx, &fields)?
    };
    for (row, suppressed) in rows.into_iter().zip(suppressed) {
        let waits = match &row.key {
            Some(key) => pending.holds(tx, key)?,
            None => false,
        };
        if waits {
            create(
                tx,
                actor,
                std::mem::take(&mut pending),
                custom,
                sink,
                &mut out,
            )?;
        }
        let number = row.row;
        let outcome =
            one(tx, actor, row, suppressed, region, custom, sink).or_else(|e| match e {
                // A row that breaks a rule once laid over its customer fails alone.
                Error::Validation { field, reason } => Ok(Row::Done(RowOutcome::Failed {
                    row: number,
                    field,
                    reason,
                })),
                other => Err(other),
            })?;
        match outcome {
            Row::Done(outcome) => out.push(outcome),
            Row::Create(row, suppressed) => match emails.check(tx, &row.fields, &[], &[]) {
                Err(Error::Validation { field, reason }) => out.push(RowOutcome::Failed {
                    row: number,
                    field,
                    reason,
                }),
                Err(other) => return Err(other),
                Ok(_) => pending.add(*row, suppressed, custom_key.as_deref()),
            },
        }
    }
    create(tx, actor, pending, custom, sink, &mut out)?;
    out.sort_by_key(RowOutcome::row);
    Ok(out)
}

/// Creates the waiting rows in one insert, after the sink has flagged their duplicates.
fn create(
    tx: &dyn WriteTx,
    actor: &Actor,
    pending: Pending,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
    out: &mut Vec<RowOutcome>,
) -> Result<()> {
    if pending.rows.is_empty() {
        return Ok(());
    }
    // A row whose email a row updated meanwhile took, under the tenant's `refuse` policy,
    // fails alone now rather than the whole batch at the insert; the others are inserted with
    // the answers of this check (`warn`).
    let mut emails = Emails::of(tx)?;
    let mut kept = Vec::with_capacity(pending.rows.len());
    let mut shared = std::collections::VecDeque::with_capacity(pending.rows.len());
    for (row, suppressed) in pending.rows {
        match emails.check(tx, &row.fields, &[], &[]) {
            Err(Error::Validation { field, reason }) => out.push(RowOutcome::Failed {
                row: row.row,
                field,
                reason,
            }),
            Err(other) => return Err(other),
            Ok(other) => {
                shared.push_back(other);
                kept.push((row, suppressed));
            }
        }
    }
    if kept.is_empty() {
        return Ok(());
    }
    let (rows, suppressed): (Vec<ImportRow>, Vec<Vec<String>>) = kept.into_iter().unzip();
    let numbers: Vec<u64> = rows.iter().map(|r| r.row).collect();
    let fields: Vec<Customer> = rows.into_iter().map(|r| r.fields).collect();
    let duplicates = sink.duplicates(&fields, &TxReads(tx))?;
    let mut created = Vec::with_capacity(fields.len());
    crate::cases::customers::create_checked(
        tx,
        actor,
        fields,
        crate::consent::FROM_IMPORT,
        |_| Ok(shared.pop_front().flatten()),
        &mut created,
    )?;
    for (((row, c), duplicates), suppressed) in numbers
        .into_iter()
        .zip(created)
        .zip(duplicates)
        .zip(suppressed)
    {
        if let Some((key, map)) = custom
            && let Some(value) = c.custom_fields.get(key.as_str())
        {
            map.entry(value.clone()).or_insert(c.id);
        }
        out.push(RowOutcome::Created {
            row,
            id: c.id,
            duplicates,
            suppressed,
        });
    }
    Ok(())
}

/// What a row comes to: an outcome, or a customer to create with the batch.
enum Row {
    Done(RowOutcome),
    Create(Box<ImportRow>, Vec<String>),
}

/// One row, given its fields' forgotten contacts.
fn one(
    tx: &dyn WriteTx,
    actor: &Actor,
    row: ImportRow,
    suppressed: Vec<String>,
    region: Option<phonenumber::country::Id>,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
) -> Result<Row> {
    let number = row.row;
    let found = match &row.key {
        None => None,
        Some(MatchValue::Email(email)) => tx.customers_by_email(email)?.into_iter().next(),
        Some(MatchValue::CustomerNo(no)) => match resolve::by_no(tx, *no) {
            Ok(c) => Some(c),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Ok(Row::Done(RowOutcome::Failed {
                    row: number,
                    field: "customer_no".into(),
                    reason: format!("no customer no. {no} in this tenant"),
                }));
            }
            Err(e) => return Err(e),
        },
        // The map was read before the import: its customer may have been merged since (the
        // reference then lives on in the primary) or deleted (no match).
        Some(MatchValue::Custom(value)) => match custom.as_ref().and_then(|(_, m)| m.get(value)) {
            Some(id) => match resolve::customer(tx, id) {
                Ok(c) => Some(c),
                Err(e) if e.kind() == ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            },
            None => None,
        },
    };
    let done = match found {
        Some(current) if current.is_anonymised() => RowOutcome::Skipped {
            row: number,
            reason: format!(
                "matches customer no. {}, who is anonymised",
                current.customer_no
            ),
        },
        Some(current) => {
            let laid = current.overlay(&row.fields, region)?;
            let (stored, changed) = crate::cases::customers::save(
                tx,
                actor,
                &current,
                laid,
                crate::consent::FROM_IMPORT,
            )?;
            if !changed.is_empty() {
                sink.updated(&stored);
            }
            if changed.is_empty() {
                RowOutcome::Unchanged {
                    row: number,
                    id: stored.id,
                }
            } else {
                RowOutcome::Updated {
                    row: number,
                    id: stored.id,
                    suppressed,
                }
            }
        }
        None => return Ok(Row::Create(Box::new(row), suppressed)),
    };
    Ok(Row::Done(done))
}
