//! Persistence: data survives closing and reopening the file; files that are not ours, or are
//! newer than this library, are refused with a Storage error rather than a panic.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;

use common::*;
use crm_core::{
    Crm, CustomerListQuery, CustomerSort, Error, ErrorKind, NewCustomer, TenantSettings,
};

/// `PRAGMA application_id` of our files ("CRM1").
const APPLICATION_ID: i64 = 0x4352_4D31;

fn pragma(path: &Path, name: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

fn set_pragma(path: &Path, name: &str, value: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, name, value).unwrap();
}

#[test]
fn data_survives_close_and_reopen() {
    let db = open_sqlite();
    let refs = ["BK-1", "BK-2", "BK-3"];
    let (before_a, before_b) = {
        let a = db.tenant("agency-a");
        let b = db.tenant("agency-b");
        b.set_settings(&actor(), TenantSettings::with_region("DE"))
            .unwrap();
        let (made, _) = crm_bench::Synth::new(3, "A")
            .populate(&a, &actor(), 25, 3)
            .unwrap();
        let c = a
            .create_customer(
                &actor(),
                NewCustomer {
                    mobile: Some("06 12 34 56 78".into()),
                    ..customer_with_email("Hélène", "Dupont", "h@example.fr")
                },
            )
            .unwrap();
        let mut bk = booking_for("BK-1", "2026-07-14T08:30:00.123456789+05:45", &c);
        bk.invoices = vec![invoice(
            "F-1",
            crm_core::limits::MAX_AMOUNT_MINOR as i64,
            "EUR",
        )];
        a.upsert_booking(&actor(), bk).unwrap();
        a.upsert_booking(&actor(), booking("BK-2", "2026-07-14T08:30:00-03:00"))
            .unwrap();
        let mut edit = c.edit();
        edit.company = Some("Dupont SARL".into());
        a.update_customer(&actor(), &c.id, c.version, edit).unwrap();
        a.delete_customer(&actor(), &made[0].id).unwrap();
        b.capture_booking(
            &actor(),
            customer_with_email("Jürgen", "Müller", "j@example.de"),
            booking("BK-3", "2026-08-01T10:00:00+02:00"),
        )
        .unwrap();
        (snapshot(&a, &refs), snapshot(&b, &refs))
    };
    let path = db.path.clone();
    let dir = db.dir;
    drop(db.crm); // the last handle: the file is closed

    let crm = Crm::open(&path).unwrap();
    let a = crm.tenant("agency-a").unwrap();
    let b = crm.tenant("agency-b").unwrap();
    assert_eq!(snapshot(&a, &refs), before_a);
    assert_eq!(snapshot(&b, &refs), before_b);
    assert_eq!(b.settings().unwrap().default_region.as_deref(), Some("DE"));
    assert_eq!(before_a.total, 25);
    // Sequences continue where they were.
    let next = a
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    assert_eq!(next.customer_no, 27);
    let last = before_a.changes.last().unwrap().seq;
    assert!(a.changes_since(last, 10).unwrap()[0].seq > last);
    // And the new write survives another reopen.
    drop((a, b, crm));
    let crm = Crm::open(&path).unwrap();
    let a = crm.tenant("agency-a").unwrap();
    assert_eq!(a.get_customer_by_no(27).unwrap(), next);
    drop(dir);
}

#[test]
fn a_new_file_is_marked_as_ours_with_the_current_schema_version() {
    let db = open_sqlite();
    assert!(db.path.exists());
    assert_eq!(pragma(&db.path, "user_version"), Crm::schema_version());
    assert_eq!(pragma(&db.path, "application_id"), APPLICATION_ID);
    assert!(Crm::schema_version() >= 1);
    // Reopening an up-to-date file changes neither.
    drop(db.reopen());
    assert_eq!(pragma(&db.path, "user_version"), Crm::schema_version());
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    let db = open_sqlite();
    let a1 = db.tenant("agency");
    let other = db.reopen();
    let a2 = other.tenant("agency").unwrap();
    let c = a1
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    assert_eq!(a2.get_customer(&c.id).unwrap(), c);
    a2.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c),
    )
    .unwrap();
    assert_eq!(a1.customer_stats(&c.id).unwrap().bookings, 1);
    let d = a2
        .create_customer(&actor(), customer("Théo", "Girard"))
        .unwrap();
    assert_eq!(d.customer_no, 2, "numbers stay sequential across handles");
}

