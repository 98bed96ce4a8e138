//! Schedules: a saved search that runs by itself (daily, weekly on a weekday, monthly on a day,
//! at a local time in the tenant's time zone) and what each run produces (an export file, an
//! outreach list); which slot is due at a given instant; the name of a run's file.
//!
//! Nothing runs in the background: the host calls
//! [`Tenant::run_due`](crate::Tenant::run_due) from its own timer.

use std::path::PathBuf;

use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::exchange::{ExportColumn, ExportFormat};
use crate::model::period::local_day;
use crate::model::{Channel, Outreach, SavedSearch, SavedSearchId, ScheduleRun};

/// How often a schedule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Repeat {
    /// ScheduleEvery day.
    Daily,
    /// ScheduleEvery week on this weekday.
    Weekly(Weekday),
    /// ScheduleEvery month on this day (1 to 31; in a shorter month, its last day).
    Monthly(u32),
}

/// What a scheduled run produces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScheduleAction {
    /// A file of the customers in the folder given to
    /// [`run_due`](crate::Tenant::run_due), named for the search and the slot.
    Export {
        /// CSV or XLSX.
        format: ExportFormat,
        /// The columns, in order.
        columns: Vec<ExportColumn>,
        /// CSV: start with a UTF-8 byte order mark (for Excel).
        bom: bool,
    },
    /// The customers who may be written to on a channel (consent, address, suppression as
    /// [`outreach`](crate::Tenant::outreach) checks them), returned to the host.
    Outreach {
        /// Email or SMS.
        channel: Channel,
        /// A template to render for each recipient (its kind the channel's: email or SMS),
        /// returned in [`ScheduledRun::messages`]; `None` for the recipients only.
        template: Option<String>,
    },
}

impl ScheduleAction {
    /// An export in `format` of every column.
    pub fn export(format: ExportFormat) -> Self {
        Self::Export {
            format,
            columns: ExportColumn::ALL.to_vec(),
            bom: false,
        }
    }
}

/// When a saved search runs by itself and what it then produces
/// ([`Tenant::set_schedule`](crate::Tenant::set_schedule)).
///
/// ```
/// use chrono::{NaiveTime, Weekday};
/// use crm_core::{ExportFormat, Repeat, Schedule, ScheduleAction};
/// // Mondays at 08:00 in the tenant's time zone, the customers new since the previous run.
/// let weekly = Schedule::new(
///     Repeat::Weekly(Weekday::Mon),
///     NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
///     ScheduleAction::export(ExportFormat::Csv),
/// )
/// .only_new(true);
/// ```
///
/// Its serialised form (JSON, as stored and as the C face takes it) is flat:
/// `{"every": "week", "weekday": "monday", "day": null, "at": "08:00", "action": "export",
/// "format": "csv", "columns": ["customer_no", "email"], "bom": false, "channel": null,
/// "only_new": true}` (`every`: `day`, `week` or `month`; `day` 1 to 31 for a monthly one;
/// `action`: `export` with `format` and `columns` (empty or absent: all), or `outreach` with
/// `channel` and optionally `template`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Wire", into = "Wire")]
#[non_exhaustive]
pub struct Schedule {
    /// How often.
    pub repeat: Repeat,
    /// The local time of day (hours and minutes) in the tenant's time zone. A time skipped by a
    /// daylight-saving change runs when the skipped hour ends; one met twice runs the first time.
    pub at: NaiveTime,
    /// What each run produces.
    pub action: ScheduleAction,
    /// Only the customers that newly match since the previous run (everyone on the first);
    /// otherwise every customer the search finds.
    pub only_new: bool,
}

impl Schedule {
    /// A schedule of every match (see [`only_new`](Self::only_new)).
    pub fn new(repeat: Repeat, at: NaiveTime, action: ScheduleAction) -> Self {
        Self {
            repeat,
            at,
            action,
            only_new: false,
        }
    }

    /// Only the customers new since the previous run, or all.
    pub fn only_new(self, only_new: bool) -> Self {
        Self { only_new, ..self }
    }

