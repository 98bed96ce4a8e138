//! Schedules on the facade: set one on a saved search, list them, see which are due, run the
//! due ones (the host calls `run_due` from its own timer), and read their runs.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Rows, Tenant};
use crate::cases::schedules::{self, Scheduled};
use crate::error::{Error, Result};
use crate::exchange::ExportOptions;
use crate::model::limits::MAX_PAGE;
use crate::model::{Actor, SavedSearchId, ScheduleRun};
use crate::schedule::{
    DueSchedule, Schedule, ScheduleAction, ScheduleInfo, ScheduledRun, file_name,
};

impl Tenant {
    /// Sets the schedule of saved search `id` (`None` removes it): from now on
    /// [`run_due`](Self::run_due) runs it at each of its slots, the first being the first slot
    /// after this call. Setting it again starts it afresh from then. A `SavedSearchSaved` event
    /// follows.
    ///
    /// # Errors
    /// Validation on the schedule (the day of a monthly one, a time that is not whole minutes,
    /// the export's columns); NotFound if the search is not one of this tenant's.
    pub fn set_schedule(
        &self,
        actor: &Actor,
        id: &SavedSearchId,
        schedule: Option<&Schedule>,
    ) -> Result<Option<ScheduleInfo>> {
        actor.validate()?;
        if let Some(s) = schedule {
            s.validate()?;
            if let ScheduleAction::Outreach {
                channel,
                template: Some(name),
            } = &s.action
            {
                let kind = match channel {
                    crate::model::Channel::Sms => crate::model::TemplateKind::Sms,
                    _ => crate::model::TemplateKind::Email,
                };
                let variants = self.template_variants(name).map_err(|_| {
                    Error::validation("template", format!("the tenant has no template {name:?}"))
                })?;
                if variants.iter().any(|v| v.kind != kind) {
                    return Err(Error::validation(
                        "template",
                        format!("{name:?} is not an {} template", kind.as_str()),
                    ));
                }
            }
        }
        schedules::set(self.store.as_ref(), &self.id, actor, id, schedule)?;
        self.schedule(id)
    }

    /// The schedule of saved search `id`, if it has one, with its latest run and its next slot.
    ///
    /// # Errors
    /// NotFound if the search is not one of this tenant's.
    pub fn schedule(&self, id: &SavedSearchId) -> Result<Option<ScheduleInfo>> {
        match schedules::get(self.store.as_ref(), &self.id, id)? {
            Some(s) => self.info(s, self.settings()?.tz()).map(Some),
            None => Ok(None),
        }
    }

    /// Every scheduled search of the tenant ("show schedules"), by name, each with its latest
    /// run and its next slot.
    pub fn schedules(&self) -> Result<Vec<ScheduleInfo>> {
        let tz = self.settings()?.tz();
        schedules::all(self.store.as_ref(), &self.id)?
            .into_iter()
            .map(|s| self.info(s, tz))
            .collect()
    }

    fn info(&self, s: Scheduled, tz: chrono_tz::Tz) -> Result<ScheduleInfo> {
        let last_run = schedules::runs(self.store.as_ref(), &self.id, &s.search.id, 1)?
            .into_iter()
            .next();
        let next_slot = s.schedule.slot_after(Utc::now().max(s.set_at), tz);
        Ok(ScheduleInfo {
            search: s.search,
            schedule: s.schedule,
            set_at: s.set_at,
            last_run,
            next_slot,
        })
    }

    /// The scheduled searches due at `now`: those whose latest slot by `now` (in the tenant's
    /// time zone) came after the schedule was set and has not run. A slot missed while the
    /// host was not calling is not caught up one by one: only the latest is due. Writes
    /// nothing.
    ///
    /// # Errors
    /// Validation on `now` (outside the accepted years).
    pub fn due_schedules(&self, now: DateTime<Utc>) -> Result<Vec<DueSchedule>> {
        crate::model::check_utc("now", Some(now))?;
        self.due_in(now, self.settings()?.tz())
    }