#[test]
fn a_file_written_by_a_newer_version_is_refused() {
    let db = open_sqlite();
    let t = db.tenant("agency");
    let c = t
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    let path = db.path.clone();
    let dir = db.dir;
    drop((t, db.crm));

    let newer = Crm::schema_version() + 3;
    set_pragma(&path, "user_version", newer);
    let bytes = std::fs::read(&path).unwrap();
    let err = Crm::open(&path).unwrap_err();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "a refused file was modified"
    );
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    match &err {
        Error::SchemaTooNew { found, supported } => {
            assert_eq!((*found, *supported), (newer, Crm::schema_version()));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("newer"), "{err}");
    // The file was left alone: back at our version, it opens with its data.
    assert_eq!(pragma(&path, "user_version"), newer);
    set_pragma(&path, "user_version", Crm::schema_version());
    let crm = Crm::open(&path).unwrap();
    assert_eq!(
        crm.tenant("agency").unwrap().get_customer(&c.id).unwrap(),
        c
    );
    drop(dir);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_with_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in [
        (
            "text.db",
            b"these are not the records you are looking for\n".repeat(200),
        ),
        ("zeros.db", vec![0u8; 8192]),
        ("header-only.db", b"SQLite format 3\0garbage".to_vec()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &content).unwrap();
        let result = std::panic::catch_unwind(|| Crm::open(&path));
        let err = result
            .expect("opening a non-SQLite file panicked")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage, "{name}: {err}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            content,
            "{name} was modified"
        );
    }
}

#[test]
fn an_sqlite_file_of_another_application_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER); INSERT INTO invoices VALUES (1, 42);")
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let err = Crm::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(!matches!(err, Error::SchemaTooNew { .. }));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the foreign file was modified (journal mode?)"
    );
    assert!(!dir.path().join("other.db-wal").exists());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let total: i64 = conn
        .query_row("SELECT total FROM invoices WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, 42);
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "our tables were added to a foreign file");
    assert_eq!(pragma(&path, "user_version"), 0);
}

#[test]
fn a_path_that_cannot_be_opened_is_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing_dir = dir
        .path()
        .join("no")
        .join("such")
        .join("dir")
        .join("crm.db");
    let err = Crm::open(&missing_dir).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(!missing_dir.exists());
    // A directory is not a database file.
    let err = Crm::open(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
}

#[test]
fn an_empty_file_becomes_a_new_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let crm = Crm::open(&path).unwrap();
    let t = tenant(&crm, "agency");
    let c = t
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    assert_eq!(c.customer_no, 1);
    assert_eq!(pragma(&path, "application_id"), APPLICATION_ID);
}

#[test]
fn a_damaged_file_fails_with_storage_errors_not_panics() {
    let db = open_sqlite();
    let t = db.tenant("agency");
    crm_bench::Synth::new(9, "D")
        .populate(&t, &actor(), 300, 3)
        .unwrap();
    let path = db.path.clone();
    let dir = db.dir;
    drop((t, db.crm));
    // Overwrite everything after the first page (the schema survives, the data does not).
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.len() > 3 * 4096,
        "the file is too small to damage meaningfully"
    );
    for (i, b) in bytes.iter_mut().enumerate().skip(4096) {
        *b = (i * 7 % 251) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();

    let outcome = std::panic::catch_unwind(|| -> Vec<ErrorKind> {
        let crm = match Crm::open(&path) {
            Ok(crm) => crm,
            Err(e) => return vec![e.kind()],
        };
        let Ok(t) = crm.tenant("agency") else {
            return vec![ErrorKind::Validation];
        };
        let mut kinds = Vec::new();
        let mut note = |r: Result<(), crm_core::Error>| kinds.push(r.err().map(|e| e.kind()));
        note(
            t.list_customers(&CustomerListQuery::new(CustomerSort::Name))
                .map(drop),
        );
        note(t.get_customer_by_no(1).map(drop));
        note(t.changes_since(0, 100).map(drop));
        note(
            t.create_customer(&actor(), customer("Zoé", "Moreau"))
                .map(drop),
        );
        kinds.into_iter().flatten().collect()
    });
    let kinds = outcome.expect("a damaged file made the library panic");
    assert!(!kinds.is_empty(), "the damage went unnoticed");
    for kind in kinds {
        assert!(
            matches!(kind, ErrorKind::Storage | ErrorKind::NotFound),
            "a damaged file gave a {kind} error"
        );
    }
    drop(dir);
}
