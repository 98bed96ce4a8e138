//! The life of a tenant's change feed: the cursors its readers register, and which events a
//! compaction may remove (those older than the retention that every cursor has passed).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::limits::{MAX_CURSOR_NAME_CHARS, MAX_FEED_CURSORS};
use crate::model::text;

/// How long the change feed keeps events by default: 30 days. A host passes it (or its own) to
/// [`Crm::compact_feeds`](crate::Crm::compact_feeds); events older than that and passed by
/// every registered cursor are removed.
pub const FEED_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// A reader's position in a tenant's change feed, registered by the host with
/// [`Tenant::set_feed_cursor`](crate::Tenant::set_feed_cursor): compaction keeps every event
/// after it, whatever its age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeedCursor {
    /// The reader's name, unique in the tenant (e.g. `warehouse-sync`).
    pub name: String,
    /// The last sequence the reader has taken in.
    pub seq: i64,
    /// When the cursor was last set.
    pub updated_at: DateTime<Utc>,
}

/// What a tenant's change feed holds: the events after `compacted` up to `head`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeedBounds {
    /// The last sequence a compaction removed (0: none). Reading after an earlier sequence is a
    /// [`FeedCompacted`](crate::Error::FeedCompacted) error: events would be missing.
    pub compacted: i64,
    /// The last sequence of the feed (0 before its first event).
    pub head: i64,
}

/// What a compaction removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FeedCompaction {
    /// How many tenants' feeds lost events.
    pub tenants: u64,
    /// How many events were removed, all tenants together.
    pub events: u64,
}

/// A cursor's name, checked (1 to [`MAX_CURSOR_NAME_CHARS`] characters, one line, trimmed).
pub(crate) fn cursor_name(name: &str) -> Result<String> {
    text::required("name", name, MAX_CURSOR_NAME_CHARS, false)
}

/// Checks a new position `seq` for a cursor of a feed with these bounds, which has `cursors`
/// other cursors: within the feed, not before what was compacted (the reader would miss
/// events), and no more than [`MAX_FEED_CURSORS`] per tenant.
pub(crate) fn check_cursor(seq: i64, bounds: FeedBounds, cursors: usize) -> Result<()> {
    if seq < 0 || seq > bounds.head {
        return Err(Error::validation(
            "seq",
            format!(
                "must be between 0 and the feed's last sequence ({})",
                bounds.head
            ),
        ));
    }
    check_readable(seq, bounds.compacted)?;
    if cursors >= MAX_FEED_CURSORS {
        return Err(Error::validation(
            "name",
            format!("a tenant has at most {MAX_FEED_CURSORS} feed cursors"),
        ));
    }
    Ok(())
}

/// A read of the feed after `after` is whole only if no event after it was compacted (before
/// any compaction, every `after` is: even a negative one reads from the start).
pub(crate) fn check_readable(after: i64, compacted: i64) -> Result<()> {
    if compacted > 0 && after < compacted {
        return Err(Error::FeedCompacted { after, compacted });
    }
    Ok(())
}

/// The last sequence a compaction may remove: the event before the first one written at or
/// after the cutoff (`recent`; none: every event is old enough, up to `head`), and no further
/// than the position of any cursor.
pub(crate) fn compaction_bound(head: i64, recent: Option<i64>, cursors: &[FeedCursor]) -> i64 {
    let old = recent.map_or(head, |seq| seq - 1);
    cursors.iter().map(|c| c.seq).fold(old, i64::min)
}

/// The cutoff of a retention: `now` minus `keep`, and never before 1970 (no event is older:
/// a longer retention keeps everything).
pub(crate) fn cutoff(now: DateTime<Utc>, keep: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(keep)
        .ok()
        .and_then(|keep| now.checked_sub_signed(keep))
        .map_or(DateTime::UNIX_EPOCH, |t| t.max(DateTime::UNIX_EPOCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(seq: i64) -> FeedCursor {
        FeedCursor {
            name: format!("c{seq}"),
            seq,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_compaction_stops_before_recent_events_and_at_the_slowest_cursor() {
        assert_eq!(compaction_bound(50, None, &[]), 50);
        assert_eq!(compaction_bound(50, Some(31), &[]), 30);
        assert_eq!(
            compaction_bound(50, Some(31), &[cursor(40), cursor(12)]),
            12
        );
        assert_eq!(compaction_bound(50, None, &[cursor(0)]), 0);
    }

    #[test]
    fn a_cursor_stays_within_the_feed_and_after_what_was_compacted() {
        let bounds = FeedBounds {
            compacted: 10,
            head: 20,
        };
        assert!(check_cursor(15, bounds, 0).is_ok());
        assert!(check_cursor(10, bounds, 0).is_ok());
        assert!(matches!(
            check_cursor(9, bounds, 0),
            Err(Error::FeedCompacted {
                after: 9,
                compacted: 10
            })
        ));
        assert_eq!(
            check_cursor(21, bounds, 0).unwrap_err().field(),
            Some("seq")
        );
        assert_eq!(
            check_cursor(-1, bounds, 0).unwrap_err().field(),
            Some("seq")
        );
        assert_eq!(
            check_cursor(15, bounds, MAX_FEED_CURSORS)
                .unwrap_err()
                .field(),
            Some("name")
        );
    }

    #[test]
    fn a_retention_longer_than_the_calendar_keeps_everything() {
        let now = Utc::now();
        assert_eq!(cutoff(now, Duration::ZERO), now);
        assert_eq!(cutoff(now, Duration::MAX), DateTime::UNIX_EPOCH);
        assert_eq!(
            cutoff(now, Duration::from_secs(60 * 365 * 24 * 3600)),
            DateTime::UNIX_EPOCH
        );
    }
}
