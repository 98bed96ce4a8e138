//! `crm_db` (one open database) and `crm_tenant` (one agency, seen by one actor).

use std::ffi::{c_char, c_void};

use crm_core::{Actor, Crm, NameRule, Policy, Role, Tenant};

use crate::ffi::{self, Handle};
use crate::status::{Failure, crm_status};

/// An open database: an SQLite file and its search index (`<file>.index`), or both in memory.
/// Safe to share between threads; free it with `crm_db_free` when every call on it has returned.
pub struct crm_db {
    _private: [u8; 0],
}

/// One tenant (agency) of a database, seen by one actor (recorded with every write). No call
/// through it reads, changes or reveals another tenant's records. Safe to share between threads.
/// It keeps the database open: free it with `crm_tenant_free`.
pub struct crm_tenant {
    _private: [u8; 0],
}

/// A role of an actor (`crm_tenant_open`).
pub type crm_role = u32;
/// An agency user: everyday work on customers and bookings.
pub const CRM_ROLE_AGENT: crm_role = 101;
/// A user with organisation-level rights.
pub const CRM_ROLE_ORGANISATION: crm_role = 102;
/// An integration or batch job acting on its own behalf.
pub const CRM_ROLE_SYSTEM: crm_role = 103;

/// Called by `crm_db_reindex` and `crm_tenant_find_duplicates` as they go: `done` of `total`
/// steps (for a reindex, customers indexed). Calls into
/// the library from it are refused (`CRM_ERR_INVALID_ARGUMENT`): the index is being rebuilt. It
/// must return normally (no C++ exception, no `longjmp`).
pub type crm_progress_callback =
    Option<extern "C" fn(userdata: *mut c_void, done: u64, total: u64)>;

pub(crate) struct Db(pub(crate) Crm);

impl Handle for Db {
    type C = crm_db;
    const NAME: &'static str = "crm_db";
}

#[derive(Clone)]
pub(crate) struct TenantHandle {
    pub(crate) tenant: Tenant,
    pub(crate) actor: Actor,
    /// The tenant id as a C string, for `crm_tenant_id`.
    id: std::ffi::CString,
}

impl Handle for TenantHandle {
    type C = crm_tenant;
    const NAME: &'static str = "crm_tenant";
}

/// A clone of the tenant behind a handle, taken under the registry lock: the call works on it
/// even if another thread frees the handle meanwhile.
pub(crate) fn tenant(ptr: *const crm_tenant) -> Result<TenantHandle, Failure> {
    ffi::with::<TenantHandle, _>(ptr, "tenant", TenantHandle::clone)
}

/// A clone of the database behind a handle, taken under the registry lock.
fn database(ptr: *const crm_db) -> Result<Crm, Failure> {
    ffi::with::<Db, _>(ptr, "db", |db| db.0.clone())
}

/// Opens (or creates) the database file at `path` (UTF-8), migrating its schema if needed.
///
/// On success `*out` is a database the caller owns and frees with `crm_db_free`.
/// Errors: `CRM_ERR_STORAGE` (not a database, or written by a newer version), `CRM_ERR_IO`
/// (the index folder cannot be created).
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_open(path: *const c_char, out: *mut *mut crm_db) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let path = ffi::text_in(path, "path")?;
        let crm = Crm::open(path)?;
        out.write(ffi::into_raw(Db(crm)));
        Ok(())
    })
}

/// Connects to a PostgreSQL database shared by several application servers (`url`: a
/// connection string, as a URL or as `key=value` pairs, UTF-8), migrating its schema if
/// needed, with this server's search index in the folder `index_dir` (UTF-8, made if missing).
/// Each server keeps its own index folder; before a search of a tenant it takes in what any
/// server committed for that tenant since.
///
/// TLS is used when the connection string says `sslmode=require`, verified as libpq's
/// `verify-full` does: the server's certificate against the system's certificate authorities
/// (a private one: `crm_db_connect_with_ca`) and its name against `host`. Any other `sslmode`
/// (`prefer`, the default, or `disable`) connects in clear; a Unix socket never uses TLS.
///
/// On success `*out` is a database the caller owns and frees with `crm_db_free`.
/// Errors: `CRM_ERR_VALIDATION` (`url` is not a connection string), `CRM_ERR_STORAGE` (the
/// database cannot be reached, its certificate is not trusted, or it was written by a newer
/// version), `CRM_ERR_IO` (the index folder cannot be created).
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_connect(
    url: *const c_char,
    index_dir: *const c_char,
    out: *mut *mut crm_db,
) -> crm_status {
    connect(url, index_dir, None, out)
}

