//! Customer rows: insert, read, update, remove and restore, their secondary contacts and lists,
//! the tenant's row (settings, numbers, count).

use std::collections::HashMap;

use postgres::types::ToSql;

use super::Db;
use super::rows::{CUSTOMER_COLUMN_COUNT, CUSTOMER_COLUMNS, customer, secondary_phone};
use super::values::{customer_id, get, to_json, utc_text};
use crate::error::{Error, Result};
use crate::model::{Customer, CustomerId, Phone, TenantId, TenantSettings, email_key};

pub(super) fn tenant_settings(db: &mut Db<'_>, tenant: &TenantId) -> Result<TenantSettings> {
    let row = db.query_opt(
        "SELECT default_region, name_rule, time_zone, email_uniqueness, hard_delete, merge_policy
         FROM tenants WHERE tenant_id = $1",
        &[&tenant.as_str()],
    )?;
    let mut settings = TenantSettings::default();
    if let Some(row) = row {
        settings.default_region = get(&row, 0)?;
        settings.time_zone = get(&row, 2)?;
        settings.name_rule = stored_setting(get(&row, 1)?)?;
        settings.email_uniqueness = stored_setting(get(&row, 3)?)?;
        settings.hard_delete = stored_setting(get(&row, 4)?)?;
        settings.merge = stored_setting(get(&row, 5)?)?;
    }
    Ok(settings)
}

/// A setting's stored name read back.
fn stored_setting<T: std::str::FromStr>(name: &str) -> Result<T> {
    name.parse()
        .map_err(|_| Error::Internal(format!("unknown setting {name:?} stored")))
}

/// The secondary contacts and lists of the customer of the row, which live in their own
/// tables, as arrays after the customer's columns (read in the same statement).
const OWNED: &str = "ARRAY(SELECT k.kind FROM customer_contacts k
        WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id ORDER BY k.kind, k.position),
    ARRAY(SELECT k.typed FROM customer_contacts k
        WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id ORDER BY k.kind, k.position),
    ARRAY(SELECT k.match_key FROM customer_contacts k
        WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id ORDER BY k.kind, k.position),
    ARRAY(SELECT l.list_name FROM customer_lists l
        WHERE l.tenant_id = c.tenant_id AND l.customer_id = c.id ORDER BY l.list_name)";

/// The customer of a row of `CUSTOMER_COLUMNS` followed by [`OWNED`].
fn with_owned(row: &postgres::Row) -> Result<Customer> {
    let mut c = customer(row)?;
    let at = CUSTOMER_COLUMN_COUNT;
    let kinds: Vec<String> = get(row, at)?;
    let typed: Vec<String> = get(row, at + 1)?;
    let keys: Vec<String> = get(row, at + 2)?;
    for ((kind, typed), key) in kinds.into_iter().zip(typed).zip(keys) {
        if kind == "email" {
            c.secondary_emails.push(typed);
        } else {
            c.secondary_phones.push(secondary_phone(typed, key));
        }
    }
    c.lists = get::<Vec<String>>(row, at + 3)?.into_iter().collect();
    Ok(c)
}

fn one(
    db: &mut Db<'_>,
    filter: &str,
    tenant: &TenantId,
    key: &(dyn ToSql + Sync),
) -> Result<Option<Customer>> {
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS}, {OWNED} FROM customers c WHERE c.tenant_id = $1 AND {filter}"
    );
    db.query_opt(&sql, &[&tenant.as_str(), key])?
        .map(|row| with_owned(&row))
        .transpose()
}

/// The customer stored under `id`, if any.
pub(super) fn find(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Option<Customer>> {
    one(db, "c.id = $2", tenant, id.as_uuid())
}

/// Whether a customer is stored under `id`.
pub(super) fn exists(db: &mut Db<'_>, tenant: &TenantId, id: &CustomerId) -> Result<bool> {
    let row = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2)",
        &[&tenant.as_str(), id.as_uuid()],
    )?;
    get(&row, 0)
}

