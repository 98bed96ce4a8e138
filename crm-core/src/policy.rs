//! A tenant's policies over its customers that need stored facts: whether a customer may share
//! its main email with another ([`EmailUniqueness`]). Who may delete and merge is
//! [`Permission::check`](crate::Permission), on the settings alone.
//!
//! Every write that sets a main email goes through [`Emails::check`]: creating (one, many,
//! capture, import) through `cases::customers::create`, editing (update, capture, import)
//! through `cases::customers::save`, and a merge's surviving record.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{Actor, Change, ChangeKind, Customer, CustomerId, EmailUniqueness, email_key};
use crate::store::port::WriteTx;

/// The email policy of one write transaction, and the main emails it has written so far (a
/// batch may share one within itself).
pub(crate) struct Emails {
    policy: EmailUniqueness,
    /// The key of each main email written in this transaction, and who got it first.
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

    /// Checks `customer`'s main email against the tenant's other customers (those of `leaving`,
    /// records a merge removes, aside) and the customers written before it in this
    /// transaction, before it is written.
    ///
    /// # Errors
    /// Validation on `email` under [`EmailUniqueness::Refuse`] when another customer has it,
    /// naming that customer's number.
    pub(crate) fn check(
        &mut self,
        tx: &dyn WriteTx,
        customer: &Customer,
        leaving: &[CustomerId],
    ) -> Result<Option<CustomerId>> {
        if self.policy == EmailUniqueness::Allow {
            return Ok(None);
        }
        let Some(email) = customer.email.as_deref() else {
            return Ok(None);
        };
        let key = email_key(email);
        let mut other = self
            .written
            .get(&key)
            .filter(|(id, _)| *id != customer.id)
            .copied();
        if other.is_none() {
            other = tx
                .customers_by_email(email)?
                .into_iter()
                .find(|c| c.id != customer.id && !leaving.contains(&c.id))
                .map(|c| (c.id, c.customer_no));
        }
        self.written
            .entry(key)
            .or_insert((customer.id, customer.customer_no));
        match (other, self.policy) {
            (Some((_, no)), EmailUniqueness::Refuse) => Err(Error::validation(
                "email",
                format!(
                    "is already the email of customer no. {no} (the tenant allows one customer per email)"
                ),
            )),
            (other, _) => Ok(other.map(|(id, _)| id)),
        }
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
