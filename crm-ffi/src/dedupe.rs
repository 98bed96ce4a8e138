//! Likely duplicates: `crm_match_config` (threshold and weights set by hand),
//! `crm_duplicate_list` (matches of one customer, with each field's contribution),
//! `crm_cluster_list` (clusters of a whole tenant) and the tenant's learned model as JSON.

use std::ffi::{CString, c_char, c_void};

use crm_core::{
    DuplicateCluster, DuplicateMatch, FindOptions, MatchConfig, MatchField, MatchLevel,
};

use crate::customer::{crm_customer_fields, fields, id_in};
use crate::db::{crm_progress_callback, crm_tenant, tenant};
use crate::ffi::{self, Handle, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// How duplicates are decided: the threshold (a probability, default 0.85) and weights set by
/// hand in place of the tenant's learned ones; made with the defaults by
/// `crm_match_config_new`. Functions taking one accept NULL for the defaults.
pub struct crm_match_config {
    _private: [u8; 0],
}

/// Customers likely the same person as the one asked about, best first, each with what every
/// field contributed; read with `crm_duplicate_list_*`.
pub struct crm_duplicate_list {
    _private: [u8; 0],
}

/// Clusters of likely duplicates of a tenant, best first; read with `crm_cluster_list_*`, or
/// whole as JSON (with each matching pair and its contributions).
pub struct crm_cluster_list {
    _private: [u8; 0],
}

pub(crate) struct ConfigHandle(MatchConfig);

impl Handle for ConfigHandle {
    type C = crm_match_config;
    const NAME: &'static str = "crm_match_config";
}

/// The threshold and weights behind an optional handle (NULL: the defaults).
fn config(ptr: *const crm_match_config) -> Result<MatchConfig, Failure> {
    if ptr.is_null() {
        return Ok(MatchConfig::default());
    }
    Ok(ffi::get::<ConfigHandle>(ptr, "config")?.0.clone())
}

/// A match with its id and its explanation as C text.
pub(crate) struct Explained {
    found: DuplicateMatch,
    id: CString,
    explanation: CString,
    /// The field and level names of each contribution.
    names: Vec<(CString, CString)>,
}

pub(crate) struct MatchList(Vec<Explained>);

impl Handle for MatchList {
    type C = crm_duplicate_list;
    const NAME: &'static str = "crm_duplicate_list";
}

impl MatchList {
    fn new(found: Vec<DuplicateMatch>) -> Self {
        Self(
            found
                .into_iter()
                .map(|m| {
                    let id = c_string(m.customer_id.to_string());
                    let words: Vec<String> = m.contributions.iter().map(|c| c.describe()).collect();
                    let names = m
                        .contributions
                        .iter()
                        .map(|c| (c_string(c.field.to_string()), c_string(c.level.to_string())))
                        .collect();
                    Explained {
                        explanation: c_string(words.join(", ")),
                        found: m,
                        id,
                        names,
                    }
                })
                .collect(),
        )
    }
}

pub(crate) struct ClusterList(Vec<(DuplicateCluster, Vec<CString>)>);

impl Handle for ClusterList {
    type C = crm_cluster_list;
    const NAME: &'static str = "crm_cluster_list";
}

// ---- crm_match_config ---------------------------------------------------------------------

/// The defaults: threshold 0.85, no weight set by hand. On success `*out` is owned by the
/// caller, freed with `crm_match_config_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_new(out: *mut *mut crm_match_config) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        out.write(ffi::into_raw(ConfigHandle(MatchConfig::default())));
        Ok(())
    })
}

/// Sets the threshold: pairs at least this likely to be one person are duplicates, a
/// probability strictly between 0 and 1. Errors: `CRM_ERR_VALIDATION` (then nothing changes).
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_set_threshold(
    config: *mut crm_match_config,
    threshold: f64,
) -> crm_status {
    ffi::call(|| {
        let c = &mut ffi::get_mut::<ConfigHandle>(config, "config")?.0;
        let next = c.clone().with_threshold(threshold);
        next.validate()?;
        *c = next;
        Ok(())
    })
}

/// The threshold; -1 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_threshold(config: *const crm_match_config) -> f64 {
    ffi::value(-1.0, || {
        Ok(ffi::get::<ConfigHandle>(config, "config")?.0.threshold)
    })
}

