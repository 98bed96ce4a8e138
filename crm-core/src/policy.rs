//! A tenant's policies over its customers that need stored facts: whether a customer may share
//! an email with another ([`EmailUniqueness`]). Who may delete and merge is
//! [`Permission::check`](crate::Permission), on the settings alone.
//!
//! Every write that gives a customer an email goes through [`Emails::check`]: creating (one,
//! many, capture) through `cases::customers::create`, importing (each new row before it waits
//! for its batch's insert and again when the batch is inserted, so a refused row fails alone),
//! and editing (update, capture, import) through `cases::customers::save`. A merge keeps only
//! emails its records had, so it never makes a new sharing and is not checked; an undone merge
//! brings its records back as they were, with a warning event only ([`Emails::shared_with`]).

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{Actor, Change, ChangeKind, Customer, CustomerId, EmailUniqueness, email_key};
use crate::store::port::WriteTx;

/// The email policy of one write transaction, and the emails it has written so far (a batch
/// may share one within itself).
pub(crate) struct Emails {
    policy: EmailUniqueness,
    /// The key of each email written in this transaction, and who got it first (its number, 0
    /// before it has one).
    written: HashMap<String, (CustomerId, i64)>,
}

impl Emails {
    /// The tenant's email policy, read in `tx`.
    pub(crate) fn of(tx: &dyn WriteTx) -> Result<Self> {
        Ok(Self::new(tx.tenant_settings()?.email_uniqueness))
    }

    pub(crate) fn new(policy: EmailUniqueness) -> Self {
        Self {
            policy,
            written: HashMap::new(),
        }
    }

    /// Checks `customer`'s emails (main and secondary) that none of `held` (the customer as
    /// stored, if it is) held against the emails of the tenant's other customers (those of
    /// `leaving` aside) and of the customers written before it in this transaction, before it
    /// is written: an email a customer already holds stays, whatever the policy was when it was
    /// written. Returns another customer that shares one, under [`EmailUniqueness::Warn`]. The
    /// customer's emails count for the next checks only once it passes.
    ///
    /// # Errors
    /// Validation on `email` (or `secondary_emails`) under [`EmailUniqueness::Refuse`] when
    /// another customer has one of its emails, naming that customer's number (or the batch).
    pub(crate) fn check(
        &mut self,
        tx: &dyn WriteTx,
        customer: &Customer,
        held: &[&Customer],
        leaving: &[CustomerId],
    ) -> Result<Option<CustomerId>> {
        self.check_as(tx, customer, held, leaving, self.policy)
    }

    /// [`check`](Self::check) under `policy` (an undone merge only warns).
    fn check_as(
        &mut self,
        tx: &dyn WriteTx,
        customer: &Customer,
        held: &[&Customer],
        leaving: &[CustomerId],
        policy: EmailUniqueness,
    ) -> Result<Option<CustomerId>> {
        if policy == EmailUniqueness::Allow {
            return Ok(None);
        }
        let held: Vec<String> = held
            .iter()
            .flat_map(|c| c.email.iter().chain(&c.secondary_emails))
            .map(|e| email_key(e))
            .collect();
        let emails = customer.email.iter().map(|e| ("email", e)).chain(
            customer
                .secondary_emails
                .iter()
                .map(|e| ("secondary_emails", e)),
        );
        let mut other = None;
        let mut keys = Vec::new();
        for (field, email) in emails {
            let key = email_key(email);
            if held.contains(&key) {
                continue;
            }
            let found = match self
                .written
                .get(&key)
                .filter(|(id, _)| *id != customer.id && !leaving.contains(id))
            {
                Some(&(id, no)) => Some((id, no)),
                None => tx
                    .customers_by_email(email)?
                    .into_iter()
                    .find(|c| c.id != customer.id && !leaving.contains(&c.id))
                    .map(|c| (c.id, c.customer_no)),
            };
            keys.push(key);
            match (found, policy) {
                (Some((_, no)), EmailUniqueness::Refuse) => {
                    let whose = match no {
                        0 => "another customer of the same batch".to_owned(),
                        no => format!("customer no. {no}"),
                    };
                    return Err(Error::validation(
                        field,
                        format!(
                            "is already an email of {whose} (the tenant allows one customer per email)"
                        ),
                    ));
                }
                (Some((id, _)), _) => other = other.or(Some(id)),
                (None, _) => {}
            }
        }
        for key in keys {
            self.written
                .entry(key)
                .or_insert((customer.id, customer.customer_no));
        }
        Ok(other)
    }

    /// The customer another of `customer`'s emails belongs to, if any, as a warning only: a
    /// merge undone brings its records back as they were, whatever the policy says now (a
    /// `customer_email_shared` event then names each that shares an email).
    pub(crate) fn shared_with(
        &mut self,
        tx: &dyn WriteTx,
        customer: &Customer,
        leaving: &[CustomerId],
    ) -> Result<Option<CustomerId>> {
        match self.policy {
            EmailUniqueness::Allow => Ok(None),
            _ => self.check_as(tx, customer, &[], leaving, EmailUniqueness::Warn),
        }
    }

    /// After `customer` is written: the `customer_email_shared` event naming it and `other`,
    /// the customer it shares an email with ([`check`](Self::check)'s answer under
    /// [`EmailUniqueness::Warn`]), if any.
    pub(crate) fn warn(
        tx: &dyn WriteTx,
        actor: &Actor,
        customer: &CustomerId,
        other: Option<CustomerId>,
    ) -> Result<()> {
        let Some(other) = other else {
            return Ok(());
        };
        let mut change = Change::customer(ChangeKind::CustomerEmailShared, *customer);
        change.previous_customer_id = Some(other);
        tx.append(actor, &change.with_fields(&["email"]))
    }
}
