//! Schedules of saved searches: what is due when, `run_due` running each slot once (exports
//! into the host's folder, outreach lists), "only new", failures released and retried, runs
//! recorded, and another tenant's schedules out of reach.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{DateTime, Duration, NaiveTime, Utc, Weekday};
use common::*;
use crm_core::{
    Channel, Consent, CustomerQuery, ExportColumn, ExportFormat, NewCustomer, Repeat, Schedule,
    ScheduleAction, SearchPeriod, Tenant, TenantSettings,
};

fn lyon(t: &Tenant, first: &str, email: &str, consent: bool) -> crm_core::Customer {
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    t.create_customer(
        &actor(),
        NewCustomer {
            address: crm_core::Address {
                city: Some("Lyon".into()),
                ..Default::default()
            },
            consent: Consent {
                email: consent.then_some(at),
                sms: None,
            },
            ..customer_with_email(first, "Voyageur", email)
        },
    )
    .unwrap()
}

fn weekly_csv() -> Schedule {
    Schedule::new(
        Repeat::Weekly(Weekday::Mon),
        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        ScheduleAction::Export {
            format: ExportFormat::Csv,
            columns: vec![ExportColumn::FirstName, ExportColumn::Email],
            bom: false,
        },
    )
    .only_new(true)
}

/// Anne in Lyon, a saved search of Lyon with the weekly CSV schedule.
fn weekly_lyon(t: &Tenant) -> (crm_core::SavedSearch, crm_core::ScheduleInfo) {
    lyon(t, "Anne", "anne@example.fr", true);
    let search = t
        .save_search(&actor(), "Lyon", &CustomerQuery::all().city("Lyon"))
        .unwrap();
    let info = t
        .set_schedule(&actor(), &search.id, Some(&weekly_csv()))
        .unwrap()
        .unwrap();
    (search, info)
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_weekly_export_runs_once_per_slot_with_the_new_matches() {
    let db = open();
    let t = db.tenant("agency");
    t.set_settings(
        &actor(),
        TenantSettings::default().with_time_zone("Europe/Paris"),
    )
    .unwrap();
    lyon(&t, "Anne", "anne@example.fr", true);
    lyon(&t, "Bob", "bob@example.fr", false);
    let search = t
        .save_search(&actor(), "Lyon weekly", &CustomerQuery::all().city("Lyon"))
        .unwrap();
    let info = t
        .set_schedule(&actor(), &search.id, Some(&weekly_csv()))
        .unwrap()
        .unwrap();
    assert_eq!(info.schedule, weekly_csv());
    assert_eq!(info.last_run, None);
    // The first slot is the first Monday 08:00 in Paris after it was set.
    let first = info.next_slot.unwrap();
    let paris: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
    let local = first.with_timezone(&paris);
    assert_eq!(local.format("%a %H:%M").to_string(), "Mon 08:00");
    assert!(first > info.set_at && first - info.set_at <= Duration::days(7));

    let dir = tempfile::tempdir().unwrap();
    assert!(
        t.due_schedules(first - Duration::minutes(1))
            .unwrap()
            .is_empty()
    );
    let now = first + Duration::hours(1);
    let due = t.due_schedules(now).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].search.id, due[0].slot), (search.id, first));

    let runs = t.run_due(&actor(), now, dir.path()).unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!((run.total, run.new, run.rows), (2, 2, 2));
    assert_eq!(run.error, None);
    let file = run.file.clone().unwrap();
    assert_eq!(file.parent(), Some(dir.path()));
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with(&format!("lyon-weekly_{}_0800_", local.format("%Y-%m-%d"))),
        "{name}"
    );
    let mut got = lines(&file);
    got[1..].sort();
    assert_eq!(
        got,
        [
            "first_name,email",
            "Anne,anne@example.fr",
            "Bob,bob@example.fr"
        ]
    );
    // Called again for the same slot (or later that week): nothing runs.
    assert!(t.run_due(&actor(), now, dir.path()).unwrap().is_empty());
    assert!(
        t.run_due(&actor(), now + Duration::days(3), dir.path())
            .unwrap()
            .is_empty()
    );
    assert!(t.due_schedules(now).unwrap().is_empty());

    // A week later: only the customer new since.
    lyon(&t, "Carl", "carl@example.fr", true);
    let second = first + Duration::days(7);
    let runs = t
        .run_due(&actor(), second + Duration::minutes(5), dir.path())
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].total, runs[0].new, runs[0].rows), (3, 1, 1));
    let file2 = runs[0].file.clone().unwrap();
    assert_ne!(file2, file);
    assert_eq!(lines(&file2), ["first_name,email", "Carl,carl@example.fr"]);

    // The runs are recorded, latest first; the schedule lists its latest.
    let recorded = t.schedule_runs(&search.id, 10).unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!((recorded[0].slot, recorded[0].rows), (second, Some(1)));
    assert_eq!((recorded[1].slot, recorded[1].rows), (first, Some(2)));
    assert_eq!(recorded[1].file.as_deref(), Some(name.as_str()));
    assert_eq!(recorded[0].ran_by, actor().user_id);
    assert!(recorded.iter().all(|r| r.finished_at.is_some()));
    let listed = t.schedules().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_run.as_ref().unwrap().slot, second);
    assert_invalid(t.schedule_runs(&search.id, 0), "limit");
}

