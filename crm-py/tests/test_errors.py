"""The exception tree: every error kind of the core reaches Python as its own class."""

import uuid
from pathlib import Path

import pytest

import crm

KINDS = {
    crm.ValidationError: ("validation", ValueError),
    crm.NotFoundError: ("not_found", LookupError),
    crm.ConflictError: ("conflict", None),
    crm.PermissionDeniedError: ("permission_denied", PermissionError),
    crm.StorageError: ("storage", None),
    crm.SearchError: ("search", None),
    crm.IoError: ("io", OSError),
    crm.InternalError: ("internal", None),
    crm.FeedCompactedError: ("feed_compacted", None),
    crm.ClosedError: ("closed", ValueError),
}


@pytest.mark.parametrize("cls", list(KINDS))
def test_every_class_is_a_crm_error_with_its_kind(cls: type[crm.CrmError]) -> None:
    kind, builtin = KINDS[cls]
    assert issubclass(cls, crm.CrmError)
    assert cls.kind == kind
    assert cls.__module__ == "crm"
    if builtin is not None:
        assert issubclass(cls, builtin)


def test_kinds_are_distinct() -> None:
    assert len({cls.kind for cls in KINDS}) == len(KINDS)


def test_validation(agency: crm.Tenant) -> None:
    with pytest.raises(crm.ValidationError, match="email") as caught:
        agency.create_customer(first_name="A", last_name="B", email="not an address")
    assert caught.value.field == "email" and caught.value.kind == "validation"


def test_not_found(agency: crm.Tenant) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(crm.NotFoundError, match="customer not found"):
        agency.get_customer(missing)
    with pytest.raises(LookupError):
        agency.get_booking("nope")
    with pytest.raises(crm.NotFoundError):
        agency.get_customer_by_no(42)


def test_conflict(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="A", last_name="B")
    agency.update_customer(c, notes="one")
    with pytest.raises(crm.ConflictError):
        agency.update_customer(c, notes="two")


def test_permission_denied_without_an_actor(db: crm.Crm) -> None:
    reader = db.tenant("agency-1")
    assert reader.actor is None
    assert reader.list_customers().total == 0  # reads need no actor
    with pytest.raises(crm.PermissionDeniedError, match="no actor"):
        reader.create_customer(first_name="A", last_name="B")
    with pytest.raises(PermissionError):
        reader.set_settings(default_region="FR")
    writer = reader.with_actor(crm.Actor("u-1"))
    assert writer.create_customer(first_name="A", last_name="B").customer_no == 1


def test_actor_is_checked() -> None:
    with pytest.raises(crm.ValidationError, match="actor.role"):
        crm.Actor("u-1", "admin")  # type: ignore[arg-type]
    with pytest.raises(crm.ValidationError, match="actor.user_id"):
        crm.Actor("  ")
    with pytest.raises(crm.ValidationError, match="actor.user_id"):
        crm.Actor("x" * 129)


def test_storage_schema_too_new(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "future.db"
    crm.Crm.open(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 999")
    con.close()
    with pytest.raises(crm.StorageError, match="newer"):
        crm.Crm.open(path)


def test_out_of_range_numbers_are_validation_errors(agency: crm.Tenant) -> None:
    for call, field in [
        (lambda: agency.list_customers(limit=-1), "limit"),
        (lambda: agency.list_customers(limit=2**40), "limit"),
        (lambda: agency.search(offset=-1), "offset"),
        (lambda: agency.search(limit=0), "limit"),
        (lambda: agency.changes_since(limit=2**33), "limit"),
    ]:
        with pytest.raises(crm.ValidationError) as caught:
            call()
        assert caught.value.field == field


def test_storage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database, only text long enough to fill a page header " * 4)
    with pytest.raises(crm.StorageError, match="not a database"):
        crm.Crm.open(bad)


def test_io(tmp_path: Path) -> None:
    (tmp_path / "x.db.index").write_text("a file where the index folder goes")
    with pytest.raises(crm.IoError) as caught:
        crm.Crm.open(tmp_path / "x.db")
    assert isinstance(caught.value, OSError)


def test_closed(db: crm.Crm, agency: crm.Tenant) -> None:
    db.close()
    with pytest.raises(crm.ClosedError, match="closed"):
        agency.list_customers()
    with pytest.raises(crm.ClosedError):
        db.tenant("agency-1")


def test_tenant_id_is_checked(db: crm.Crm) -> None:
    with pytest.raises(crm.ValidationError):
        db.tenant("")
    with pytest.raises(crm.ValidationError):
        db.tenant("x" * 129)


def test_messages_hold_no_personal_data(agency: crm.Tenant) -> None:
    with pytest.raises(crm.ValidationError) as caught:
        agency.create_customer(first_name="A", last_name="B", email="secret-person@@example.com")
    assert "secret-person" not in str(caught.value)
