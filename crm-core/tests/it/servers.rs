//! Several application servers on one store: handles with an index folder each (on SQLite,
//! handles on one file), writing the same and different tenants at once. No change is lost,
//! the feed a reader follows meanwhile skips nothing, and every server's index converges.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use common::*;
use crm_core::{ChangeEvent, Crm, CustomerQuery, SearchPage, Tenant};

/// The names a search finds once it reflects every change committed before it: a search
/// takes other servers' writes in within a time budget and says what it left for the next
/// ones (`behind`), so the test searches again until nothing is left (2 s at most).
fn settled(t: &Tenant, query: &CustomerQuery) -> SearchPage {
    for _ in 0..100 {
        let page = t.search(query).unwrap();
        if page.behind == 0 {
            return page;
        }
        thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the index stays behind");
}

fn names(t: &Tenant, text: &str) -> Vec<String> {
    settled(t, &CustomerQuery::text(text))
        .items
        .into_iter()
        .map(|r| format!("{} {}", r.first_name, r.last_name))
        .collect()
}

#[test]
fn a_write_through_one_server_is_found_through_the_other() {
    let db = open();
    let one = db.server("index-one");
    let two = db.server("index-two");
    let (a1, a2) = (tenant(&one, "agency"), two.tenant("agency").unwrap());
    // Both indexes exist before the write: the second one catches up, it is not built anew.
    assert!(names(&a2, "zoltan").is_empty());
    let made = a1
        .create_customer(&actor(), customer("Zoltan", "Kodály"))
        .unwrap();
    assert_eq!(names(&a2, "zoltan"), ["Zoltan Kodály"]);
    // And back: an edit through the second is found through the first.
    a2.update_customer(
        &actor(),
        &made.id,
        made.version,
        customer("Zsófia", "Kodály"),
    )
    .unwrap();
    assert_eq!(names(&a1, "zsofia"), ["Zsófia Kodály"]);
    assert!(names(&a1, "zoltan").is_empty());
    // Another tenant of the second server sees none of it.
    assert!(names(&tenant(&two, "other"), "zsofia").is_empty());
}

/// A customer deleted or anonymised through one server is no longer found through the other,
/// and leaves that server's index folder at its `sync_index` (searches do not rewrite segments);
/// on SQLite the servers share one folder, which the erasing handle rewrites itself.
#[test]
fn an_erasure_through_one_server_leaves_the_other_servers_index_folder() {
    let db = open();
    let one = db.server("index-one");
    let two = db.server("index-two");
    let dpo = crm_core::Actor::new("dpo-1", crm_core::Role::Organisation);
    let a1 = tenant(&one, "agency");
    let a2 = two.tenant("agency").unwrap();
    let folder = match &db.url {
        Some(_) => db.dir.path().join("index-two"),
        None => {
            let mut d = db.path.clone().into_os_string();
            d.push(".index");
            d.into()
        }
    };
    let made = a1
        .create_customers(
            &actor(),
            vec![
                customer("Qwyzanon", "Gone"),
                customer("Qwyzdelete", "Gone"),
                customer("Bob", "Stander"),
            ],
        )
        .unwrap();
    assert_eq!(names(&a2, "gone").len(), 2);
    // The scan sees them while they are there (sorted names share their prefix: "qwyz").
    assert!(!files_holding(&folder, &["qwyz"]).is_empty());
    a1.anonymise(&dpo, &made[0].id, "asked").unwrap();
    a1.delete_customer(&dpo, &made[1].id).unwrap();
    assert!(names(&a2, "gone").is_empty());
    if db.url.is_some() {
        // Taken in by a search, still in the other server's segments...
        assert!(!files_holding(&folder, &["qwyz"]).is_empty());
    }
    // ... until its host's timer calls sync_index.
    two.sync_index().unwrap();
    let held = files_holding(&folder, &["qwyz"]);
    assert!(held.is_empty(), "{held:?}");
    assert_eq!(names(&a2, "stander"), ["Bob Stander"]);
    let held = files_holding(&folder, &["qwyz"]);
    assert!(held.is_empty(), "{held:?}");
}

/// Follows a tenant's feed until told to stop, then reads it to the end: what it saw.
fn follow(t: Tenant, stop: Arc<AtomicBool>) -> Vec<ChangeEvent> {
    let mut seen: Vec<ChangeEvent> = Vec::new();
    loop {
        let done = stop.load(Ordering::SeqCst);
        let after = seen.last().map_or(0, |e| e.seq);
        let page = t.changes_since(after, 500).unwrap();
        if page.is_empty() && done {
            return seen;
        }
        seen.extend(page);
    }
}

#[test]
fn servers_writing_at_once_lose_nothing_the_feed_skips_nothing_and_indexes_converge() {
    const ROUNDS: usize = 25;
    let db = open();
    let servers: Vec<Crm> = (0..2).map(|i| db.server(&format!("index-{i}"))).collect();
    for name in ["shared", "alone"] {
        tenant(&servers[0], name);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let t = servers[1].tenant("shared").unwrap();
        let stop = Arc::clone(&stop);
        thread::spawn(move || follow(t, stop))
    };
    // Two servers write the shared tenant, one of them also another tenant, all at once.
    let writers: Vec<_> = [(0, "shared"), (1, "shared"), (1, "alone")]
        .into_iter()
        .map(|(server, name)| {
            let t = servers[server].tenant(name).unwrap();
            thread::spawn(move || {
                for i in 0..ROUNDS {
                    let last = format!("S{server}{name}{i:02}");
                    let c = t
                        .create_customer(&actor(), customer("Writer", &last))
                        .unwrap();
                    t.upsert_booking(
                        &actor(),
                        booking_for(&format!("{last}-B"), "2026-07-14T08:30:00+02:00", &c),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    let followed = reader.join().unwrap();

    for name in ["shared", "alone"] {
        let writers = if name == "shared" { 2 } else { 1 };
        let feed = all_changes(&servers[0].tenant(name).unwrap());
        // The settings event, then a customer and a booking per round and writer.
        assert_eq!(feed.len(), 1 + 2 * ROUNDS * writers, "{name}");
        assert!(feed.windows(2).all(|w| w[1].seq > w[0].seq), "{name}");
        if db.url.is_some() {
            // PostgreSQL: each tenant's sequence counts from 1 without a gap.
            let seqs: Vec<i64> = feed.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (1..=feed.len() as i64).collect::<Vec<_>>(), "{name}");
        }
        if name == "shared" {
            // Read while the writers wrote, it holds every event, each once, in order.
            assert_eq!(followed, feed);
        }
        // Both servers' indexes hold every customer of the tenant.
        for server in &servers {
            let t = server.tenant(name).unwrap();
            let hits = settled(&t, &CustomerQuery::text("writer").limit(200));
            assert_eq!(hits.total as usize, ROUNDS * writers, "{name}");
            let found: BTreeSet<String> = hits.items.into_iter().map(|r| r.last_name).collect();
            assert_eq!(found.len(), ROUNDS * writers);
        }
    }
}