/// The customer stored under customer no. `no`, if any.
pub(super) fn find_by_no(db: &mut Db<'_>, tenant: &TenantId, no: i64) -> Result<Option<Customer>> {
    one(db, "c.customer_no = $2", tenant, &no)
}

/// Replaces the tenant's settings (its row exists: a write transaction makes it).
pub(super) fn set_tenant_settings(
    db: &mut Db<'_>,
    tenant: &TenantId,
    settings: &TenantSettings,
) -> Result<()> {
    db.execute(
        "UPDATE tenants SET default_region = $2, name_rule = $3, time_zone = $4,
            email_uniqueness = $5, hard_delete = $6, merge_policy = $7
         WHERE tenant_id = $1",
        &[
            &tenant.as_str(),
            &settings.default_region,
            &settings.name_rule.as_str(),
            &settings.time_zone,
            &settings.email_uniqueness.as_str(),
            &settings.hard_delete.as_str(),
            &settings.merge.as_str(),
        ],
    )?;
    Ok(())
}

pub(super) fn by_email(db: &mut Db<'_>, tenant: &TenantId, email: &str) -> Result<Vec<Customer>> {
    let key = email_key(email);
    // Look the few ids up by key (main email or secondary one), then read those rows.
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS}, {OWNED} FROM customers c WHERE c.tenant_id = $1 AND c.id IN (
            SELECT id FROM customers WHERE tenant_id = $1 AND email_key = $2
            UNION SELECT customer_id FROM customer_contacts
                WHERE tenant_id = $1 AND kind = 'email' AND match_key = $2)
         ORDER BY c.customer_no"
    );
    let rows = db.query(&sql, &[&tenant.as_str(), &key])?;
    rows.iter().map(with_owned).collect()
}

/// The customer no. the tenant's next new customer gets.
pub(super) fn next_customer_no(db: &mut Db<'_>, tenant: &TenantId) -> Result<i64> {
    let row = db.query_opt(
        "SELECT next_customer_no FROM tenants WHERE tenant_id = $1",
        &[&tenant.as_str()],
    )?;
    row.map_or(Ok(1), |row| get(&row, 0))
}

/// Takes the next `count` customer numbers (and counts the customers); returns the first.
pub(super) fn take_numbers(db: &mut Db<'_>, tenant: &TenantId, count: i64) -> Result<i64> {
    let row = db.query_one(
        "UPDATE tenants SET next_customer_no = next_customer_no + $2,
            customer_count = customer_count + $2
         WHERE tenant_id = $1 RETURNING next_customer_no - $2",
        &[&tenant.as_str(), &count],
    )?;
    get(&row, 0)
}

