//! What may still be done to an anonymised customer: the one place that says it.
//!
//! An anonymised record keeps its customer no., its bookings and its place in the change feed,
//! and takes no personal data back: it cannot be edited, merged (nor a merge that involved it be
//! undone), put on a list, sent a brochure, given a document or written to, nor anonymised
//! again. A captured booking that matches it is linked to it and leaves it as it is; an
//! imported row that matches it is skipped; outreach and duplicate detection pass it by.

use crate::error::{Error, Result};
use crate::model::Customer;

/// An act on one customer that an anonymised record refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    /// Changing its record (an update, an import or capture overlay).
    Edit,
    /// Putting it on a list.
    JoinList,
    /// Recording a brochure request for it.
    RequestBrochure,
    /// Logging a communication sent to it.
    LogCommunication,
    /// Merging it with others.
    Merge,
    /// Attaching a document to it.
    AttachDocument,
    /// Anonymising it (again).
    Anonymise,
    /// Deciding it is not the same person as another (it is no one's duplicate any more).
    Review,
}

/// `Ok` unless `customer` is anonymised; then a `Conflict` that says what it refuses.
pub(crate) fn allow(customer: &Customer, act: Act) -> Result<()> {
    if !customer.is_anonymised() {
        return Ok(());
    }
    let id = customer.id;
    let why = match act {
        Act::Edit => "its record cannot be edited",
        Act::JoinList => "it joins no list",
        Act::RequestBrochure => "no brochure can be sent to it",
        Act::LogCommunication => "nothing is logged for it",
        Act::Merge => "it cannot be merged",
        Act::AttachDocument => "it takes no documents",
        Act::Review => "it is no one's duplicate any more",
        Act::Anonymise => {
            return Err(Error::conflict(format!(
                "customer {id} is anonymised already"
            )));
        }
    };
    Err(Error::conflict(format!(
        "customer {id} is anonymised: {why}"
    )))
}

/// Whether a merge that involved these customers (as they were when merged) may be undone: not
/// once one of them was anonymised (or deleted, which scrubs the merge's copy of it).
pub(crate) fn allow_unmerge<'a>(
    merge: impl std::fmt::Display,
    customers: impl IntoIterator<Item = &'a Customer>,
) -> Result<()> {
    if customers.into_iter().any(Customer::is_anonymised) {
        return Err(Error::conflict(format!(
            "merge {merge} cannot be undone: a customer of it was anonymised or deleted since"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewCustomer, Rules, TenantSettings};

    fn customer() -> Customer {
        let rules = Rules::new(&TenantSettings::default(), chrono::Utc::now().date_naive());
        NewCustomer {
            first_name: "Jean".into(),
            last_name: "Dupont".into(),
            ..NewCustomer::default()
        }
        .validate(&rules)
        .unwrap()
    }

    #[test]
    fn an_anonymised_customer_refuses_every_act_and_says_which() {
        let mut c = customer();
        for act in [
            Act::Edit,
            Act::JoinList,
            Act::RequestBrochure,
            Act::LogCommunication,
            Act::Merge,
            Act::AttachDocument,
            Act::Anonymise,
        ] {
            assert!(allow(&c, act).is_ok(), "{act:?}");
        }
        assert!(allow_unmerge("m", [&c]).is_ok());
        c.anonymised_at = Some(chrono::Utc::now());
        let message = |act| match allow(&c, act) {
            Err(Error::Conflict { reason }) => reason,
            other => panic!("{act:?}: {other:?}"),
        };
        assert!(message(Act::Edit).ends_with("is anonymised: its record cannot be edited"));
        assert!(message(Act::Merge).ends_with("is anonymised: it cannot be merged"));
        assert!(message(Act::Anonymise).ends_with("is anonymised already"));
        assert!(matches!(
            allow_unmerge("m", [&c]),
            Err(Error::Conflict { .. })
        ));
    }
}
