//! Invoices: several per booking (a deposit and a balance, a credit note), each with its dates,
//! amount and what was paid; what they add up to for a customer.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::booking::BookingStatus;
use super::customer::CustomerId;
use super::limits::{MAX_AMOUNT_MINOR, MAX_ID_CHARS, MAX_INVOICES_PER_BOOKING};
use super::string_enum::string_enum;
use super::text;
use crate::error::{Error, Result};

string_enum!(
    /// Where an invoice's payment stands.
    PaymentStatus, "invoice.payment_status" {
        /// Nothing paid.
        Unpaid = "unpaid",
        /// Part paid.
        PartiallyPaid = "partially_paid",
        /// Fully paid.
        Paid = "paid",
        /// Paid back.
        Refunded = "refunded",
    }
);

impl PaymentStatus {
    /// Whether an invoice in this status, of a booking in `booking`, is still owed: unpaid or
    /// part paid, and its booking not cancelled (a cancelled booking's invoice is settled by
    /// its cancellation, as its amount does not count as spent).
    pub fn is_outstanding(self, booking: BookingStatus) -> bool {
        matches!(self, Self::Unpaid | Self::PartiallyPaid) && booking != BookingStatus::Cancelled
    }
}

/// An amount of money in minor units (cents) of an ISO 4217 currency: `Money { minor: 12_50, currency: "EUR" }` is 12.50 €.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// The amount in the currency's minor units.
    pub minor: i64,
    /// ISO 4217 code, uppercase (`EUR`).
    pub currency: String,
}

/// An invoice of a booking. A booking has any number of them (a deposit, then the balance; a
/// credit note, of a negative amount), all in one currency, their numbers distinct.
///
/// `amount_paid` is what was received on it, in the invoice's currency: 0 when unpaid, the
/// amount when paid, in between when part paid (a refunded invoice may keep what had been
/// paid: it counts as neither paid nor owed). Left out (`None`), it is read from the status:
/// 0 unpaid or part paid (a part-paid invoice is then owed whole), the amount when paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// Invoice number.
    pub number: String,
    /// When it was issued.
    pub issued_on: Option<NaiveDate>,
    /// When it falls due.
    pub due_on: Option<NaiveDate>,
    /// Total amount.
    pub amount: Money,
    /// What was received on it, in minor units of its currency, if known.
    pub amount_paid: Option<i64>,
    /// Payment status.
    pub payment_status: PaymentStatus,
}

impl Invoice {
    /// An invoice of `amount`, in `payment_status`, without dates or amount paid: set them by
    /// field.
    pub fn new(number: impl Into<String>, amount: Money, payment_status: PaymentStatus) -> Self {
        Self {
            number: number.into(),
            issued_on: None,
            due_on: None,
            amount,
            amount_paid: None,
            payment_status,
        }
    }

    /// What was received on it and kept: `amount_paid`, or what its status says when that is
    /// not known; 0 for a refunded invoice (what was paid went back).
    pub fn paid(&self) -> i64 {
        match self.payment_status {
            PaymentStatus::Refunded => 0,
            PaymentStatus::Paid => self.amount_paid.unwrap_or(self.amount.minor),
            _ => self.amount_paid.unwrap_or(0),
        }
    }

    /// What is still owed on it, of a booking in `booking`: its amount less what was paid when
    /// [`PaymentStatus::is_outstanding`], else 0.
    pub fn owed(&self, booking: BookingStatus) -> i64 {
        if self.payment_status.is_outstanding(booking) {
            self.amount.minor - self.paid()
        } else {
            0
        }
    }