    /// The schedules due at `now` in the tenant's zone `tz`.
    fn due_in(&self, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Result<Vec<DueSchedule>> {
        Ok(schedules::all(self.store.as_ref(), &self.id)?
            .into_iter()
            .filter_map(|s| {
                let slot = s.schedule.due(s.set_at, s.last_slot, now, tz)?;
                Some(DueSchedule {
                    search: s.search,
                    schedule: s.schedule,
                    slot,
                })
            })
            .collect())
    }

    /// Runs each schedule due at `now` once, and returns what each produced. A host calls it
    /// from its own timer (every few minutes); nothing runs in a thread of the library.
    ///
    /// Each due slot is claimed first, in a transaction: a second call for the same `now`
    /// (or a call of another process meanwhile) finds it taken and runs nothing. Then the
    /// saved search runs (its relative periods read on the tenant's local day at `now`; the run
    /// is recorded as [`run_saved`](Self::run_saved) records it) and its action produces:
    ///
    /// - an export: a file in `out_dir` named for the search and the slot (see
    ///   [`ScheduledRun::file`]), written beside its name and renamed onto it once complete;
    /// - an outreach list: the recipients, returned in [`ScheduledRun::outreach`].
    ///
    /// With `only_new`, the customers are those that newly matched since the latest finished
    /// run of the schedule (everyone on its first). A run that fails is reported in its
    /// [`ScheduledRun::error`] without stopping the others; its slot is released, so the next
    /// call runs it again. A process that stops mid-run leaves its slot claimed: that slot is
    /// not run again, and the next slot's "only new" counts from the last finished run.
    ///
    /// # Errors
    /// Validation on `now` or `out_dir` (not a folder); Store when the schedules cannot be
    /// read. A schedule whose slot cannot be claimed is reported in its run's `error`.
    pub fn run_due(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        out_dir: impl AsRef<Path>,
    ) -> Result<Vec<ScheduledRun>> {
        actor.validate()?;
        let out_dir = out_dir.as_ref();
        if !out_dir.is_dir() {
            return Err(Error::validation("out_dir", "is not a folder"));
        }
        let tz = self.settings()?.tz();
        let mut produced = Vec::new();
        crate::model::check_utc("now", Some(now))?;
        for due in self.due_in(now, tz)? {
            let id = due.search.id;
            let mut run = ScheduledRun {
                search_id: id,
                name: due.search.name.clone(),
                slot: due.slot,
                total: 0,
                new: 0,
                rows: 0,
                file: None,
                outreach: None,
                messages: Vec::new(),
                failed: Vec::new(),
                error: None,
            };
            // A failure to claim is this schedule's, reported; the others run on.
            let previous = match schedules::claim(
                self.store.as_ref(),
                &self.id,
                actor,
                &id,
                due.slot,
                tz,
                now,
            ) {
                Ok(Some(previous)) => previous,
                Ok(None) => continue,
                Err(e) => {
                    run.error = Some(e.to_string());
                    produced.push(run);
                    continue;
                }
            };
            // "Only new": counted from the latest finished run, everyone on a first one.
            let since = previous.or(Some(DateTime::<Utc>::MIN_UTC));
            let outcome = self.run_one(&due, since, now, tz, out_dir, &mut run);
            let recorded = outcome.and_then(|matched_at| {
                let file = run
                    .file
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str());
                schedules::finish(
                    self.store.as_ref(),
                    &self.id,
                    &id,
                    due.slot,
                    matched_at,
                    run.rows,
                    file,
                )
            });
            if let Err(e) = recorded {
                // Released: the next call runs the slot again (if the release fails too, the
                // slot stays claimed: the next slot's "only new" counts from the last finished
                // run, so no customer is lost).
                let released = schedules::release(self.store.as_ref(), &self.id, &id, due.slot);
                run.rows = 0;
                run.file = None;
                run.outreach = None;
                run.messages.clear();
                run.failed.clear();
                run.error = Some(match released {
                    Ok(()) => e.to_string(),
                    Err(r) => format!("{e}; the slot could not be released: {r}"),
                });
            }
            produced.push(run);
        }
        Ok(produced)
    }

    /// Runs one due schedule into `run`; returns when its search recorded its matches.
    fn run_one(
        &self,
        due: &DueSchedule,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
        out_dir: &Path,
        run: &mut ScheduledRun,
    ) -> Result<DateTime<Utc>> {
        let found = self.run_saved_at(&due.search.id, since, now)?;
        run.total = found.total;
        run.new = found.new.len() as u64;
        let ids = if due.schedule.only_new {
            &found.new
        } else {
            &found.all
        };
        match &due.schedule.action {
            ScheduleAction::Export {
                format,
                columns,
                bom,
            } => {
                let path = out_dir.join(file_name(&due.search, due.slot, tz, *format));
                let options = ExportOptions::all()
                    .columns(columns.iter().copied())
                    .bom(*bom);
                run.rows = self
                    .write_file(&path, *format, &options, Rows::Ids(ids), |_, _| true)?
                    .unwrap_or_default();
                run.file = Some(path);
            }
            ScheduleAction::Outreach { channel, template } => {
                let outreach = self.outreach_of(
                    Rows::Ids(ids),
                    *channel,
                    crate::model::ConsentPurpose::Marketing,
                )?;
                run.rows = outreach.recipients.len() as u64;
                if let Some(template) = template {
                    let recipients: Vec<_> =
                        outreach.recipients.iter().map(|r| r.customer_id).collect();
                    for (id, rendered) in self.render_each(template, &recipients, now)? {
                        match rendered {
                            Ok(message) => run.messages.push(message),
                            Err(e) => run.failed.push((id, e.to_string())),
                        }
                    }
                }
                run.outreach = Some(outreach);
            }
        }
        Ok(found.search.last_run_at.unwrap_or(now))
    }

    /// Up to `limit` (1 to 1,000) recorded runs of saved search `id`'s schedule, latest slot
    /// first.
    ///
    /// # Errors
    /// Validation on `limit`; NotFound if the search is not one of this tenant's.
    pub fn schedule_runs(&self, id: &SavedSearchId, limit: u32) -> Result<Vec<ScheduleRun>> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        schedules::runs(self.store.as_ref(), &self.id, id, limit)
    }
}
