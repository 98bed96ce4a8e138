//! Outreach on the facade: the recipients of a search on a channel, and the communication log.

use super::{Rows, Tenant};
use crate::error::{Error, Result};
use crate::model::CustomerQuery;
use crate::model::{
    Actor, Channel, Communication, ConsentPurpose, ConsentRecord, Customer, CustomerId,
    NewCommunication, NewConsent, Outreach, OutreachSkips, Recipient,
};

/// Most entries logged in one call.
const MAX_LOGGED: usize = 10_000;

impl Tenant {
    /// Records that `address` (an email for [`Channel::Email`], a phone number read in the
    /// tenant's region for [`Channel::Sms`]) must not be written to on `channel`: every
    /// customer record that holds it, now or later (a second record, a merge, an import, a
    /// capture), is left out of [`outreach`](Self::outreach) and email sending, counted as
    /// `opted_out`. `source` says how the person asked: a label (`unsubscribe link`, `phone
    /// call`; 1 to 100 characters; an address in it is refused). The address is kept as a keyed
    /// hash, never in clear; an `address_opted_out` change (the channel, no address) follows.
    /// A number of another country than the tenant's region is given with its country code
    /// (`+32 470 ...`): a number that fits no plan is refused. Returns whether it was new.
    ///
    /// # Errors
    /// Validation on `address` (not an email, not a phone number) or `source`.
    pub fn opt_out(
        &self,
        actor: &Actor,
        channel: Channel,
        address: &str,
        source: &str,
    ) -> Result<bool> {
        actor.validate()?;
        let source = crate::consent::source(source)?;
        crate::cases::consent::opt_out(
            self.store.as_ref(),
            &self.id,
            actor,
            channel,
            address,
            &source,
        )
    }

    /// Removes the opt-out of `address` on `channel` (the person opted in again); whether
    /// there was one (then an `address_opted_in` change follows).
    ///
    /// # Errors
    /// Validation on `address`.
    pub fn opt_in(&self, actor: &Actor, channel: Channel, address: &str) -> Result<bool> {
        actor.validate()?;
        crate::cases::consent::opt_in(self.store.as_ref(), &self.id, actor, channel, address)
    }

    /// Records a consent decision of customer `customer` (a merged id: the customer it went
    /// into) on a channel for a purpose, given or withdrawn, when (`None`: now) and from which
    /// source (a label: `booking form`, `phone call`). Records are kept, none replaced: the latest
    /// recorded is the customer's consent. A marketing one also sets the customer's
    /// [`Consent`](crate::Consent) on its channel (given: when; withdrawn: none), with a new
    /// version and a `CustomerUpdated` naming `consent`. A `ConsentRecorded` change follows
    /// each decision recorded here. Setting the customer's consent through a create, update,
    /// capture or import records it as well (source `customer record`, `booking capture` or
    /// `import`), under that write's own event (`CustomerCreated`, or `CustomerUpdated` naming
    /// `consent`).
    ///
    /// ```
    /// # use crm_core::{Actor, Channel, ConsentPurpose, ConsentState, Crm, NewConsent, NewCustomer, Role};
    /// # let crm = Crm::open_in_memory()?;
    /// # let agency = crm.tenant("agency")?;
    /// # let actor = Actor::new("u-1", Role::Agent);
    /// # let c = agency.create_customer(&actor, NewCustomer { first_name: "Zoé".into(), last_name: "Roux".into(), ..Default::default() })?;
    /// let given = NewConsent::new(Channel::Email, ConsentPurpose::Marketing, ConsentState::Given, "booking form");
    /// agency.record_consent(&actor, &c.id, given)?;
    /// assert!(agency.get_customer(&c.id)?.consent.email.is_some());
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Validation on `source` (blank, long, holding an address) or `at` (in the future);
    /// NotFound; Conflict for an anonymised customer.
    pub fn record_consent(
        &self,
        actor: &Actor,
        customer: &CustomerId,
        consent: NewConsent,
    ) -> Result<ConsentRecord> {
        actor.validate()?;
        crate::cases::consent::record(self.store.as_ref(), &self.id, actor, customer, consent)
    }

