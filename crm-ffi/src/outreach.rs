//! Outreach (`crm_outreach`: the recipients of a search on a channel) and the communication log
//! (`crm_communication_list`).

use std::ffi::{CString, c_char};

use crm_core::{Channel, Communication, NewCommunication, Outreach};

use crate::customer::{id_in, parse_time, rfc3339};
use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, c_opt, c_ptr, c_string};
use crate::json;
use crate::search::{QueryHandle, crm_search_query};
use crate::status::{Failure, crm_status};

/// A channel to reach customers on.
pub type crm_channel = u32;
/// Email, to the main address, with email consent.
pub const CRM_CHANNEL_EMAIL: crm_channel = 1601;
/// SMS, to the mobile number, with SMS consent.
pub const CRM_CHANNEL_SMS: crm_channel = 1602;

/// The recipients of a search on a channel (`crm_tenant_outreach`).
pub struct crm_outreach {
    _private: [u8; 0],
}

/// A customer's communication log (`crm_tenant_communications`).
pub struct crm_communication_list {
    _private: [u8; 0],
}

/// How many customers a search found that may not be written to, by reason.
#[repr(C)]
pub struct crm_outreach_skips {
    /// Anonymised customers.
    pub anonymised: u64,
    /// No email, or no mobile number that can take an SMS.
    pub no_address: u64,
    /// No consent on the channel.
    pub no_consent: u64,
    /// The address belongs to a person who asked to be forgotten.
    pub suppressed: u64,
    /// The address is opted out of the channel (`crm_tenant_opt_out`).
    pub opted_out: u64,
}

/// One recipient's texts.
struct RecipientTexts {
    customer_id: CString,
    first_name: CString,
    last_name: CString,
    address: CString,
    language: Option<CString>,
}

struct OutreachHandle {
    outreach: Outreach,
    recipients: Vec<RecipientTexts>,
}

impl Handle for OutreachHandle {
    type C = crm_outreach;
    const NAME: &'static str = "crm_outreach";
}

struct EntryTexts {
    id: CString,
    address: CString,
    subject: CString,
    reference: Option<CString>,
    sent_at: CString,
}

struct LogHandle {
    entries: Vec<Communication>,
    texts: Vec<EntryTexts>,
}

impl Handle for LogHandle {
    type C = crm_communication_list;
    const NAME: &'static str = "crm_communication_list";
}

pub(crate) fn channel_in(channel: crm_channel) -> Result<Channel, Failure> {
    match channel {
        CRM_CHANNEL_EMAIL => Ok(Channel::Email),
        CRM_CHANNEL_SMS => Ok(Channel::Sms),
        other => Err(Failure::invalid(format!(
            "channel: {other} is not a crm_channel"
        ))),
    }
}

pub(crate) fn channel_out(channel: Channel) -> crm_channel {
    match channel {
        Channel::Sms => CRM_CHANNEL_SMS,
        _ => CRM_CHANNEL_EMAIL,
    }
}

fn outreach<'a>(ptr: *const crm_outreach) -> Result<&'a OutreachHandle, Failure> {
    ffi::get::<OutreachHandle>(ptr, "outreach")
}

fn log<'a>(ptr: *const crm_communication_list) -> Result<&'a LogHandle, Failure> {
    ffi::get::<LogHandle>(ptr, "list")
}

/// Records that `address` (an email for `CRM_CHANNEL_EMAIL`, a phone number read in the
/// tenant's region for `CRM_CHANNEL_SMS`) must not be written to on `channel`: every customer
/// record that holds it, now or later, is left out of `crm_tenant_outreach` and email sending,
/// counted as `opted_out`. `source` says how the person asked (1 to 100 characters). The
/// address is kept as a keyed hash. On success `*added_out` says whether it was new.
/// Errors: `CRM_ERR_VALIDATION` naming `address` or `source`; `CRM_ERR_INVALID_ARGUMENT`
/// (channel).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_opt_out(
    tenant: *const crm_tenant,
    channel: crm_channel,
    address: *const c_char,
    source: *const c_char,
    added_out: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(added_out, "added_out")?;
        let t = self::tenant(tenant)?;
        let channel = channel_in(channel)?;
        let address = ffi::text_in(address, "address")?;
        let source = ffi::text_in(source, "source")?;
        out.write(t.tenant.opt_out(&t.actor, channel, address, source)?);
        Ok(())
    })
}

