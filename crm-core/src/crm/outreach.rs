//! Outreach on the facade: the recipients of a search on a channel, and the communication log.

use super::Tenant;
use crate::error::{Error, Result};
use crate::model::{
    Actor, Channel, Communication, Customer, CustomerId, NewCommunication, Outreach, OutreachSkips,
    Recipient, takes_sms,
};
use crate::search::CustomerQuery;

/// Most entries logged in one call.
const MAX_LOGGED: usize = 10_000;

impl Tenant {
    /// The customers `query` finds (every hit, in its order) who may be written to on
    /// `channel` (seed 003 "send email / SMS"), and how many may not, by reason: anonymised,
    /// no address (no email; for SMS, no mobile number or one that is not a mobile number), no
    /// consent on the channel, or an address that belongs to a person who asked to be forgotten.
    /// The library sends nothing: the host sends, then logs what it sent with
    /// [`record_communications`](Self::record_communications). Writes nothing.
    pub fn outreach(&self, query: &CustomerQuery, channel: Channel) -> Result<Outreach> {
        let mut recipients = Vec::new();
        let mut skipped = OutreachSkips::default();
        self.each_hit_page(query, |ids, _| {
            for c in self.in_order(&ids)? {
                match self.recipient(&c, channel)? {
                    Ok(r) => recipients.push(r),
                    Err(reason) => *reason(&mut skipped) += 1,
                }
            }
            Ok(())
        })?;
        Ok(Outreach {
            channel,
            recipients,
            skipped,
        })
    }

    /// `c` as a recipient on `channel`, or the counter of the reason it is not one.
    #[allow(clippy::type_complexity)]
    fn recipient(
        &self,
        c: &Customer,
        channel: Channel,
    ) -> Result<std::result::Result<Recipient, fn(&mut OutreachSkips) -> &mut u64>> {
        if c.anonymised_at.is_some() {
            return Ok(Err(|s| &mut s.anonymised));
        }
        let (address, consent, field) = match channel {
            Channel::Email => (c.email.clone(), c.consent.email, "email"),
            Channel::Sms => (
                c.mobile
                    .as_ref()
                    .filter(|m| takes_sms(&m.e164))
                    .map(|m| m.e164.clone()),
                c.consent.sms,
                "mobile",
            ),
        };
        let Some(address) = address else {
            return Ok(Err(|s| &mut s.no_address));
        };
        if consent.is_none() {
            return Ok(Err(|s| &mut s.no_consent));
        }
        if self
            .repo
            .suppressed_fields(&self.id, c)?
            .iter()
            .any(|f| f == field)
        {
            return Ok(Err(|s| &mut s.suppressed));
        }
        Ok(Ok(Recipient {
            customer_id: c.id,
            customer_no: c.customer_no,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            address,
            language: c.language.clone(),
        }))
    }

    /// Logs messages the host sent (one entry per recipient), each to the customer's current
    /// address on its channel, in one transaction: all or nothing. A `CommunicationRecorded`
    /// event follows each. Anonymise erases the address, subject and reference of the entries;
    /// a merge moves them to the primary.
    ///
    /// # Errors
    /// Validation (the field prefixed with the entry's position, `[3].subject`) on a blank or
    /// long subject or reference, or a customer with no address on the channel; NotFound;
    /// Conflict if a customer is anonymised or merged into another.
    pub fn record_communications(
        &self,
        actor: &Actor,
        entries: Vec<NewCommunication>,
    ) -> Result<Vec<Communication>> {
        actor.validate()?;
        if entries.len() > MAX_LOGGED {
            return Err(Error::validation(
                "communications",
                format!("more than {MAX_LOGGED} in one call"),
            ));
        }
        let entries = entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| e.validate().map_err(|err| super::at_position(i, err)))
            .collect::<Result<Vec<_>>>()?;
        self.repo.record_communications(&self.id, actor, entries)
    }

    /// The communication log of customer `id`, newest first (a merged id answers its primary's).
    pub fn communications(&self, id: &CustomerId) -> Result<Vec<Communication>> {
        self.repo.communications(&self.id, id)
    }
}
