//! Customer rows: insert, read, update, remove and restore, their secondary contacts and lists,
//! the tenant's row (settings, numbers, count).

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};

use super::rows::{CUSTOMER_COLUMNS, customer, secondary_phone};
use super::values::utc_text;
use crate::error::{Error, Result};
use crate::model::{Customer, CustomerId, Phone, TenantId, TenantSettings, email_key};

pub(super) fn tenant_settings(tx: &Transaction<'_>, tenant: &TenantId) -> Result<TenantSettings> {
    let row = tx
        .prepare_cached(
            "SELECT default_region, name_rule, time_zone, email_uniqueness, hard_delete,
                merge_policy
             FROM tenants WHERE tenant_id = ?1",
        )
        .map_err(super::db)?
        .query_row([tenant.as_str()], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                [r.get::<_, String>(1)?, r.get(3)?, r.get(4)?, r.get(5)?],
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()
        .map_err(super::db)?;
    let mut settings = TenantSettings::default();
    if let Some((region, [rule, email, delete, merge], time_zone)) = row {
        settings.default_region = region;
        settings.time_zone = time_zone;
        settings.name_rule = stored_setting(&rule)?;
        settings.email_uniqueness = stored_setting(&email)?;
        settings.hard_delete = stored_setting(&delete)?;
        settings.merge = stored_setting(&merge)?;
    }
    Ok(settings)
}

/// A setting's stored name read back.
fn stored_setting<T: std::str::FromStr>(name: &str) -> Result<T> {
    name.parse()
        .map_err(|_| Error::Internal(format!("unknown setting {name:?} stored")))
}

/// Fills in the secondary contacts and lists, which live in their own tables.
fn complete(tx: &Transaction<'_>, tenant: &TenantId, mut c: Customer) -> Result<Customer> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT kind, typed, match_key FROM customer_contacts
         WHERE customer_id = ?1 AND tenant_id = ?2 ORDER BY kind, position",
        )
        .map_err(super::db)?;
    let mut rows = stmt
        .query(params![c.id.as_uuid(), tenant.as_str()])
        .map_err(super::db)?;
    while let Some(row) = rows.next().map_err(super::db)? {
        let kind: String = row.get(0).map_err(super::db)?;
        let typed: String = row.get(1).map_err(super::db)?;
        if kind == "email" {
            c.secondary_emails.push(typed);
        } else {
            c.secondary_phones
                .push(secondary_phone(typed, row.get(2).map_err(super::db)?));
        }
    }
    let mut stmt = tx.prepare_cached(
        "SELECT list_name FROM customer_lists WHERE customer_id = ?1 AND tenant_id = ?2 ORDER BY list_name",
    ).map_err(super::db)?;
    c.lists = stmt
        .query_map(params![c.id.as_uuid(), tenant.as_str()], |r| r.get(0))
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)?;
    Ok(c)
}

fn one(
    tx: &Transaction<'_>,
    filter: &str,
    tenant: &TenantId,
    key: &dyn rusqlite::ToSql,
) -> Result<Option<Customer>> {
    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = ?1 AND {filter}");
    let found = tx
        .prepare_cached(&sql)
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), key], customer)
        .optional()
        .map_err(super::db)?;
    found.map(|c| complete(tx, tenant, c)).transpose()
}

/// The customer stored under `id`, if any.
pub(super) fn find(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Option<Customer>> {
    one(tx, "id = ?2", tenant, id.as_uuid())
}

/// Whether a customer is stored under `id`.
pub(super) fn exists(tx: &Transaction<'_>, tenant: &TenantId, id: &CustomerId) -> Result<bool> {
    tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE tenant_id = ?1 AND id = ?2)")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], |r| r.get(0))
        .map_err(super::db)
}

/// The customer stored under customer no. `no`, if any.
pub(super) fn find_by_no(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    no: i64,
) -> Result<Option<Customer>> {
    one(tx, "customer_no = ?2", tenant, &no)
}

/// Replaces the tenant's settings (its row exists: a write transaction makes it).
pub(super) fn set_tenant_settings(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    settings: &TenantSettings,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE tenants SET default_region = ?2, name_rule = ?3, time_zone = ?4,
            email_uniqueness = ?5, hard_delete = ?6, merge_policy = ?7
         WHERE tenant_id = ?1",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        settings.default_region,
        settings.name_rule.as_str(),
        settings.time_zone,
        settings.email_uniqueness.as_str(),
        settings.hard_delete.as_str(),
        settings.merge.as_str(),
    ])
    .map_err(super::db)?;
    Ok(())
}

