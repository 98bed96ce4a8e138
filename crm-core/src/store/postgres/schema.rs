//! Schema migrations of the PostgreSQL store, numbered by `crm_store.schema_version`.
//!
//! Every table is keyed with `tenant_id` first: primary keys, unique keys and foreign keys all
//! include it, so that a Citus deployment can distribute every table by `tenant_id` with no
//! change (`crm_store` is the one table of no tenant: a reference table there). Text that is
//! sorted on is `COLLATE "C"` (byte order, as on SQLite, whatever the database's locale).

use postgres::Client;

use crate::error::{Error, Result};

/// Migration `i` brings the schema from version `i` to `i + 1`. Never edit a released entry: add one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE tenants (
    tenant_id        TEXT PRIMARY KEY,
    default_region   TEXT,
    name_rule        TEXT NOT NULL DEFAULT 'both',
    next_customer_no BIGINT NOT NULL DEFAULT 1,
    customer_count   BIGINT NOT NULL DEFAULT 0,
    -- The last sequence of the tenant's change feed: bumped under the tenant's row lock, so
    -- the committed sequence has no gaps and follows commit order.
    change_seq       BIGINT NOT NULL DEFAULT 0,
    -- Key of the keyed hashes of suppressed contacts (32 random bytes, made when first needed).
    suppression_key  BYTEA
);

CREATE TABLE customers (
    tenant_id            TEXT NOT NULL REFERENCES tenants (tenant_id),
    id                   UUID NOT NULL,
    customer_no          BIGINT NOT NULL,
    first_name           TEXT NOT NULL,
    last_name            TEXT NOT NULL,
    sort_name            TEXT COLLATE "C" NOT NULL,
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
    created_ms           BIGINT NOT NULL,
    updated_at           TEXT NOT NULL,
    version              BIGINT NOT NULL,
    booking_count        BIGINT NOT NULL DEFAULT 0,
    last_booking_key     BIGINT NOT NULL DEFAULT -9223372036854775808,
    last_booking_at      TEXT,
    anonymised_at        TEXT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, customer_no)
);
CREATE INDEX customers_by_email        ON customers (tenant_id, email_key) WHERE email_key IS NOT NULL;
CREATE INDEX customers_by_name         ON customers (tenant_id, sort_name, id);
CREATE INDEX customers_by_last_booking ON customers (tenant_id, last_booking_key, id);
CREATE INDEX customers_by_created      ON customers (tenant_id, created_ms, id);
-- The index rebuild reads every tenant's customers in id order.
CREATE INDEX customers_by_id           ON customers (id);

CREATE TABLE customer_contacts (
    tenant_id   TEXT NOT NULL,
    customer_id UUID NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('email', 'phone')),
    position    BIGINT NOT NULL,
    typed       TEXT NOT NULL,
    match_key   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, kind, position),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_contacts_by_key ON customer_contacts (tenant_id, kind, match_key);

CREATE TABLE customer_lists (
    tenant_id   TEXT NOT NULL,
    customer_id UUID NOT NULL,
    list_name   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, list_name),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_lists_by_name ON customer_lists (tenant_id, list_name);

CREATE TABLE bookings (
    tenant_id      TEXT NOT NULL REFERENCES tenants (tenant_id),
    reference      TEXT COLLATE "C" NOT NULL,
    customer_id    UUID,
    status         TEXT NOT NULL,
    pickup_at      TEXT NOT NULL,
    pickup_utc     BIGINT NOT NULL, -- microseconds since the epoch
    return_at      TEXT,
    route_from     TEXT NOT NULL,
    route_to       TEXT NOT NULL,
    transport      TEXT,
    hotel          TEXT,
    salesperson    TEXT,
    invoice_number TEXT,
    amount_minor   BIGINT,
    currency       TEXT,
    payment_status TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, reference),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX bookings_by_customer ON bookings (tenant_id, customer_id, pickup_utc)
    WHERE customer_id IS NOT NULL;

