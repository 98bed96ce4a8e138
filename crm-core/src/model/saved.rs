//! Saved searches: a named query, run again later to find who newly
//! matches.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::limits::MAX_TEXT_CHARS;
use super::text;
use super::{CustomerQuery, CustomerRow};
use crate::error::Result;

super::ids::uuid_id!(
    /// The id of a saved search: a UUID v7.
    SavedSearchId,
    "search_id"
);

/// A named customer search of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SavedSearch {
    /// Its id.
    pub id: SavedSearchId,
    /// Its name, unique within the tenant.
    pub name: String,
    /// The query (its page is ignored when run: every hit counts).
    pub query: CustomerQuery,
    /// When it was first saved.
    pub created_at: DateTime<Utc>,
    /// When its query was last saved.
    pub updated_at: DateTime<Utc>,
    /// When it was last run, if it was.
    pub last_run_at: Option<DateTime<Utc>>,
}

/// What running a saved search found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SavedRun {
    /// The saved search, as it stands after the run.
    pub search: SavedSearch,
    /// When this run was made.
    pub ran_at: DateTime<Utc>,
    /// When it was run before, if it was.
    pub previous_run_at: Option<DateTime<Utc>>,
    /// How many customers match now.
    pub total: u64,
    /// The customers that newly match (since the time asked, else since the previous run; all
    /// on a first run), in the query's order.
    pub new: Vec<CustomerRow>,
}

/// A recorded run of a saved search's schedule ([`Tenant::schedule_runs`](crate::Tenant::schedule_runs)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduleRun {
    /// The saved search.
    pub search_id: SavedSearchId,
    /// The slot it ran for: the instant its schedule named.
    pub slot: DateTime<Utc>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished, as the time its search recorded its matches (the next run's "only
    /// new" counts from it): `None` while it runs, or if the process running it stopped.
    pub finished_at: Option<DateTime<Utc>>,
    /// Who ran it (the user id of the actor given to `run_due`).
    pub ran_by: String,
    /// How many customers it exported or listed, once finished.
    pub rows: Option<u64>,
    /// The name of the file it wrote in the folder given (an export), once finished.
    pub file: Option<String>,
}

/// A schedule as stored: its saved search, its serialised form, when it was set, and the slot
/// of its latest run (started or finished).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredSchedule {
    pub(crate) search_id: SavedSearchId,
    pub(crate) json: String,
    pub(crate) set_at: DateTime<Utc>,
    pub(crate) last_slot: Option<DateTime<Utc>>,
}

/// Checks the name of a saved search: non-blank, at most 200 characters.
pub(crate) fn search_name(name: &str) -> Result<String> {
    text::required("name", name, MAX_TEXT_CHARS, false)
}