    /// The consent records of customer `customer` (a merged id: the customer it went into,
    /// whose records include those of the records merged into it), the latest recorded first.
    ///
    /// # Errors
    /// NotFound.
    pub fn consents(&self, customer: &CustomerId) -> Result<Vec<ConsentRecord>> {
        crate::cases::consent::history(self.store.as_ref(), &self.id, customer)
    }

    /// Whether `address` is opted out on `channel`.
    ///
    /// # Errors
    /// Validation on `address`.
    pub fn is_opted_out(&self, channel: Channel, address: &str) -> Result<bool> {
        crate::cases::consent::is_opted_out(self.store.as_ref(), &self.id, channel, address)
    }

    /// The customers `query` finds (every hit, in its order) who may be sent marketing on
    /// `channel`, and how many may not, by reason: anonymised,
    /// no address (no email; for SMS, no mobile number or one that is not a mobile number), no
    /// marketing consent on the channel, an address that belongs to a person who asked to be
    /// forgotten, or an address opted out of the channel ([`opt_out`](Self::opt_out)),
    /// whichever record holds it. [`outreach_for`](Self::outreach_for) with
    /// [`ConsentPurpose::Marketing`].
    /// The library sends nothing: the host sends, then logs what it sent with
    /// [`record_communications`](Self::record_communications). Writes nothing.
    pub fn outreach(&self, query: &CustomerQuery, channel: Channel) -> Result<Outreach> {
        self.outreach_for(query, channel, ConsentPurpose::Marketing)
    }

    /// [`outreach`](Self::outreach) for messages of `purpose`. Marketing needs the customer's
    /// marketing consent on the channel and leaves opted-out addresses out. Service messages
    /// (about the customer's own bookings) need no consent and reach an opted-out address
    /// (an opt-out is from marketing); they leave out a customer whose latest service record on
    /// the channel withdraws them (counted as `no_consent`). Anonymised customers, those
    /// without an address and the addresses of forgotten persons are left out for both.
    pub fn outreach_for(
        &self,
        query: &CustomerQuery,
        channel: Channel,
        purpose: ConsentPurpose,
    ) -> Result<Outreach> {
        self.outreach_of(Rows::Query(query, chrono::Utc::now()), channel, purpose)
    }

    /// [`outreach_for`](Self::outreach_for) over `rows`.
    pub(crate) fn outreach_of(
        &self,
        rows: Rows<'_>,
        channel: Channel,
        purpose: ConsentPurpose,
    ) -> Result<Outreach> {
        let marketing = purpose == ConsentPurpose::Marketing;
        let mut recipients = Vec::new();
        let mut skipped = OutreachSkips::default();
        self.each_page(rows, |ids, _| {
            let customers = self.in_order(&ids)?;
            // Those that pass the other checks, then one read for their suppressions.
            let mut candidates = Vec::new();
            for c in &customers {
                match candidate(c, channel, marketing) {
                    Ok(address) => candidates.push((c, address)),
                    Err(counter) => *counter(&mut skipped) += 1,
                }
            }
            let found: Vec<&Customer> = candidates.iter().map(|(c, _)| *c).collect();
            // Forgotten addresses, and for marketing opted-out addresses, for service customers
            // who withdrew service messages: one read for the page.
            let (suppressed, held_back) = crate::cases::consent::held_back_each(
                self.store.as_ref(),
                &self.id,
                &found,
                channel,
                purpose,
            )?;
            let field = match channel {
                Channel::Sms => "mobile",
                _ => "email",
            };
            for (((c, address), fields), held_back) in
                candidates.into_iter().zip(suppressed).zip(held_back)
            {
                if fields.iter().any(|f| f == field) {
                    skipped.suppressed += 1;
                    continue;
                }
                if held_back {
                    match marketing {
                        true => skipped.opted_out += 1,
                        false => skipped.no_consent += 1,
                    }
                    continue;
                }
                recipients.push(Recipient {
                    customer_id: c.id,
                    customer_no: c.customer_no,
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    address,
                    language: c.language.clone(),
                });
            }
            Ok(())
        })?;
        Ok(Outreach {
            channel,
            recipients,
            skipped,
        })
    }

