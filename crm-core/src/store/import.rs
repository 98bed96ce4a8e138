//! What a store needs to run an import: rows in batches from the caller, outcomes back.

use crate::dedupe::DuplicateMatch;
use crate::error::Result;
use crate::model::{Customer, CustomerId, TenantId};
use crate::store::Repository;

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

/// Reads through a repository, each in its own read transaction.
pub(crate) struct RepoReads<'a> {
    pub(crate) repo: &'a dyn Repository,
    pub(crate) tenant: &'a TenantId,
}

impl CustomerReads for RepoReads<'_> {
    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        self.repo.customers(self.tenant, ids)
    }

    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>> {
        self.repo.customers_by_email(self.tenant, email)
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
