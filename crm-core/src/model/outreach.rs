//! Outreach ("send email / SMS"): who may be written to on a channel, and the log of
//! what the host sent. The library sends nothing itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::customer::CustomerId;
use super::limits::{MAX_ID_CHARS, MAX_TEXT_CHARS};
use super::string_enum::string_enum;
use super::text;
use crate::error::Result;

string_enum!(
    /// A channel to reach customers on.
    Channel, "channel" {
        /// Email, to the main address, with email consent.
        Email = "email",
        /// SMS, to the mobile number, with SMS consent.
        Sms = "sms",
    }
);

impl Channel {
    /// The address of `customer` on this channel: its main email, or for SMS its mobile
    /// number when that takes SMS (in E.164). `None`: it cannot be reached on it.
    pub(crate) fn address_of(self, customer: &super::Customer) -> Option<&str> {
        match self {
            Self::Email => customer.email.as_deref(),
            Self::Sms => customer.mobile.as_ref().and_then(|m| m.sms_address()),
        }
    }
}

/// Whom a message or a letter run goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Audience {
    /// The customers a search finds (a saved search's query too), in its order.
    Query(super::CustomerQuery),
    /// These customers, in this order (at most
    /// [`MAX_AUDIENCE`](crate::limits::MAX_AUDIENCE)).
    Customers(Vec<CustomerId>),
    /// The customers with a brochure request not sent yet, oldest request first.
    PendingBrochures,
}

/// A customer who may be written to on a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Recipient {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its customer no.
    pub customer_no: i64,
    /// First name (for a greeting).
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Where to send: the email as typed, or the mobile number in E.164 form.
    pub address: String,
    /// Preferred language, if known (to pick a template).
    pub language: Option<String>,
}

/// How many customers a search found that may not be written to, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OutreachSkips {
    /// Anonymised customers.
    pub anonymised: u64,
    /// No email (or no mobile number that can take an SMS).
    pub no_address: u64,
    /// No marketing consent on the channel (for service messages: the customer withdrew them
    /// on the channel).
    pub no_consent: u64,
    /// The address belongs to a person who asked to be forgotten.
    pub suppressed: u64,
    /// The address is opted out of the channel ([`Tenant::opt_out`](crate::Tenant::opt_out)).
    #[serde(default)]
    pub opted_out: u64,
}

/// The recipients of a search on a channel, and who was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outreach {
    /// The channel.
    pub channel: Channel,
    /// Who may be written to, in the search's order.
    pub recipients: Vec<Recipient>,
    /// Who may not, counted by reason.
    pub skipped: OutreachSkips,
}

super::ids::uuid_id!(
    /// The id of a communication log entry: a UUID v7.
    CommunicationId,
    "communication_id"
);

/// A message the host reports it sent, for the communication log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewCommunication {
    /// The customer written to.
    pub customer_id: CustomerId,
    /// The channel.
    pub channel: Channel,
    /// What was sent (a subject or template name), 1 to 200 characters.
    pub subject: String,
    /// The host's id of the message (for its delivery reports), if any.
    pub reference: Option<String>,
    /// When it was sent (now if `None`).
    pub sent_at: Option<DateTime<Utc>>,
}

impl NewCommunication {
    /// The names of its fields: the keys of its serialised form, and of an entry the Python face
    /// takes (`customer` there for `customer_id`).
    pub const FIELDS: &'static [&'static str] =
        &["customer_id", "channel", "subject", "reference", "sent_at"];

    /// A log entry for `customer` on `channel` about `subject`, sent now.
    pub fn new(customer_id: CustomerId, channel: Channel, subject: impl Into<String>) -> Self {
        Self {
            customer_id,
            channel,
            subject: subject.into(),
            reference: None,
            sent_at: None,
        }
    }

    /// Checks the text fields; trims them.
    pub(crate) fn validate(mut self) -> Result<Self> {
        self.subject = text::required("subject", &self.subject, MAX_TEXT_CHARS, false)?;
        self.reference = text::optional("reference", self.reference, MAX_ID_CHARS, false)?;
        super::dates::check_utc("sent_at", self.sent_at)?;
        Ok(self)
    }
}

/// An entry of the communication log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Communication {
    /// Its id.
    pub id: CommunicationId,
    /// The customer written to.
    pub customer_id: CustomerId,
    /// The channel.
    pub channel: Channel,
    /// Where it went: the email, or the mobile in E.164 form (empty once the customer is
    /// anonymised).
    pub address: String,
    /// What was sent (empty once the customer is anonymised).
    pub subject: String,
    /// The host's id of the message (`None` once the customer is anonymised).
    pub reference: Option<String>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it (user id).
    pub recorded_by: String,
}

#[cfg(test)]
mod field_tests {
    use super::*;

    #[test]
    fn the_field_list_is_the_serialised_keys() {
        let entry = NewCommunication::new(CustomerId::new(), Channel::Email, "Hi");
        assert_eq!(
            crate::model::serialised_keys(&entry),
            crate::model::sorted(NewCommunication::FIELDS)
        );
    }
}
