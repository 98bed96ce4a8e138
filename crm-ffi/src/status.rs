//! Status codes, the last error, and the functions every caller needs (`crm_status_name`,
//! `crm_last_error`, `crm_string_free`, `crm_version`).

use std::ffi::c_char;

use crm_core::{Error, ErrorKind};

use crate::ffi;

/// The result of every fallible function. `CRM_OK` is 0; the numbers never change. On any other
/// status the out-parameters are left untouched and `crm_last_error()` says what went wrong.
#[repr(u32)]
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_status {
    /// Success.
    CRM_OK = 0,
    /// Bad input; `crm_last_error_field()` names the field. Nothing was written.
    CRM_ERR_VALIDATION = 1,
    /// No such record for this tenant (records of other tenants are never revealed).
    CRM_ERR_NOT_FOUND = 2,
    /// The write lost a race or would break an invariant, e.g. a stale version.
    CRM_ERR_CONFLICT = 3,
    /// The actor lacks the right to make this call.
    CRM_ERR_PERMISSION_DENIED = 4,
    /// The SQLite store failed (busy past the timeout, disk full, not a database, too new).
    CRM_ERR_STORAGE = 5,
    /// The search index failed (it is rebuilt from SQLite on the next open or reindex).
    CRM_ERR_SEARCH = 6,
    /// A file could not be read or written.
    CRM_ERR_IO = 7,
    /// A bug in this library: please report it.
    CRM_ERR_INTERNAL = 8,
    /// A NULL, freed or wrong-type handle, a NULL or non-UTF-8 string, or an unknown constant.
    CRM_ERR_INVALID_ARGUMENT = 9,
    /// A panic was caught at the boundary (a bug: please report it).
    CRM_ERR_PANIC = 10,
    /// The change feed was read (or a cursor set) after a sequence whose following events were
    /// compacted away. Start over: read the feed's head first (`crm_tenant_feed_bounds`), take
    /// the records afresh, then read on after that head.
    CRM_ERR_FEED_COMPACTED = 11,
}

/// Why a call failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The core refused or failed.
    Core(Error),
    /// The caller passed something unusable.
    Invalid(String),
    /// A panic was caught.
    Panic,
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Self::Core(err)
    }
}

impl Failure {
    /// An invalid-argument failure.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    /// Its status code: one per core error kind.
    pub(crate) fn status(&self) -> crm_status {
        match self {
            Self::Invalid(_) => crm_status::CRM_ERR_INVALID_ARGUMENT,
            Self::Panic => crm_status::CRM_ERR_PANIC,
            Self::Core(err) => match err.kind() {
                ErrorKind::Validation => crm_status::CRM_ERR_VALIDATION,
                ErrorKind::NotFound => crm_status::CRM_ERR_NOT_FOUND,
                ErrorKind::Conflict => crm_status::CRM_ERR_CONFLICT,
                ErrorKind::PermissionDenied => crm_status::CRM_ERR_PERMISSION_DENIED,
                ErrorKind::FeedCompacted => crm_status::CRM_ERR_FEED_COMPACTED,
                ErrorKind::Storage => crm_status::CRM_ERR_STORAGE,
                ErrorKind::Search => crm_status::CRM_ERR_SEARCH,
                ErrorKind::Io => crm_status::CRM_ERR_IO,
                // ErrorKind is non-exhaustive: a kind added later is internal until mapped.
                _ => crm_status::CRM_ERR_INTERNAL,
            },
        }
    }

    /// The message for `crm_last_error` (never personal data: core messages name fields).
    pub(crate) fn message(&self) -> String {
        match self {
            Self::Core(err) => err.to_string(),
            Self::Invalid(message) => format!("invalid argument: {message}"),
            Self::Panic => "a panic was caught at the C boundary (a bug: please report it)".into(),
        }
    }

    /// The field of a validation error.
    pub(crate) fn field(&self) -> Option<&str> {
        match self {
            Self::Core(err) => err.field(),
            _ => None,
        }
    }
}

/// The name of a status code (`"CRM_ERR_NOT_FOUND"`), or `"CRM_UNKNOWN_STATUS"`. Static: never
/// free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_status_name(status: u32) -> *const c_char {
    let name: &'static [u8] = match status {
        0 => b"CRM_OK\0",
        1 => b"CRM_ERR_VALIDATION\0",
        2 => b"CRM_ERR_NOT_FOUND\0",
        3 => b"CRM_ERR_CONFLICT\0",
        4 => b"CRM_ERR_PERMISSION_DENIED\0",
        5 => b"CRM_ERR_STORAGE\0",
        6 => b"CRM_ERR_SEARCH\0",
        7 => b"CRM_ERR_IO\0",
        8 => b"CRM_ERR_INTERNAL\0",
        9 => b"CRM_ERR_INVALID_ARGUMENT\0",
        10 => b"CRM_ERR_PANIC\0",
        11 => b"CRM_ERR_FEED_COMPACTED\0",
        _ => b"CRM_UNKNOWN_STATUS\0",
    };
    name.as_ptr().cast()
}

/// What the last failed call on this thread went wrong with: `"email: not a valid address"`.
/// Empty after a call that succeeded. Borrowed: valid until the next call on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn crm_last_error() -> *const c_char {
    ffi::last_error_message()
}

/// The field of the last validation error on this thread (`"email"`, `"[3].reference"`), or
/// NULL. Borrowed: valid until the next call on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn crm_last_error_field() -> *const c_char {
    ffi::last_error_field()
}

/// Frees a string this library returned through a `char **` out-parameter. NULL does nothing;
/// a string freed twice is detected and ignored (the last error says so).
#[unsafe(no_mangle)]
pub extern "C" fn crm_string_free(string: *mut c_char) {
    ffi::value((), || ffi::string_free(string));
}

/// The library version (`"0.1.0"`). Static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// How many handles and strings made by this library are owned by the caller and not freed yet
/// (items lent by lists and pages are not counted). For leak checks in tests: 0 once a program
/// has freed everything.
#[unsafe(no_mangle)]
pub extern "C" fn crm_live_handles() -> usize {
    ffi::value(0, || Ok(ffi::owned_count()))
}