/// `crm_db_connect` to a server whose certificate a private certificate authority signed:
/// `ca_file` (UTF-8 path) holds its certificate(s) in PEM, trusted besides the system's. A CA
/// file asks for TLS: without `sslmode` (or with `prefer`) it is required, as with `require`.
/// Errors: those of `crm_db_connect`; also `CRM_ERR_VALIDATION` on `url` (`sslmode=disable`)
/// or on `ca_file` (no PEM certificate in it) and `CRM_ERR_IO` (it cannot be read).
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_connect_with_ca(
    url: *const c_char,
    index_dir: *const c_char,
    ca_file: *const c_char,
    out: *mut *mut crm_db,
) -> crm_status {
    connect(url, index_dir, Some(ca_file), out)
}

/// `crm_db_connect` and `crm_db_connect_with_ca` (`ca_file` given: it must not be NULL).
fn connect(
    url: *const c_char,
    index_dir: *const c_char,
    ca_file: Option<*const c_char>,
    out: *mut *mut crm_db,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let url = ffi::text_in(url, "url")?;
        let index_dir = ffi::text_in(index_dir, "index_dir")?;
        let crm = match ca_file {
            Some(ca_file) => {
                Crm::connect_with_ca(url, index_dir, ffi::text_in(ca_file, "ca_file")?)?
            }
            None => Crm::connect(url, index_dir)?,
        };
        out.write(ffi::into_raw(Db(crm)));
        Ok(())
    })
}

/// Opens a database in memory, gone when freed (tests, demos). `*out` as for `crm_db_open`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_open_in_memory(out: *mut *mut crm_db) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let crm = Crm::open_in_memory()?;
        out.write(ffi::into_raw(Db(crm)));
        Ok(())
    })
}

/// Rebuilds the search index from SQLite, calling `progress` (may be NULL) with `userdata`
/// after each batch. Errors: `CRM_ERR_SEARCH`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_reindex(
    db: *const crm_db,
    progress: crm_progress_callback,
    userdata: *mut c_void,
) -> crm_status {
    ffi::call(|| {
        let crm = database(db)?;
        crm.reindex(|done, total| {
            if let Some(progress) = progress {
                ffi::in_callback(|| progress(userdata, done, total));
            }
        })?;
        Ok(())
    })
}

/// Brings this handle's search index up to every tenant's committed changes now, then rewrites
/// the index segments that still hold customers deleted or anonymised through another handle
/// (searches do not: it can take seconds). On PostgreSQL, call it from a timer on each server so
/// that erased values leave every server's index folder. Errors: `CRM_ERR_STORAGE`,
/// `CRM_ERR_SEARCH`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_sync_index(db: *const crm_db) -> crm_status {
    ffi::call(|| {
        database(db)?.sync_index()?;
        Ok(())
    })
}

/// Compacts every tenant's change feed: removes the events written more than `keep_seconds`
/// ago (`CRM_FEED_RETENTION_SECONDS`, 30 days, unless the host needs longer) that every feed
/// cursor of their tenant has passed (`crm_tenant_set_feed_cursor`). Call it from a timer
/// (daily, say) on one server. A read after a removed event is `CRM_ERR_FEED_COMPACTED`; a
/// search index behind them rebuilds itself at its next search. `*out_tenants` is how many
/// tenants' feeds lost events and `*out_events` how many events went (both optional: NULL
/// skips them). Errors: `CRM_ERR_STORAGE`, `CRM_ERR_CONFLICT` (the batches done stay done).
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_compact_feeds(
    db: *const crm_db,
    keep_seconds: u64,
    out_tenants: *mut u64,
    out_events: *mut u64,
) -> crm_status {
    ffi::call(|| {
        let done = database(db)?.compact_feeds(std::time::Duration::from_secs(keep_seconds))?;
        ffi::write_if_asked(out_tenants, done.tenants);
        ffi::write_if_asked(out_events, done.events);
        Ok(())
    })
}

