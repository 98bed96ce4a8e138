//! What the search index holds of a customer: the record and the facts of its bookings that the
//! filters and sorts need, as the store reads them.

use super::Customer;

/// A customer and the booking facts its filters need, as the store reads them.
#[derive(Debug, Clone)]
pub(crate) struct IndexedCustomer {
    pub(crate) tenant: String,
    pub(crate) customer: Customer,
    /// Its bookings, each with the facts a filter of the find form looks at.
    pub(crate) bookings: Vec<IndexedBooking>,
    /// Latest pickup, microseconds since the epoch; `i64::MIN` without bookings.
    pub(crate) last_booking: i64,
    /// The local day of that latest pickup, days since 1970-01-01.
    pub(crate) last_booking_day: Option<i64>,
}

/// The facts of one booking that the find form filters on, together, so that filters given
/// together can be held to one booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexedBooking {
    /// Local pickup day (the date at the pickup place), days since 1970-01-01.
    pub(crate) day: i64,
    pub(crate) transport: Option<String>,
    pub(crate) hotel: Option<String>,
    /// The status's name.
    pub(crate) status: String,
    /// The salesperson of the booking.
    pub(crate) salesperson: Option<String>,
    /// The payment statuses of its invoices.
    pub(crate) payments: Vec<super::PaymentStatus>,
    /// Whether one of its invoices still has something owed on it.
    pub(crate) owes: bool,
}
