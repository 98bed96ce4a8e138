//! Who makes a change: recorded with every mutation, checked by calls that need a right.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::limits::MAX_ID_CHARS;
use super::text;
use crate::error::{Error, Result};

/// The role of an actor, which decides the rights it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// An agency user: everyday work on customers and bookings.
    Agent,
    /// A user with organisation-level rights (needed to anonymise).
    Organisation,
    /// An integration or batch job acting on its own behalf.
    System,
}

impl Role {
    /// The stable text form: `agent`, `organisation` or `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Organisation => "organisation",
            Self::System => "system",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;

    /// Parses the text form; anything else is a Validation error on `actor.role`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "agent" => Ok(Self::Agent),
            "organisation" => Ok(Self::Organisation),
            "system" => Ok(Self::System),
            _ => Err(Error::validation(
                "actor.role",
                "not one of: agent organisation system",
            )),
        }
    }
}

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