    /// Checks the day of month, the time (whole minutes) and the export's columns.
    pub(crate) fn validate(&self) -> Result<()> {
        if let Repeat::Monthly(day) = self.repeat
            && !(1..=31).contains(&day)
        {
            return Err(Error::validation("day", "must be between 1 and 31"));
        }
        if self.at.second() != 0 || self.at.nanosecond() != 0 {
            return Err(Error::validation("at", "must be whole minutes (HH:MM)"));
        }
        if let ScheduleAction::Export { columns, bom, .. } = &self.action {
            crate::ExportOptions::all()
                .columns(columns.iter().copied())
                .bom(*bom)
                .validate()?;
        }
        Ok(())
    }

    /// The instant of this schedule's run on local day `day` in `tz`, if it runs that day.
    fn on(&self, day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
        let runs = match self.repeat {
            Repeat::Daily => true,
            Repeat::Weekly(weekday) => day.weekday() == weekday,
            Repeat::Monthly(d) => day.day() == d.min(last_day_of_month(day)?),
        };
        if !runs {
            return None;
        }
        local_instant(day, self.at, tz)
    }

    /// The latest slot at or before `now`: the instant of the latest run due by then.
    pub(crate) fn slot_at_or_before(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let today = local_day(now, tz);
        // A month and a day back reach the previous slot of any repeat.
        (0..=32u64)
            .filter_map(|back| today.checked_sub_days(Days::new(back)))
            .filter_map(|day| self.on(day, tz))
            .find(|slot| *slot <= now)
    }

    /// The first slot after `after`.
    pub(crate) fn slot_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let today = local_day(after, tz);
        (0..=63u64)
            .filter_map(|ahead| today.checked_add_days(Days::new(ahead)))
            .filter_map(|day| self.on(day, tz))
            .find(|slot| *slot > after)
    }

    /// The slot due at `now` for a schedule set at `set_at` whose latest run was for
    /// `last_slot`: the latest slot by `now`, if it came after both. Missed slots are not
    /// caught up one by one: only the latest runs.
    pub(crate) fn due(
        &self,
        set_at: DateTime<Utc>,
        last_slot: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Option<DateTime<Utc>> {
        let slot = self.slot_at_or_before(now, tz)?;
        (slot >= set_at && last_slot.is_none_or(|last| slot > last)).then_some(slot)
    }
}

fn last_day_of_month(day: NaiveDate) -> Option<u32> {
    let first = day.with_day(1)?;
    let next = first.checked_add_months(Months::new(1))?;
    Some(next.pred_opt()?.day())
}

