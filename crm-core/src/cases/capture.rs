//! Capture at booking time: the contact typed into a booking finds its customer (the one the
//! booking is linked to, else the oldest with that email) or creates one, lays the typed details
//! over it, and upserts the booking linked to it, all in one transaction. An anonymised
//! customer takes no personal data back: the booking is linked to it and it stays as it is.

use super::{bookings, customers};
use crate::consent::FROM_CAPTURE;
use crate::error::{Error, Result};
use crate::model::{Actor, CaptureMatch, Captured, Customer, NewBooking, TenantId};
use crate::privacy;
use crate::store::port::{self, Store};

/// Captures `booking` and its checked `contact`.
pub(crate) fn capture(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    contact: Customer,
    mut booking: NewBooking,
) -> Result<Captured> {
    port::write(store, tenant, |tx| {
        let suppressed_fields = privacy::suppressed_fields(tx, &contact)?;
        let linked = tx.booking(&booking.reference)?.and_then(|b| b.customer_id);
        let found = match (linked, &contact.email) {
            (Some(id), _) => {
                let c = tx
                    .customer(&id)?
                    .ok_or_else(|| Error::not_found("customer", id))?;
                Some((c, CaptureMatch::Booking))
            }
            (None, Some(email)) => tx
                .customers_by_email(email)?
                .into_iter()
                .next()
                .map(|c| (c, CaptureMatch::Email)),
            (None, None) => None,
        };
        let (customer, matched, changed) = match found {
            Some((current, matched)) if current.is_anonymised() => (current, matched, Vec::new()),
            Some((current, matched)) => {
                let region = tx.tenant_settings()?.region();
                let laid = current.overlay(&contact, region)?;
                let (customer, changed) = customers::save(tx, actor, &current, laid, FROM_CAPTURE)?;
                (customer, matched, changed)
            }
            None => {
                let customer = customers::create(tx, actor, vec![contact], FROM_CAPTURE)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::Internal("insert returned no customer".into()))?;
                (customer, CaptureMatch::Created, Vec::new())
            }
        };
        booking.customer_id = Some(customer.id);
        let (booking, _) = bookings::upsert_in(tx, actor, booking)?;
        Ok(Captured {
            customer,
            booking,
            matched,
            changed_fields: changed.into_iter().map(str::to_owned).collect(),
            suppressed_fields,
        })
    })
}
