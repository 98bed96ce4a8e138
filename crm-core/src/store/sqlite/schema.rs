//! Schema migrations, numbered by `PRAGMA user_version`.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Marks a file as ours (`PRAGMA application_id`, "CRM1").
const APPLICATION_ID: i64 = 0x4352_4D31;

/// Migration `i` brings the schema from version `i` to `i + 1`. Never edit a released entry: add one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE tenants (
    tenant_id        TEXT PRIMARY KEY,
    default_region   TEXT,
    next_customer_no INTEGER NOT NULL DEFAULT 1,
    customer_count   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE customers (
    id                   BLOB PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants(tenant_id),
    customer_no          INTEGER NOT NULL,
    first_name           TEXT NOT NULL,
    last_name            TEXT NOT NULL,
    sort_name            TEXT NOT NULL,
    company              TEXT,
    email                TEXT,
    email_key            TEXT,
    phone                TEXT,
    phone_e164           TEXT,
    mobile               TEXT,
    mobile_e164          TEXT,
    fax                  TEXT,
    fax_e164             TEXT,
    emergency_phone      TEXT,
    emergency_phone_e164 TEXT,
    street               TEXT,
    zip                  TEXT,
    city                 TEXT,
    region               TEXT,
    country              TEXT,
    contact_person       TEXT,
    birth_date           TEXT,
    language             TEXT,
    notes                TEXT,
    consent_email_at     TEXT,
    consent_sms_at       TEXT,
    salesperson          TEXT,
    custom_fields        TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    created_ms           INTEGER NOT NULL,
    updated_at           TEXT NOT NULL,
    version              INTEGER NOT NULL,
    booking_count        INTEGER NOT NULL DEFAULT 0,
    last_booking_key     INTEGER NOT NULL DEFAULT -9223372036854775808,
    last_booking_at      TEXT,
    UNIQUE (tenant_id, customer_no),
    UNIQUE (tenant_id, id)
) STRICT;
CREATE INDEX customers_by_email        ON customers(tenant_id, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX customers_by_name         ON customers(tenant_id, sort_name, id);
CREATE INDEX customers_by_last_booking ON customers(tenant_id, last_booking_key, id);
CREATE INDEX customers_by_created      ON customers(tenant_id, created_ms, id);

CREATE TABLE customer_contacts (
    customer_id BLOB NOT NULL,
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    position    INTEGER NOT NULL,
    typed       TEXT NOT NULL,
    match_key   TEXT NOT NULL,
    PRIMARY KEY (customer_id, kind, position),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX customer_contacts_by_key ON customer_contacts(tenant_id, kind, match_key);

CREATE TABLE customer_lists (
    customer_id BLOB NOT NULL,
    tenant_id   TEXT NOT NULL,
    list_name   TEXT NOT NULL,
    PRIMARY KEY (customer_id, list_name),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX customer_lists_by_name ON customer_lists(tenant_id, list_name);

CREATE TABLE bookings (
    tenant_id      TEXT NOT NULL REFERENCES tenants(tenant_id),
    reference      TEXT NOT NULL,
    customer_id    BLOB,
    status         TEXT NOT NULL,
    pickup_at      TEXT NOT NULL,
    pickup_utc     INTEGER NOT NULL, -- microseconds since the epoch
    return_at      TEXT,
    route_from     TEXT NOT NULL,
    route_to       TEXT NOT NULL,
    transport      TEXT,
    hotel          TEXT,
    salesperson    TEXT,
    invoice_number TEXT,
    amount_minor   INTEGER,
    currency       TEXT,
    payment_status TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, reference),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id)
) STRICT;
CREATE INDEX bookings_by_customer ON bookings(customer_id, pickup_utc) WHERE customer_id IS NOT NULL;

CREATE TABLE changes (
    seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id            TEXT NOT NULL,
    at                   TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    customer_id          BLOB,
    previous_customer_id BLOB,
    booking_ref          TEXT,
    actor_id             TEXT NOT NULL,
    actor_role           TEXT NOT NULL,
    fields               TEXT NOT NULL
) STRICT;
CREATE INDEX changes_by_tenant ON changes(tenant_id, seq);
"#,
    r#"
CREATE TABLE merges (
    id             BLOB PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(tenant_id),
    primary_id     BLOB NOT NULL,
    at             TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    primary_before TEXT NOT NULL, -- JSON snapshot of the primary before the merge
    primary_after  TEXT NOT NULL, -- and after it
    undone_at      TEXT,
    undone_by_id   TEXT,
    undone_by_role TEXT
) STRICT;
CREATE INDEX merges_by_primary ON merges(tenant_id, primary_id);

-- The records a merge absorbed; while the merge stands, their ids and numbers resolve to it.
CREATE TABLE merge_members (
    merge_id    BLOB NOT NULL REFERENCES merges(id),
    tenant_id   TEXT NOT NULL,
    position    INTEGER NOT NULL,
    customer_id BLOB NOT NULL,
    customer_no INTEGER NOT NULL,
    snapshot    TEXT NOT NULL, -- JSON snapshot of the record before the merge
    PRIMARY KEY (merge_id, position)
) STRICT;
CREATE INDEX merge_members_by_customer ON merge_members(tenant_id, customer_id);
CREATE INDEX merge_members_by_no ON merge_members(tenant_id, customer_no);

CREATE TABLE merge_bookings (
    merge_id      BLOB NOT NULL REFERENCES merges(id),
    tenant_id     TEXT NOT NULL,
    position      INTEGER NOT NULL,
    reference     TEXT NOT NULL,
    from_customer BLOB NOT NULL,
    updated_at    TEXT NOT NULL, -- the booking's updated_at before the move
    PRIMARY KEY (merge_id, position)
) STRICT;
"#,
    r#"
ALTER TABLE customers ADD COLUMN anonymised_at TEXT;
-- Key of the keyed hashes of suppressed contacts (32 random bytes, made when first needed).
ALTER TABLE tenants ADD COLUMN suppression_key BLOB;

CREATE TABLE anonymisations (
    tenant_id   TEXT NOT NULL,
    customer_id BLOB NOT NULL,
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
) STRICT;

-- Contacts of anonymised customers, as keyed hashes (HMAC-SHA-256 with the tenant's key), so
-- that a later capture or import can tell "this person asked to be forgotten".
CREATE TABLE suppressions (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    digest    BLOB NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, digest)
) STRICT;
"#,
    r#"
-- Files attached to customers (ID copies...), stored here: written, erased and backed up with
-- the customer, in the same transactions.
CREATE TABLE documents (
    id           BLOB PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    customer_id  BLOB NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    content      BLOB NOT NULL,
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX documents_by_customer ON documents(tenant_id, customer_id, added_at);

-- The documents a merge moved to the primary, to move back on unmerge.
CREATE TABLE merge_documents (
    merge_id      BLOB NOT NULL REFERENCES merges(id),
    tenant_id     TEXT NOT NULL,
    document_id   BLOB NOT NULL,
    from_customer BLOB NOT NULL,
    PRIMARY KEY (merge_id, document_id)
) STRICT;
"#,
    r#"
-- The tenant's customer lists, also those without members yet.
CREATE TABLE lists (
    tenant_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
) STRICT;
INSERT INTO lists (tenant_id, name, created_at)
    SELECT DISTINCT tenant_id, list_name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM customer_lists;

-- Brochure requests: when one came, and when the brochure was sent.
CREATE TABLE brochure_requests (
    id           BLOB PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    customer_id  BLOB NOT NULL,
    requested_at TEXT NOT NULL,
    sent_at      TEXT,
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX brochure_requests_pending ON brochure_requests(tenant_id, requested_at)
    WHERE sent_at IS NULL;
CREATE INDEX brochure_requests_by_customer ON brochure_requests(tenant_id, customer_id);

-- The brochure requests a merge moved to the primary, to move back on unmerge.
CREATE TABLE merge_brochure_requests (
    merge_id      BLOB NOT NULL REFERENCES merges(id),
    tenant_id     TEXT NOT NULL,
    request_id    BLOB NOT NULL,
    from_customer BLOB NOT NULL,
    PRIMARY KEY (merge_id, request_id)
) STRICT;
"#,
    r#"
-- Saved searches: a named query, and who matched it when last run.
CREATE TABLE saved_searches (
    id          BLOB PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    query       TEXT NOT NULL, -- the CustomerQuery as JSON
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    last_run_at TEXT,
    UNIQUE (tenant_id, name)
) STRICT;

-- The customers a saved search matched at its last run, and since when they match.
CREATE TABLE saved_search_matches (
    search_id        BLOB NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
    customer_id      BLOB NOT NULL,
    first_matched_at TEXT NOT NULL,
    PRIMARY KEY (search_id, customer_id)
) STRICT, WITHOUT ROWID;

-- The communication log: what the host reports it sent to a customer.
CREATE TABLE communications (
    id          BLOB PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    customer_id BLOB NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address     TEXT NOT NULL, -- erased ('') by anonymise
    subject     TEXT NOT NULL, -- erased ('') by anonymise
    reference   TEXT,          -- erased by anonymise
    sent_at     TEXT NOT NULL,
    sent_us     INTEGER NOT NULL, -- sent_at in microseconds since the epoch, to sort on
    recorded_at TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX communications_by_customer ON communications(tenant_id, customer_id, sent_us);

-- The log entries a merge moved to the primary, to move back on unmerge.
CREATE TABLE merge_communications (
    merge_id         BLOB NOT NULL REFERENCES merges(id),
    tenant_id        TEXT NOT NULL,
    communication_id BLOB NOT NULL,
    from_customer    BLOB NOT NULL,
    PRIMARY KEY (merge_id, communication_id)
) STRICT;
"#,
    r#"
-- Which names a customer needs: 'both', 'either' or 'last_name'.
ALTER TABLE tenants ADD COLUMN name_rule TEXT NOT NULL DEFAULT 'both';
"#,
    r#"
-- The last sequence of the tenant's change feed a compaction removed (0: none).
ALTER TABLE tenants ADD COLUMN feed_compacted INTEGER NOT NULL DEFAULT 0;

-- The positions the host's readers of the feed registered: compaction keeps what follows.
CREATE TABLE feed_cursors (
    tenant_id  TEXT NOT NULL REFERENCES tenants(tenant_id),
    name       TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
) STRICT;
"#,
    r#"
-- The duplicate-detection model learned from each tenant's customers: its parameters (JSON)
-- and the frequencies of its frequent values (keys of names, mailboxes and phones, not the
-- values).
CREATE TABLE match_models (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(tenant_id),
    learned_at  TEXT NOT NULL,
    params      TEXT NOT NULL,
    frequencies BLOB NOT NULL
) STRICT;
"#,
    r#"
-- Pairs of customers a person decided are not one person (the lower id first). No foreign key:
-- a merge removes a record and its undo brings it back with its decisions; a delete removes them.
CREATE TABLE not_duplicates (
    tenant_id TEXT NOT NULL REFERENCES tenants(tenant_id),
    low       BLOB NOT NULL,
    high      BLOB NOT NULL,
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, low, high),
    CHECK (low < high)
) STRICT;
CREATE INDEX not_duplicates_by_high ON not_duplicates(tenant_id, high);
"#,
    r#"
-- The tenant's time zone (an IANA name; NULL: UTC), for relative periods and schedules.
ALTER TABLE tenants ADD COLUMN time_zone TEXT;
"#,
    r#"
-- A saved search's schedule (its serialised form, JSON) and when it was set.
CREATE TABLE schedules (
    search_id BLOB PRIMARY KEY REFERENCES saved_searches(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL,
    schedule  TEXT NOT NULL,
    set_at    TEXT NOT NULL
) STRICT;
CREATE INDEX schedules_by_tenant ON schedules(tenant_id);

-- The runs of schedules, one per slot: claimed when a run starts (rows and file NULL), completed
-- when it ends, removed when it fails (the next call runs the slot again).
CREATE TABLE schedule_runs (
    search_id   BLOB NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL,
    slot        TEXT NOT NULL,
    slot_us     INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    ran_by      TEXT NOT NULL,
    rows        INTEGER,
    file        TEXT,
    PRIMARY KEY (search_id, slot_us)
) STRICT, WITHOUT ROWID;
"#,
    r#"
-- A customer's title or form of address (Mr, Mme, Dr), for salutations.
ALTER TABLE customers ADD COLUMN title TEXT;
"#,
    r#"
-- Message templates: email, SMS and letter, a variant per language.
CREATE TABLE templates (
    tenant_id  TEXT NOT NULL REFERENCES tenants(tenant_id),
    name       TEXT NOT NULL,
    language   TEXT NOT NULL, -- '' for the default variant
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'sms', 'letter')),
    subject    TEXT,
    text       TEXT NOT NULL,
    html       TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name, language)
) STRICT;
"#,
    r#"
-- The tenant's policies: whether customers may share a main email, who may delete and merge.
ALTER TABLE tenants ADD COLUMN email_uniqueness TEXT NOT NULL DEFAULT 'allow'
    CHECK (email_uniqueness IN ('allow', 'warn', 'refuse'));
ALTER TABLE tenants ADD COLUMN hard_delete TEXT NOT NULL DEFAULT 'anyone'
    CHECK (hard_delete IN ('anyone', 'organisation', 'nobody'));
ALTER TABLE tenants ADD COLUMN merge_policy TEXT NOT NULL DEFAULT 'anyone'
    CHECK (merge_policy IN ('anyone', 'organisation', 'nobody'));

-- The privacy log: each personal-data export, anonymisation and deletion, without personal
-- values (a customer number, who, when, on which request).
CREATE TABLE privacy_log (
    tenant_id   TEXT NOT NULL REFERENCES tenants(tenant_id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('export', 'anonymise', 'delete')),
    customer_no INTEGER NOT NULL,
    user_id     TEXT NOT NULL,
    role        TEXT NOT NULL,
    request     TEXT,
    PRIMARY KEY (tenant_id, seq)
) STRICT, WITHOUT ROWID;
"#,
    r#"
-- Addresses (emails, mobile numbers) the tenant must not write to on a channel, whichever
-- customer holds them: keyed hashes of the address, as the suppressions are.
CREATE TABLE opt_outs (
    tenant_id   TEXT NOT NULL REFERENCES tenants(tenant_id),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    digest      BLOB NOT NULL,
    at          TEXT NOT NULL,
    source      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, channel, digest)
) STRICT, WITHOUT ROWID;
"#,
    r#"
