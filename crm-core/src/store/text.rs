//! Times as both stores keep them: RFC 3339 text that round-trips exactly (offset and
//! nanoseconds kept, as the API returns them).

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

/// A UTC time as stored.
pub(crate) fn utc_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A local time (with its offset) as stored.
pub(crate) fn local_text(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}
