"""Crm: open a file or memory, context manager, close, reindex, tenants."""

import os
from pathlib import Path

import pytest

import crm


def test_open_file_persists(tmp_path: Path, clerk: crm.Actor) -> None:
    path = tmp_path / "agency.db"
    with crm.Crm.open(path) as db:
        db.tenant("a", actor=clerk).create_customer(first_name="Ana", last_name="Núñez")
        assert not db.closed
    assert db.closed
    assert path.exists() and (tmp_path / "agency.db.index").is_dir()
    with crm.Crm.open(str(path)) as again:
        found = again.tenant("a").search("nunez")
        assert [r.first_name for r in found] == ["Ana"]


def test_deleting_the_index_loses_nothing(tmp_path: Path, clerk: crm.Actor) -> None:
    import shutil

    path = tmp_path / "agency.db"
    with crm.Crm.open(path) as db:
        db.tenant("a", actor=clerk).create_customer(first_name="Ana", last_name="Núñez")
    shutil.rmtree(tmp_path / "agency.db.index")
    with crm.Crm.open(path) as db:
        assert db.tenant("a").search("ana").total == 1


def test_close_is_idempotent_and_repr_says_so(db: crm.Crm) -> None:
    on_postgres = os.environ.get("CRM_TEST_STORE") == "postgres"
    assert ("PostgreSQL, index" if on_postgres else "in memory") in repr(db)
    db.close()
    db.close()
    assert db.closed and "closed" in repr(db)


def test_exit_does_not_swallow_exceptions() -> None:
    with pytest.raises(RuntimeError):
        with crm.Crm.in_memory():
            raise RuntimeError("boom")


def test_reindex_reports_progress(agency: crm.Tenant, db: crm.Crm) -> None:
    agency.create_customers([{"first_name": f"F{i}", "last_name": "L"} for i in range(30)])
    calls: list[tuple[int, int]] = []
    db.reindex(lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] >= 30
    assert agency.search("l").total == 30
    db.reindex()


def test_reindex_reraises_what_progress_raised(agency: crm.Tenant, db: crm.Crm) -> None:
    agency.create_customer(first_name="A", last_name="B")

    def fail(done: int, total: int) -> None:
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        db.reindex(fail)
    assert agency.search("a").total == 1  # the rebuild completed anyway


def test_schema_version_and_package_version() -> None:
    assert crm.Crm.schema_version() >= 1
    assert crm.__version__.count(".") == 2


def test_settings(agency: crm.Tenant) -> None:
    french = agency.settings()
    assert french.default_region == "FR"
    assert repr(french) == "TenantSettings(default_region='FR', name_rule='both', time_zone=None)"
    assert french.to_dict() == {"default_region": "FR", "name_rule": "both", "time_zone": None, "email_uniqueness": "allow", "hard_delete": "anyone", "merge": "anyone"}
    # the region reads phones typed without a country code
    assert agency.create_customer(first_name="A", last_name="B", mobile="06 12 34 56 78").mobile is not None
    agency.set_settings(default_region=None)
    assert agency.settings().default_region is None
    assert agency.settings() != french
    # without a region a national number is kept as typed, unverified
    kept = agency.create_customer(first_name="A", last_name="B", mobile="06 12 34 56 78").mobile
    assert kept is not None and kept.e164 is None and kept.typed == "06 12 34 56 78"
    with pytest.raises(crm.ValidationError, match="region"):
        agency.set_settings(default_region="XX")


def test_progress_callback_cannot_call_the_database(agency: crm.Tenant, db: crm.Crm) -> None:
    agency.create_customer(first_name="A", last_name="B")
    seen: list[str] = []

    def meddle(done: int, total: int) -> None:
        for call in (db.close, lambda: agency.search("a"), db.reindex):
            try:
                call()
            except RuntimeError as err:
                seen.append(str(err))

    db.reindex(meddle)
    assert len(seen) >= 3 and all("progress callback" in s for s in seen)
    assert not db.closed
    assert agency.search("a").total == 1
    with pytest.raises(TypeError, match="callable"):
        db.reindex(5)  # type: ignore[arg-type]


def test_tenant_handles(db: crm.Crm, clerk: crm.Actor) -> None:
    agency = db.tenant("agency-1", actor=clerk)
    assert agency.id == "agency-1" and agency.actor == clerk
    assert repr(agency) == "Tenant('agency-1')"  # user ids may be emails: not shown
    system = agency.with_actor(crm.Actor("import-job", "system"))
    assert system.actor is not None and system.actor.role == "system" and system.id == "agency-1"
    created = system.create_customer(first_name="A", last_name="B")
    assert agency.get_customer(created.id) == created  # same tenant, another actor
    assert agency.changes_since()[-1].actor.user_id == "import-job"