/// Writes every field of `c`: a new row (`insert`) or over the row at version `c.version - 1`
/// (`false`, nothing written, when the row is at another version); the secondary contacts and
/// lists are replaced.
pub(super) fn written(
    db: &mut Db<'_>,
    tenant: &TenantId,
    c: &Customer,
    insert: bool,
) -> Result<bool> {
    // PostgreSQL must know the type of every parameter: the update, which leaves the number and
    // the creation time alone, has its own numbering.
    let sql = if insert {
        "INSERT INTO customers (tenant_id, id, customer_no, first_name, last_name, sort_name, company,
            email, email_key, phone, phone_e164, mobile, mobile_e164, fax, fax_e164, emergency_phone,
            emergency_phone_e164, street, zip, city, region, country, contact_person, birth_date,
            language, notes, consent_email_at, consent_sms_at, salesperson, custom_fields,
            created_at, created_ms, updated_at, version, anonymised_at, title)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35,
            $36)"
    } else {
        "UPDATE customers SET first_name = $3, last_name = $4, sort_name = $5, company = $6,
            email = $7, email_key = $8, phone = $9, phone_e164 = $10, mobile = $11,
            mobile_e164 = $12, fax = $13, fax_e164 = $14, emergency_phone = $15,
            emergency_phone_e164 = $16, street = $17, zip = $18, city = $19, region = $20,
            country = $21, contact_person = $22, birth_date = $23, language = $24, notes = $25,
            consent_email_at = $26, consent_sms_at = $27, salesperson = $28, custom_fields = $29,
            updated_at = $30, version = $31, anonymised_at = $32, title = $33
         WHERE tenant_id = $1 AND id = $2 AND version = $31::BIGINT - 1"
    };
    let typed = |p: &Option<Phone>| p.as_ref().map(|p| p.typed.clone());
    let e164 = |p: &Option<Phone>| p.as_ref().and_then(|p| p.e164.clone());
    let tenant_text = tenant.as_str();
    let sort_name = c.sort_name();
    let key = c.email.as_deref().map(email_key);
    let phones = [
        typed(&c.phone),
        e164(&c.phone),
        typed(&c.mobile),
        e164(&c.mobile),
        typed(&c.fax),
        e164(&c.fax),
        typed(&c.emergency_phone),
        e164(&c.emergency_phone),
    ];
    let birth_date = c.birth_date.map(|d| d.format("%Y-%m-%d").to_string());
    let consent_email = c.consent.email.as_ref().map(utc_text);
    let consent_sms = c.consent.sms.as_ref().map(utc_text);
    let custom = to_json(&c.custom_fields)?;
    let created_at = utc_text(&c.created_at);
    let created_ms = c.created_at.timestamp_millis();
    let updated_at = utc_text(&c.updated_at);
    let anonymised_at = c.anonymised_at.as_ref().map(utc_text);

    let mut args: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(35);
    args.extend_from_slice(&[&tenant_text, c.id.as_uuid()]);
    if insert {
        args.push(&c.customer_no);
    }
    args.extend_from_slice(&[
        &c.first_name,
        &c.last_name,
        &sort_name,
        &c.company,
        &c.email,
        &key,
        &phones[0],
        &phones[1],
        &phones[2],
        &phones[3],
        &phones[4],
        &phones[5],
        &phones[6],
        &phones[7],
        &c.address.street,
        &c.address.zip,
        &c.address.city,
        &c.address.region,
        &c.address.country,
        &c.contact_person,
        &birth_date,
        &c.language,
        &c.notes,
        &consent_email,
        &consent_sms,
        &c.salesperson,
        &custom,
    ]);
    if insert {
        args.push(&created_at);
        args.push(&created_ms);
    }
    args.extend_from_slice(&[&updated_at, &c.version, &anonymised_at, &c.title]);
    let rows = db.execute(sql, &args)?;
    if rows != 1 {
        return Ok(false);
    }
    if !insert {
        // The contacts and the lists, written again below, in one round trip.
        db.execute(
            "WITH contacts AS (
                DELETE FROM customer_contacts WHERE customer_id = $1 AND tenant_id = $2)
             DELETE FROM customer_lists WHERE customer_id = $1 AND tenant_id = $2",
            &[c.id.as_uuid(), &tenant_text],
        )?;
    }
    const CONTACT: &str =
        "INSERT INTO customer_contacts (customer_id, tenant_id, kind, position, typed, match_key)
         VALUES ($1, $2, $3, $4, $5, $6)";
    for (i, e) in c.secondary_emails.iter().enumerate() {
        db.execute(
            CONTACT,
            &[
                c.id.as_uuid(),
                &tenant_text,
                &"email",
                &(i as i64),
                e,
                &email_key(e),
            ],
        )?;
    }
    for (i, p) in c.secondary_phones.iter().enumerate() {
        db.execute(
            CONTACT,
            &[
                c.id.as_uuid(),
                &tenant_text,
                &"phone",
                &(i as i64),
                &p.typed,
                &p.e164.as_deref().unwrap_or_default(),
            ],
        )?;
    }
    for name in &c.lists {
        db.execute(
            "INSERT INTO customer_lists (customer_id, tenant_id, list_name) VALUES ($1, $2, $3)",
            &[c.id.as_uuid(), &tenant_text, name],
        )?;
        db.execute(
            "INSERT INTO lists (tenant_id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&tenant_text, name, &updated_at],
        )?;
    }
    Ok(true)
}

/// Rows per statement of a bulk insert: each column is one array parameter.
const BULK_ROWS: usize = 5_000;

