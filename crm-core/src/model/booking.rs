//! Bookings: the summary the library keeps of each booking the host tells it about.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::customer::CustomerId;
use super::invoice::{Invoice, Money};
use super::limits::{MAX_ID_CHARS, MAX_TEXT_CHARS};
use super::text;
use crate::error::{Error, Result};

use super::string_enum::string_enum;

string_enum!(
    /// Where a booking stands.
    BookingStatus, "status" {
        /// A quote, not yet confirmed.
        Quote = "quote",
        /// Requested, awaiting confirmation.
        Pending = "pending",
        /// Confirmed.
        Confirmed = "confirmed",
        /// Travelled.
        Completed = "completed",
        /// Cancelled: its amount does not count as spent.
        Cancelled = "cancelled",
        /// The customer did not show up.
        NoShow = "no_show",
    }
);

string_enum!(
    /// The periods spending is summed by ([`Tenant::spending`](crate::Tenant::spending)).
    SpendingPeriod, "by" {
        /// Calendar months (`2026-07`).
        Month = "month",
        /// Calendar years (`2026`).
        Year = "year",
    }
);

/// What a customer spent in one period, in one currency: the invoiced amounts of its bookings
/// departing in that period (by the local date at the pickup place), cancelled bookings left
/// out, as [`CustomerStats::total_spent`] counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Spending {
    /// The period: `2026-07` by month, `2026` by year.
    pub period: String,
    /// The amount spent.
    pub amount: Money,
    /// How many bookings it sums.
    pub bookings: u64,
}

/// The spending of `bookings` by `by`, oldest period first and, within one, by currency.
///
/// # Errors
/// Internal when a sum overflows 64 bits.
pub(crate) fn spending(bookings: &[Booking], by: SpendingPeriod) -> Result<Vec<Spending>> {
    let mut sums: std::collections::BTreeMap<(String, String), (i64, u64)> =
        std::collections::BTreeMap::new();
    for b in bookings {
        let Some(total) = super::invoice::booking_total(&b.invoices)
            .filter(|_| b.status != BookingStatus::Cancelled)
        else {
            continue;
        };
        let period = match by {
            SpendingPeriod::Month => b.pickup_at.format("%Y-%m").to_string(),
            SpendingPeriod::Year => b.pickup_at.format("%Y").to_string(),
        };
        let sum = sums
            .entry((period, total.currency.clone()))
            .or_insert((0, 0));
        sum.0 = sum.0.checked_add(total.minor).ok_or_else(|| {
            Error::Internal(format!("spending in {} overflows 64 bits", total.currency))
        })?;
        sum.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|((period, currency), (minor, bookings))| Spending {
            period,
            amount: Money { minor, currency },
            bookings,
        })
        .collect())
}

/// A booking as the host describes it, to upsert by its reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    /// Booking or mission reference, unique per tenant (the upsert key).
    pub reference: String,
    /// The customer it belongs to: `Some` links (or relinks) the booking to this customer;
    /// `None` keeps the link the booking already has (none for a new booking). Unlink with
    /// [`Tenant::link_booking`](crate::Tenant::link_booking) and `None`.
    pub customer_id: Option<CustomerId>,
    /// Status.
    pub status: BookingStatus,
    /// Pickup (departure) date-time, with the local offset of the pickup place.
    pub pickup_at: DateTime<FixedOffset>,
    /// Return date-time, for a return trip.
    pub return_at: Option<DateTime<FixedOffset>>,
    /// Where the trip starts.
    pub route_from: String,
    /// Where the trip ends.
    pub route_to: String,
    /// Transport (vehicle class, flight, train...).
    pub transport: Option<String>,
    /// Hotel.
    pub hotel: Option<String>,
    /// Salesperson (user) who made the booking.
    pub salesperson: Option<String>,
    /// Its invoices (a deposit and a balance, a credit note): all in one currency, numbers
    /// distinct, at most [`MAX_INVOICES_PER_BOOKING`](super::limits::MAX_INVOICES_PER_BOOKING).
    /// An upsert replaces them all.
    #[serde(default)]
    pub invoices: Vec<Invoice>,
}

