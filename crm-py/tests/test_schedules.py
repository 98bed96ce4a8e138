"""Schedules of saved searches from Python: set, due, run once per slot, runs recorded."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

import crm

CONSENT = datetime(2026, 1, 1, tzinfo=UTC)


def make(t: crm.Tenant, first: str, consent: bool = True) -> crm.Customer:
    return t.create_customer(
        first_name=first,
        last_name="Voyageur",
        email=f"{first.lower()}@x.fr",
        address=crm.Address(city="Lyon"),
        consent=crm.Consent(email=CONSENT if consent else None),
    )


def test_a_weekly_export_runs_once_per_slot(agency: crm.Tenant, other: crm.Tenant, tmp_path: Path) -> None:
    agency.set_settings(time_zone="Europe/Paris")
    make(agency, "Anne")
    make(agency, "Bob", consent=False)
    saved = agency.save_search("Lyon weekly", {"city": "Lyon"})
    schedule = {
        "every": "week",
        "weekday": "monday",
        "at": time(8, 0),
        "action": "export",
        "format": "csv",
        "columns": ["first_name", "email"],
        "only_new": True,
    }
    info = agency.set_schedule(saved, schedule)
    assert isinstance(info, crm.ScheduleInfo)
    assert info.schedule["at"] == "08:00" and info.schedule["weekday"] == "monday"
    assert info.search == saved and info.last_run is None
    first = info.next_slot
    assert first is not None and first.weekday() in (0, 6)  # Monday 08:00 in Paris, in UTC
    assert agency.schedule(saved) == info
    assert [s.search.name for s in agency.schedules()] == ["Lyon weekly"]
    assert agency.due_schedules(first - timedelta(minutes=1)) == []
    now = first + timedelta(hours=1)
    (due,) = agency.due_schedules(now)
    assert isinstance(due, crm.DueSchedule) and due.slot == first

    (run,) = agency.run_due(now, tmp_path)
    assert isinstance(run, crm.ScheduledRun)
    assert (run.total, run.new, run.rows, run.error) == (2, 2, 2, None)
    assert run.file is not None and run.file.parent == tmp_path and run.file.name.startswith("lyon-weekly_")
    assert sorted(run.file.read_text().splitlines()[1:]) == ["Anne,anne@x.fr", "Bob,bob@x.fr"]
    assert agency.run_due(now, tmp_path) == []

    make(agency, "Carl")
    (second,) = agency.run_due(first + timedelta(days=7, minutes=1), tmp_path)
    assert (second.total, second.new, second.rows) == (3, 1, 1)
    assert second.file is not None and second.file.read_text().splitlines() == ["first_name,email", "Carl,carl@x.fr"]
    runs = agency.schedule_runs(saved)
    assert [r.rows for r in runs] == [1, 2] and all(isinstance(r, crm.ScheduleRun) for r in runs)
    assert runs[0].ran_by == "u-17" and runs[0].finished_at is not None
    assert runs[1].file == run.file.name
    assert run.to_dict()["rows"] == 2

    # The schedule dict goes back as it came; None removes it.
    again = agency.set_schedule(saved.id, info.schedule)
    assert again is not None and again.schedule == info.schedule
    assert agency.set_schedule(saved, None) is None
    assert agency.schedules() == []

    # Another tenant reaches none of it.
    with pytest.raises(crm.NotFoundError):
        other.set_schedule(saved, schedule)
    with pytest.raises(crm.NotFoundError):
        other.schedule_runs(saved)
    assert other.due_schedules(now) == [] and other.run_due(now, tmp_path) == []


def test_an_outreach_schedule_and_bad_schedules(agency: crm.Tenant, tmp_path: Path) -> None:
    make(agency, "Anne")
    make(agency, "Bob", consent=False)
    saved = agency.save_search("Lyon", {"city": "Lyon", "created_in": "this year"})
    agency.save_template("News", "email", "Hello {{ customer.first_name }}", subject="News")
    info = agency.set_schedule(
        saved, {"every": "month", "day": 31, "at": "09:30", "action": "outreach", "channel": "email", "template": "News"}
    )
    assert info is not None and info.next_slot is not None and info.schedule["template"] == "News"
    (run,) = agency.run_due(info.next_slot, tmp_path)
    assert run.outreach is not None and [r.first_name for r in run.outreach.recipients] == ["Anne"]
    assert [m.text for m in run.messages] == ["Hello Anne"] and run.failed == []
    assert run.to_dict()["messages"][0]["text"] == "Hello Anne"
    assert run.file is None and run.rows == 1
    bad: list[tuple[dict[str, Any], str]] = [
        ({"every": "week", "at": "08:00", "action": "export", "format": "csv"}, "weekday"),
        ({"every": "month", "day": 0, "at": "08:00", "action": "export", "format": "csv"}, "day"),
        ({"every": "day", "at": "8 o'clock", "action": "export", "format": "csv"}, "at"),
        ({"every": "day", "at": "08:00", "action": "export", "format": "pdfx"}, "format"),
        ({"every": "day", "at": "08:00", "action": "outreach"}, "channel"),
        ({"every": "hourly", "at": "08:00", "action": "export", "format": "csv"}, "every"),
        ({"every": "day", "at": "08:00", "action": "export", "format": "csv", "colour": 1}, "schedule"),
    ]
    for schedule, field in bad:
        with pytest.raises(crm.ValidationError) as err:
            agency.set_schedule(saved, schedule)
        assert err.value.field == field, schedule
    with pytest.raises(TypeError):
        agency.set_schedule(saved, ["every", "day"])  # type: ignore[arg-type]
    for at in (time(8, 0, 30), time(8, 0, tzinfo=UTC)):
        with pytest.raises(crm.ValidationError) as err:
            agency.set_schedule(saved, {"every": "day", "at": at, "action": "export", "format": "csv"})
        assert err.value.field == "at"
    with pytest.raises(crm.ValidationError) as err:
        agency.run_due(datetime.now(UTC), tmp_path / "missing")
    assert err.value.field == "out_dir"
    with pytest.raises(crm.ValidationError):
        agency.due_schedules(datetime(2026, 1, 1))  # naive