/// How long the change feed keeps events by default, in seconds (30 days): the
/// `keep_seconds` to pass to `crm_db_compact_feeds`.
pub const CRM_FEED_RETENTION_SECONDS: u64 = 2592000;

/// Frees a database handle. NULL does nothing; a handle freed twice is detected and ignored.
/// The database closes when this handle and every tenant opened from it are freed (tenants keep
/// it open); calls running on other threads finish first.
#[unsafe(no_mangle)]
pub extern "C" fn crm_db_free(db: *mut crm_db) {
    ffi::value((), || ffi::free::<Db>(db));
}

/// Opens a tenant of `db` as an actor: `tenant_id` (1 to 128 characters), `actor_user_id` (the
/// host's user id, 1 to 128 characters) and `actor_role` (`CRM_ROLE_*`).
///
/// On success `*out` is a tenant the caller owns and frees with `crm_tenant_free`.
/// Errors: `CRM_ERR_VALIDATION` (tenant id empty or too long), `CRM_ERR_INVALID_ARGUMENT`
/// (role). The actor's user id is checked by every write (`CRM_ERR_VALIDATION` on
/// `actor.user_id`), as in Rust and Python.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_open(
    db: *const crm_db,
    tenant_id: *const c_char,
    actor_user_id: *const c_char,
    actor_role: crm_role,
    out: *mut *mut crm_tenant,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let db = database(db)?;
        let tenant_id = ffi::text_in(tenant_id, "tenant_id")?;
        let user_id = ffi::text_in(actor_user_id, "actor_user_id")?;
        let role = role_in(actor_role)?;
        let tenant = db.tenant(tenant_id)?;
        // The actor's user id is checked by every write, as in Rust and Python.
        let actor = Actor::new(user_id, role);
        let id = ffi::c_string(tenant.id().as_str().to_owned());
        out.write(ffi::into_raw(TenantHandle { tenant, actor, id }));
        Ok(())
    })
}

/// The core's role of a `CRM_ROLE_*` constant.
pub(crate) fn role_in(role: crm_role) -> Result<Role, Failure> {
    match role {
        CRM_ROLE_AGENT => Ok(Role::Agent),
        CRM_ROLE_ORGANISATION => Ok(Role::Organisation),
        CRM_ROLE_SYSTEM => Ok(Role::System),
        other => Err(Failure::invalid(format!(
            "actor_role: unknown role {other}"
        ))),
    }
}

/// Frees a tenant handle. NULL does nothing; a handle freed twice is detected and ignored.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_free(tenant: *mut crm_tenant) {
    ffi::value((), || ffi::free::<TenantHandle>(tenant));
}

/// Sets the tenant's default region for phones typed without a country code (ISO 3166-1
/// alpha-2 such as `"FR"`; NULL for none), for customers without an address country (a
/// customer's country reads its numbers; with neither, such a number is kept as typed,
/// unverified). Errors: `CRM_ERR_VALIDATION` (unknown region).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_set_default_region(
    tenant: *const crm_tenant,
    region: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let region = ffi::optional_text_in(region, "region")?.map(str::to_owned);
        t.tenant.update_settings(&t.actor, |mut s| {
            s.default_region = region;
            Ok(s)
        })?;
        Ok(())
    })
}

/// The tenant's default region: on success `*out` is a string the caller frees with
/// `crm_string_free`, or NULL when none is set.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_default_region(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let region = t.tenant.settings()?.default_region;
        out.write(region.map_or(std::ptr::null_mut(), ffi::string_out));
        Ok(())
    })
}

/// Sets which names the tenant's customers need: `"both"` (first and last, the default),
/// `"either"` (one of them) or `"last_name"`. A name the rule lets a record go without is an
/// empty string. Errors: `CRM_ERR_VALIDATION` naming `name_rule` for another value.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_set_name_rule(
    tenant: *const crm_tenant,
    rule: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let rule: NameRule = ffi::text_in(rule, "name_rule")?.parse()?;
        t.tenant
            .update_settings(&t.actor, |s| Ok(s.with_name_rule(rule)))?;
        Ok(())
    })
}

/// The tenant's name rule: on success `*out` is `"both"`, `"either"` or `"last_name"`, a string
/// the caller frees with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_name_rule(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let rule = t.tenant.settings()?.name_rule;
        out.write(ffi::string_out(rule.as_str().to_owned()));
        Ok(())
    })
}

