//! Consent records: a customer's consent per channel and purpose, given or withdrawn, when and
//! from which source, kept as a history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::outreach::Channel;
use super::string_enum::string_enum;

string_enum!(
    /// What a message is for, as consent is given for it.
    ConsentPurpose, "purpose" {
        /// Offers, newsletters, brochures: needs the customer's consent, and an opted-out
        /// address is left out.
        Marketing = "marketing",
        /// Messages about the customer's own bookings (confirmations, changes, reminders): sent
        /// unless the customer withdrew them on the channel.
        Service = "service",
    }
);

string_enum!(
    /// Whether a consent record gives or withdraws consent.
    ConsentState, "state" {
        /// Consent given.
        Given = "given",
        /// Consent withdrawn.
        Withdrawn = "withdrawn",
    }
);

/// A consent decision to record ([`Tenant::record_consent`](crate::Tenant::record_consent)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    /// The channel it is about.
    pub channel: Channel,
    /// The purpose it is about.
    pub purpose: ConsentPurpose,
    /// Given or withdrawn.
    pub state: ConsentState,
    /// When the customer decided; `None`: now. Not in the future.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Where the decision came from: a label (`booking form`, `phone call`, `import`), 1 to 100
    /// characters of one line, no address in it.
    pub source: String,
}

impl NewConsent {
    /// A decision on `channel` for `purpose`, made now, from `source`.
    pub fn new(
        channel: Channel,
        purpose: ConsentPurpose,
        state: ConsentState,
        source: impl Into<String>,
    ) -> Self {
        Self {
            channel,
            purpose,
            state,
            at: None,
            source: source.into(),
        }
    }
}

/// One consent record of a customer, as stored: the history is every record, none replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConsentRecord {
    /// The channel it is about.
    pub channel: Channel,
    /// The purpose it is about.
    pub purpose: ConsentPurpose,
    /// Given or withdrawn.
    pub state: ConsentState,
    /// When the customer decided.
    pub at: DateTime<Utc>,
    /// Where the decision came from (`booking form`, `import`, `customer record` for a consent
    /// set on the record itself).
    pub source: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The user who recorded it.
    pub recorded_by: String,
}