    /// Checks and normalises one invoice; `field` names it (`invoices[1]`).
    fn validate(self, field: &str) -> Result<Invoice> {
        let name = |part: &str| format!("{field}.{part}");
        let within = |part: &str, minor: i64| -> Result<()> {
            if minor.unsigned_abs() > MAX_AMOUNT_MINOR {
                return Err(Error::validation(
                    name(part),
                    format!("must be within ±{MAX_AMOUNT_MINOR}"),
                ));
            }
            Ok(())
        };
        within("amount.minor", self.amount.minor)?;
        super::dates::check_date(&name("issued_on"), self.issued_on)?;
        super::dates::check_date(&name("due_on"), self.due_on)?;
        if let (Some(issued), Some(due)) = (self.issued_on, self.due_on)
            && due < issued
        {
            return Err(Error::validation(name("due_on"), "is before issued_on"));
        }
        if let Some(paid) = self.amount_paid {
            within("amount_paid", paid)?;
            let amount = self.amount.minor;
            // Paid goes the way of the amount (a credit note is paid out), and not past it.
            let (lo, hi) = if amount < 0 { (amount, 0) } else { (0, amount) };
            if !(lo..=hi).contains(&paid) {
                return Err(Error::validation(
                    name("amount_paid"),
                    "must lie between 0 and the amount",
                ));
            }
            let fits = match self.payment_status {
                PaymentStatus::Unpaid => paid == 0,
                PaymentStatus::PartiallyPaid => paid != 0 && paid != amount,
                PaymentStatus::Paid => paid == amount,
                PaymentStatus::Refunded => true,
            };
            if !fits {
                return Err(Error::validation(
                    name("amount_paid"),
                    format!(
                        "does not fit the payment status {}",
                        self.payment_status.as_str()
                    ),
                ));
            }
        }
        Ok(Invoice {
            number: text::required(&name("number"), &self.number, MAX_ID_CHARS, false)?,
            issued_on: self.issued_on,
            due_on: self.due_on,
            amount: Money {
                minor: self.amount.minor,
                currency: super::booking::currency(
                    &name("amount.currency"),
                    &self.amount.currency,
                )?,
            },
            amount_paid: self.amount_paid,
            payment_status: self.payment_status,
        })
    }
}

/// Checks the invoices of one booking: each invoice, at most
/// [`MAX_INVOICES_PER_BOOKING`], numbers distinct, one currency.
pub(crate) fn validate_all(invoices: Vec<Invoice>) -> Result<Vec<Invoice>> {
    if invoices.len() > MAX_INVOICES_PER_BOOKING {
        return Err(Error::validation(
            "invoices",
            format!("a booking has at most {MAX_INVOICES_PER_BOOKING} invoices"),
        ));
    }
    let mut out: Vec<Invoice> = Vec::with_capacity(invoices.len());
    for (i, invoice) in invoices.into_iter().enumerate() {
        let field = format!("invoices[{i}]");
        let invoice = invoice.validate(&field)?;
        if out.iter().any(|o| o.number == invoice.number) {
            return Err(Error::validation(
                format!("{field}.number"),
                "is the number of another invoice of the booking",
            ));
        }
        if let Some(first) = out.first()
            && first.amount.currency != invoice.amount.currency
        {
            return Err(Error::validation(
                format!("{field}.amount.currency"),
                format!(
                    "differs from the booking's other invoices ({}): a booking is invoiced in one currency",
                    first.amount.currency
                ),
            ));
        }
        out.push(invoice);
    }
    Ok(out)
}

/// The total of a booking's invoices: `None` without one (they share one currency).
pub(crate) fn booking_total(invoices: &[Invoice]) -> Option<Money> {
    let first = invoices.first()?;
    Some(Money {
        minor: invoices.iter().map(|i| i.amount.minor).sum(),
        currency: first.amount.currency.clone(),
    })
}

/// The stored form of a booking's invoices: their JSON array, `None` without one.
pub(crate) fn to_stored(invoices: &[Invoice]) -> Option<String> {
    (!invoices.is_empty()).then(|| serde_json::to_string(invoices).expect("invoices serialise"))
}

/// A booking's invoices from their stored form.
///
/// # Errors
/// Internal when the stored text is not the form [`to_stored`] writes.
pub(crate) fn from_stored(stored: Option<&str>) -> Result<Vec<Invoice>> {
    stored.map_or(Ok(Vec::new()), |text| {
        serde_json::from_str(text).map_err(|e| Error::Internal(format!("bookings.invoices: {e}")))
    })
}

/// What the index keeps of a booking's invoices, from their stored form and the booking's
/// status: their payment statuses, and whether one still has something owed on it
/// ([`Invoice::owed`] above 0: an unpaid credit note is not a debt).
///
/// # Errors
/// Internal when the stored text is not the form [`to_stored`] writes, or the status unknown.
pub(crate) fn stored_facts(
    stored: Option<&str>,
    booking: &str,
) -> Result<(Vec<PaymentStatus>, bool)> {
    let Some(text) = stored else {
        return Ok((Vec::new(), false));
    };
    let booking: BookingStatus = booking.parse()?;
    let invoices: Vec<Invoice> = serde_json::from_str(text)
        .map_err(|e| Error::Internal(format!("bookings.invoices: {e}")))?;
    let owes = invoices.iter().any(|i| i.owed(booking) > 0);
    Ok((invoices.iter().map(|i| i.payment_status).collect(), owes))
}

/// An invoice of one booking of a customer, with the booking's status: what the invoice
/// totals need, as the store reads it (not the whole booking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invoiced {
    pub(crate) customer: CustomerId,
    pub(crate) status: BookingStatus,
    pub(crate) invoice: Invoice,
}

