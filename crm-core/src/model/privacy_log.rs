//! The privacy log: who exported, anonymised or deleted which customer, when, on which request.
//! It holds no personal value: a customer number, the actor's id and role, the request's
//! reference.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;

super::string_enum::string_enum!(
    /// What was done to a customer's personal data.
    PrivacyAction, "privacy_log.action" {
        /// Its personal data were exported (`export_personal_data`).
        Export = "export",
        /// It was anonymised (`anonymise`, or the retention pass).
        Anonymise = "anonymise",
        /// It was deleted for good (`delete_customer`).
        Delete = "delete",
    }
);

/// One entry of the tenant's privacy log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrivacyLogEntry {
    /// Its position in the tenant's log, from 1, in the order the entries were written.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// What was done.
    pub action: PrivacyAction,
    /// The customer no. of the customer concerned.
    pub customer_no: i64,
    /// Who did it: the actor's user id.
    pub user_id: String,
    /// The actor's role.
    pub role: Role,
    /// The request the actor acted on ([`Actor::with_request`](crate::Actor::with_request)).
    pub request: Option<String>,
}