/// Sets by hand the weight in bits of level `level` of field `field` (names as the core gives
/// them: `"email"`, `"same"`; `"birth_date"`, `"one_digit"`...), in place of the tenant's
/// learned weight; within ±100. A weight for `"first_name"` `"different"` also holds for
/// `"same_initial"` unless that one is set too. Errors: `CRM_ERR_VALIDATION` naming `field`,
/// `level` or `weights` (then nothing changes).
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_set_weight(
    config: *mut crm_match_config,
    field: *const c_char,
    level: *const c_char,
    bits: f64,
) -> crm_status {
    ffi::call(|| {
        let c = &mut ffi::get_mut::<ConfigHandle>(config, "config")?.0;
        let field: MatchField = ffi::text_in(field, "field")?.parse()?;
        let level: MatchLevel = ffi::text_in(level, "level")?.parse()?;
        Ok(c.set_weight(field, level, bits)?)
    })
}

/// Frees a match config. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_free(config: *mut crm_match_config) {
    ffi::value((), || ffi::free::<ConfigHandle>(config));
}

// ---- crm_duplicate_list -------------------------------------------------------------------

fn matches<'a>(ptr: *const crm_duplicate_list) -> Result<&'a MatchList, Failure> {
    ffi::get::<MatchList>(ptr, "list")
}

/// How many likely duplicates the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_len(list: *const crm_duplicate_list) -> usize {
    ffi::value(0, || Ok(matches(list)?.0.len()))
}

/// The id of the likely duplicate at `index`. Borrowed until the list is freed; NULL past the
/// end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_customer_id(
    list: *const crm_duplicate_list,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(matches(list)?.0.get(index).map(|m| &m.id)))
    })
}

/// How likely the match at `index` is the same person, in [0, 1]; -1 past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_score(list: *const crm_duplicate_list, index: usize) -> f64 {
    ffi::value(-1.0, || {
        Ok(matches(list)?.0.get(index).map_or(-1.0, |m| m.found.score))
    })
}

/// What the match at `index` rests on, in words, strongest evidence first and evidence
/// against last: `same email ignoring case (+16.5), same first name (+7.4), last name different
/// (-1.2)`. Borrowed until the list is freed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_explanation(
    list: *const crm_duplicate_list,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(matches(list)?.0.get(index).map(|m| &m.explanation)))
    })
}

/// How many fields contributed to the match at `index` (the fields known on both sides); 0
/// past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_contribution_count(
    list: *const crm_duplicate_list,
    index: usize,
) -> usize {
    ffi::value(0, || {
        Ok(matches(list)?.0.get(index).map_or(0, |m| m.names.len()))
    })
}

/// Contribution `k` of the match at `index`, strongest first: the field and level names
/// (borrowed until the list is freed) and the weight in bits (negative: evidence against).
/// Errors: `CRM_ERR_INVALID_ARGUMENT` past the end or on a NULL out-pointer.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_contribution(
    list: *const crm_duplicate_list,
    index: usize,
    k: usize,
    field: *mut *const c_char,
    level: *mut *const c_char,
    weight: *mut f64,
) -> crm_status {
    ffi::call(|| {
        let (field, level, weight) = (
            ffi::out(field, "field")?,
            ffi::out(level, "level")?,
            ffi::out(weight, "weight")?,
        );
        let m = matches(list)?
            .0
            .get(index)
            .ok_or_else(|| Failure::invalid(format!("index: {index} is past the end")))?;
        let (Some(names), Some(c)) = (m.names.get(k), m.found.contributions.get(k)) else {
            return Err(Failure::invalid(format!("k: {k} is past the end")));
        };
        field.write(names.0.as_ptr());
        level.write(names.1.as_ptr());
        weight.write(c.weight);
        Ok(())
    })
}

/// Frees a list of likely duplicates. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_free(list: *mut crm_duplicate_list) {
    ffi::value((), || ffi::free::<MatchList>(list));
}

// ---- crm_cluster_list ------------------------------------------------------------------------

fn clusters<'a>(ptr: *const crm_cluster_list) -> Result<&'a ClusterList, Failure> {
    ffi::get::<ClusterList>(ptr, "list")
}

/// How many clusters the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_cluster_list_len(list: *const crm_cluster_list) -> usize {
    ffi::value(0, || Ok(clusters(list)?.0.len()))
}

/// How many customers the cluster at `index` holds; 0 past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_cluster_list_size(list: *const crm_cluster_list, index: usize) -> usize {
    ffi::value(0, || {
        Ok(clusters(list)?.0.get(index).map_or(0, |c| c.1.len()))
    })
}

/// The id of customer `member` of cluster `index`, oldest first. Borrowed until the list is
/// freed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_cluster_list_customer(
    list: *const crm_cluster_list,
    index: usize,
    member: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(
            clusters(list)?.0.get(index).and_then(|c| c.1.get(member)),
        ))
    })
}