pub(super) fn by_email(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    email: &str,
) -> Result<Vec<Customer>> {
    let key = email_key(email);
    // `+tenant_id`: look the few ids up by key; ordering the tenant's customers by number and
    // testing each against the set would read the whole tenant.
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id IN (
            SELECT id FROM customers WHERE tenant_id = ?1 AND email_key = ?2
            UNION SELECT customer_id FROM customer_contacts
                WHERE tenant_id = ?1 AND kind = 'email' AND match_key = ?2)
         AND +tenant_id = ?1 ORDER BY customer_no"
    );
    let found = tx
        .prepare_cached(&sql)
        .map_err(super::db)?
        .query_map(params![tenant.as_str(), key], customer)
        .map_err(super::db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(super::db)?;
    found.into_iter().map(|c| complete(tx, tenant, c)).collect()
}

/// The customer no. the tenant's next new customer gets.
pub(super) fn next_customer_no(tx: &Transaction<'_>, tenant: &TenantId) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT next_customer_no FROM tenants WHERE tenant_id = ?1")
        .map_err(super::db)?
        .query_row([tenant.as_str()], |r| r.get(0))
        .optional()
        .map_err(super::db)?
        .unwrap_or(1))
}

/// Takes the next `count` customer numbers (and counts the customers); returns the first.
pub(super) fn take_numbers(tx: &Transaction<'_>, tenant: &TenantId, count: i64) -> Result<i64> {
    tx
        .prepare_cached(
            "UPDATE tenants SET next_customer_no = next_customer_no + ?2, customer_count = customer_count + ?2
             WHERE tenant_id = ?1 RETURNING next_customer_no - ?2",
        ).map_err(super::db)?
        .query_row(params![tenant.as_str(), count], |r| r.get(0)).map_err(super::db)
}

