//! The change feed: `crm_change_list` of `crm_change` events, read with getters or as JSON.

use std::ffi::c_char;

use chrono::SecondsFormat;
use crm_core::ChangeEvent;

use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, Texts, c_opt, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// Change events of one tenant, in order; `crm_change_list_get` lends its items.
pub struct crm_change_list {
    _private: [u8; 0],
}

/// One change event: what changed and who changed it, never the personal values. Borrowed from
/// its list.
pub struct crm_change {
    _private: [u8; 0],
}

/// A field of a change event, for `crm_change_get`.
pub type crm_change_field = u32;
/// What happened: `customer_created`, `customer_updated`, `customer_deleted`, `booking_created`,
/// `booking_updated`, `booking_linked`, `booking_unlinked`, `tenant_settings_updated`,
/// `customer_merged` (customer id: the one it went into; previous customer id: the merged one),
/// `customer_unmerged`, `customer_anonymised`, `document_attached`, `document_deleted`,
/// `list_created`, `list_deleted` (no customer), `brochure_requested`, `brochure_sent`,
/// `saved_search_saved`, `saved_search_deleted` (no customer), `communication_recorded`,
/// `not_duplicate_marked` or `not_duplicate_unmarked` (customer id and previous customer id: the
/// two customers of the pair), `customer_email_shared` (a write left the customer sharing an
/// email with another, under the tenant's `warn` or `refuse` email policy: previous customer
/// id is the other), `address_opted_out` or `address_opted_in` (no customer; the fields name
/// the channel), `consent_recorded` (the fields name the channel and the purpose).
pub const CRM_CHANGE_KIND: crm_change_field = 1001;
/// When, RFC 3339 UTC.
pub const CRM_CHANGE_AT: crm_change_field = 1002;
/// The customer concerned, or NULL.
pub const CRM_CHANGE_CUSTOMER_ID: crm_change_field = 1003;
/// For a relink, the customer the booking was linked to before; for a merge, the merged record;
/// for a not-a-duplicate decision, the second customer of the pair; else NULL.
pub const CRM_CHANGE_PREVIOUS_CUSTOMER_ID: crm_change_field = 1004;
/// The booking concerned, or NULL.
pub const CRM_CHANGE_BOOKING_REF: crm_change_field = 1005;
/// The user id of the actor who made it.
pub const CRM_CHANGE_ACTOR_USER_ID: crm_change_field = 1006;
/// The actor's role: `agent`, `organisation` or `system`.
pub const CRM_CHANGE_ACTOR_ROLE: crm_change_field = 1007;
/// The names of the fields that changed, comma-separated (updates), or NULL.
pub const CRM_CHANGE_FIELDS: crm_change_field = 1008;

/// The number of `CRM_CHANGE_*` constants (numbered from 1001).
const CHANGE_FIELDS: usize = 8;
const CHANGE_BASE: u32 = 1000;

pub(crate) struct ChangeHandle {
    event: ChangeEvent,
    texts: Texts,
}

impl Handle for ChangeHandle {
    type C = crm_change;
    const NAME: &'static str = "crm_change";
}

impl ChangeHandle {
    fn new(event: ChangeEvent) -> Self {
        let e = &event;
        let mut texts = Texts::new(CHANGE_BASE, CHANGE_FIELDS);
        let id = |id: Option<crm_core::CustomerId>| id.map(|id| c_string(id.to_string()));
        texts.set(CRM_CHANGE_KIND, Some(c_string(e.kind.as_str().to_owned())));
        texts.set(
            CRM_CHANGE_AT,
            Some(c_string(e.at.to_rfc3339_opts(SecondsFormat::AutoSi, true))),
        );
        texts.set(CRM_CHANGE_CUSTOMER_ID, id(e.customer_id));
        texts.set(CRM_CHANGE_PREVIOUS_CUSTOMER_ID, id(e.previous_customer_id));
        texts.set(CRM_CHANGE_BOOKING_REF, c_opt(e.booking_ref.as_deref()));
        texts.set(
            CRM_CHANGE_ACTOR_USER_ID,
            Some(c_string(e.actor.user_id.clone())),
        );
        texts.set(
            CRM_CHANGE_ACTOR_ROLE,
            Some(c_string(e.actor.role.as_str().to_owned())),
        );
        texts.set(
            CRM_CHANGE_FIELDS,
            (!e.fields.is_empty()).then(|| c_string(e.fields.join(","))),
        );
        Self { event, texts }
    }
}

pub(crate) struct ChangeList(Vec<ChangeHandle>);

impl Drop for ChangeList {
    fn drop(&mut self) {
        ffi::unlend(&self.0);
    }
}

impl Handle for ChangeList {
    type C = crm_change_list;
    const NAME: &'static str = "crm_change_list";
}

fn list<'a>(ptr: *const crm_change_list) -> Result<&'a ChangeList, Failure> {
    ffi::get::<ChangeList>(ptr, "list")
}