/// The best pair score of cluster `index`; -1 past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_cluster_list_score(list: *const crm_cluster_list, index: usize) -> f64 {
    ffi::value(-1.0, || {
        Ok(clusters(list)?.0.get(index).map_or(-1.0, |c| c.0.score))
    })
}

/// The clusters as JSON `{"format": 1, "clusters": [{"customers": [...], "pairs": [{"a", "b",
/// "score", "contributions": [{"field", "level", "weight"}...]}...], "score": ...}]}`. On success `*out` is a string the caller frees
/// with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_cluster_list_to_json(
    list: *const crm_cluster_list,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let all: Vec<&DuplicateCluster> = clusters(list)?.0.iter().map(|c| &c.0).collect();
        out.write(ffi::string_out(json::envelope("clusters", all)?));
        Ok(())
    })
}

/// Frees a list of clusters. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_cluster_list_free(list: *mut crm_cluster_list) {
    ffi::value((), || ffi::free::<ClusterList>(list));
}

// ---- tenant calls ----------------------------------------------------------------------------

/// Stored customers likely the same person as `fields` (before a create, for the form to warn),
/// best first, with `config` (NULL: the defaults). Nothing is written. On success `*out` is a
/// list freed with `crm_duplicate_list_free`. Errors: `CRM_ERR_VALIDATION` (fields a create
/// would refuse).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_possible_duplicates(
    tenant: *const crm_tenant,
    fields: *const crm_customer_fields,
    config: *const crm_match_config,
    out: *mut *mut crm_duplicate_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let f = self::fields(fields)?.clone();
        let config = self::config(config)?;
        let found = t.tenant.possible_duplicates(f, &config)?;
        out.write(ffi::into_raw(MatchList::new(found)));
        Ok(())
    })
}

/// Customers likely the same person as customer `customer_id`, best first. `*out` as for
/// `crm_tenant_possible_duplicates`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_duplicates_of(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    config: *const crm_match_config,
    out: *mut *mut crm_duplicate_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let config = self::config(config)?;
        let found = t.tenant.duplicates_of(&id, &config)?;
        out.write(ffi::into_raw(MatchList::new(found)));
        Ok(())
    })
}

/// Every cluster of likely duplicates among the tenant's customers, best first, with `config`
/// (NULL: the defaults). `window` (1 to 1000; 0: the default, 24) is how many neighbours each
/// customer of a large block is compared with; one that would compare more than 600 pairs per
/// customer is refused (`CRM_ERR_VALIDATION` naming `window`). The tenant's model is learned
/// first and kept. `progress` (may be NULL) is called with `userdata` as the pass goes; calls
/// into the library from it are refused. On success `*out` is freed with
/// `crm_cluster_list_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_find_duplicates(
    tenant: *const crm_tenant,
    config: *const crm_match_config,
    window: usize,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    out: *mut *mut crm_cluster_list,
) -> crm_status {
    find_duplicates(
        tenant,
        config,
        window,
        true,
        std::ptr::null(),
        progress,
        userdata,
        out,
    )
}

/// As `crm_tenant_find_duplicates`, scoring with the model kept from the last learning (the
/// built-in one if none) instead of learning first.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_find_duplicates_with_kept_model(
    tenant: *const crm_tenant,
    config: *const crm_match_config,
    window: usize,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    out: *mut *mut crm_cluster_list,
) -> crm_status {
    find_duplicates(
        tenant,
        config,
        window,
        false,
        std::ptr::null(),
        progress,
        userdata,
        out,
    )
}

/// As `crm_tenant_find_duplicates` (`learn` false: as
/// `crm_tenant_find_duplicates_with_kept_model`), keeping only the clusters with a pair new
/// since `since` (RFC 3339 with an offset, typically when the last run started; NULL: every
/// cluster): a pair is new when one of its customers was created or changed at or after it. The
/// clusters kept are whole. Errors: also `CRM_ERR_VALIDATION` naming `since`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_find_duplicates_since(
    tenant: *const crm_tenant,
    config: *const crm_match_config,
    window: usize,
    learn: bool,
    since: *const c_char,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    out: *mut *mut crm_cluster_list,
) -> crm_status {
    find_duplicates(
        tenant, config, window, learn, since, progress, userdata, out,
    )
}

