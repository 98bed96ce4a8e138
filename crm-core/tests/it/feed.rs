//! The change feed's life: compaction of old events, the cursors that hold it back, readers
//! told (not left with a gap) when what they wanted was compacted, and search indexes that
//! fell behind the compaction rebuilding themselves.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Duration;

use common::*;
use crm_core::limits::MAX_FEED_CURSORS;
use crm_core::{Crm, CustomerQuery, Error, ErrorKind, FEED_RETENTION, Tenant};

/// A search of `text` once it reflects every change committed before it: a search takes other
/// handles' writes in within a time budget, and may leave some for the next one.
fn settled(t: &Tenant, text: &str) -> crm_core::SearchPage {
    for _ in 0..100 {
        let page = t.search(&CustomerQuery::text(text)).unwrap();
        if page.behind == 0 {
            return page;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the index stays behind");
}

/// Compacts with no retention: every event written so far is old enough (SQLite compares
/// times to the millisecond, keeping what is within one of the cutoff).
fn compact_now(crm: &Crm) -> crm_core::FeedCompaction {
    std::thread::sleep(Duration::from_millis(3));
    crm.compact_feeds(Duration::ZERO).unwrap()
}

fn made(t: &Tenant, n: usize) {
    for i in 0..n {
        t.create_customer(&actor(), customer(&format!("Anna{i}"), "Feedwalker"))
            .unwrap();
    }
}

#[test]
fn events_within_the_retention_are_kept() {
    let db = open();
    let t = db.tenant("agency");
    made(&t, 3);
    let before = all_changes(&t);
    let done = db.crm.compact_feeds(FEED_RETENTION).unwrap();
    assert_eq!((done.tenants, done.events), (0, 0));
    assert_eq!(all_changes(&t), before);
    assert_eq!(t.feed_bounds().unwrap().compacted, 0);
}

#[test]
fn old_events_are_removed_and_a_reader_behind_them_is_told() {
    let db = open();
    let t = db.tenant("agency");
    made(&t, 3);
    let head = last_seq(&t);
    assert_eq!(t.feed_bounds().unwrap().head, head);

    let done = compact_now(&db.crm);
    assert_eq!((done.tenants, done.events), (1, 4)); // settings + 3 customers

    let bounds = t.feed_bounds().unwrap();
    assert_eq!((bounds.compacted, bounds.head), (head, head));
    // A reader from the start would miss events: an error, never a silent gap.
    match t.changes_since(0, 100) {
        Err(Error::FeedCompacted { after, compacted }) => {
            assert_eq!((after, compacted), (0, head));
        }
        other => panic!("expected FeedCompacted, got {other:?}"),
    }
    assert_kind(t.changes_since(head - 1, 100), ErrorKind::FeedCompacted);
    // A reader at the head misses nothing, and goes on with what comes next.
    assert!(t.changes_since(head, 100).unwrap().is_empty());
    made(&t, 1);
    let next = t.changes_since(head, 100).unwrap();
    assert_eq!(next.len(), 1);
    assert!(next[0].seq > head);
    // The head never goes back, even with every event removed.
    compact_now(&db.crm);
    let after = t.feed_bounds().unwrap();
    assert_eq!((after.compacted, after.head), (next[0].seq, next[0].seq));
    assert_eq!(
        db.reopen().tenant("agency").unwrap().feed_bounds().unwrap(),
        after
    );
}

#[test]
fn a_registered_cursor_keeps_what_its_reader_has_not_taken_in() {
    let db = open();
    let t = db.tenant("agency");
    made(&t, 4);
    let events = all_changes(&t);
    let reader_at = events[2].seq;
    t.set_feed_cursor("warehouse", reader_at).unwrap();
    t.set_feed_cursor("mailer", events[3].seq).unwrap();

    let done = compact_now(&db.crm);
    assert_eq!(done.events, 3);
    assert_eq!(t.feed_bounds().unwrap().compacted, reader_at);
    // The slowest reader reads on where it was.
    assert_eq!(
        t.changes_since(reader_at, 100).unwrap(),
        events[3..].to_vec()
    );
    // It moves on: compaction follows it.
    t.set_feed_cursor("warehouse", events[4].seq).unwrap();
    compact_now(&db.crm);
    assert_eq!(t.feed_bounds().unwrap().compacted, events[3].seq);
    // The mailer is dropped: nothing holds the feed any more.
    assert!(t.remove_feed_cursor("mailer").unwrap());
    assert!(!t.remove_feed_cursor("mailer").unwrap());
    compact_now(&db.crm);
    assert_eq!(t.feed_bounds().unwrap().compacted, events[4].seq);

    let cursors = t.feed_cursors().unwrap();
    assert_eq!(cursors.len(), 1);
    assert_eq!(
        (cursors[0].name.as_str(), cursors[0].seq),
        ("warehouse", events[4].seq)
    );
}

#[test]
fn a_cursor_is_checked() {
    let db = open();
    let t = db.tenant("agency");
    made(&t, 2);
    let head = t.feed_bounds().unwrap().head;
    assert_invalid(t.set_feed_cursor("", 0), "name");
    assert_invalid(t.set_feed_cursor("a\nb", 0), "name");
    assert_invalid(t.set_feed_cursor(&"x".repeat(101), 0), "name");
    assert_invalid(t.set_feed_cursor("reader", -1), "seq");
    assert_invalid(t.set_feed_cursor("reader", head + 1), "seq");
    assert_invalid(t.remove_feed_cursor("a\0b"), "name");
    assert!(t.feed_cursors().unwrap().is_empty());
    // A name is trimmed as stored.
    t.set_feed_cursor("  reader ", head).unwrap();
    assert_eq!(t.feed_cursors().unwrap()[0].name, "reader");
    // A reader cannot register behind what was already compacted: it has missed events.
    t.remove_feed_cursor("reader").unwrap();
    compact_now(&db.crm);
    assert_kind(
        t.set_feed_cursor("late", head - 1),
        ErrorKind::FeedCompacted,
    );
    t.set_feed_cursor("late", head).unwrap();
    // At most MAX_FEED_CURSORS per tenant; moving one of them is not a new one.
    for i in 1..MAX_FEED_CURSORS {
        t.set_feed_cursor(&format!("reader-{i}"), head).unwrap();
    }
    assert_invalid(t.set_feed_cursor("one-too-many", head), "name");
    t.set_feed_cursor("late", head).unwrap();
}

#[test]
fn one_tenants_cursors_and_compaction_leave_another_tenant_alone() {
    let db = open();
    let (a, b) = (db.tenant("agency-a"), db.tenant("agency-b"));
    made(&a, 2);
    made(&b, 2);
    let b_events = all_changes(&b);
    // B's reader holds B's feed, not A's.
    b.set_feed_cursor("reader", 0).unwrap();
    a.set_feed_cursor("other", a.feed_bounds().unwrap().head)
        .unwrap();
    let done = compact_now(&db.crm);
    assert_eq!((done.tenants, done.events), (1, 3));
    assert_eq!(all_changes(&b), b_events);
    assert_kind(a.changes_since(0, 10), ErrorKind::FeedCompacted);
    // Cursors are per tenant: same names, no clash, nothing seen across.
    assert_eq!(b.feed_cursors().unwrap()[0].name, "reader");
    assert_eq!(a.feed_cursors().unwrap()[0].name, "other");
    assert!(!b.remove_feed_cursor("other").unwrap());
    assert_eq!(a.feed_cursors().unwrap().len(), 1);
    assert_eq!(b.feed_bounds().unwrap().compacted, 0);
}

#[test]
fn a_search_index_behind_the_compaction_rebuilds_itself() {
    let db = open();
    let one = db.server("index-one");
    let two = db.server("index-two");
    let (a1, a2) = (tenant(&one, "agency"), two.tenant("agency").unwrap());
    let kept = a1
        .create_customer(&actor(), customer("Ottilie", "Brandauer"))
        .unwrap();
    // Both indexes are current.
    assert_eq!(settled(&a2, "ottilie").total, 1);
    assert_eq!(settled(&a1, "ottilie").total, 1);
    // The second server is down while the first writes and the feed is compacted.
    a1.update_customer(
        &actor(),
        &kept.id,
        kept.version,
        customer("Ottavia", "Brandauer"),
    )
    .unwrap();
    let gone = a1
        .create_customer(&actor(), customer("Gunnar", "Brandauer"))
        .unwrap();
    a1.delete_customer(&actor(), &gone.id).unwrap();
    a1.create_customer(&actor(), customer("Leopold", "Brandauer"))
        .unwrap();
    compact_now(&one);
    // Back up: what it had not taken in is found (on PostgreSQL the events are gone, so it
    // rebuilds from the customers; on SQLite the index is the file's, which the compacting
    // handle brought up to date first).
    let page = settled(&a2, "brandauer");
    let mut names: Vec<_> = page.items.iter().map(|r| r.first_name.clone()).collect();
    names.sort();
    assert_eq!(names, ["Leopold", "Ottavia"]);
    // Writes after it are taken in as usual.
    a1.create_customer(&actor(), customer("Wanda", "Brandauer"))
        .unwrap();
    assert_eq!(settled(&a2, "wanda").total, 1);
    two.sync_index().unwrap();
}

#[test]
fn a_personal_data_export_lists_the_changes_still_kept() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(&actor(), customer("Ines", "Kohlhaas"))
        .unwrap();
    compact_now(&db.crm);
    t.update_customer(&actor(), &c.id, c.version, customer("Ines", "Kohlhase"))
        .unwrap();
    let export = t.export_personal_data(&actor(), &c.id).unwrap();
    assert_eq!(export.changes.len(), 1);
    assert_eq!(
        export.changes[0].kind,
        crm_core::ChangeKind::CustomerUpdated
    );
}

#[test]
fn a_long_feed_goes_in_batches_and_stops_at_a_cursor_inside_one() {
    let db = open();
    let t = db.tenant("agency");
    let people: Vec<_> = (0..10_050)
        .map(|i| customer(&format!("Bulk{i}"), "Feedwalker"))
        .collect();
    t.create_customers(&actor(), people).unwrap();
    let events = all_changes(&t);
    assert_eq!(events.len(), 10_051);
    // A reader inside a later batch's range holds the rest.
    let reader_at = events[10_020].seq;
    t.set_feed_cursor("reader", reader_at).unwrap();
    let done = compact_now(&db.crm);
    assert_eq!((done.tenants, done.events), (1, 10_021));
    assert_eq!(t.feed_bounds().unwrap().compacted, reader_at);
    assert_eq!(
        t.changes_since(reader_at, 10_000).unwrap(),
        events[10_021..]
    );
    t.remove_feed_cursor("reader").unwrap();
    assert_eq!(compact_now(&db.crm).events, 30);
}

#[test]
fn only_events_older_than_the_retention_go() {
    let db = open();
    let t = db.tenant("agency");
    made(&t, 3);
    let old = all_changes(&t);
    std::thread::sleep(Duration::from_millis(150));
    let between = std::time::Instant::now();
    std::thread::sleep(Duration::from_millis(150));
    made(&t, 2);
    let recent = changes_after(&t, old.last().unwrap().seq);
    assert_eq!(recent.len(), 2);
    // Keep what is younger than the moment between the two: the first events go.
    let done = db.crm.compact_feeds(between.elapsed()).unwrap();
    assert_eq!(done.events, old.len() as u64);
    assert_eq!(t.feed_bounds().unwrap().compacted, old.last().unwrap().seq);
    assert_eq!(
        t.changes_since(old.last().unwrap().seq, 100).unwrap(),
        recent
    );
    // Run again with the same retention: nothing more is old enough.
    assert_eq!(db.crm.compact_feeds(between.elapsed()).unwrap().events, 0);
}
