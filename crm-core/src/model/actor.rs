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
}

impl Actor {
    /// An actor with the given user id and role.
    pub fn new(user_id: impl Into<String>, role: Role) -> Self {
        Self {
            user_id: user_id.into(),
            role,
        }
    }

    /// Checks the user id; every mutating call does this first.
    ///
    /// # Errors
    /// Validation on `actor.user_id` when it is blank or longer than 128 characters.
    pub fn validate(&self) -> Result<()> {
        text::required("actor.user_id", &self.user_id, MAX_ID_CHARS, false).map(drop)
    }
}
