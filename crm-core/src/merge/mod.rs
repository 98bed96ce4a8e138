//! Merging duplicate customers into one: when a merge may be made and undone (`rules`) and which
//! values survive it (`survivorship`). The values of a merge live in `model`.

mod rules;
mod survivorship;

pub use crate::model::{
    BookingMove, MergeField, MergeId, MergePlan, MergeRecord, MergeRequest, Merged, Undo,
};
pub(crate) use rules::{
    BookingNow, PrimaryNow, check_booking_back, check_documents, check_mergeable, check_undo,
    check_undo_record,
};
pub(crate) use survivorship::{Survived, survive};
