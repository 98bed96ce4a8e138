//! What only PostgreSQL has: row versions left by updates until vacuum, locks held by other
//! sessions, roles. Run by `make test-postgres` only (`CRM_TEST_STORE=postgres`); without a
//! server these tests fail.
#![allow(clippy::unwrap_used)]

use crate::common;
use crate::privacy::{NEEDLES, dpo, marked};

use std::time::{Duration, Instant};

use common::*;
use crm_core::{Crm, ErrorKind, MergeRequest, NewCommunication, NewDocument};

/// The test server's connection string; these tests need one.
fn server() -> String {
    common::postgres_server().expect("pg_only tests run with CRM_TEST_STORE=postgres")
}

/// A new database of its own on the test server (its vacuum horizon is not held back by the
/// transactions of tests running in other databases), and its connection string.
fn own_database(server: &str) -> String {
    let name = format!("d_{}", uuid::Uuid::now_v7().simple());
    let mut client = postgres::Client::connect(server, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    format!("{server} dbname={name}")
}

/// The row versions (live or dead, as the heap pages hold them) and index entries of the
/// tables that hold personal values, which hold one of the needles: read page by page with
/// `pageinspect`.
fn versions_holding(url: &str, needles: &[&str]) -> Vec<String> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        .unwrap();
    let mut found = Vec::new();
    let holds = |bytes: &[u8]| {
        let lower = bytes.to_ascii_lowercase();
        needles
            .iter()
            .filter(|n| lower.windows(n.len()).any(|w| w == n.as_bytes()))
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
    };
    let relations = client
        .query(
            "SELECT c.relname::TEXT, c.relkind::TEXT, (pg_relation_size(c.oid) / 8192)::BIGINT
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_am am ON am.oid = c.relam
             WHERE n.nspname = 'public' AND (c.relkind = 'r' OR am.amname = 'btree')",
            &[],
        )
        .unwrap();
    for row in relations {
        let (name, kind, pages): (String, String, i64) = (row.get(0), row.get(1), row.get(2));
        for page in 0..pages {
            let items = if kind == "r" {
                client.query(
                    "SELECT t_data FROM heap_page_items(get_raw_page($1, $2))
                     WHERE t_data IS NOT NULL",
                    &[&name, &page],
                )
            } else if page == 0 {
                continue; // a B-tree's meta page
            } else {
                client.query(
                    "SELECT decode(replace(data, ' ', ''), 'hex') FROM
                     bt_page_items(get_raw_page($1, $2))",
                    &[&name, &page],
                )
            };
            for item in items.unwrap() {
                let bytes: Option<Vec<u8>> = item.get(0);
                for needle in holds(&bytes.unwrap_or_default()) {
                    found.push(format!("{name} page {page} holds {needle:?}"));
                }
            }
        }
    }
    found
}

/// Anonymising and deleting erase the values from every row version the tables and their
/// indexes keep, dead ones included (the library vacuums the tables it rewrote), not only from
/// the live rows.
#[test]
fn an_erasure_leaves_no_row_version_or_index_entry_holding_the_values() {
    let url = own_database(&server());
    let dir = tempfile::tempdir().unwrap();
    let crm = Crm::connect(&url, dir.path().join("index")).unwrap();
    let a = tenant(&crm, "agency");
    // Enough others that an erasure changes under 2% of the pages of a table (a plain vacuum
    // would then leave the indexes alone).
    let others: Vec<_> = (0..8_000)
        .map(|i| customer_with_email("Other", &format!("N{i:05}"), &format!("n{i}@example.com")))
        .collect();
    a.create_customers(&actor(), others).unwrap();
    let made = a
        .create_customers(&actor(), vec![marked("a"), marked("b"), marked("c")])
        .unwrap();
    for who in &made {
        let doc = NewDocument::new("qwyz-passport.txt", "text/plain", b"Qwyz passport".to_vec());
        a.attach_document(&actor(), &who.id, doc).unwrap();
        let sent = NewCommunication::new(who.id, crm_core::Channel::Sms, "Offer for Qwyz");
        a.record_communications(&actor(), vec![sent]).unwrap();
    }
    // A merge keeps snapshots of both records; an update leaves a dead version behind.
    a.merge(&actor(), &MergeRequest::new(made[0].id, [made[1].id]))
        .unwrap();
    let before = versions_holding(&url, NEEDLES);
    assert!(
        NEEDLES
            .iter()
            .all(|n| before.iter().any(|h| h.ends_with(&format!("{n:?}")))),
        "the scan does not see every value: {before:?}"
    );

    a.anonymise(&dpo(), &made[0].id, "asked").unwrap();
    a.delete_customer(&dpo(), &made[2].id).unwrap();
    let after = versions_holding(&url, NEEDLES);
    assert!(after.is_empty(), "{after:?}");
}