/// Records a consent decision of customer `customer_id` (a merged id: the customer it went
/// into) on `channel` for `purpose` (`"marketing"` or `"service"`): `state` `"given"` or
/// `"withdrawn"`, `at` when (RFC 3339; NULL for now), `source` where it came from (a label:
/// `"booking form"`; an address in it is refused). Records are kept, none replaced: the latest
/// recorded is the customer's consent; a marketing one also sets the customer's consent on its
/// channel. On success, when `record_json_out` is not NULL, `*record_json_out` is the record as
/// `{"format": 1, "consent": {"channel": ..., "purpose": ..., "state": ..., "at": ...,
/// "source": ..., "recorded_at": ..., "recorded_by": ...}}`, freed with `crm_string_free`.
/// Errors: `CRM_ERR_VALIDATION` naming `purpose`, `state`, `at` or `source`;
/// `CRM_ERR_NOT_FOUND`; `CRM_ERR_CONFLICT` (an anonymised customer).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_record_consent(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    channel: crm_channel,
    purpose: *const c_char,
    state: *const c_char,
    at: *const c_char,
    source: *const c_char,
    record_json_out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let mut consent = crm_core::NewConsent::new(
            channel_in(channel)?,
            ffi::text_in(purpose, "purpose")?.parse()?,
            ffi::text_in(state, "state")?.parse()?,
            ffi::text_in(source, "source")?,
        );
        consent.at = ffi::optional_text_in(at, "at")?
            .map(|text| parse_time("at", text))
            .transpose()?;
        let record = t.tenant.record_consent(&t.actor, &id, consent)?;
        if !record_json_out.is_null() {
            let text = ffi::string_out(json::envelope("consent", record)?);
            ffi::write_if_asked(record_json_out, text);
        }
        Ok(())
    })
}

/// The consent records of customer `customer_id` (a merged id: the customer it went into),
/// the latest recorded first. On success `*out` is `{"format": 1, "consents": [...]}` (each as
/// `crm_tenant_record_consent` gives it), freed with `crm_string_free`.
/// Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_consents_json(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let records = t.tenant.consents(&id)?;
        out.write(ffi::string_out(json::envelope("consents", records)?));
        Ok(())
    })
}

/// Removes the opt-out of `address` on `channel` (the person opted in again). On success
/// `*removed_out` says whether there was one. Errors: `CRM_ERR_VALIDATION` naming `address`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_opt_in(
    tenant: *const crm_tenant,
    channel: crm_channel,
    address: *const c_char,
    removed_out: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(removed_out, "removed_out")?;
        let t = self::tenant(tenant)?;
        let channel = channel_in(channel)?;
        let address = ffi::text_in(address, "address")?;
        out.write(t.tenant.opt_in(&t.actor, channel, address)?);
        Ok(())
    })
}

/// Whether `address` is opted out on `channel`, into `*out`. Errors: `CRM_ERR_VALIDATION`
/// naming `address`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_is_opted_out(
    tenant: *const crm_tenant,
    channel: crm_channel,
    address: *const c_char,
    out: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let channel = channel_in(channel)?;
        let address = ffi::text_in(address, "address")?;
        out.write(t.tenant.is_opted_out(channel, address)?);
        Ok(())
    })
}

/// The customers `query` finds (every hit, in its order; NULL for all) who may be sent
/// marketing on `channel`: with marketing consent on it, an address for it (for SMS a mobile
/// number), not anonymised, not an address of a person who asked to be forgotten, not an
/// opted-out address. `crm_tenant_outreach_for` with `"marketing"`. The library sends nothing;
/// log what the host sent with `crm_tenant_record_communication`. On success `*out` is freed
/// with `crm_outreach_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_outreach(
    tenant: *const crm_tenant,
    query: *const crm_search_query,
    channel: crm_channel,
    out: *mut *mut crm_outreach,
) -> crm_status {
    crm_tenant_outreach_for(tenant, query, channel, c"marketing".as_ptr(), out)
}