CREATE TABLE changes (
    tenant_id            TEXT NOT NULL,
    seq                  BIGINT NOT NULL,
    at                   TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    customer_id          UUID,
    previous_customer_id UUID,
    booking_ref          TEXT,
    actor_id             TEXT NOT NULL,
    actor_role           TEXT NOT NULL,
    fields               TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE merges (
    tenant_id      TEXT NOT NULL REFERENCES tenants (tenant_id),
    id             UUID NOT NULL,
    primary_id     UUID NOT NULL,
    at             TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    primary_before TEXT NOT NULL, -- JSON snapshot of the primary before the merge
    primary_after  TEXT NOT NULL, -- and after it
    undone_at      TEXT,
    undone_by_id   TEXT,
    undone_by_role TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX merges_by_primary ON merges (tenant_id, primary_id);

-- The records a merge absorbed; while the merge stands, their ids and numbers resolve to it.
CREATE TABLE merge_members (
    tenant_id   TEXT NOT NULL,
    merge_id    UUID NOT NULL,
    position    BIGINT NOT NULL,
    customer_id UUID NOT NULL,
    customer_no BIGINT NOT NULL,
    snapshot    TEXT NOT NULL, -- JSON snapshot of the record before the merge
    PRIMARY KEY (tenant_id, merge_id, position),
    FOREIGN KEY (tenant_id, merge_id) REFERENCES merges (tenant_id, id)
);
CREATE INDEX merge_members_by_customer ON merge_members (tenant_id, customer_id);
CREATE INDEX merge_members_by_no ON merge_members (tenant_id, customer_no);

CREATE TABLE merge_bookings (
    tenant_id     TEXT NOT NULL,
    merge_id      UUID NOT NULL,
    position      BIGINT NOT NULL,
    reference     TEXT NOT NULL,
    from_customer UUID NOT NULL,
    updated_at    TEXT NOT NULL, -- the booking's updated_at before the move
    PRIMARY KEY (tenant_id, merge_id, position),
    FOREIGN KEY (tenant_id, merge_id) REFERENCES merges (tenant_id, id)
);

CREATE TABLE anonymisations (
    tenant_id   TEXT NOT NULL,
    customer_id UUID NOT NULL,
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
);

-- Contacts of anonymised customers, as keyed hashes (HMAC-SHA-256 with the tenant's key), so
-- that a later capture or import can tell "this person asked to be forgotten".
CREATE TABLE suppressions (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    digest    BYTEA NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, digest)
);

-- Files attached to customers, written, erased and backed up with the customer.
CREATE TABLE documents (
    tenant_id    TEXT NOT NULL,
    id           UUID NOT NULL,
    customer_id  UUID NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    added_at     TEXT COLLATE "C" NOT NULL,
    content      BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX documents_by_customer ON documents (tenant_id, customer_id, added_at);

-- The documents a merge moved to the primary, to move back on unmerge.
CREATE TABLE merge_documents (
    tenant_id     TEXT NOT NULL,
    merge_id      UUID NOT NULL,
    document_id   UUID NOT NULL,
    from_customer UUID NOT NULL,
    PRIMARY KEY (tenant_id, merge_id, document_id),
    FOREIGN KEY (tenant_id, merge_id) REFERENCES merges (tenant_id, id)
);

-- The tenant's customer lists, also those without members yet.
CREATE TABLE lists (
    tenant_id  TEXT NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Brochure requests: when one came, and when the brochure was sent.
CREATE TABLE brochure_requests (
    tenant_id    TEXT NOT NULL,
    id           UUID NOT NULL,
    customer_id  UUID NOT NULL,
    requested_at TEXT COLLATE "C" NOT NULL,
    sent_at      TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX brochure_requests_pending ON brochure_requests (tenant_id, requested_at, id)
    WHERE sent_at IS NULL;
CREATE INDEX brochure_requests_by_customer ON brochure_requests (tenant_id, customer_id);

-- The brochure requests a merge moved to the primary, to move back on unmerge.
CREATE TABLE merge_brochure_requests (
    tenant_id     TEXT NOT NULL,
    merge_id      UUID NOT NULL,
    request_id    UUID NOT NULL,
    from_customer UUID NOT NULL,
    PRIMARY KEY (tenant_id, merge_id, request_id),
    FOREIGN KEY (tenant_id, merge_id) REFERENCES merges (tenant_id, id)
);

-- Saved searches: a named query, and who matched it when last run.
CREATE TABLE saved_searches (
    tenant_id   TEXT NOT NULL,
    id          UUID NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    query       TEXT NOT NULL, -- the CustomerQuery as JSON
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    last_run_at TEXT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- The customers a saved search matched at its last run, and since when they match.
CREATE TABLE saved_search_matches (
    tenant_id        TEXT NOT NULL,
    search_id        UUID NOT NULL,
    customer_id      UUID NOT NULL,
    first_matched_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, search_id, customer_id),
    FOREIGN KEY (tenant_id, search_id) REFERENCES saved_searches (tenant_id, id) ON DELETE CASCADE
);

-- The communication log: what the host reports it sent to a customer.
CREATE TABLE communications (
    tenant_id   TEXT NOT NULL,
    id          UUID NOT NULL,
    customer_id UUID NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address     TEXT NOT NULL, -- erased ('') by anonymise
    subject     TEXT NOT NULL, -- erased ('') by anonymise
    reference   TEXT,          -- erased by anonymise
    sent_at     TEXT NOT NULL,
    sent_us     BIGINT NOT NULL, -- sent_at in microseconds since the epoch, to sort on
    recorded_at TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX communications_by_customer ON communications (tenant_id, customer_id, sent_us);

-- The log entries a merge moved to the primary, to move back on unmerge.
CREATE TABLE merge_communications (
    tenant_id        TEXT NOT NULL,
    merge_id         UUID NOT NULL,
    communication_id UUID NOT NULL,
    from_customer    UUID NOT NULL,
    PRIMARY KEY (tenant_id, merge_id, communication_id),
    FOREIGN KEY (tenant_id, merge_id) REFERENCES merges (tenant_id, id)
);
"#,
    r#"
-- The last sequence of the tenant's change feed a compaction removed (0: none).
ALTER TABLE tenants ADD COLUMN feed_compacted BIGINT NOT NULL DEFAULT 0;

-- The positions the host's readers of the feed registered: compaction keeps what follows.
CREATE TABLE feed_cursors (
    tenant_id  TEXT NOT NULL REFERENCES tenants (tenant_id),
    name       TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
"#,
    r#"
-- The duplicate-detection model learned from each tenant's customers: its parameters (JSON)
-- and the frequencies of its frequent values (keys of names, mailboxes and phones, not the
-- values).
CREATE TABLE match_models (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants (tenant_id),
    learned_at  TEXT NOT NULL,
    params      TEXT NOT NULL,
    frequencies BYTEA NOT NULL
);
"#,
    r#"
-- Pairs of customers a person decided are not one person (the lower id first). No foreign key:
-- a merge removes a record and its undo brings it back with its decisions; a delete removes them.
CREATE TABLE not_duplicates (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id),
    low       UUID NOT NULL,
    high      UUID NOT NULL,
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, low, high),
    CHECK (low < high)
);
CREATE INDEX not_duplicates_by_high ON not_duplicates (tenant_id, high);
"#,
    r#"
-- The tenant's time zone (an IANA name; NULL: UTC), for relative periods and schedules.
ALTER TABLE tenants ADD COLUMN time_zone TEXT;
"#,
    r#"
-- A saved search's schedule (its serialised form, JSON) and when it was set.
CREATE TABLE schedules (
    tenant_id TEXT NOT NULL,
    search_id UUID NOT NULL,
    schedule  TEXT NOT NULL,
    set_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, search_id),
    FOREIGN KEY (tenant_id, search_id) REFERENCES saved_searches (tenant_id, id) ON DELETE CASCADE
);

-- The runs of schedules, one per slot: claimed when a run starts (rows and file NULL), completed
-- when it ends, removed when it fails (the next call runs the slot again).
CREATE TABLE schedule_runs (
    tenant_id   TEXT NOT NULL,
    search_id   UUID NOT NULL,
    slot        TEXT NOT NULL,
    slot_us     BIGINT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    ran_by      TEXT NOT NULL,
    rows        BIGINT,
    file        TEXT,
    PRIMARY KEY (tenant_id, search_id, slot_us),
    FOREIGN KEY (tenant_id, search_id) REFERENCES saved_searches (tenant_id, id) ON DELETE CASCADE
);
"#,
    r#"
-- A customer's title or form of address (Mr, Mme, Dr), for salutations.
ALTER TABLE customers ADD COLUMN title TEXT;
"#,
    r#"
-- Message templates: email, SMS and letter, a variant per language.
CREATE TABLE templates (
    tenant_id  TEXT NOT NULL REFERENCES tenants (tenant_id),
    name       TEXT COLLATE "C" NOT NULL,
    language   TEXT COLLATE "C" NOT NULL, -- '' for the default variant
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'sms', 'letter')),
    subject    TEXT,
    text       TEXT NOT NULL,
    html       TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name, language)
);
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
    tenant_id   TEXT NOT NULL REFERENCES tenants (tenant_id),
    seq         BIGINT NOT NULL,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('export', 'anonymise', 'delete')),
    customer_no BIGINT NOT NULL,
    user_id     TEXT NOT NULL,
    role        TEXT NOT NULL,
    request     TEXT,
    PRIMARY KEY (tenant_id, seq)
);
"#,
    r#"