/// Writes every field of `c`: a new row (`insert`) or over the row at version `c.version - 1`
/// (`false`, nothing written, when the row is at another version); the secondary contacts and
/// lists are replaced.
pub(super) fn written(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    c: &Customer,
    insert: bool,
) -> Result<bool> {
    let sql = if insert {
        "INSERT INTO customers (tenant_id, id, customer_no, first_name, last_name, sort_name, company,
            email, email_key, phone, phone_e164, mobile, mobile_e164, fax, fax_e164, emergency_phone,
            emergency_phone_e164, street, zip, city, region, country, contact_person, birth_date,
            language, notes, consent_email_at, consent_sms_at, salesperson, custom_fields,
            created_at, created_ms, updated_at, version, anonymised_at, title)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
            ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36)"
    } else {
        "UPDATE customers SET first_name = ?4, last_name = ?5, sort_name = ?6, company = ?7,
            email = ?8, email_key = ?9, phone = ?10, phone_e164 = ?11, mobile = ?12, mobile_e164 = ?13,
            fax = ?14, fax_e164 = ?15, emergency_phone = ?16, emergency_phone_e164 = ?17, street = ?18,
            zip = ?19, city = ?20, region = ?21, country = ?22, contact_person = ?23, birth_date = ?24,
            language = ?25, notes = ?26, consent_email_at = ?27, consent_sms_at = ?28,
            salesperson = ?29, custom_fields = ?30, updated_at = ?33, version = ?34,
            anonymised_at = ?35, title = ?36
         WHERE tenant_id = ?1 AND id = ?2 AND version = ?34 - 1"
    };
    let typed = |p: &Option<Phone>| p.as_ref().map(|p| p.typed.clone());
    let e164 = |p: &Option<Phone>| p.as_ref().map(|p| p.e164.clone());
    let custom =
        serde_json::to_string(&c.custom_fields).map_err(|e| Error::Internal(e.to_string()))?;
    let rows = tx
        .prepare_cached(sql)
        .map_err(super::db)?
        .execute(params![
            tenant.as_str(),
            c.id.as_uuid(),
            c.customer_no,
            c.first_name,
            c.last_name,
            c.sort_name(),
            c.company,
            c.email,
            c.email.as_deref().map(email_key),
            typed(&c.phone),
            e164(&c.phone),
            typed(&c.mobile),
            e164(&c.mobile),
            typed(&c.fax),
            e164(&c.fax),
            typed(&c.emergency_phone),
            e164(&c.emergency_phone),
            c.address.street,
            c.address.zip,
            c.address.city,
            c.address.region,
            c.address.country,
            c.contact_person,
            c.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
            c.language,
            c.notes,
            c.consent.email.as_ref().map(utc_text),
            c.consent.sms.as_ref().map(utc_text),
            c.salesperson,
            custom,
            utc_text(&c.created_at),
            c.created_at.timestamp_millis(),
            utc_text(&c.updated_at),
            c.version,
            c.anonymised_at.as_ref().map(utc_text),
            c.title,
        ])
        .map_err(super::db)?;
    if rows != 1 {
        return Ok(false);
    }
    if !insert {
        tx.prepare_cached(
            "DELETE FROM customer_contacts WHERE customer_id = ?1 AND tenant_id = ?2",
        )
        .map_err(super::db)?
        .execute(params![c.id.as_uuid(), tenant.as_str()])
        .map_err(super::db)?;
        tx.prepare_cached("DELETE FROM customer_lists WHERE customer_id = ?1 AND tenant_id = ?2")
            .map_err(super::db)?
            .execute(params![c.id.as_uuid(), tenant.as_str()])
            .map_err(super::db)?;
    }
    let mut contact = tx.prepare_cached(
        "INSERT INTO customer_contacts (customer_id, tenant_id, kind, position, typed, match_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    ).map_err(super::db)?;
    for (i, e) in c.secondary_emails.iter().enumerate() {
        contact
            .execute(params![
                c.id.as_uuid(),
                tenant.as_str(),
                "email",
                i,
                e,
                email_key(e)
            ])
            .map_err(super::db)?;
    }
    for (i, p) in c.secondary_phones.iter().enumerate() {
        contact
            .execute(params![
                c.id.as_uuid(),
                tenant.as_str(),
                "phone",
                i,
                p.typed,
                p.e164.as_deref().unwrap_or_default()
            ])
            .map_err(super::db)?;
    }
    let mut list = tx
        .prepare_cached(
            "INSERT INTO customer_lists (customer_id, tenant_id, list_name) VALUES (?1, ?2, ?3)",
        )
        .map_err(super::db)?;
    let mut known = tx.prepare_cached(
        "INSERT INTO lists (tenant_id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    ).map_err(super::db)?;
    for name in &c.lists {
        list.execute(params![c.id.as_uuid(), tenant.as_str(), name])
            .map_err(super::db)?;
        known
            .execute(params![tenant.as_str(), name, utc_text(&c.updated_at)])
            .map_err(super::db)?;
    }
    Ok(true)
}

/// Deletes the row of a customer whose bookings were moved or detached first, without an event:
/// the caller records what happened.
pub(super) fn remove(tx: &Transaction<'_>, tenant: &TenantId, id: &CustomerId) -> Result<()> {
    tx.prepare_cached("DELETE FROM customers WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), id.as_uuid()])
        .map_err(super::db)?;
    count(tx, tenant, -1)
}

/// Puts back a customer exactly as `c` (number, times and version included), without an event.
pub(super) fn restore(tx: &Transaction<'_>, tenant: &TenantId, c: &Customer) -> Result<()> {
    if !written(tx, tenant, c, true)? {
        return Err(Error::Internal(
            "a restored customer was not written".into(),
        ));
    }
    count(tx, tenant, 1)
}

fn count(tx: &Transaction<'_>, tenant: &TenantId, delta: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE tenants SET customer_count = customer_count + ?2 WHERE tenant_id = ?1",
    )
    .map_err(super::db)?
    .execute(params![tenant.as_str(), delta])
    .map_err(super::db)?;
    Ok(())
}

/// The customers of the tenant by the value of custom field `key`, the oldest for a value held
/// by several.
pub(super) fn by_custom_value(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    key: &str,
) -> Result<HashMap<String, CustomerId>> {
    // Only the rows whose JSON holds the key are parsed.
    let needle = serde_json::to_string(key).map_err(|e| Error::Internal(e.to_string()))? + ":";
    let mut stmt = tx
        .prepare_cached(
            "SELECT id, custom_fields FROM customers
         WHERE tenant_id = ?1 AND instr(custom_fields, ?2) > 0 ORDER BY customer_no",
        )
        .map_err(super::db)?;
    let mut rows = stmt
        .query(params![tenant.as_str(), needle])
        .map_err(super::db)?;
    let mut out = HashMap::new();
    while let Some(row) = rows.next().map_err(super::db)? {
        let id = CustomerId::from_uuid(row.get(0).map_err(super::db)?);
        let json: String = row.get(1).map_err(super::db)?;
        let fields: HashMap<String, String> = serde_json::from_str(&json)
            .map_err(|_| Error::Internal("a stored custom field map is not JSON".into()))?;
        if let Some(value) = fields.get(key) {
            out.entry(value.clone()).or_insert(id);
        }
    }
    Ok(out)
}
