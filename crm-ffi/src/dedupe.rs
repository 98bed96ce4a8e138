//! Likely duplicates: `crm_match_config` (the rules), `crm_duplicate_list` (matches of one
//! customer) and `crm_cluster_list` (clusters of a whole tenant).

use std::ffi::{CString, c_char, c_void};

use crm_core::{
    DuplicateCluster, DuplicateMatch, FindOptions, MatchConfig, MatchReason, MatchRule,
};

use crate::customer::{crm_customer_fields, fields, id_in};
use crate::db::{crm_progress_callback, crm_tenant, tenant};
use crate::ffi::{self, Handle, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// The rules of duplicate matching and their weights; made with the defaults by
/// `crm_match_config_new`. Functions taking one accept NULL for the defaults.
pub struct crm_match_config {
    _private: [u8; 0],
}

/// Customers likely the same person as the one asked about, best first; read with
/// `crm_duplicate_list_*`.
pub struct crm_duplicate_list {
    _private: [u8; 0],
}

/// Clusters of likely duplicates of a tenant, best first; read with `crm_cluster_list_*`, or
/// whole as JSON (with each matching pair and its reasons).
pub struct crm_cluster_list {
    _private: [u8; 0],
}

/// A rule of `crm_match_config`: every value is in [0, 1].
pub type crm_rule = u32;
/// Pairs scoring at least this are duplicates (default 0.7).
pub const CRM_RULE_THRESHOLD: crm_rule = 1101;
/// Same email, main or secondary, ignoring case.
pub const CRM_RULE_SAME_EMAIL: crm_rule = 1102;
/// Same mailbox once provider aliases are folded (gmail dots, `+tags`).
pub const CRM_RULE_SAME_MAILBOX: crm_rule = 1103;
/// Same phone in E.164.
pub const CRM_RULE_SAME_PHONE: crm_rule = 1104;
/// Same name and same birth date.
pub const CRM_RULE_SAME_NAME_AND_BIRTH_DATE: crm_rule = 1105;
/// Similar names (typos, transliteration, nicknames, swapped).
pub const CRM_RULE_SIMILAR_NAME: crm_rule = 1106;
/// Same street, counted only with similar names.
pub const CRM_RULE_SAME_STREET: crm_rule = 1107;
/// Same postal code, counted only with similar names.
pub const CRM_RULE_SAME_ZIP: crm_rule = 1108;
/// Same city, counted only with similar names.
pub const CRM_RULE_SAME_CITY: crm_rule = 1109;
/// Jaro-Winkler similarity from which two names are one name typed differently.
pub const CRM_RULE_NAME_SIMILARITY: crm_rule = 1110;
/// Factor on contact evidence when the names are not similar (a household).
pub const CRM_RULE_CONTACT_WITH_OTHER_NAME: crm_rule = 1111;
/// Factor on the score when both birth dates are known and differ.
pub const CRM_RULE_DIFFERENT_BIRTH_DATE: crm_rule = 1112;

/// Each rule's number and the core's name for it ([`MatchRule`]): the one table between them,
/// checked against the core's list and the header by the tests.
const RULES: [(crm_rule, &str); 12] = [
    (CRM_RULE_THRESHOLD, "threshold"),
    (CRM_RULE_SAME_EMAIL, "same_email"),
    (CRM_RULE_SAME_MAILBOX, "same_mailbox"),
    (CRM_RULE_SAME_PHONE, "same_phone"),
    (
        CRM_RULE_SAME_NAME_AND_BIRTH_DATE,
        "same_name_and_birth_date",
    ),
    (CRM_RULE_SIMILAR_NAME, "similar_name"),
    (CRM_RULE_SAME_STREET, "same_street"),
    (CRM_RULE_SAME_ZIP, "same_zip"),
    (CRM_RULE_SAME_CITY, "same_city"),
    (CRM_RULE_NAME_SIMILARITY, "name_similarity"),
    (CRM_RULE_CONTACT_WITH_OTHER_NAME, "contact_with_other_name"),
    (CRM_RULE_DIFFERENT_BIRTH_DATE, "different_birth_date"),
];

/// The core's rule of a `crm_rule`.
fn rule(rule: crm_rule) -> Result<MatchRule, Failure> {
    ffi::named(&RULES, rule, || format!("rule: {rule} is not a crm_rule"))
}

pub(crate) struct ConfigHandle(MatchConfig);

impl Handle for ConfigHandle {
    type C = crm_match_config;
    const NAME: &'static str = "crm_match_config";
}

/// The rules behind an optional handle (NULL: the defaults).
fn config(ptr: *const crm_match_config) -> Result<MatchConfig, Failure> {
    if ptr.is_null() {
        return Ok(MatchConfig::default());
    }
    Ok(ffi::get::<ConfigHandle>(ptr, "config")?.0.clone())
}

/// Reasons as comma-separated text (`same_email,same_name`).
fn reasons_text(reasons: &[MatchReason]) -> CString {
    c_string(
        reasons
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(","),
    )
}

pub(crate) struct MatchList(Vec<(DuplicateMatch, CString, CString)>);

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
                    let reasons = reasons_text(&m.reasons);
                    (m, id, reasons)
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

/// The default rules. On success `*out` is owned by the caller, freed with
/// `crm_match_config_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_new(out: *mut *mut crm_match_config) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        out.write(ffi::into_raw(ConfigHandle(MatchConfig::default())));
        Ok(())
    })
}