-- Addresses (emails, mobile numbers) the tenant must not write to on a channel, whichever
-- customer holds them: keyed hashes of the address, as the suppressions are.
CREATE TABLE opt_outs (
    tenant_id   TEXT NOT NULL REFERENCES tenants (tenant_id),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    digest      BYTEA NOT NULL,
    at          TEXT NOT NULL,
    source      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, channel, digest)
);
"#,
    r#"
-- A booking's invoices, any number of them: their JSON array (NULL without one), replaced
-- whole with the booking. The single invoice of earlier versions becomes the first.
ALTER TABLE bookings ADD COLUMN invoices TEXT;
UPDATE bookings SET invoices = jsonb_build_array(jsonb_build_object(
        'number', invoice_number, 'issued_on', NULL, 'due_on', NULL,
        'amount', jsonb_build_object('minor', amount_minor, 'currency', currency),
        'amount_paid', NULL, 'payment_status', payment_status))::TEXT
    WHERE invoice_number IS NOT NULL;
ALTER TABLE bookings DROP COLUMN invoice_number, DROP COLUMN amount_minor,
    DROP COLUMN currency, DROP COLUMN payment_status;
"#,
    r#"
-- Consent records: per channel and purpose, given or withdrawn, with when and from which
-- source; the history of each customer, numbered per tenant in the order recorded (the latest
-- recorded is the customer's consent). A merge moves them to the primary, unmerge moves them back.
CREATE TABLE consent_records (
    tenant_id   TEXT NOT NULL,
    id          BIGINT NOT NULL,
    customer_id UUID NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    purpose     TEXT NOT NULL CHECK (purpose IN ('marketing', 'service')),
    state       TEXT NOT NULL CHECK (state IN ('given', 'withdrawn')),
    at          TEXT NOT NULL,
    source      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_records_by_customer ON consent_records (tenant_id, customer_id, id);

CREATE TABLE merge_consents (
    tenant_id     TEXT NOT NULL,
    merge_id      UUID NOT NULL,
    record_id     BIGINT NOT NULL,
    from_customer UUID NOT NULL,
    PRIMARY KEY (tenant_id, merge_id, record_id),
    FOREIGN KEY (tenant_id, merge_id) REFERENCES merges (tenant_id, id)
);

-- The consents of earlier versions (marketing, by email and SMS, with when) become records.
INSERT INTO consent_records (tenant_id, id, customer_id, channel, purpose, state, at, source,
        recorded_at, recorded_by)
    SELECT tenant_id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY customer_no, channel),
        id, channel, 'marketing', 'given', at, 'customer record', at, 'crm:migration'
    FROM (SELECT tenant_id, customer_no, id, 'email' AS channel, consent_email_at AS at
              FROM customers WHERE consent_email_at IS NOT NULL
          UNION ALL
          SELECT tenant_id, customer_no, id, 'sms', consent_sms_at
              FROM customers WHERE consent_sms_at IS NOT NULL) AS given;
"#,
];