-- A booking's invoices, any number of them: their JSON array (NULL without one), replaced
-- whole with the booking. The single invoice of earlier versions becomes the first.
ALTER TABLE bookings ADD COLUMN invoices TEXT;
UPDATE bookings SET invoices = json_array(json_object(
        'number', invoice_number, 'issued_on', NULL, 'due_on', NULL,
        'amount', json_object('minor', amount_minor, 'currency', currency),
        'amount_paid', NULL, 'payment_status', payment_status))
    WHERE invoice_number IS NOT NULL;
ALTER TABLE bookings DROP COLUMN invoice_number;
ALTER TABLE bookings DROP COLUMN amount_minor;
ALTER TABLE bookings DROP COLUMN currency;
ALTER TABLE bookings DROP COLUMN payment_status;
"#,
    r#"
-- Consent records: per channel and purpose, given or withdrawn, with when and from which
-- source; the history of each customer, numbered per tenant in the order recorded (the latest
-- recorded is the customer's consent). A merge moves them to the primary, unmerge moves them back.
CREATE TABLE consent_records (
    tenant_id   TEXT NOT NULL,
    id          INTEGER NOT NULL,
    customer_id BLOB NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    purpose     TEXT NOT NULL CHECK (purpose IN ('marketing', 'service')),
    state       TEXT NOT NULL CHECK (state IN ('given', 'withdrawn')),
    at          TEXT NOT NULL,
    source      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX consent_records_by_customer ON consent_records(tenant_id, customer_id, id);

CREATE TABLE merge_consents (
    merge_id      BLOB NOT NULL REFERENCES merges(id),
    tenant_id     TEXT NOT NULL,
    record_id     INTEGER NOT NULL,
    from_customer BLOB NOT NULL,
    PRIMARY KEY (merge_id, record_id)
) STRICT;

-- The consents of earlier versions (marketing, by email and SMS, with when) become records.
INSERT INTO consent_records (tenant_id, id, customer_id, channel, purpose, state, at, source,
        recorded_at, recorded_by)
    SELECT tenant_id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY customer_no, channel),
        id, channel, 'marketing', 'given', at, 'customer record', at, 'crm:migration'
    FROM (SELECT tenant_id, customer_no, id, 'email' AS channel, consent_email_at AS at
              FROM customers WHERE consent_email_at IS NOT NULL
          UNION ALL
          SELECT tenant_id, customer_no, id, 'sms', consent_sms_at
              FROM customers WHERE consent_sms_at IS NOT NULL);
"#,
];