/// Sets a rule (`CRM_RULE_*`) to `value` in [0, 1] (0 turns a weight off).
/// Errors: `CRM_ERR_VALIDATION` (out of range), `CRM_ERR_INVALID_ARGUMENT` (unknown rule).
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_set(
    config: *mut crm_match_config,
    rule: crm_rule,
    value: f64,
) -> crm_status {
    ffi::call(|| {
        let c = &mut ffi::get_mut::<ConfigHandle>(config, "config")?.0;
        // A refused value leaves the rules as they were.
        Ok(c.set(self::rule(rule)?, value)?)
    })
}

/// The value of a rule; -1 on a bad handle or rule (the last error says which).
#[unsafe(no_mangle)]
pub extern "C" fn crm_match_config_get(config: *const crm_match_config, rule: crm_rule) -> f64 {
    ffi::value(-1.0, || {
        let c = &ffi::get::<ConfigHandle>(config, "config")?.0;
        Ok(c.get(self::rule(rule)?))
    })
}

/// Frees rules. NULL does nothing.
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
        Ok(c_ptr(matches(list)?.0.get(index).map(|m| &m.1)))
    })
}

/// The score in [0, 1] of the match at `index`; -1 past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_score(list: *const crm_duplicate_list, index: usize) -> f64 {
    ffi::value(-1.0, || {
        Ok(matches(list)?.0.get(index).map_or(-1.0, |m| m.0.score))
    })
}

/// The reasons of the match at `index`, comma-separated, strongest first, evidence against last
/// (`same_phone,nickname_name`). Borrowed until the list is freed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_duplicate_list_reasons(
    list: *const crm_duplicate_list,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(matches(list)?.0.get(index).map(|m| &m.2)))
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
/// "score", "reasons"}...], "score": ...}]}`. On success `*out` is a string the caller frees
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
/// customer of a large block is compared with. `progress` (may be NULL) is called with `userdata` as the pass goes; calls
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
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let mut options = FindOptions::with_config(self::config(config)?);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_table_names_every_core_rule_once_as_the_header_does() {
        let names: Vec<&str> = RULES.iter().map(|(_, n)| *n).collect();
        let core: Vec<&str> = MatchRule::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, core);
        let defines = crate::ffi::header_defines();
        for (number, name) in RULES {
            let constant = format!("CRM_RULE_{}", name.to_uppercase());
            assert_eq!(defines.get(&constant), Some(&number), "{constant}");
            assert_eq!(rule(number).unwrap().as_str(), name);
        }
        assert!(rule(1100).is_err());
    }
}
