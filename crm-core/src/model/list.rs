//! Customer lists ("assign the customer to any customer list") and brochure requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::customer::CustomerId;
use super::limits::MAX_TEXT_CHARS;
use super::text;
use crate::error::Result;

/// A customer list of a tenant (a named, static list customers are added to) and how many are on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListInfo {
    /// The list's name, unique within the tenant.
    pub name: String,
    /// How many customers are on it.
    pub members: u64,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Checks a list name: non-blank, at most 200 characters.
pub(crate) fn list_name(name: &str) -> Result<String> {
    text::required("list", name, MAX_TEXT_CHARS, false)
}

super::ids::uuid_id!(
    /// The id of a brochure request: a UUID v7.
    BrochureRequestId,
    "request_id"
);

/// A customer's request for a brochure: when it came and when the brochure went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BrochureRequest {
    /// Its id.
    pub id: BrochureRequestId,
    /// The customer who asked.
    pub customer_id: CustomerId,
    /// When the request came.
    pub requested_at: DateTime<Utc>,
    /// When the brochure was sent, or `None` while pending.
    pub sent_at: Option<DateTime<Utc>>,
}
