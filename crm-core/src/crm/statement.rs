//! Statements on the facade.

use chrono::NaiveDate;

use super::Tenant;
use crate::error::{Error, Result};
use crate::model::CustomerId;
use crate::statement::Statement;

impl Tenant {
    /// The statement of customer `id`: its bookings departing on the local days
    /// `from` to `to` (inclusive), oldest first, with invoice totals per currency (cancelled
    /// bookings left out). [`Statement::to_pdf`] renders it. A merged id answers its primary's.
    ///
    /// # Errors
    /// Validation on `to` before `from`; NotFound.
    pub fn statement(&self, id: &CustomerId, from: NaiveDate, to: NaiveDate) -> Result<Statement> {
        if to < from {
            return Err(Error::validation("to", "is before from"));
        }
        let customer = self.get_customer(id)?;
        let history = self.booking_history(&customer.id)?;
        Ok(Statement::new(&customer, history, from, to))
    }
}
