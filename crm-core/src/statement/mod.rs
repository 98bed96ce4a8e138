//! Statements: a customer's bookings in a date range with totals per currency, as
//! data and as a PDF.

mod pdf;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Address, Booking, BookingStatus, Customer, CustomerId, Money, PaymentStatus};

/// One line of a statement: an invoice of a booking, or a booking without an invoice (a
/// booking with several invoices has a line for each, in the order the host gave them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatementLine {
    /// The booking reference.
    pub reference: String,
    /// Pickup, in the local time of the pickup place.
    pub pickup_at: DateTime<FixedOffset>,
    /// `from → to`.
    pub route: String,
    /// Where the booking stands.
    pub status: BookingStatus,
    /// Invoice number, if invoiced.
    pub invoice_number: Option<String>,
    /// Invoice amount, if invoiced.
    pub amount: Option<Money>,
    /// Payment status, if invoiced.
    pub payment_status: Option<PaymentStatus>,
}

/// A customer's bookings departing in a date range, oldest first, with totals per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Statement {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its customer no.
    pub customer_no: i64,
    /// First and last name.
    pub name: String,
    /// Company.
    pub company: Option<String>,
    /// Postal address.
    pub address: Address,
    /// First day of the range (inclusive, pickup local date).
    pub from: NaiveDate,
    /// Last day of the range (inclusive).
    pub to: NaiveDate,
    /// The bookings, by pickup time, a line per invoice.
    pub lines: Vec<StatementLine>,
    /// Invoice amounts summed per currency (by code), cancelled bookings left out.
    pub totals: Vec<Money>,
    /// Of those bookings' invoices, the amounts still owed ([`Invoice::owed`](crate::Invoice::owed):
    /// the amount less what was paid, of bookings not cancelled), per currency.
    #[serde(default)]
    pub outstanding: Vec<Money>,
    /// When the statement was made.
    pub generated_at: DateTime<Utc>,
}

impl Statement {
    /// The statement of `customer` from its booking `history` (any order), for pickups on the
    /// local days `from` to `to`.
    ///
    /// # Errors
    /// Internal when a total overflows 64 bits.
    pub(crate) fn new(
        customer: &Customer,
        history: Vec<Booking>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> crate::Result<Self> {
        let mut bookings: Vec<Booking> = history
            .into_iter()
            .filter(|b| (from..=to).contains(&b.pickup_at.date_naive()))
            .collect();
        bookings.sort_by(|a, b| {
            a.pickup_at
                .cmp(&b.pickup_at)
                .then(a.reference.cmp(&b.reference))
        });
        let sums = crate::model::invoice_totals(
            bookings
                .iter()
                .flat_map(|b| b.invoices.iter().map(|i| (b.status, i))),
        )?;
        Ok(Self {
            customer_id: customer.id,
            customer_no: customer.customer_no,
            name: customer.full_name(),
            company: customer.company.clone(),
            address: customer.address.clone(),
            from,
            to,
            lines: bookings
                .iter()
                .flat_map(|b| {
                    let line = |invoice: Option<&crate::model::Invoice>| StatementLine {
                        route: b.route(),
                        reference: b.reference.clone(),
                        pickup_at: b.pickup_at,
                        status: b.status,
                        invoice_number: invoice.map(|i| i.number.clone()),
                        amount: invoice.map(|i| i.amount.clone()),
                        payment_status: invoice.map(|i| i.payment_status),
                    };
                    if b.invoices.is_empty() {
                        vec![line(None)]
                    } else {
                        b.invoices.iter().map(|i| line(Some(i))).collect()
                    }
                })
                .collect(),
            totals: sums.spent,
            outstanding: sums.outstanding,
            generated_at: Utc::now(),
        })
    }

    /// The statement as a PDF document (A4, Helvetica; characters outside Windows-1252 print
    /// as `?`), paged as needed.
    pub fn to_pdf(&self) -> Vec<u8> {
        pdf::render(self)
    }

    /// Writes [`to_pdf`](Self::to_pdf) to the file `path`, beside it first and renamed onto it
    /// once complete ([`replace_file`](crate::replace_file)): never half-written.
    ///
    /// # Errors
    /// Io when the file cannot be written or renamed.
    pub fn write_pdf(&self, path: impl AsRef<std::path::Path>) -> crate::Result<()> {
        let pdf = self.to_pdf();
        crate::replace_file(path.as_ref(), |file| {
            std::io::Write::write_all(file, &pdf).map_err(|e| crate::Error::Io {
                message: "cannot write the statement".into(),
                source: e,
            })?;
            Ok(Some(()))
        })
        .map(drop)
    }
}

/// An amount with its currency's decimals: `1234.50 EUR`, `-3 JPY`.
pub(crate) fn format_money(m: &Money) -> String {
    let exponent = iso_currency::Currency::from_code(&m.currency)
        .and_then(|c| c.exponent())
        .unwrap_or(2) as u32;
    let sign = if m.minor < 0 { "-" } else { "" };
    let abs = m.minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{abs} {}", m.currency);
    }
    let unit = 10u64.pow(exponent);
    format!(
        "{sign}{}.{:0width$} {}",
        abs / unit,
        abs % unit,
        m.currency,
        width = exponent as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_its_currency_decimals() {
        let m = |minor, c: &str| Money {
            minor,
            currency: c.into(),
        };
        assert_eq!(format_money(&m(123_450, "EUR")), "1234.50 EUR");
        assert_eq!(format_money(&m(-5, "EUR")), "-0.05 EUR");
        assert_eq!(format_money(&m(300, "JPY")), "300 JPY");
        assert_eq!(format_money(&m(1_234, "BHD")), "1.234 BHD");
    }
}