#[test]
fn every_match_with_relative_periods_read_on_the_run_day() {
    let db = open();
    let t = db.tenant("agency");
    let today = Utc::now().date_naive();
    let soon = lyon(&t, "Soon", "soon@example.fr", true);
    let later = lyon(&t, "Later", "later@example.fr", true);
    let at = |n: i64| format!("{}T12:00:00Z", today + Duration::days(n));
    t.upsert_booking(&actor(), booking_for("B-1", &at(2), &soon))
        .unwrap();
    t.upsert_booking(&actor(), booking_for("B-2", &at(20), &later))
        .unwrap();
    let query =
        CustomerQuery::all().within(SearchPeriod::Departure, "next 7 days".parse().unwrap());
    let search = t.save_search(&actor(), "Departing", &query).unwrap();
    let daily = Schedule::new(
        Repeat::Daily,
        NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
        ScheduleAction::export(ExportFormat::Xlsx),
    );
    t.set_schedule(&actor(), &search.id, Some(&daily)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Run a fortnight on: "next 7 days" from then finds the later trip, not the sooner one.
    let now: DateTime<Utc> = Utc::now() + Duration::days(15);
    let runs = t.run_due(&actor(), now, dir.path()).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].total, runs[0].rows), (1, 1));
    let file = runs[0].file.clone().unwrap();
    assert!(file.to_str().unwrap().ends_with(".xlsx"));
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    // Only the latest missed slot ran: nothing more is due that day.
    assert!(t.due_schedules(now).unwrap().is_empty());
}

#[test]
fn an_outreach_schedule_lists_who_may_be_written_to() {
    let db = open();
    let t = db.tenant("agency");
    lyon(&t, "Anne", "anne@example.fr", true);
    lyon(&t, "Bob", "bob@example.fr", false);
    let search = t
        .save_search(&actor(), "Lyon", &CustomerQuery::all().city("Lyon"))
        .unwrap();
    let monthly = |template: Option<&str>| {
        Schedule::new(
            Repeat::Monthly(31),
            NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
            ScheduleAction::Outreach {
                channel: Channel::Email,
                template: template.map(Into::into),
            },
        )
    };
    // The template must exist, of the channel's kind.
    assert_invalid(
        t.set_schedule(&actor(), &search.id, Some(&monthly(Some("Monthly")))),
        "template",
    );
    t.save_template(
        &actor(),
        crm_core::NewTemplate::new("Text", crm_core::TemplateKind::Sms, "Hi"),
    )
    .unwrap();
    assert_invalid(
        t.set_schedule(&actor(), &search.id, Some(&monthly(Some("Text")))),
        "template",
    );
    t.save_template(
        &actor(),
        crm_core::NewTemplate::new(
            "Monthly",
            crm_core::TemplateKind::Email,
            "Hello {{ customer.first_name }}",
        )
        .subject("News"),
    )
    .unwrap();
    let monthly = monthly(Some("Monthly"));
    let info = t
        .set_schedule(&actor(), &search.id, Some(&monthly))
        .unwrap()
        .unwrap();
    let slot = info.next_slot.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runs = t.run_due(&actor(), slot, dir.path()).unwrap();
    assert_eq!(runs.len(), 1);
    let outreach = runs[0].outreach.as_ref().unwrap();
    assert_eq!(outreach.recipients.len(), 1);
    assert_eq!(outreach.recipients[0].address, "anne@example.fr");
    assert_eq!(outreach.skipped.no_consent, 1);
    assert_eq!((runs[0].rows, runs[0].file.as_ref()), (1, None));
    // Rendered for each recipient.
    assert_eq!(runs[0].messages.len(), 1);
    assert_eq!(runs[0].messages[0].text, "Hello Anne");
    assert_eq!(runs[0].messages[0].subject.as_deref(), Some("News"));
    assert!(runs[0].failed.is_empty());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn a_failed_run_is_reported_released_and_run_again() {
    let db = open();
    let t = db.tenant("agency");
    let (search, info) = weekly_lyon(&t);
    let slot = info.next_slot.unwrap();
    let now = slot + Duration::minutes(1);
    let dir = tempfile::tempdir().unwrap();
    // The folder cannot take the file: a folder stands where its partial file would go.
    let probe = t.run_due(&actor(), now, dir.path()).unwrap();
    let name = probe[0].file.clone().unwrap();
    // That first run succeeded; make the next slot fail instead.
    lyon(&t, "Bea", "bea@example.fr", true);
    let next = slot + Duration::days(7);
    let next_name = name.file_name().unwrap().to_str().unwrap().replace(
        &slot
            .with_timezone(&chrono_tz::UTC)
            .format("%Y-%m-%d")
            .to_string(),
        &next.format("%Y-%m-%d").to_string(),
    );
    let blocker = dir.path().join(format!("{next_name}.partial"));
    std::fs::create_dir(&blocker).unwrap();
    let failed = t
        .run_due(&actor(), next + Duration::minutes(1), dir.path())
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].error.is_some(), "{failed:?}");
    assert_eq!((failed[0].rows, failed[0].file.as_ref()), (0, None));
    // Released: still due, and runs with the same new customers once the folder is fixed.
    assert_eq!(
        t.due_schedules(next + Duration::minutes(2)).unwrap().len(),
        1
    );
    std::fs::remove_dir(&blocker).unwrap();
    let again = t
        .run_due(&actor(), next + Duration::minutes(2), dir.path())
        .unwrap();
    assert_eq!(again[0].error, None);
    assert_eq!(again[0].rows, 1);
    assert_eq!(
        lines(again[0].file.as_ref().unwrap()),
        ["first_name,email", "Bea,bea@example.fr"]
    );
    assert_eq!(t.schedule_runs(&search.id, 10).unwrap().len(), 2);
    assert_invalid(
        t.run_due(&actor(), now, dir.path().join("missing")),
        "out_dir",
    );
}