/// Sets the tenant's time zone, an IANA name such as `"Europe/Paris"` (NULL or blank: UTC): the
/// day relative periods (`crm_search_query_relative_period`) and schedules are read in.
/// Errors: `CRM_ERR_VALIDATION` naming `time_zone` (not an IANA name).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_set_time_zone(
    tenant: *const crm_tenant,
    time_zone: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let time_zone = ffi::optional_text_in(time_zone, "time_zone")?;
        t.tenant.update_settings(&t.actor, |mut s| {
            s.time_zone = time_zone.map(str::to_owned);
            Ok(s)
        })?;
        Ok(())
    })
}

/// The tenant's time zone: on success `*out` is its IANA name, a string the caller frees with
/// `crm_string_free`, or NULL when none is set (UTC).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_time_zone(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let zone = t.tenant.settings()?.time_zone;
        out.write(zone.map_or(std::ptr::null_mut(), ffi::string_out));
        Ok(())
    })
}

/// Sets one of the tenant's policies by its name and a value's name:
/// - `"email_uniqueness"`: `"allow"` (the default: customers may share an email), `"warn"`
///   (the write is made and a `customer_email_shared` change names the customer) or `"refuse"`
///   (a write giving a customer another customer's email, main or secondary, fails,
///   `CRM_ERR_VALIDATION` naming `email` or `secondary_emails`);
/// - `"hard_delete"` and `"merge"` (who may delete customers, who may merge and undo merges):
///   `"anyone"` (the default), `"organisation"` (the organisation role) or `"nobody"`; a call
///   the policy forbids fails with `CRM_ERR_PERMISSION_DENIED`.
///
/// Changing a policy needs a tenant opened with `CRM_ROLE_ORGANISATION`. The change is made in
/// one transaction on the settings as stored.
///
/// Errors: `CRM_ERR_VALIDATION` naming `policy` (unknown policy) or the policy (unknown value);
/// `CRM_ERR_PERMISSION_DENIED` (not the organisation role).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_set_policy(
    tenant: *const crm_tenant,
    policy: *const c_char,
    value: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let policy: Policy = ffi::text_in(policy, "policy")?.parse()?;
        let value = ffi::text_in(value, policy.as_str())?;
        t.tenant
            .update_settings(&t.actor, |s| s.with_policy(policy, value))?;
        Ok(())
    })
}

/// The value of one of the tenant's policies (`"email_uniqueness"`, `"hard_delete"`,
/// `"merge"`): on success `*out` is its name (`"allow"`, `"anyone"`...), a string the caller
/// frees with `crm_string_free`. Errors: `CRM_ERR_VALIDATION` naming `policy`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_policy(
    tenant: *const crm_tenant,
    policy: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let policy: Policy = ffi::text_in(policy, "policy")?.parse()?;
        let value = t.tenant.settings()?.policy(policy);
        out.write(ffi::string_out(value.to_owned()));
        Ok(())
    })
}

/// A second handle on the same tenant whose actor acts on the request `reference` (a data
/// subject's request, a ticket: `"DSAR-2026-114"`; NULL: none): the privacy log records it
/// with each personal-data export, anonymisation and deletion made through that handle.
///
/// On success `*out` is a tenant the caller owns and frees with `crm_tenant_free`.
/// Errors: `CRM_ERR_VALIDATION` naming `actor.request` (not 1 to 128 ASCII letters, digits,
/// `-`, `_`, `.`, `:`, `/` or `#`: a reference, never an email or a sentence).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_with_request(
    tenant: *const crm_tenant,
    reference: *const c_char,
    out: *mut *mut crm_tenant,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let mut t = self::tenant(tenant)?;
        t.actor.request = ffi::optional_text_in(reference, "actor.request")?.map(str::to_owned);
        t.actor.validate()?;
        out.write(ffi::into_raw(t));
        Ok(())
    })
}

/// The tenant's id. Borrowed until the tenant is freed; NULL on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_id(tenant: *const crm_tenant) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(ffi::get::<TenantHandle>(tenant, "tenant")?.id.as_ptr())
    })
}

/// The schema version of database files this library writes (`PRAGMA user_version`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_schema_version() -> i64 {
    Crm::schema_version()
}
