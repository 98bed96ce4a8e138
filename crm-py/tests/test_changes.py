"""The change feed from Python."""

from conftest import at

import crm


def test_changes_since_names_what_changed_and_who(agency: crm.Tenant) -> None:
    start = agency.changes_since()[-1].seq  # the settings change of the fixture
    c = agency.create_customer(first_name="Ana", last_name="Núñez")
    agency.update_customer(c, email="ana@example.es")
    agency.upsert_booking(reference="BK", pickup_at=at(1), customer=c)
    events = agency.changes_since(start)
    assert [e.kind for e in events] == ["customer_created", "customer_updated", "booking_created"]
    assert all(e.customer_id == c.id for e in events)
    assert events[1].fields == ("email",)
    assert events[2].booking_ref == "BK"
    assert events[0].actor == crm.Actor("u-17", "agent")
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert agency.changes_since(events[-1].seq) == []
    assert [e.kind for e in agency.changes_since(start, limit=1)] == ["customer_created"]
    d = events[1].to_dict()
    assert d["kind"] == "customer_updated" and d["actor"] == {"user_id": "u-17", "role": "agent"}
    assert "ana@example.es" not in repr(d)  # the feed names fields, never values


def test_relink_names_the_previous_customer(agency: crm.Tenant) -> None:
    a = agency.create_customer(first_name="A", last_name="One")
    b = agency.create_customer(first_name="B", last_name="Two")
    agency.upsert_booking(reference="BK", pickup_at=at(1), customer=a)
    agency.link_booking("BK", b)
    last = agency.changes_since()[-1]
    assert last.kind == "booking_linked"
    assert (last.customer_id, last.previous_customer_id) == (b.id, a.id)


def test_every_kind_of_change(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="A", last_name="One")
    agency.upsert_booking(reference="BK", pickup_at=at(1), customer=c)
    agency.upsert_booking(reference="BK", pickup_at=at(2))
    agency.link_booking("BK", None)
    agency.delete_customer(c)
    kinds = [e.kind for e in agency.changes_since()]
    assert kinds == [
        "tenant_settings_updated",
        "customer_created",
        "booking_created",
        "booking_updated",
        "booking_unlinked",
        "customer_deleted",
    ]
    assert repr(agency.changes_since()[0]).startswith("ChangeEvent(seq=")