/// `crm_tenant_outreach` for messages of `purpose`: `"marketing"` (needs the customer's
/// marketing consent; opted-out addresses are left out) or `"service"` (about the customer's
/// own bookings: needs no consent and reaches an opted-out address, but leaves out a customer
/// whose latest service record on the channel withdraws them, counted as `no_consent`).
/// Errors: `CRM_ERR_VALIDATION` naming `purpose`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_outreach_for(
    tenant: *const crm_tenant,
    query: *const crm_search_query,
    channel: crm_channel,
    purpose: *const c_char,
    out: *mut *mut crm_outreach,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let channel = channel_in(channel)?;
        let purpose: crm_core::ConsentPurpose = ffi::text_in(purpose, "purpose")?.parse()?;
        let query = if query.is_null() {
            crm_core::CustomerQuery::all()
        } else {
            ffi::get::<QueryHandle>(query, "query")?.0.clone()
        };
        let outreach = t.tenant.outreach_for(&query, channel, purpose)?;
        let recipients = outreach
            .recipients
            .iter()
            .map(|r| RecipientTexts {
                customer_id: c_string(r.customer_id.to_string()),
                first_name: c_string(r.first_name.clone()),
                last_name: c_string(r.last_name.clone()),
                address: c_string(r.address.clone()),
                language: c_opt(r.language.as_deref()),
            })
            .collect();
        out.write(ffi::into_raw(OutreachHandle {
            outreach,
            recipients,
        }));
        Ok(())
    })
}

/// How many recipients; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_outreach_count(outreach: *const crm_outreach) -> usize {
    ffi::value(0, || Ok(self::outreach(outreach)?.recipients.len()))
}

/// Recipient `index`: its customer id, customer no., first and last name, address (the email,
/// or the mobile in E.164 form) and language (NULL when unknown). Strings are borrowed until
/// the outreach is freed; each out pointer may be NULL. Errors: `CRM_ERR_VALIDATION` on `index`
/// past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_outreach_recipient(
    outreach: *const crm_outreach,
    index: usize,
    customer_id: *mut *const c_char,
    customer_no: *mut i64,
    first_name: *mut *const c_char,
    last_name: *mut *const c_char,
    address: *mut *const c_char,
    language: *mut *const c_char,
) -> crm_status {
    ffi::call(|| {
        let o = self::outreach(outreach)?;
        let (r, texts) = o
            .outreach
            .recipients
            .get(index)
            .zip(o.recipients.get(index))
            .ok_or_else(|| json::validation("index", "past the last recipient"))?;
        ffi::write_if_asked(customer_id, texts.customer_id.as_ptr());
        ffi::write_if_asked(customer_no, r.customer_no);
        ffi::write_if_asked(first_name, texts.first_name.as_ptr());
        ffi::write_if_asked(last_name, texts.last_name.as_ptr());
        ffi::write_if_asked(address, texts.address.as_ptr());
        ffi::write_if_asked(language, c_ptr(texts.language.as_ref()));
        Ok(())
    })
}

/// Who was left out, by reason, into `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_outreach_skipped(
    outreach: *const crm_outreach,
    out: *mut crm_outreach_skips,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let s = self::outreach(outreach)?.outreach.skipped;
        out.write(crm_outreach_skips {
            anonymised: s.anonymised,
            no_address: s.no_address,
            no_consent: s.no_consent,
            suppressed: s.suppressed,
            opted_out: s.opted_out,
        });
        Ok(())
    })
}

/// The outreach as JSON `{"format": 1, "outreach": {"channel", "recipients": [{"customer_id",
/// "customer_no", "first_name", "last_name", "address", "language"}...], "skipped":
/// {"anonymised", "no_address", "no_consent", "suppressed", "opted_out"}}}`. On success `*out` is freed with
/// `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_outreach_to_json(
    outreach: *const crm_outreach,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let text = json::envelope("outreach", &self::outreach(outreach)?.outreach)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Frees an outreach. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_outreach_free(outreach: *mut crm_outreach) {
    ffi::value((), || ffi::free::<OutreachHandle>(outreach));
}

