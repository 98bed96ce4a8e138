//! When a merge may be made and when it may be undone: the checks, on what the store read.

use super::{MergeId, MergeRecord, MergeRequest};
use crate::error::{Error, Result};
use crate::model::Customer;
use crate::model::limits::MAX_DOCUMENTS;
use crate::privacy::{Act, allow, allow_unmerge};

/// Each customer of a merge request, as read, may be merged (not anonymised) and is at the
/// version the caller planned with (if it gave one).
pub(crate) fn check_mergeable<'a>(
    request: &MergeRequest,
    customers: impl IntoIterator<Item = &'a Customer>,
) -> Result<()> {
    for c in customers {
        allow(c, Act::Merge)?;
        if let Some(&expected) = request.expected_versions.get(&c.id)
            && expected != c.version
        {
            return Err(Error::conflict(format!(
                "customer {} is at version {}, not {expected}: plan the merge again",
                c.id, c.version
            )));
        }
    }
    Ok(())
}

/// The merged customer keeps every document of the records merged: at most [`MAX_DOCUMENTS`].
pub(crate) fn check_documents(after: u64) -> Result<()> {
    if after > MAX_DOCUMENTS as u64 {
        return Err(Error::validation(
            "documents",
            format!("the merged customer would have more than {MAX_DOCUMENTS} documents"),
        ));
    }
    Ok(())
}

/// The primary of a merge as it stands when the merge is to be undone.
pub(crate) enum PrimaryNow {
    /// It is there.
    Present(Box<Customer>),
    /// It was merged into another customer since, by this merge.
    MergedAgain(MergeId),
    /// It was deleted since.
    Deleted,
}

/// Whether merge `record` may still be undone by what it holds: not twice, and not once one of
/// its customers was anonymised or deleted.
pub(crate) fn check_undo_record(record: &MergeRecord) -> Result<()> {
    let id = record.id;
    if record.undone.is_some() {
        return Err(Error::conflict(format!("merge {id} was already undone")));
    }
    allow_unmerge(
        id,
        std::iter::once(&record.primary_before).chain(&record.merged),
    )
}

/// Whether merge `record` (checked by [`check_undo_record`]) may be undone, given the later
/// merge into its primary that still stands (if any), the primary as it is now, and the primary
/// as the merge left it. Returns the primary.
pub(crate) fn check_undo(
    record: &MergeRecord,
    later: Option<MergeId>,
    primary: PrimaryNow,
    left: &Customer,
) -> Result<Customer> {
    let primary_id = record.primary_id;
    // Merges into one primary undo newest first.
    if let Some(later) = later {
        return Err(Error::conflict(format!(
            "customer {primary_id} took part in a later merge ({later}): undo that merge first"
        )));
    }
    let primary = match primary {
        PrimaryNow::Present(c) => *c,
        PrimaryNow::MergedAgain(later) => {
            return Err(Error::conflict(format!(
                "customer {primary_id} was merged again since (merge {later}): undo that merge first"
            )));
        }
        PrimaryNow::Deleted => {
            return Err(Error::conflict(format!(
                "customer {primary_id} was deleted since the merge"
            )));
        }
    };
    // Touched since: its fields differ from what the merge left (a later merge into it, undone
    // since, leaves them as they were, so merges undo in reverse order).
    let changed = left.changed_fields(&primary);
    if !changed.is_empty() {
        return Err(Error::conflict(format!(
            "customer {primary_id} changed since the merge ({}): undo those changes first",
            changed.join(", ")
        )));
    }
    Ok(primary)
}

/// Where a booking the merge moved stands now.
pub(crate) enum BookingNow {
    /// Still linked to the merge's primary.
    WithPrimary,
    /// Linked to another customer since.
    Relinked,
    /// Unlinked since.
    Unlinked,
    /// Gone (bookings are never deleted: the store is damaged).
    Gone,
}

/// Each moved booking must still be linked to the primary to move back; one whose summary
/// changed since (a payment, a new date) still belongs to the person it moves back to.
pub(crate) fn check_booking_back(merge: &MergeId, reference: &str, now: BookingNow) -> Result<()> {
    match now {
        BookingNow::WithPrimary => Ok(()),
        BookingNow::Relinked => Err(Error::conflict(format!(
            "booking {reference} was linked to another customer since the merge"
        ))),
        BookingNow::Unlinked => Err(Error::conflict(format!(
            "booking {reference} was unlinked since the merge"
        ))),
        BookingNow::Gone => Err(Error::Internal(format!(
            "booking {reference} of merge {merge} is gone"
        ))),
    }
}