/// What a customer's invoices add up to, per currency sorted by code: spent (the bookings not
/// cancelled, as [`CustomerStats::total_spent`](crate::CustomerStats::total_spent)), paid and
/// still owed ([`Invoice::owed`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InvoiceTotals {
    pub(crate) spent: Vec<Money>,
    pub(crate) paid: Vec<Money>,
    pub(crate) outstanding: Vec<Money>,
}

/// The [`InvoiceTotals`] of the invoices of a customer's bookings, each with its booking's
/// status.
///
/// # Errors
/// Internal when a sum overflows 64 bits.
pub(crate) fn invoice_totals<'a>(
    invoiced: impl IntoIterator<Item = (BookingStatus, &'a Invoice)>,
) -> Result<InvoiceTotals> {
    let add = |sums: &mut BTreeMap<String, i64>, currency: &str, minor: i64| -> Result<()> {
        let sum = sums.entry(currency.to_owned()).or_insert(0);
        *sum = sum
            .checked_add(minor)
            .ok_or_else(|| Error::Internal(format!("a total in {currency} overflows 64 bits")))?;
        Ok(())
    };
    let (mut spent, mut paid, mut owed) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for (status, invoice) in invoiced {
        let currency = invoice.amount.currency.as_str();
        if status != BookingStatus::Cancelled {
            add(&mut spent, currency, invoice.amount.minor)?;
        }
        if invoice.paid() != 0 {
            add(&mut paid, currency, invoice.paid())?;
        }
        if invoice.payment_status.is_outstanding(status) {
            add(&mut owed, currency, invoice.owed(status))?;
        }
    }
    let money = |sums: BTreeMap<String, i64>| {
        sums.into_iter()
            .map(|(currency, minor)| Money { minor, currency })
            .collect()
    };
    Ok(InvoiceTotals {
        spent: money(spent),
        paid: money(paid),
        outstanding: money(owed),
    })
}

/// An invoice of one of a customer's bookings, as [`Tenant::invoices`](crate::Tenant::invoices)
/// lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerInvoice {
    /// The booking it belongs to.
    pub booking_reference: String,
    /// That booking's status (a cancelled booking's invoice is not owed).
    pub booking_status: BookingStatus,
    /// The invoice.
    pub invoice: Invoice,
    /// What is still owed on it ([`Invoice::owed`]).
    pub owed: i64,
}

/// A customer's invoices, newest first, with what they add up to per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerInvoices {
    /// The invoices of its bookings: the latest issued first (those without an issue date
    /// last), then by departure, newest first.
    pub invoices: Vec<CustomerInvoice>,
    /// What was received, per currency sorted by code.
    pub paid: Vec<Money>,
    /// What is still owed, per currency sorted by code.
    pub outstanding: Vec<Money>,
}