/// The instant local time `at` on `day` is in `tz`: the first of two when a change of clocks
/// meets it twice, the end of the gap when it skips it.
fn local_instant(day: NaiveDate, at: NaiveTime, tz: Tz) -> Option<DateTime<Utc>> {
    let local = day.and_time(at);
    if let Some(t) = tz.from_local_datetime(&local).earliest() {
        return Some(t.with_timezone(&Utc));
    }
    // Skipped: the first minute after it that exists (gaps last at most a few hours).
    (1..=24 * 60).find_map(|minutes| {
        let later = local.checked_add_signed(chrono::Duration::minutes(minutes))?;
        tz.from_local_datetime(&later)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// The name of the file a scheduled export writes: the search's name made safe for any file
/// system (`weekly-lyon`), the local day and time of its slot, and the end of the search's id
/// (two searches whose names read alike never share a file): `weekly-lyon_2026-12-07_0800_3fa2c1d9.csv`.
pub(crate) fn file_name(
    search: &SavedSearch,
    slot: DateTime<Utc>,
    tz: Tz,
    format: ExportFormat,
) -> String {
    let mut slug = String::new();
    for c in crate::model::fold(&search.name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "search" } else { slug };
    let id = search.id.to_string();
    let tail = &id[id.len().saturating_sub(8)..];
    let local = slot.with_timezone(&tz);
    format!(
        "{slug}_{}_{tail}.{}",
        local.format("%Y-%m-%d_%H%M"),
        format.as_str()
    )
}

/// A saved search's schedule as the tenant holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduleInfo {
    /// The saved search.
    pub search: SavedSearch,
    /// Its schedule.
    pub schedule: Schedule,
    /// When the schedule was set: slots before it are never due.
    pub set_at: DateTime<Utc>,
    /// The latest recorded run, if any.
    pub last_run: Option<ScheduleRun>,
    /// The next slot after the time asked, if the calendar has one.
    pub next_slot: Option<DateTime<Utc>>,
}

/// A saved search whose schedule is due, with the slot that is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DueSchedule {
    /// The saved search.
    pub search: SavedSearch,
    /// Its schedule.
    pub schedule: Schedule,
    /// The slot due: the instant of the latest run due by the time asked.
    pub slot: DateTime<Utc>,
}

/// What one due schedule produced in a call of [`run_due`](crate::Tenant::run_due).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduledRun {
    /// The saved search.
    pub search_id: SavedSearchId,
    /// Its name.
    pub name: String,
    /// The slot it ran for.
    pub slot: DateTime<Utc>,
    /// How many customers the search matched.
    pub total: u64,
    /// How many of them newly matched since the previous run.
    pub new: u64,
    /// How many customers it exported or listed (0 when it failed).
    pub rows: u64,
    /// The file written (an export), in the folder given.
    pub file: Option<PathBuf>,
    /// The recipients (an outreach list).
    pub outreach: Option<Outreach>,
    /// With a template: its render for each recipient (a recipient whose render fails is in
    /// [`failed`](Self::failed) instead).
    pub messages: Vec<crate::template::RenderedMessage>,
    /// Recipients whose render failed, and why.
    pub failed: Vec<(crate::model::CustomerId, String)>,
    /// Why it failed, if it did: the slot is then not recorded, and the next call runs it again.
    pub error: Option<String>,
}

// ---- the serialised form ----------------------------------------------------------------------

crate::model::string_enum::string_enum!(
    /// How often a schedule runs, as its serialised form names it.
    ScheduleEvery, "every" {
        /// Daily.
        Day = "day",
        /// Weekly.
        Week = "week",
        /// Monthly.
        Month = "month",
    }
);

crate::model::string_enum::string_enum!(
    /// What a schedule produces, as its serialised form names it.
    ScheduleKind, "action" {
        /// [`ScheduleAction::Export`].
        Export = "export",
        /// [`ScheduleAction::Outreach`].
        Outreach = "outreach",
    }
);

/// The weekday names of the serialised form, Monday first.
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The keys of the serialised form.
const WIRE_FIELDS: [&str; 11] = [
    "every", "weekday", "day", "at", "action", "format", "columns", "bom", "channel", "template",
    "only_new",
];

/// The flat serialised form of a [`Schedule`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    every: ScheduleEvery,
    #[serde(default)]
    weekday: Option<String>,
    #[serde(default)]
    day: Option<u32>,
    at: String,
    action: ScheduleKind,
    #[serde(default)]
    format: Option<ExportFormat>,
    #[serde(default)]
    columns: Vec<ExportColumn>,
    #[serde(default)]
    bom: bool,
    #[serde(default)]
    channel: Option<Channel>,
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    only_new: bool,
}

impl TryFrom<Wire> for Schedule {
    type Error = Error;