/// The schema version this library writes.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to date, or fails if the file is not ours or is newer than this library.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(super::db)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(super::db)?;
    let app_id: i64 = tx
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(super::db)?;
    let has_tables: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')",
            [],
            |r| r.get(0),
        )
        .map_err(super::db)?;
    if has_tables && app_id != APPLICATION_ID {
        return Err(Error::Storage {
            message: "the file is an SQLite database of another application".into(),
            source: "application_id mismatch".into(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql).map_err(super::db)?;
        tx.pragma_update(None, "user_version", from as i64 + 1)
            .map_err(super::db)?;
    }
    if has_tables && version < PHONES_CHECKED_FROM {
        reread_phones(&tx)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(super::db)?;
    tx.commit().map_err(super::db)?;
    if has_tables && version < ZEROED_FROM {
        // Files of earlier versions were written without `secure_delete`: their free space may
        // hold old values (deleted customers, earlier versions of rows). Rewritten once.
        conn.execute_batch("VACUUM").map_err(super::db)?;
    }
    Ok(())
}

/// The first schema version whose phones were read in the customer's country and checked
/// against the numbering plans.
const PHONES_CHECKED_FROM: i64 = 7;

/// Reads the stored phones again as a create would now. Earlier versions read every national
/// number in the tenant's region, whatever the customer's country (a German mobile of a German
/// customer became a French number), and stored numbers of impossible lengths:
/// - a customer with a country has its numbers read again in that country;
/// - a customer without one keeps the reading it got (in the tenant's region of the time, which
///   may have changed since), if that is a valid number; else it has none (unverified);
/// - a value the check now refuses as no phone at all (an extension typed after the number,
///   say) keeps its reading.
///
/// A customer whose readings change gets a new version and a `CustomerUpdated` event naming the
/// fields, so hosts that follow the change feed see the fix; the search index is rebuilt (its
/// version changed too).
fn reread_phones(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    use std::collections::HashMap;

    use super::values::utc_text;
    use crate::model::ChangeKind;
    use crate::model::{Actor, Role, read_phone, valid_e164};

    const SLOTS: [&str; 4] = ["phone", "mobile", "fax", "emergency_phone"];
    let reading = |country: Option<&str>, typed: &str, stored: Option<String>| {
        let region = country.and_then(|c| crate::model::reading_region(Some(c), None));
        match (region, read_phone("phone", typed, region)) {
            (Some(_), Ok(phone)) => phone.e164,
            (None, Ok(_)) => stored.filter(|e164| valid_e164(e164)),
            (_, Err(_)) => stored,
        }
    };
    // What to write, read first: (customer, tenant) -> slot -> new reading.
    let mut main: Vec<(Vec<u8>, String, usize, Option<String>)> = Vec::new();
    let mut rows = tx
        .prepare(
            "SELECT id, tenant_id, country, phone, phone_e164, mobile, mobile_e164, fax, fax_e164,
            emergency_phone, emergency_phone_e164 FROM customers",
        )
        .map_err(super::db)?;
    let mut found = rows.query([]).map_err(super::db)?;
    while let Some(row) = found.next().map_err(super::db)? {
        let country: Option<String> = row.get(2).map_err(super::db)?;
        for slot in 0..SLOTS.len() {
            let Some(typed) = row
                .get::<_, Option<String>>(3 + 2 * slot)
                .map_err(super::db)?
            else {
                continue;
            };
            let stored: Option<String> = row.get(4 + 2 * slot).map_err(super::db)?;
            let now = reading(country.as_deref(), &typed, stored.clone());
            if now != stored {
                main.push((
                    row.get(0).map_err(super::db)?,
                    row.get(1).map_err(super::db)?,
                    slot,
                    now,
                ));
            }
        }
    }
    drop(found);
    drop(rows);
    let mut secondary: Vec<(Vec<u8>, String, i64, String)> = Vec::new();
    let mut rows = tx
        .prepare(
            "SELECT k.customer_id, k.tenant_id, c.country, k.position, k.typed, k.match_key
         FROM customer_contacts k JOIN customers c ON c.id = k.customer_id
         WHERE k.kind = 'phone'",
        )
        .map_err(super::db)?;
    let mut found = rows.query([]).map_err(super::db)?;
    while let Some(row) = found.next().map_err(super::db)? {
        let country: Option<String> = row.get(2).map_err(super::db)?;
        let typed: String = row.get(4).map_err(super::db)?;
        let stored: String = row.get(5).map_err(super::db)?;
        let now = reading(
            country.as_deref(),
            &typed,
            Some(stored.clone()).filter(|k| !k.is_empty()),
        )
        .unwrap_or_default();
        if now != stored {
            secondary.push((
                row.get(0).map_err(super::db)?,
                row.get(1).map_err(super::db)?,
                row.get(3).map_err(super::db)?,
                now,
            ));
        }
    }
    drop(found);
    drop(rows);

    let mut changed: HashMap<(Vec<u8>, String), Vec<String>> = HashMap::new();
    for (id, tenant, slot, now) in main {
        let slot = SLOTS[slot];
        tx.prepare_cached(&format!(
            "UPDATE customers SET {slot}_e164 = ?2 WHERE id = ?1"
        ))
        .map_err(super::db)?
        .execute(rusqlite::params![id, now])
        .map_err(super::db)?;
        changed
            .entry((id, tenant))
            .or_default()
            .push(slot.to_owned());
    }
    for (id, tenant, position, now) in secondary {
        tx.prepare_cached(
            "UPDATE customer_contacts SET match_key = ?3
             WHERE customer_id = ?1 AND kind = 'phone' AND position = ?2",
        )
        .map_err(super::db)?
        .execute(rusqlite::params![id, position, now])
        .map_err(super::db)?;
        let fields = changed.entry((id, tenant)).or_default();
        if !fields.iter().any(|f| f == "secondary_phones") {
            fields.push("secondary_phones".into());
        }
    }
    let actor = Actor::new("crm:phone-migration", Role::System);
    let now = chrono::Utc::now();
    let mut bump = tx
        .prepare("UPDATE customers SET version = version + 1, updated_at = ?2 WHERE id = ?1")
        .map_err(super::db)?;
    let mut event = tx
        .prepare(
            "INSERT INTO changes (tenant_id, at, kind, customer_id, actor_id, actor_role, fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(super::db)?;
    let mut changed: Vec<_> = changed.into_iter().collect();
    changed.sort();
    for ((id, tenant), fields) in changed {
        bump.execute(rusqlite::params![id, utc_text(&now)])
            .map_err(super::db)?;
        let fields = serde_json::to_string(&fields).map_err(|e| Error::Internal(e.to_string()))?;
        // The feed row as this version writes it (a migration keeps its own SQL).
        event
            .execute(rusqlite::params![
                tenant,
                utc_text(&now),
                ChangeKind::CustomerUpdated.as_str(),
                id,
                actor.user_id,
                actor.role.as_str(),
                fields
            ])
            .map_err(super::db)?;
    }
    Ok(())
}

/// The first schema version whose files were always written with `secure_delete` on.
const ZEROED_FROM: i64 = 3;