/// The body of the finders; `learn` and `since` as `FindOptions::learn` and
/// `FindOptions::since` (RFC 3339 text or NULL).
#[allow(clippy::too_many_arguments)]
fn find_duplicates(
    tenant: *const crm_tenant,
    config: *const crm_match_config,
    window: usize,
    learn: bool,
    since: *const c_char,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    out: *mut *mut crm_cluster_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let mut options = FindOptions::with_config(self::config(config)?);
        options.learn = learn;
        options.since = ffi::optional_text_in(since, "since")?
            .map(|text| crate::booking::time_in("since", text).map(|at| at.to_utc()))
            .transpose()?;
        // 0 is C's "not given": the core's default stands.
        if window > 0 {
            options.window = window;
        }
        let found = t.tenant.find_duplicates(&options, |done, total| {
            if let Some(progress) = progress {
                ffi::in_callback(|| progress(userdata, done, total));
            }
        })?;
        let list = found
            .into_iter()
            .map(|c| {
                let ids = c
                    .customers
                    .iter()
                    .map(|id| c_string(id.to_string()))
                    .collect();
                (c, ids)
            })
            .collect();
        out.write(ffi::into_raw(ClusterList(list)));
        Ok(())
    })
}

/// The tenant's duplicate-detection model as JSON `{"format": 1, "model": {"prior", "levels":
/// [{"field", "level", "given", "m", "u"}...], "learning": {"learned_at", "customers",
/// "candidate_pairs", "random_pairs", "iterations"} or null}}`: the one learned by the last
/// `crm_tenant_find_duplicates` or `crm_tenant_learn_match_model`, else the built-in one
/// (`learning` null). On success `*out` is a string the caller frees with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_match_model(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let model = self::tenant(tenant)?.tenant.match_model()?;
        out.write(ffi::string_out(json::envelope("model", model)?));
        Ok(())
    })
}

/// Learns the tenant's duplicate-detection model from its customers (no labels) and keeps it;
/// `*out` as for `crm_tenant_match_model`. A tenant of fewer than 1,000 customers gets the
/// built-in model.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_learn_match_model(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let model = self::tenant(tenant)?.tenant.learn_match_model()?;
        out.write(ffi::string_out(json::envelope("model", model)?));
        Ok(())
    })
}

/// Records that customers `a` and `b` are not one person (a person reviewed them): the finders
/// of duplicates never report the pair again, nor put the two in one cluster, until
/// `crm_tenant_unmark_not_duplicate`. A `not_duplicate_marked` event goes to the change feed;
/// the decision is in each one's personal-data export, goes when either is deleted, and holds
/// for the customer either is later merged into while that merge stands. Marking a pair decided
/// already writes nothing. `decision_out` (may be NULL) receives the decision that stands as JSON
/// `{"format": 1, "not_duplicate": {"a", "b", "marked_by", "marked_at"}}` (`a` the lower id),
/// freed with `crm_string_free`. Errors: `CRM_ERR_VALIDATION` naming `b` (the same customer as
/// `a`), or naming the one of the two that has 1,000 decisions already; `CRM_ERR_NOT_FOUND`;
/// `CRM_ERR_CONFLICT` (merged into another customer, or anonymised: no one's duplicate).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_mark_not_duplicate(
    tenant: *const crm_tenant,
    a: *const c_char,
    b: *const c_char,
    decision_out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let (a, b) = (id_in(a, "a")?, id_in(b, "b")?);
        let decision = t.tenant.mark_not_duplicate(&t.actor, &a, &b)?;
        // Stored: what follows cannot fail (a plain record as JSON).
        if !decision_out.is_null() {
            let text = json::envelope("not_duplicate", decision)?;
            ffi::write_if_asked(decision_out, ffi::string_out(text));
        }
        Ok(())
    })
}

/// Takes back the decision that customers `a` and `b` (each with the records merged into it)
/// are not one person; `*removed_out` (may be NULL) is whether there was one. A
/// `not_duplicate_unmarked` event goes to the change feed for each decision taken back.
/// Errors: `CRM_ERR_VALIDATION` naming `b` (the same id as `a`); `CRM_ERR_NOT_FOUND` (either
/// customer unknown here).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_unmark_not_duplicate(
    tenant: *const crm_tenant,
    a: *const c_char,
    b: *const c_char,
    removed_out: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let (a, b) = (id_in(a, "a")?, id_in(b, "b")?);
        let removed = t.tenant.unmark_not_duplicate(&t.actor, &a, &b)?;
        ffi::write_if_asked(removed_out, removed);
        Ok(())
    })
}

/// The not-a-duplicate decisions about customer `customer_id` (a merged id answers the
/// customer it went into) and the records merged into it, oldest first, as JSON `{"format": 1,
/// "not_duplicates": [{"a", "b", "marked_by", "marked_at"}...]}`. On success `*out` is a string
/// freed with `crm_string_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_not_duplicates(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let decisions = t.tenant.not_duplicates(&id)?;
        out.write(ffi::string_out(json::envelope(
            "not_duplicates",
            decisions,
        )?));
        Ok(())
    })
}
