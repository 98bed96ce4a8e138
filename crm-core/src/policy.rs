//! A tenant's policies over its customers that need stored facts: whether a customer may share
//! an email with another ([`EmailUniqueness`]). Who may delete and merge is
//! [`Permission::check`](crate::Permission), on the settings alone.
//!
//! Every write that gives a customer an email goes through [`Emails::check`]: creating (one,
//! many, capture) through `cases::customers::create`, importing (each new row before it waits
//! for its batch's insert, so a refused row fails alone), editing (update, capture, import)
//! through `cases::customers::save`, a merge's surviving record, and the records an undone merge
//! brings back.

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

    /// Checks `customer`'s emails (main and secondary) that `before` (the customer as stored,
    /// if it is) did not hold against the emails of the tenant's other customers (those of
    /// `leaving` aside: the records a merge removes or an undone merge brings back) and of the
    /// customers written before it in this transaction, before it is written: an email a
    /// customer already holds stays, whatever the policy was when it was written. Returns
    /// another customer that shares one, under [`EmailUniqueness::Warn`].
    ///
    /// # Errors
    /// Validation on `email` (or `secondary_emails`) under [`EmailUniqueness::Refuse`] when
    /// another customer has one of its emails, naming that customer's number (or the batch).
    pub(crate) fn check(
        &mut self,
        tx: &dyn WriteTx,
        customer: &Customer,
        before: Option<&Customer>,
        leaving: &[CustomerId],
    ) -> Result<Option<CustomerId>> {
        if self.policy == EmailUniqueness::Allow {
            return Ok(None);
        }
        let held: Vec<String> = before
            .into_iter()
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
            self.written
                .entry(key)
                .or_insert((customer.id, customer.customer_no));
            match (found, self.policy) {
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
        Ok(other)
    }

    /// After `customer` is written: under [`EmailUniqueness::Warn`], the
    /// `customer_email_shared` event naming it and `other`, the customer it shares its email
    /// with ([`check`](Self::check)'s answer).
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