    fn try_from(w: Wire) -> Result<Self> {
        let repeat = match (w.every, w.weekday.as_deref(), w.day) {
            (ScheduleEvery::Day, None, None) => Repeat::Daily,
            (ScheduleEvery::Week, Some(name), None) => {
                let i = WEEKDAYS
                    .iter()
                    .position(|d| *d == name.trim().to_ascii_lowercase())
                    .ok_or_else(|| {
                        Error::validation("weekday", format!("not one of: {}", WEEKDAYS.join(" ")))
                    })?;
                Repeat::Weekly(
                    Weekday::try_from(i as u8)
                        .map_err(|_| Error::Internal("a weekday index out of range".into()))?,
                )
            }
            (ScheduleEvery::Month, None, Some(day)) => Repeat::Monthly(day),
            (ScheduleEvery::Week, None, _) => {
                return Err(Error::validation(
                    "weekday",
                    "is needed for a weekly schedule",
                ));
            }
            (ScheduleEvery::Month, _, None) => {
                return Err(Error::validation("day", "is needed for a monthly schedule"));
            }
            (_, Some(_), _) => {
                return Err(Error::validation("weekday", "is for weekly schedules only"));
            }
            (_, _, Some(_)) => {
                return Err(Error::validation("day", "is for monthly schedules only"));
            }
        };
        let at = NaiveTime::parse_from_str(w.at.trim(), "%H:%M")
            .map_err(|_| Error::validation("at", "not a time of day (HH:MM)"))?;
        let action = match w.action {
            ScheduleKind::Export => {
                if w.channel.is_some() || w.template.is_some() {
                    return Err(Error::validation(
                        "channel",
                        "channel and template are for outreach schedules only",
                    ));
                }
                let format = w
                    .format
                    .ok_or_else(|| Error::validation("format", "is needed for an export"))?;
                let columns = if w.columns.is_empty() {
                    ExportColumn::ALL.to_vec()
                } else {
                    w.columns
                };
                ScheduleAction::Export {
                    format,
                    columns,
                    bom: w.bom,
                }
            }
            ScheduleKind::Outreach => {
                if w.format.is_some() || !w.columns.is_empty() || w.bom {
                    return Err(Error::validation(
                        "format",
                        "format, columns and bom are for export schedules only",
                    ));
                }
                let channel = w
                    .channel
                    .ok_or_else(|| Error::validation("channel", "is needed for an outreach"))?;
                let template = match w.template {
                    Some(t) if !t.trim().is_empty() => {
                        Some(crate::model::search_name(&t).map_err(|_| {
                            Error::validation("template", "must be 1 to 200 characters")
                        })?)
                    }
                    _ => None,
                };
                ScheduleAction::Outreach { channel, template }
            }
        };
        let schedule = Self {
            repeat,
            at,
            action,
            only_new: w.only_new,
        };
        schedule.validate()?;
        Ok(schedule)
    }
}

impl From<Schedule> for Wire {
    fn from(s: Schedule) -> Self {
        let (every, weekday, day) = match s.repeat {
            Repeat::Daily => (ScheduleEvery::Day, None, None),
            Repeat::Weekly(d) => (
                ScheduleEvery::Week,
                Some(WEEKDAYS[d.num_days_from_monday() as usize].to_owned()),
                None,
            ),
            Repeat::Monthly(d) => (ScheduleEvery::Month, None, Some(d)),
        };
        let (action, format, columns, bom, channel, template) = match s.action {
            ScheduleAction::Export {
                format,
                columns,
                bom,
            } => (ScheduleKind::Export, Some(format), columns, bom, None, None),
            ScheduleAction::Outreach { channel, template } => (
                ScheduleKind::Outreach,
                None,
                Vec::new(),
                false,
                Some(channel),
                template,
            ),
        };
        Self {
            every,
            weekday,
            day,
            at: s.at.format("%H:%M").to_string(),
            action,
            format,
            columns,
            bom,
            channel,
            template,
            only_new: s.only_new,
        }
    }
}