impl NewBooking {
    /// The names of its fields: the keys of its serialised form, the fields the C face sets and
    /// the keywords the Python face takes (`customer` there for `customer_id`).
    pub const FIELDS: &'static [&'static str] = &[
        "reference",
        "customer_id",
        "status",
        "pickup_at",
        "return_at",
        "route_from",
        "route_to",
        "transport",
        "hotel",
        "salesperson",
        "invoices",
    ];

    /// A confirmed, unlinked booking with empty route and no invoices: set the rest by field.
    pub fn new(reference: impl Into<String>, pickup_at: DateTime<FixedOffset>) -> Self {
        Self {
            reference: reference.into(),
            customer_id: None,
            status: BookingStatus::Confirmed,
            pickup_at,
            return_at: None,
            route_from: String::new(),
            route_to: String::new(),
            transport: None,
            hotel: None,
            salesperson: None,
            invoices: Vec::new(),
        }
    }

    /// Checks and normalises every field.
    pub(crate) fn validate(self) -> Result<NewBooking> {
        let short =
            |field: &str, v: Option<String>| text::optional(field, v, MAX_TEXT_CHARS, false);
        super::dates::check_local("pickup_at", Some(self.pickup_at))?;
        super::dates::check_local("return_at", self.return_at)?;
        if self.return_at.is_some_and(|back| back < self.pickup_at) {
            return Err(Error::validation("return_at", "is before pickup_at"));
        }
        let invoices = super::invoice::validate_all(self.invoices)?;
        Ok(NewBooking {
            reference: reference(&self.reference)?,
            customer_id: self.customer_id,
            status: self.status,
            pickup_at: self.pickup_at,
            return_at: self.return_at,
            route_from: text::optional("route_from", Some(self.route_from), MAX_TEXT_CHARS, false)?
                .unwrap_or_default(),
            route_to: text::optional("route_to", Some(self.route_to), MAX_TEXT_CHARS, false)?
                .unwrap_or_default(),
            transport: short("transport", self.transport)?,
            hotel: short("hotel", self.hotel)?,
            salesperson: short("salesperson", self.salesperson)?,
            invoices,
        })
    }
}

/// Checks a booking reference: non-empty, bounded, trimmed.
pub(crate) fn reference(value: &str) -> Result<String> {
    text::required("reference", value, MAX_ID_CHARS, false)
}

/// Checks an ISO 4217 currency code, case-insensitively; returns it uppercase.
pub(crate) fn currency(field: &str, value: &str) -> Result<String> {
    let code = value.trim().to_ascii_uppercase();
    match iso_currency::Currency::from_code(&code) {
        Some(_) => Ok(code),
        None => Err(Error::validation(field, "not an ISO 4217 currency code")),
    }
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Booking {
    /// Booking or mission reference, unique per tenant.
    pub reference: String,
    /// The customer it belongs to, if linked.
    pub customer_id: Option<CustomerId>,
    /// Status.
    pub status: BookingStatus,
    /// Pickup (departure) date-time.
    pub pickup_at: DateTime<FixedOffset>,
    /// Return date-time.
    pub return_at: Option<DateTime<FixedOffset>>,
    /// Where the trip starts.
    pub route_from: String,
    /// Where the trip ends.
    pub route_to: String,
    /// Transport.
    pub transport: Option<String>,
    /// Hotel.
    pub hotel: Option<String>,
    /// Salesperson.
    pub salesperson: Option<String>,
    /// Its invoices, in the order the host gave them.
    pub invoices: Vec<Invoice>,
    /// When the library first heard of it.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Booking {
    /// The route as shown in a history: `from → to`.
    pub fn route(&self) -> String {
        format!("{} → {}", self.route_from, self.route_to)
    }
}

/// What an upsert did: the booking as stored, and whether it was created or replaced one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpsertedBooking {
    /// The booking as stored.
    pub booking: Booking,
    /// `true` if no booking had this reference before.
    pub created: bool,
}

/// What a customer's bookings add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerStats {
    /// Number of bookings linked to the customer.
    pub bookings: u64,
    /// Pickup date-time of the latest booking.
    pub last_booking: Option<DateTime<FixedOffset>>,
    /// Invoiced amounts of the bookings that are not cancelled, one entry per currency, sorted by
    /// currency code.
    pub total_spent: Vec<Money>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_list_is_the_serialised_keys() {
        let booking = NewBooking::new("R1", at("2026-07-01T10:00:00+02:00"));
        assert_eq!(
            crate::model::serialised_keys(&booking),
            crate::model::sorted(NewBooking::FIELDS)
        );
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn statuses_round_trip_as_text() {
        for s in BookingStatus::ALL {
            assert_eq!(s.as_str().parse::<BookingStatus>().unwrap(), *s);
        }
        for s in super::super::PaymentStatus::ALL {
            assert_eq!(
                s.as_str().parse::<super::super::PaymentStatus>().unwrap(),
                *s
            );
        }
        assert_eq!(
            "lost".parse::<BookingStatus>().unwrap_err().field(),
            Some("status")
        );
    }

    #[test]
    fn booking_rules_name_their_field() {
        let ok = NewBooking::new("B-1", at("2026-05-01T09:00:00+02:00"));
        assert!(ok.clone().validate().is_ok());
        let cases = [
            (
                NewBooking {
                    reference: " ".into(),
                    ..ok.clone()
                },
                "reference",
            ),
            (
                NewBooking {
                    return_at: Some(at("2026-04-30T09:00:00+02:00")),
                    ..ok.clone()
                },
                "return_at",
            ),
            (
                NewBooking {
                    invoices: vec![Invoice::new(
                        "F1",
                        Money {
                            minor: 1,
                            currency: "EURO".into(),
                        },
                        super::super::PaymentStatus::Paid,
                    )],
                    ..ok.clone()
                },
                "invoices[0].amount.currency",
            ),
        ];
        for (input, field) in cases {
            assert_eq!(input.validate().unwrap_err().field(), Some(field));
        }
        assert_eq!(currency("c", "eur").unwrap(), "EUR");
    }
}