/// Stores new customers, their secondary contacts and lists, a few statements for all of them
/// (one array per column, unnested): the bulk path of batch creates and imports.
pub(super) fn insert_many(db: &mut Db<'_>, tenant: &TenantId, all: &[Customer]) -> Result<()> {
    for batch in all.chunks(BULK_ROWS) {
        insert_chunk(db, tenant, batch)?;
    }
    Ok(())
}

fn insert_chunk(db: &mut Db<'_>, tenant: &TenantId, batch: &[Customer]) -> Result<()> {
    let tenant_text = tenant.as_str();
    let n = batch.len();
    let mut ids = Vec::with_capacity(n);
    let mut numbers = Vec::with_capacity(n);
    let mut created_ms = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    // The text columns, in the order of `TEXT_COLUMNS`.
    let mut text: Vec<Vec<Option<String>>> =
        (0..TEXT_COLUMNS).map(|_| Vec::with_capacity(n)).collect();
    let typed = |p: &Option<Phone>| p.as_ref().map(|p| p.typed.clone());
    let e164 = |p: &Option<Phone>| p.as_ref().and_then(|p| p.e164.clone());
    for c in batch {
        ids.push(*c.id.as_uuid());
        numbers.push(c.customer_no);
        created_ms.push(c.created_at.timestamp_millis());
        versions.push(c.version);
        let values = [
            Some(c.first_name.clone()),
            Some(c.last_name.clone()),
            Some(c.sort_name()),
            c.company.clone(),
            c.email.clone(),
            c.email.as_deref().map(email_key),
            typed(&c.phone),
            e164(&c.phone),
            typed(&c.mobile),
            e164(&c.mobile),
            typed(&c.fax),
            e164(&c.fax),
            typed(&c.emergency_phone),
            e164(&c.emergency_phone),
            c.address.street.clone(),
            c.address.zip.clone(),
            c.address.city.clone(),
            c.address.region.clone(),
            c.address.country.clone(),
            c.contact_person.clone(),
            c.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
            c.language.clone(),
            c.notes.clone(),
            c.consent.email.as_ref().map(utc_text),
            c.consent.sms.as_ref().map(utc_text),
            c.salesperson.clone(),
            Some(to_json(&c.custom_fields)?),
            Some(utc_text(&c.created_at)),
            Some(utc_text(&c.updated_at)),
            c.anonymised_at.as_ref().map(utc_text),
            c.title.clone(),
        ];
        for (column, value) in text.iter_mut().zip(values) {
            column.push(value);
        }
    }
    let mut args: Vec<&(dyn ToSql + Sync)> =
        vec![&tenant_text, &ids, &numbers, &created_ms, &versions];
    args.extend(text.iter().map(|c| c as &(dyn ToSql + Sync)));
    let written = db.execute(
        "INSERT INTO customers (tenant_id, id, customer_no, created_ms, version, first_name,
            last_name, sort_name, company, email, email_key, phone, phone_e164, mobile,
            mobile_e164, fax, fax_e164, emergency_phone, emergency_phone_e164, street, zip, city,
            region, country, contact_person, birth_date, language, notes, consent_email_at,
            consent_sms_at, salesperson, custom_fields, created_at, updated_at, anonymised_at,
            title)
         SELECT $1::TEXT, * FROM UNNEST($2::UUID[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[],
            $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::TEXT[],
            $13::TEXT[], $14::TEXT[], $15::TEXT[], $16::TEXT[], $17::TEXT[], $18::TEXT[],
            $19::TEXT[], $20::TEXT[], $21::TEXT[], $22::TEXT[], $23::TEXT[], $24::TEXT[],
            $25::TEXT[], $26::TEXT[], $27::TEXT[], $28::TEXT[], $29::TEXT[], $30::TEXT[],
            $31::TEXT[], $32::TEXT[], $33::TEXT[], $34::TEXT[], $35::TEXT[], $36::TEXT[])",
        &args,
    )?;
    if written != n as u64 {
        return Err(Error::Internal(format!(
            "{written} of {n} customers were inserted"
        )));
    }

    let (mut owner, mut kind, mut position, mut typed_text, mut key) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut member, mut list) = (Vec::new(), Vec::new());
    for c in batch {
        for (i, e) in c.secondary_emails.iter().enumerate() {
            owner.push(*c.id.as_uuid());
            kind.push("email");
            position.push(i as i64);
            typed_text.push(e.clone());
            key.push(email_key(e));
        }
        for (i, p) in c.secondary_phones.iter().enumerate() {
            owner.push(*c.id.as_uuid());
            kind.push("phone");
            position.push(i as i64);
            typed_text.push(p.typed.clone());
            key.push(p.e164.clone().unwrap_or_default());
        }
        for name in &c.lists {
            member.push(*c.id.as_uuid());
            list.push(name.clone());
        }
    }
    if !owner.is_empty() {
        db.execute(
            "INSERT INTO customer_contacts (tenant_id, customer_id, kind, position, typed, match_key)
             SELECT $1::TEXT, * FROM UNNEST($2::UUID[], $3::TEXT[], $4::BIGINT[], $5::TEXT[],
                $6::TEXT[])",
            &[&tenant_text, &owner, &kind, &position, &typed_text, &key],
        )?;
    }
    if !member.is_empty() {
        db.execute(
            "INSERT INTO customer_lists (tenant_id, customer_id, list_name)
             SELECT $1::TEXT, * FROM UNNEST($2::UUID[], $3::TEXT[])",
            &[&tenant_text, &member, &list],
        )?;
        // Made by the batch's first customer on each (its update time, as one by one).
        let stamp = batch
            .first()
            .map(|c| utc_text(&c.updated_at))
            .unwrap_or_default();
        db.execute(
            "INSERT INTO lists (tenant_id, name, created_at)
             SELECT DISTINCT $1::TEXT, name, $3::TEXT FROM UNNEST($2::TEXT[]) AS u(name)
             ON CONFLICT DO NOTHING",
            &[&tenant_text, &list, &stamp],
        )?;
    }
    Ok(())
}