fn change<'a>(ptr: *const crm_change) -> Result<&'a ChangeHandle, Failure> {
    ffi::get::<ChangeHandle>(ptr, "change")
}

/// Up to `limit` (1 to 10,000) change events of this tenant with a sequence number above
/// `after`, in order: start from 0, continue from the last `crm_change_seq` seen. On success
/// `*out` is a list freed with `crm_change_list_free`. Errors: `CRM_ERR_VALIDATION` (`limit`),
/// `CRM_ERR_FEED_COMPACTED` (events after `after` were compacted away: read the head with
/// `crm_tenant_feed_bounds` first, take the records afresh, then read on after that head).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_changes_since(
    tenant: *const crm_tenant,
    after: i64,
    limit: u32,
    out: *mut *mut crm_change_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let events: Vec<ChangeHandle> = t
            .tenant
            .changes_since(after, limit)?
            .into_iter()
            .map(ChangeHandle::new)
            .collect();
        ffi::lend(&events);
        out.write(ffi::into_raw(ChangeList(events)));
        Ok(())
    })
}

/// How many events the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_change_list_len(list: *const crm_change_list) -> usize {
    ffi::value(0, || Ok(self::list(list)?.0.len()))
}

/// The event at `index`, borrowed from the list (never free it). NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_change_list_get(
    list: *const crm_change_list,
    index: usize,
) -> *const crm_change {
    ffi::value(std::ptr::null(), || {
        Ok(ffi::item_ptr(&self::list(list)?.0, index))
    })
}

/// The list as JSON `{"format": 1, "changes": [...]}`. On success `*out` is a string the caller
/// frees with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_change_list_to_json(
    list: *const crm_change_list,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let events: Vec<&ChangeEvent> = self::list(list)?.0.iter().map(|c| &c.event).collect();
        out.write(ffi::string_out(json::envelope("changes", events)?));
        Ok(())
    })
}

/// Frees a list and its events. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_change_list_free(list: *mut crm_change_list) {
    ffi::value((), || ffi::free::<ChangeList>(list));
}

/// The event's position in the feed; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_change_seq(change: *const crm_change) -> i64 {
    ffi::value(0, || Ok(self::change(change)?.event.seq))
}

/// A field of the event (`CRM_CHANGE_*`) as text. Borrowed until the list is freed; NULL when
/// empty.
#[unsafe(no_mangle)]
pub extern "C" fn crm_change_get(
    change: *const crm_change,
    field: crm_change_field,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        self::change(change)?.texts.get(field, "crm_change_field")
    })
}

/// What this tenant's change feed holds: `*out_compacted` is the last sequence a compaction
/// removed (0: none; reading after an earlier one is `CRM_ERR_FEED_COMPACTED`) and
/// `*out_head` the feed's last sequence.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_feed_bounds(
    tenant: *const crm_tenant,
    out_compacted: *mut i64,
    out_head: *mut i64,
) -> crm_status {
    ffi::call(|| {
        let compacted = ffi::out(out_compacted, "out_compacted")?;
        let head = ffi::out(out_head, "out_head")?;
        ffi::distinct(&compacted, &head)?;
        let bounds = self::tenant(tenant)?.tenant.feed_bounds()?;
        compacted.write(bounds.compacted);
        head.write(bounds.head);
        Ok(())
    })
}

/// Registers the position of a reader of this tenant's change feed, or moves it: `seq` is the
/// last event the reader `name` (1 to 100 characters) has taken in. `crm_db_compact_feeds`
/// keeps every event after the slowest cursor. Errors: `CRM_ERR_VALIDATION` (`name`: empty,
/// too long, or a 101st cursor; `seq`: negative or past the head), `CRM_ERR_FEED_COMPACTED`
/// (events after `seq` are already gone).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_set_feed_cursor(
    tenant: *const crm_tenant,
    name: *const c_char,
    seq: i64,
) -> crm_status {
    ffi::call(|| {
        let name = ffi::text_in(name, "name")?;
        self::tenant(tenant)?.tenant.set_feed_cursor(name, seq)?;
        Ok(())
    })
}

/// Drops the feed cursor `name`; `*out_removed` says whether there was one (optional: NULL
/// skips it).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_remove_feed_cursor(
    tenant: *const crm_tenant,
    name: *const c_char,
    out_removed: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let name = ffi::text_in(name, "name")?;
        let removed = self::tenant(tenant)?.tenant.remove_feed_cursor(name)?;
        ffi::write_if_asked(out_removed, removed);
        Ok(())
    })
}

/// The tenant's feed cursors as JSON `{"format": 1, "feed_cursors": [{"name", "seq",
/// "updated_at"}...]}`, by name. On success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_feed_cursors_json(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let cursors = self::tenant(tenant)?.tenant.feed_cursors()?;
        out.write(ffi::string_out(json::envelope("feed_cursors", cursors)?));
        Ok(())
    })
}
