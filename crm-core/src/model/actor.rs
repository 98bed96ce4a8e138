//! Who makes a change: recorded with every mutation, checked by calls that need a right.

use serde::{Deserialize, Serialize};

use super::limits::MAX_ID_CHARS;
use super::text;
use crate::error::Result;

crate::model::string_enum::string_enum!(
    /// The role of an actor, which decides the rights it has.
    Role, "actor.role" {
        /// An agency user: everyday work on customers and bookings.
        Agent = "agent",
        /// A user with organisation-level rights (needed to anonymise).
        Organisation = "organisation",
        /// An integration or batch job acting on its own behalf.
        System = "system",
    }
);

/// The user (or job) making a change, recorded in the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// The host's id for the user; non-empty, at most 128 characters.
    pub user_id: String,
    /// The user's role.
    pub role: Role,
    /// The reference of the request the actor is acting on (a data subject's request, a
    /// ticket: `DSAR-2026-114`), recorded in the privacy log with each personal-data export,
    /// anonymisation and deletion. An identifier, not a description: 1 to 128 ASCII letters,
    /// digits, `-`, `_`, `.`, `:`, `/` or `#` (no spaces, no `@`), so the log, kept for good,
    /// holds no personal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
}

impl Actor {
    /// An actor with the given user id and role.
    pub fn new(user_id: impl Into<String>, role: Role) -> Self {
        Self {
            user_id: user_id.into(),
            role,
            request: None,
        }
    }

    /// The same actor acting on the request `reference` (checked by [`validate`](Self::validate)
    /// with the rest): `Actor::new("u-17", Role::Organisation).with_request("DSAR-2026-114")`.
    pub fn with_request(self, reference: impl Into<String>) -> Self {
        Self {
            request: Some(reference.into()),
            ..self
        }
    }

    /// Checks the user id; every mutating call does this first.
    ///
    /// # Errors
    /// Validation on `actor.user_id` when it is blank or longer than 128 characters, on
    /// `actor.request` when it is not 1 to 128 of the characters a reference may hold.
    pub fn validate(&self) -> Result<()> {
        text::required("actor.user_id", &self.user_id, MAX_ID_CHARS, false)?;
        if let Some(request) = &self.request {
            let fits = |b: u8| b.is_ascii_alphanumeric() || b"-_.:/#".contains(&b);
            if request.is_empty() || request.len() > MAX_ID_CHARS || !request.bytes().all(fits) {
                return Err(crate::error::Error::validation(
                    "actor.request",
                    "must be 1 to 128 ASCII letters, digits, '-', '_', '.', ':', '/' or '#'",
                ));
            }
        }
        Ok(())
    }
}