    /// Logs messages the host sent (one entry per recipient), each to the customer's current
    /// address on its channel (its email; for SMS its mobile number, if it takes SMS), in one
    /// transaction: all or nothing. Consent is the host's to have checked (see
    /// [`outreach`](Self::outreach)): the log records what was sent. A `CommunicationRecorded`
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
        crate::cases::communications::record(self.store.as_ref(), &self.id, actor, entries)
    }

    /// The communication log of customer `id`, newest first (a merged id answers its primary's).
    pub fn communications(&self, id: &CustomerId) -> Result<Vec<Communication>> {
        crate::cases::communications::of_customer(self.store.as_ref(), &self.id, id)
    }
}

/// A skip counter of [`OutreachSkips`].
type Counter = fn(&mut OutreachSkips) -> &mut u64;

/// The address `c` may be written to on `channel` (for marketing: with its marketing consent),
/// or the counter of the reason it may not (suppression, opt-outs and service withdrawals are
/// checked after, for many at once).
fn candidate(
    c: &Customer,
    channel: Channel,
    marketing: bool,
) -> std::result::Result<String, Counter> {
    if c.is_anonymised() {
        return Err(|s| &mut s.anonymised);
    }
    let consent = match channel {
        Channel::Sms => c.consent.sms,
        _ => c.consent.email,
    };
    let Some(address) = channel.address_of(c).map(str::to_owned) else {
        return Err(|s| &mut s.no_address);
    };
    if marketing && consent.is_none() {
        return Err(|s| &mut s.no_consent);
    }
    Ok(address)
}

impl Tenant {
    /// The customers of `audience`, once each, in its order (a query's relative periods read
    /// at `now`), and with [`Audience::PendingBrochures`](crate::Audience::PendingBrochures) the
    /// pending requests themselves.
    ///
    /// # Errors
    /// Validation when the audience holds more than `max` customers (`customers` for a list
    /// given, `audience` otherwise).
    pub(crate) fn audience_ids(
        &self,
        audience: &crate::model::Audience,
        now: chrono::DateTime<chrono::Utc>,
        max: usize,
    ) -> Result<(Vec<CustomerId>, Vec<crate::model::BrochureRequest>)> {
        use crate::model::Audience;
        let too_many = |field: &str| {
            Error::validation(field, format!("more than {max} customers in one call"))
        };
        let mut seen = std::collections::HashSet::new();
        let mut ids: Vec<CustomerId> = Vec::new();
        let mut requests = Vec::new();
        match audience {
            Audience::Query(query) => {
                self.each_hit_page_at(query, now, |page, total| {
                    if total > max as u64 {
                        return Err(too_many("audience"));
                    }
                    ids.extend(page);
                    Ok(())
                })?;
            }
            Audience::Customers(given) => {
                if given.len() > max {
                    return Err(too_many("customers"));
                }
                ids.extend(given.iter().copied().filter(|id| seen.insert(*id)));
            }
            Audience::PendingBrochures => {
                let mut after = None;
                loop {
                    let page = crate::cases::lists::pending(
                        self.store.as_ref(),
                        &self.id,
                        after.as_ref(),
                        crate::model::limits::MAX_PAGE,
                    )?;
                    let Some(last) = page.last() else { break };
                    after = Some(last.id);
                    ids.extend(
                        page.iter()
                            .map(|r| r.customer_id)
                            .filter(|id| seen.insert(*id)),
                    );
                    requests.extend(page);
                    if ids.len() > max {
                        return Err(too_many("audience"));
                    }
                }
            }
        }
        Ok((ids, requests))
    }
}