/// The schema version this library writes on PostgreSQL.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Any number that tells our migration lock from other advisory locks of the database.
const MIGRATION_LOCK: i64 = 0x4352_4D31;

/// Brings the schema up to date (one transaction; servers starting together take turns), or
/// fails if the database is newer than this library. Returns the store's identity, made when
/// the schema was first created: the search index of each server records it.
pub(crate) fn migrate(client: &mut Client) -> Result<String> {
    let mut tx = client.transaction().map_err(super::pg)?;
    // Another server migrating is waited for, however long it takes.
    tx.batch_execute("SET LOCAL lock_timeout = 0")
        .map_err(super::pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(super::pg)?;
    // Made only when missing: a role that may read and write rows but not create tables
    // connects to a database already set up.
    let made: Option<String> = tx
        .query_one("SELECT to_regclass('crm_store')::TEXT", &[])
        .and_then(|row| row.try_get(0))
        .map_err(super::pg)?;
    if made.is_none() {
        tx.batch_execute(
            "CREATE TABLE crm_store (
            singleton      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
            store_id       UUID NOT NULL,
            schema_version BIGINT NOT NULL
        )",
        )
        .map_err(super::pg)?;
    }
    let row = tx
        .query_opt("SELECT store_id, schema_version FROM crm_store", &[])
        .map_err(super::pg)?;
    let (id, version): (uuid::Uuid, i64) = match row {
        Some(row) => (
            row.try_get(0).map_err(super::pg)?,
            row.try_get(1).map_err(super::pg)?,
        ),
        None => {
            let id = uuid::Uuid::now_v7();
            tx.execute(
                "INSERT INTO crm_store (store_id, schema_version) VALUES ($1, 0)",
                &[&id],
            )
            .map_err(super::pg)?;
            (id, 0)
        }
    };
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).map_err(super::pg)?;
        tx.execute(
            "UPDATE crm_store SET schema_version = $1",
            &[&(from as i64 + 1)],
        )
        .map_err(super::pg)?;
    }
    tx.commit().map_err(super::pg)?;
    Ok(id.to_string())
}
