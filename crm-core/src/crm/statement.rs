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
        Statement::new(&customer, history, from, to)
    }

    /// The statements of the customers of `audience` (a search, a saved search's query,
    /// customers, the pending brochure requests), each as [`statement`](Self::statement) makes
    /// it, in the audience's order; anonymised customers left out. At most 10,000.
    ///
    /// # Errors
    /// Validation on `to` before `from`, on an audience of more than 10,000 customers.
    pub fn statements(
        &self,
        audience: &crate::model::Audience,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Statement>> {
        if to < from {
            return Err(Error::validation("to", "is before from"));
        }
        let (ids, _) =
            self.audience_ids(audience, chrono::Utc::now(), super::letters::MAX_LETTERS)?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(crate::model::limits::MAX_PAGE as usize) {
            for customer in self.in_order(chunk)? {
                if customer.is_anonymised() {
                    continue;
                }
                let history = self.booking_history(&customer.id)?;
                out.push(Statement::new(&customer, history, from, to)?);
            }
        }
        Ok(out)
    }
}
