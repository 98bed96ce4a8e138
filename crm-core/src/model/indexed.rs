//! What the search index holds of a customer: the record and the facts of its bookings that the
//! filters and sorts need, as the store reads them.

use super::Customer;

/// A customer and the booking facts its filters need, as the store reads them.
#[derive(Debug, Clone)]
pub(crate) struct IndexedCustomer {
    pub(crate) tenant: String,
    pub(crate) customer: Customer,
    /// Local pickup days of its bookings (the date at the pickup place), days since 1970-01-01.
    pub(crate) departures: Vec<i64>,
    pub(crate) transports: Vec<String>,
    pub(crate) hotels: Vec<String>,
    pub(crate) statuses: Vec<String>,
    /// Latest pickup, microseconds since the epoch; `i64::MIN` without bookings.
    pub(crate) last_booking: i64,
    /// The local day of that latest pickup, days since 1970-01-01.
    pub(crate) last_booking_day: Option<i64>,
}