impl Schedule {
    /// Reads the serialised form (JSON); the error names the field.
    ///
    /// # Errors
    /// Validation naming the field (`every`, `weekday`, `day`, `at`, `action`, `format`,
    /// `columns`, `channel`), or `schedule` for JSON that is not such an object.
    pub fn from_json(json: &str) -> Result<Self> {
        if json.len() > 64 * 1024 {
            return Err(Error::validation("schedule", "longer than 64 KiB"));
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let wire: Wire = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            // `columns[0]` names `columns`; the top level or an unknown key, the schedule.
            let field = path
                .split(['.', '['])
                .next()
                .filter(|f| WIRE_FIELDS.contains(f))
                .unwrap_or("schedule")
                .to_owned();
            let reason = e.into_inner().to_string();
            let reason = match reason.find(" at line ") {
                Some(i) => reason[..i].to_owned(),
                None => reason,
            };
            Error::validation(field, reason)
        })?;
        de.end()
            .map_err(|_| Error::validation("schedule", "text follows the JSON object"))?;
        Self::try_from(wire)
    }

    /// The serialised form (JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&Wire::from(self.clone())).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn paris() -> Tz {
        chrono_tz::Europe::Paris
    }

    fn weekly_monday_8() -> Schedule {
        Schedule::new(
            Repeat::Weekly(Weekday::Mon),
            hm(8, 0),
            ScheduleAction::export(ExportFormat::Csv),
        )
    }

    #[test]
    fn a_weekly_slot_is_the_latest_monday_at_eight_local() {
        let s = weekly_monday_8();
        // Wednesday 2026-12-02: the slot is Monday 2026-11-30 08:00 Paris (07:00 UTC).
        let now = utc("2026-12-02T12:00:00Z");
        assert_eq!(
            s.slot_at_or_before(now, paris()),
            Some(utc("2026-11-30T07:00:00Z"))
        );
        assert_eq!(
            s.slot_after(now, paris()),
            Some(utc("2026-12-07T07:00:00Z"))
        );
        // Monday 07:59 Paris: still the previous Monday.
        let early = utc("2026-12-07T06:59:00Z");
        assert_eq!(
            s.slot_at_or_before(early, paris()),
            Some(utc("2026-11-30T07:00:00Z"))
        );
        assert_eq!(
            s.slot_at_or_before(utc("2026-12-07T07:00:00Z"), paris()),
            Some(utc("2026-12-07T07:00:00Z"))
        );
    }

    #[test]
    fn due_once_per_slot_and_never_for_a_slot_before_the_schedule() {
        let s = weekly_monday_8();
        let set_at = utc("2026-12-02T12:00:00Z");
        // Set on a Wednesday: Monday's slot came before it.
        assert_eq!(
            s.due(set_at, None, utc("2026-12-03T12:00:00Z"), paris()),
            None
        );
        let monday = utc("2026-12-07T07:00:00Z");
        let now = utc("2026-12-07T09:00:00Z");
        assert_eq!(s.due(set_at, None, now, paris()), Some(monday));
        assert_eq!(s.due(set_at, Some(monday), now, paris()), None);
        // Three weeks without a call: only the latest slot is due.
        let later = utc("2026-12-29T10:00:00Z");
        assert_eq!(
            s.due(set_at, Some(monday), later, paris()),
            Some(utc("2026-12-28T07:00:00Z"))
        );
    }

    #[test]
    fn a_monthly_slot_on_the_31st_falls_on_the_last_day_of_shorter_months() {
        let s = Schedule::new(
            Repeat::Monthly(31),
            hm(6, 30),
            ScheduleAction::export(ExportFormat::Xlsx),
        );
        let tz = chrono_tz::UTC;
        assert_eq!(
            s.slot_at_or_before(utc("2027-03-15T00:00:00Z"), tz),
            Some(utc("2027-02-28T06:30:00Z"))
        );
        assert_eq!(
            s.slot_after(utc("2027-03-15T00:00:00Z"), tz),
            Some(utc("2027-03-31T06:30:00Z"))
        );
        assert_eq!(
            s.slot_after(utc("2027-03-31T06:30:00Z"), tz),
            Some(utc("2027-04-30T06:30:00Z"))
        );
    }

    #[test]
    fn daylight_saving_changes_skip_or_double_no_run() {
        let s = Schedule::new(
            Repeat::Daily,
            hm(2, 30),
            ScheduleAction::export(ExportFormat::Csv),
        );
        // 2027-03-28 in Paris: 02:00 → 03:00. 02:30 runs at 03:00 local (01:00 UTC).
        assert_eq!(
            s.slot_at_or_before(utc("2027-03-28T05:00:00Z"), paris()),
            Some(utc("2027-03-28T01:00:00Z"))
        );
        // 2026-10-25 in Paris: 03:00 → 02:00. 02:30 comes twice: the first (00:30 UTC).
        assert_eq!(
            s.slot_at_or_before(utc("2026-10-25T05:00:00Z"), paris()),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            s.slot_after(utc("2026-10-25T00:30:00Z"), paris()),
            Some(utc("2026-10-26T01:30:00Z"))
        );
    }

    #[test]
    fn the_serialised_form_is_flat_and_checked_by_field() {
        let s = weekly_monday_8().only_new(true);
        let json = s.to_json();
        assert!(json.contains(r#""every":"week""#), "{json}");
        assert!(json.contains(r#""weekday":"monday""#), "{json}");
        assert!(json.contains(r#""at":"08:00""#), "{json}");
        assert_eq!(Schedule::from_json(&json).unwrap(), s);
        let outreach =
            r#"{"every":"month","day":1,"at":"09:15","action":"outreach","channel":"sms"}"#;
        let read = Schedule::from_json(outreach).unwrap();
        assert_eq!(read.repeat, Repeat::Monthly(1));
        assert_eq!(
            read.action,
            ScheduleAction::Outreach {
                channel: Channel::Sms,
                template: None
            }
        );
        let with_template = r#"{"every":"day","at":"09:15","action":"outreach","channel":"email","template":"News"}"#;
        let read = Schedule::from_json(with_template).unwrap();
        assert_eq!(Schedule::from_json(&read.to_json()).unwrap(), read);
        let bad = [
            (
                r#"{"every":"day","at":"08:00","action":"export","format":"csv","template":"x"}"#,
                "channel",
            ),
            (
                r#"{"every":"week","at":"08:00","action":"export","format":"csv"}"#,
                "weekday",
            ),
            (
                r#"{"every":"week","weekday":"lundi","at":"08:00","action":"export","format":"csv"}"#,
                "weekday",
            ),
            (
                r#"{"every":"day","day":3,"at":"08:00","action":"export","format":"csv"}"#,
                "day",
            ),
            (
                r#"{"every":"month","day":32,"at":"08:00","action":"export","format":"csv"}"#,
                "day",
            ),
            (
                r#"{"every":"month","at":"08:00","action":"export","format":"csv"}"#,
                "day",
            ),
            (
                r#"{"every":"day","at":"8h","action":"export","format":"csv"}"#,
                "at",
            ),
            (
                r#"{"every":"day","at":"25:00","action":"export","format":"csv"}"#,
                "at",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"export"}"#,
                "format",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"export","format":"pdfx"}"#,
                "format",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"export","format":"csv","columns":["email","email"]}"#,
                "columns[1]",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"export","format":"csv","columns":["shoe_size"]}"#,
                "columns",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"outreach"}"#,
                "channel",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"outreach","channel":"sms","format":"csv"}"#,
                "format",
            ),
            (
                r#"{"every":"hour","at":"08:00","action":"export","format":"csv"}"#,
                "every",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"print","format":"csv"}"#,
                "action",
            ),
            (
                r#"{"every":"day","at":"08:00","action":"export","format":"csv","colour":"red"}"#,
                "schedule",
            ),
            ("[1,2]", "schedule"),
            ("not json", "schedule"),
        ];
        for (json, field) in bad {
            let err = Schedule::from_json(json).unwrap_err();
            assert_eq!(err.field(), Some(field), "{json}: {err}");
        }
    }

    #[test]
    fn file_names_are_safe_and_distinct() {
        let search = SavedSearch {
            id: SavedSearchId::new(),
            name: "Départs / Lyon: weekly!".into(),
            query: crate::CustomerQuery::all(),
            created_at: utc("2026-01-01T00:00:00Z"),
            updated_at: utc("2026-01-01T00:00:00Z"),
            last_run_at: None,
        };
        let name = file_name(
            &search,
            utc("2026-12-07T07:00:00Z"),
            paris(),
            ExportFormat::Csv,
        );
        let id = search.id.to_string();
        assert_eq!(
            name,
            format!(
                "departs-lyon-weekly_2026-12-07_0800_{}.csv",
                &id[id.len() - 8..]
            )
        );
        let odd = SavedSearch {
            name: "../..".into(),
            ..search
        };
        assert!(
            file_name(
                &odd,
                utc("2026-12-07T07:00:00Z"),
                paris(),
                ExportFormat::Xlsx
            )
            .starts_with("search_2026-12-07_0800_")
        );
    }
}