#[test]
fn two_callers_at_once_run_a_slot_once() {
    let db = open();
    let t = db.tenant("agency");
    let (search, info) = weekly_lyon(&t);
    let now = info.next_slot.unwrap() + Duration::minutes(1);
    let dir = tempfile::tempdir().unwrap();
    let produced: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let t = t.clone();
                let dir = dir.path().to_owned();
                s.spawn(move || t.run_due(&actor(), now, &dir).unwrap().len())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(produced, 1);
    assert_eq!(t.schedule_runs(&search.id, 10).unwrap().len(), 1);
}

#[test]
fn schedules_are_checked_kept_per_tenant_and_go_with_their_search() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    lyon(&t, "Anne", "anne@example.fr", true);
    let search = t
        .save_search(&actor(), "Lyon", &CustomerQuery::all().city("Lyon"))
        .unwrap();
    let at = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    let export = || ScheduleAction::export(ExportFormat::Csv);
    assert_invalid(
        t.set_schedule(
            &actor(),
            &search.id,
            Some(&Schedule::new(Repeat::Monthly(0), at, export())),
        ),
        "day",
    );
    assert_invalid(
        t.set_schedule(
            &actor(),
            &search.id,
            Some(&Schedule::new(
                Repeat::Daily,
                NaiveTime::from_hms_opt(8, 0, 30).unwrap(),
                export(),
            )),
        ),
        "at",
    );
    assert_invalid(
        t.set_schedule(
            &actor(),
            &search.id,
            Some(&Schedule::new(
                Repeat::Daily,
                at,
                ScheduleAction::Export {
                    format: ExportFormat::Csv,
                    columns: vec![],
                    bom: false,
                },
            )),
        ),
        "columns",
    );
    assert_eq!(t.schedule(&search.id).unwrap(), None);
    let info = t
        .set_schedule(&actor(), &search.id, Some(&weekly_csv()))
        .unwrap()
        .unwrap();
    let now = info.next_slot.unwrap() + Duration::minutes(1);
    let dir = tempfile::tempdir().unwrap();

    // Another tenant reaches none of it.
    use crm_core::ErrorKind::NotFound;
    assert_kind(
        other.set_schedule(&actor(), &search.id, Some(&weekly_csv())),
        NotFound,
    );
    assert_kind(other.set_schedule(&actor(), &search.id, None), NotFound);
    assert_kind(other.schedule(&search.id), NotFound);
    assert_kind(other.schedule_runs(&search.id, 10), NotFound);
    assert!(other.schedules().unwrap().is_empty());
    assert!(other.due_schedules(now).unwrap().is_empty());
    assert!(other.run_due(&actor(), now, dir.path()).unwrap().is_empty());
    assert_eq!(t.due_schedules(now).unwrap().len(), 1);

    // Removed, it is no longer due; set again, it starts afresh; it goes with its search.
    assert_eq!(t.set_schedule(&actor(), &search.id, None).unwrap(), None);
    assert!(t.due_schedules(now).unwrap().is_empty());
    t.set_schedule(&actor(), &search.id, Some(&weekly_csv()))
        .unwrap();
    assert_eq!(t.schedules().unwrap().len(), 1);
    t.delete_saved_search(&actor(), &search.id).unwrap();
    assert!(t.schedules().unwrap().is_empty());
    assert_kind(t.schedule(&search.id), NotFound);
    // A schedule change is in the change feed.
    let kinds: Vec<String> = all_changes(&t).iter().map(|e| e.kind.to_string()).collect();
    assert!(kinds.iter().filter(|k| *k == "saved_search_saved").count() >= 4);
}