impl CustomerInvoices {
    /// The list of `invoiced`, each with its booking's reference, status and pickup (as
    /// microseconds since the epoch), sorted and summed.
    ///
    /// # Errors
    /// Internal when a sum overflows 64 bits.
    pub(crate) fn new(mut invoiced: Vec<(String, BookingStatus, i64, Invoice)>) -> Result<Self> {
        invoiced.sort_by(|a, b| {
            // Issued latest first, undated last; then the latest departure; then by number.
            (
                b.3.issued_on.is_some(),
                b.3.issued_on,
                b.2,
                &b.0,
                &b.3.number,
            )
                .cmp(&(
                    a.3.issued_on.is_some(),
                    a.3.issued_on,
                    a.2,
                    &a.0,
                    &a.3.number,
                ))
        });
        let totals = invoice_totals(invoiced.iter().map(|(_, s, _, i)| (*s, i)))?;
        Ok(Self {
            invoices: invoiced
                .into_iter()
                .map(
                    |(booking_reference, booking_status, _, invoice)| CustomerInvoice {
                        owed: invoice.owed(booking_status),
                        booking_reference,
                        booking_status,
                        invoice,
                    },
                )
                .collect(),
            paid: totals.paid,
            outstanding: totals.outstanding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money {
            minor,
            currency: "EUR".into(),
        }
    }

    fn invoice(number: &str, minor: i64, status: PaymentStatus, paid: Option<i64>) -> Invoice {
        Invoice {
            amount_paid: paid,
            ..Invoice::new(number, eur(minor), status)
        }
    }

    #[test]
    fn what_is_paid_and_owed_follows_the_amount_paid_else_the_status() {
        use PaymentStatus::*;
        let open = BookingStatus::Confirmed;
        assert_eq!(invoice("1", 100, Unpaid, None).owed(open), 100);
        assert_eq!(invoice("1", 100, PartiallyPaid, None).owed(open), 100);
        assert_eq!(invoice("1", 100, PartiallyPaid, Some(30)).owed(open), 70);
        assert_eq!(invoice("1", 100, PartiallyPaid, Some(30)).paid(), 30);
        assert_eq!(invoice("1", 100, Paid, None).paid(), 100);
        assert_eq!(invoice("1", 100, Paid, None).owed(open), 0);
        assert_eq!(invoice("1", 100, Refunded, None).paid(), 0);
        assert_eq!(
            invoice("1", 100, Unpaid, None).owed(BookingStatus::Cancelled),
            0
        );
    }

    #[test]
    fn invoices_of_a_booking_are_checked_together_and_name_their_field() {
        use PaymentStatus::*;
        let ok = validate_all(vec![
            invoice("D-1", 300, Paid, Some(300)),
            invoice("B-1", 700, PartiallyPaid, Some(100)),
            invoice("C-1", -50, Refunded, Some(-50)),
        ])
        .unwrap();
        assert_eq!(ok.len(), 3);
        let field = |invoices: Vec<Invoice>| {
            validate_all(invoices)
                .unwrap_err()
                .field()
                .map(str::to_owned)
        };
        let bad = [
            (
                vec![invoice("A", 100, Unpaid, Some(1))],
                "invoices[0].amount_paid",
            ),
            (
                vec![invoice("A", 100, Paid, Some(99))],
                "invoices[0].amount_paid",
            ),
            (
                vec![invoice("A", 100, PartiallyPaid, Some(0))],
                "invoices[0].amount_paid",
            ),
            (
                vec![invoice("A", 100, PartiallyPaid, Some(101))],
                "invoices[0].amount_paid",
            ),
            (
                vec![invoice("A", -100, PartiallyPaid, Some(10))],
                "invoices[0].amount_paid",
            ),
            (
                vec![
                    invoice("A", 1, Unpaid, None),
                    invoice(" A ", 1, Unpaid, None),
                ],
                "invoices[1].number",
            ),
            (
                vec![
                    invoice("A", 1, Unpaid, None),
                    Invoice::new(
                        "B",
                        Money {
                            minor: 1,
                            currency: "usd".into(),
                        },
                        Unpaid,
                    ),
                ],
                "invoices[1].amount.currency",
            ),
            (
                vec![Invoice {
                    issued_on: NaiveDate::from_ymd_opt(2026, 5, 2),
                    due_on: NaiveDate::from_ymd_opt(2026, 5, 1),
                    ..invoice("A", 1, Unpaid, None)
                }],
                "invoices[0].due_on",
            ),
            (
                vec![invoice("A", 1 << 60, Unpaid, None)],
                "invoices[0].amount.minor",
            ),
            (vec![invoice("", 1, Unpaid, None)], "invoices[0].number"),
            (
                (0..=MAX_INVOICES_PER_BOOKING)
                    .map(|i| invoice(&i.to_string(), 1, Unpaid, None))
                    .collect(),
                "invoices",
            ),
        ];
        for (invoices, expected) in bad {
            assert_eq!(field(invoices).as_deref(), Some(expected));
        }
    }

    #[test]
    fn a_customers_invoices_sort_the_latest_issued_first_and_sum_per_currency() {
        use PaymentStatus::*;
        let day = |d| NaiveDate::from_ymd_opt(2026, 5, d);
        let dated = |n: &str, d, i: Invoice| Invoice {
            issued_on: day(d),
            number: n.into(),
            ..i
        };
        let list = CustomerInvoices::new(vec![
            (
                "B1".into(),
                BookingStatus::Confirmed,
                10,
                dated("A", 1, invoice("", 100, Unpaid, None)),
            ),
            (
                "B1".into(),
                BookingStatus::Confirmed,
                10,
                dated("B", 3, invoice("", 50, PartiallyPaid, Some(20))),
            ),
            (
                "B2".into(),
                BookingStatus::Cancelled,
                20,
                invoice("C", 70, Unpaid, None),
            ),
            (
                "B3".into(),
                BookingStatus::Completed,
                30,
                dated("D", 2, invoice("", 40, Paid, None)),
            ),
        ])
        .unwrap();
        let numbers: Vec<&str> = list
            .invoices
            .iter()
            .map(|i| i.invoice.number.as_str())
            .collect();
        assert_eq!(numbers, ["B", "D", "A", "C"]);
        assert_eq!(list.paid, vec![eur(60)]);
        assert_eq!(list.outstanding, vec![eur(130)]);
        assert_eq!(list.invoices[0].owed, 30);
        assert_eq!(
            list.invoices[3].owed, 0,
            "a cancelled booking's invoice is not owed"
        );
    }
}