/// Logs a message the host sent to customer `customer_id` on `channel`, to the customer's
/// current address on it: `subject` (1 to 200 characters) says what, `reference` (or NULL) is
/// the host's message id, `sent_at` (RFC 3339, or NULL for now) when. On success `*id_out` (or
/// NULL) is the entry's id, freed with `crm_string_free`. Errors: `CRM_ERR_VALIDATION` (subject,
/// reference, sent_at; the customer has no address on the channel), `CRM_ERR_NOT_FOUND`,
/// `CRM_ERR_CONFLICT` (anonymised, or merged into another customer).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_record_communication(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    channel: crm_channel,
    subject: *const c_char,
    reference: *const c_char,
    sent_at: *const c_char,
    id_out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let mut entry =
            NewCommunication::new(id, channel_in(channel)?, ffi::text_in(subject, "subject")?);
        entry.reference = ffi::optional_text_in(reference, "reference")?.map(str::to_owned);
        entry.sent_at = ffi::optional_text_in(sent_at, "sent_at")?
            .map(|s| parse_time("sent_at", s))
            .transpose()?;
        let logged = t.tenant.record_communications(&t.actor, vec![entry])?;
        if !id_out.is_null() {
            let id = logged.first().map(|c| c.id.to_string()).unwrap_or_default();
            ffi::out(id_out, "id_out")?.write(ffi::string_out(id));
        }
        Ok(())
    })
}

/// Logs many sent messages in one transaction (all or nothing) from JSON `{"format": 1,
/// "communications": [{"customer_id": "...", "channel": "email", "subject": "...",
/// "reference": "msg-1", "sent_at": "2026-06-01T10:00:00Z"}, ...]}` (`reference` and `sent_at`
/// optional), each to its customer's current address, as `crm_tenant_record_communication`.
/// On success `*count_out` is how many were logged. Errors: `CRM_ERR_VALIDATION` naming the
/// entry (`[3].subject`), `CRM_ERR_NOT_FOUND`, `CRM_ERR_CONFLICT`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_record_communications_json(
    tenant: *const crm_tenant,
    json: *const c_char,
    count_out: *mut usize,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(count_out, "count_out")?;
        let t = self::tenant(tenant)?;
        let batch: Vec<NewCommunication> =
            json::batch(ffi::text_in(json, "json")?, "communications", |_| {})?;
        out.write(t.tenant.record_communications(&t.actor, batch)?.len());
        Ok(())
    })
}

/// The communication log of customer `customer_id`, newest first. On success `*out` is freed
/// with `crm_communication_list_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_communications(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_communication_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let entries = t.tenant.communications(&id)?;
        let texts = entries
            .iter()
            .map(|c| EntryTexts {
                id: c_string(c.id.to_string()),
                address: c_string(c.address.clone()),
                subject: c_string(c.subject.clone()),
                reference: c_opt(c.reference.as_deref()),
                sent_at: c_string(rfc3339(&c.sent_at)),
            })
            .collect();
        out.write(ffi::into_raw(LogHandle { entries, texts }));
        Ok(())
    })
}

/// How many entries; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_communication_list_len(list: *const crm_communication_list) -> usize {
    ffi::value(0, || Ok(self::log(list)?.entries.len()))
}

/// Entry `index`: its id, channel, address (empty once anonymised), subject (likewise),
/// reference (NULL when none) and when it was sent (RFC 3339). Strings are borrowed until the
/// list is freed; each out pointer may be NULL. Errors: `CRM_ERR_VALIDATION` on `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_communication_list_get(
    list: *const crm_communication_list,
    index: usize,
    id: *mut *const c_char,
    channel: *mut crm_channel,
    address: *mut *const c_char,
    subject: *mut *const c_char,
    reference: *mut *const c_char,
    sent_at: *mut *const c_char,
) -> crm_status {
    ffi::call(|| {
        let l = self::log(list)?;
        let (entry, texts) = l
            .entries
            .get(index)
            .zip(l.texts.get(index))
            .ok_or_else(|| json::validation("index", "past the last entry"))?;
        ffi::write_if_asked(id, texts.id.as_ptr());
        ffi::write_if_asked(channel, channel_out(entry.channel));
        ffi::write_if_asked(address, texts.address.as_ptr());
        ffi::write_if_asked(subject, texts.subject.as_ptr());
        ffi::write_if_asked(reference, c_ptr(texts.reference.as_ref()));
        ffi::write_if_asked(sent_at, texts.sent_at.as_ptr());
        Ok(())
    })
}

/// Frees a communication list. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_communication_list_free(list: *mut crm_communication_list) {
    ffi::value((), || ffi::free::<LogHandle>(list));
}