/// The text columns of a customer row that [`insert_chunk`] writes as arrays.
const TEXT_COLUMNS: usize = 31;

/// Deletes the row of a customer whose bookings were moved or detached first, without an event:
/// the caller records what happened.
pub(super) fn remove(db: &mut Db<'_>, tenant: &TenantId, id: &CustomerId) -> Result<()> {
    db.execute(
        "DELETE FROM customers WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )?;
    count(db, tenant, -1)
}

/// Puts back a customer exactly as `c` (number, times and version included), without an event.
pub(super) fn restore(db: &mut Db<'_>, tenant: &TenantId, c: &Customer) -> Result<()> {
    if !written(db, tenant, c, true)? {
        return Err(Error::Internal(
            "a restored customer was not written".into(),
        ));
    }
    count(db, tenant, 1)
}

fn count(db: &mut Db<'_>, tenant: &TenantId, delta: i64) -> Result<()> {
    db.execute(
        "UPDATE tenants SET customer_count = customer_count + $2 WHERE tenant_id = $1",
        &[&tenant.as_str(), &delta],
    )?;
    Ok(())
}

/// The customers of the tenant by the value of custom field `key`, the oldest for a value held
/// by several.
pub(super) fn by_custom_value(
    db: &mut Db<'_>,
    tenant: &TenantId,
    key: &str,
) -> Result<HashMap<String, CustomerId>> {
    // Only the rows whose JSON holds the key are parsed.
    let needle = to_json(key)? + ":";
    let rows = db.query(
        "SELECT id, custom_fields FROM customers
         WHERE tenant_id = $1 AND strpos(custom_fields, $2) > 0 ORDER BY customer_no",
        &[&tenant.as_str(), &needle],
    )?;
    let mut out = HashMap::new();
    for row in &rows {
        let id = customer_id(row, 0)?;
        let fields: HashMap<String, String> = serde_json::from_str(get::<&str>(row, 1)?)
            .map_err(|_| Error::Internal("a stored custom field map is not JSON".into()))?;
        if let Some(value) = fields.get(key) {
            out.entry(value.clone()).or_insert(id);
        }
    }
    Ok(out)
}