/// A write waiting for the tenant's row longer than 10 s (another session holds it) fails with
/// a Conflict, and writes of other tenants go on meanwhile.
#[test]
fn a_tenant_held_too_long_by_another_session_is_a_conflict() {
    let db = open();
    let url = db.url.clone().unwrap();
    let a = db.tenant("agency");
    let b = db.tenant("other");
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.execute(
        "SELECT 1 FROM tenants WHERE tenant_id = 'agency' FOR UPDATE",
        &[],
    )
    .unwrap();
    let started = Instant::now();
    let waiting = std::thread::spawn(move || a.create_customer(&actor(), customer("Wait", "Ing")));
    b.create_customer(&actor(), customer("Not", "Blocked"))
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_kind(waiting.join().unwrap(), ErrorKind::Conflict);
    assert!(started.elapsed() >= Duration::from_secs(10));
    tx.rollback().unwrap();
    assert_eq!(count_customers(&db.tenant("agency")), 0);
}

/// A role that may read and write the rows but not create tables connects to a database that
/// is set up, and works.
#[test]
fn a_role_without_create_rights_connects_to_a_set_up_database() {
    let url = own_database(&server());
    let dir = tempfile::tempdir().unwrap();
    drop(Crm::connect(&url, dir.path().join("index")).unwrap());
    let role = format!("app_{}", uuid::Uuid::now_v7().simple());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN;
             REVOKE CREATE ON SCHEMA public FROM PUBLIC;
             GRANT USAGE ON SCHEMA public TO {role};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};"
        ))
        .unwrap();
    let app = Crm::connect(&format!("{url} user={role}"), dir.path().join("index")).unwrap();
    let t = tenant(&app, "agency");
    t.create_customer(&actor(), customer("Ana", "App")).unwrap();
    assert_eq!(count_customers(&t), 1);
}

/// The test server's TLS-only listener (TCP) and the authority that signed its certificate, as
/// `scripts/with-postgres` gives them. Without them the TLS test is skipped (and says so),
/// unless CI is set.
fn tls_server() -> Option<(String, String)> {
    match (
        std::env::var("CRM_TEST_POSTGRES_TLS"),
        std::env::var("CRM_TEST_POSTGRES_CA"),
    ) {
        (Ok(url), Ok(ca)) if !url.is_empty() && !ca.is_empty() => Some((url, ca)),
        _ if std::env::var("CI").is_ok_and(|v| !v.is_empty()) => {
            panic!("CI is set and CRM_TEST_POSTGRES_TLS or CRM_TEST_POSTGRES_CA is not")
        }
        _ => {
            eprintln!("CRM_TEST_POSTGRES_TLS is not set: the TLS test is SKIPPED");
            None
        }
    }
}

#[test]
fn tls_connections_verify_the_server_and_a_plain_one_is_refused() {
    let Some((url, ca)) = tls_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The listener takes TLS only: in clear, the server refuses the connection; `prefer` (the
    // default) is in clear too (this library does no TLS it does not verify).
    for mode in ["sslmode=disable", "sslmode=prefer", ""] {
        match Crm::connect(&format!("{url} {mode}"), dir.path().join("a")) {
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Storage);
                assert!(e.to_string().contains("no encryption"), "{mode}: {e}");
            }
            Ok(_) => panic!("{mode}: connected in clear to a TLS-only listener"),
        }
    }
    // Its certificate is signed by an authority the system does not know: refused, even
    // with sslmode=require (libpq would encrypt without verifying), and the message says why.
    match Crm::connect(&format!("{url} sslmode=require"), dir.path().join("b")) {
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Storage);
            assert!(e.to_string().contains("certificate"), "{e}");
        }
        Ok(_) => panic!("an unknown authority's certificate was trusted"),
    }
    // libpq's words the client does not take are named (never their values).
    assert_invalid(
        Crm::connect(&format!("{url} sslmode=verify-full"), dir.path().join("b")),
        "url",
    );
    // With the authority: connected, encrypted, working.
    let crm =
        Crm::connect_with_ca(&format!("{url} sslmode=require"), dir.path().join("c"), &ca).unwrap();
    let t = tenant(&crm, &format!("tls-{}", uuid::Uuid::now_v7().simple()));
    t.create_customer(&actor(), customer("Tamsin", "Encrypted"))
        .unwrap();
    assert_eq!(
        t.search(&crm_core::CustomerQuery::text("tamsin"))
            .unwrap()
            .total,
        1
    );
    // A CA file asks for TLS: without sslmode it is required (the listener takes nothing
    // else), and sslmode=disable with it is a contradiction.
    Crm::connect_with_ca(&url, dir.path().join("c2"), &ca).unwrap();
    assert_invalid(
        Crm::connect_with_ca(
            &format!("{url} sslmode=disable"),
            dir.path().join("c3"),
            &ca,
        ),
        "url",
    );
    // The name checked is the host's: a certificate for localhost does not do for another
    // name, even at the same address.
    let other_name = url.replace("host=localhost", "host=crm-test.invalid");
    assert_kind(
        Crm::connect_with_ca(
            &format!("{other_name} sslmode=require"),
            dir.path().join("d"),
            &ca,
        ),
        ErrorKind::Storage,
    );
    // A CA file that is not one is refused before connecting.
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "just text").unwrap();
    assert_invalid(
        Crm::connect_with_ca(&url, dir.path().join("e"), &not_pem),
        "ca_file",
    );
    assert_kind(
        Crm::connect_with_ca(&url, dir.path().join("f"), dir.path().join("missing.pem")),
        ErrorKind::Io,
    );
}
