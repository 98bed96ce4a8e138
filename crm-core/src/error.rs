//! The one error type of the crate and its kinds.

use std::fmt;

/// A boxed underlying cause (an SQLite or I/O error), kept for `source()` but never part of the API.
type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in a call to this crate.
///
/// Messages name the field, the rule or the id involved, never personal data: they end up in logs.
/// Match on [`Error::kind`] to handle a class of errors; the variants may grow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input broke a rule; nothing was written.
    #[error("{field}: {reason}")]
    Validation {
        /// The field at fault, e.g. `email` or `secondary_phones[1]`.
        field: String,
        /// The rule it broke, e.g. `not a valid address`.
        reason: String,
    },
    /// No such record for this tenant (records of other tenants are never revealed).
    #[error("{what} not found: {id}")]
    NotFound {
        /// What was looked for, e.g. `customer` or `booking`.
        what: &'static str,
        /// How it was looked for: an id, a customer no. or a booking reference (never an email).
        id: String,
    },
    /// The write lost a race or would break an invariant, e.g. a stale version.
    #[error("conflict: {reason}")]
    Conflict {
        /// What conflicted.
        reason: String,
    },
    /// The change feed was read (or a cursor set) after a sequence whose following events were
    /// compacted away: the reader would miss them. It starts over: it reads the feed's head
    /// first ([`Tenant::feed_bounds`](crate::Tenant::feed_bounds)), takes its copy afresh
    /// from the records, then reads on after that head.
    #[error("change events after {after} were compacted (up to {compacted})")]
    FeedCompacted {
        /// The sequence the read started after.
        after: i64,
        /// The last sequence compacted away.
        compacted: i64,
    },
    /// The actor lacks the right to make this call.
    #[error("permission denied: {reason}")]
    PermissionDenied {
        /// Which right was missing.
        reason: String,
    },
    /// The database file was written by a newer version of this library.
    #[error(
        "the database schema version {found} is newer than this library supports ({supported}); upgrade the library"
    )]
    SchemaTooNew {
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this library knows.
        supported: i64,
    },
    /// The SQLite store failed (busy past the timeout, disk full, corrupt file...).
    #[error("storage: {message}")]
    Storage {
        /// What the store was doing.
        message: String,
        /// The underlying cause.
        #[source]
        source: Cause,
    },
    /// The search index failed (it is rebuilt from SQLite on the next open or `reindex`).
    #[error("search index: {message}")]
    Search {
        /// What the index was doing.
        message: String,
        /// The underlying cause.
        #[source]
        source: Cause,
    },
    /// A file could not be read or written.
    #[error("i/o: {message}")]
    Io {
        /// What was being done.
        message: String,
        /// The underlying cause.
        #[source]
        source: std::io::Error,
    },
    /// A bug in this library: please report it.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The class of an [`Error`]: stable, `Copy`, and mapped one to one to a C status code and a
/// Python exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input.
    Validation,
    /// No such record for this tenant.
    NotFound,
    /// Stale version or broken invariant.
    Conflict,
    /// Missing right.
    PermissionDenied,
    /// Change events that were compacted away.
    FeedCompacted,
    /// The SQLite store failed, or its schema is too new.
    Storage,
    /// The search index failed.
    Search,
    /// A file could not be read or written.
    Io,
    /// A bug in this library.
    Internal,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Validation => "validation",
            Self::NotFound => "not found",
            Self::Conflict => "conflict",
            Self::PermissionDenied => "permission denied",
            Self::FeedCompacted => "feed compacted",
            Self::Storage => "storage",
            Self::Search => "search",
            Self::Io => "i/o",
            Self::Internal => "internal",
        };
        f.write_str(name)
    }
}

impl Error {
    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Validation { .. } => ErrorKind::Validation,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Conflict { .. } => ErrorKind::Conflict,
            Self::PermissionDenied { .. } => ErrorKind::PermissionDenied,
            Self::FeedCompacted { .. } => ErrorKind::FeedCompacted,
            Self::SchemaTooNew { .. } | Self::Storage { .. } => ErrorKind::Storage,
            Self::Search { .. } => ErrorKind::Search,
            Self::Io { .. } => ErrorKind::Io,
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The field at fault, for a validation error.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    pub(crate) fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl fmt::Display) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }

    pub(crate) fn conflict(reason: impl Into<String>) -> Self {
        Self::Conflict {
            reason: reason.into(),
        }
    }

    pub(crate) fn storage(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Storage {
            message: message.into(),
            source: Box::new(source),
        }
    }
}

/// The result type of every fallible call in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_message_names_field_and_rule() {
        let err = Error::validation("email", "not a valid address");
        assert_eq!(err.to_string(), "email: not a valid address");
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(err.field(), Some("email"));
    }

    #[test]
    fn schema_too_new_is_a_storage_error() {
        let err = Error::SchemaTooNew {
            found: 9,
            supported: 1,
        };
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert!(err.to_string().contains("newer than this library"));
    }
}
