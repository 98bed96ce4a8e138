"""Merge, plan and unmerge from Python: survivorship, bookings, merged ids, refusals, isolation."""

import pytest

import crm
from conftest import at


def two_records(agency: crm.Tenant) -> tuple[crm.Customer, crm.Customer]:
    primary = agency.create_customer(
        first_name="Hélène", last_name="Dupont", email="helene.dupont@example.fr", notes="Window seat"
    )
    other = agency.create_customer(
        first_name="Helene",
        last_name="Dupont",
        email="h.dupont@work.example",
        mobile="06 12 34 56 78",
        notes="Travels with a dog",
        lists={"newsletter"},
    )
    agency.upsert_booking(reference="BK-1", pickup_at=at(14), customer=primary)
    agency.upsert_booking(reference="BK-2", pickup_at=at(20), customer=other)
    return primary, other


def test_merge_moves_bookings_and_keeps_every_contact(agency: crm.Tenant, clerk: crm.Actor) -> None:
    primary, other = two_records(agency)
    merged = agency.merge(primary, [other])
    c = merged.customer
    assert (c.id, c.customer_no, c.version) == (primary.id, primary.customer_no, primary.version + 1)
    assert c.email == "helene.dupont@example.fr"
    assert c.secondary_emails == ("h.dupont@work.example",)
    assert c.mobile is not None and c.mobile.e164 == "+33612345678"
    assert c.notes == "Window seat\n\nTravels with a dog"
    assert c.lists == frozenset({"newsletter"})
    assert [b.reference for b in agency.booking_history(primary)] == ["BK-2", "BK-1"]
    assert agency.customer_stats(primary).bookings == 2
    record = merged.record
    assert (record.primary_id, record.actor, record.undone_at) == (primary.id, clerk, None)
    assert record.primary_before == primary and record.merged == (other,)
    assert [(m.reference, m.from_customer) for m in record.bookings] == [("BK-2", other.id)]
    assert agency.get_merge(record.id) == record
    assert record.to_dict()["bookings"] == [{"reference": "BK-2", "from_customer": other.id}]
    assert "Dupont" not in repr(record)
    # The merged id and number resolve to the primary; the merge says which.
    assert agency.get_customer(other.id).id == primary.id
    assert agency.get_customer_by_no(other.customer_no).id == primary.id
    assert [m.id for m in agency.merges_of(other.id)] == [record.id]
    with pytest.raises(crm.ConflictError, match=primary.id):
        agency.delete_customer(other.id)
    events = agency.changes_since()[-3:]
    assert [e.kind for e in events] == ["booking_linked", "customer_merged", "customer_updated"]
    assert (events[1].customer_id, events[1].previous_customer_id) == (primary.id, other.id)
    assert [r.id for r in agency.search("work.example")] == [primary.id]


def test_choices_and_a_plan_pinned_by_versions(agency: crm.Tenant) -> None:
    primary, other = two_records(agency)
    plan = agency.plan_merge(primary.id, [other.id], choices={"email": other, "notes": primary})
    assert agency.get_customer(other.id) == other  # nothing written
    assert plan.customer.email == "h.dupont@work.example"
    assert plan.customer.notes == "Window seat"
    assert plan.sources["email"] == other.id and plan.sources["first_name"] == primary.id
    assert plan.versions == {primary.id: 1, other.id: 1}
    assert [m.reference for m in plan.bookings] == ["BK-2"]
    assert plan.merged == (other,)
    agency.update_customer(other, company="Acme")
    with pytest.raises(crm.ConflictError):
        agency.merge(primary, [other], choices={"email": other}, expected_versions=plan.versions)
    done = agency.merge(primary, [other], choices={"email": other})
    assert done.customer.email == "h.dupont@work.example"
    assert done.customer.company == "Acme"


def test_unmerge_round_trips(agency: crm.Tenant) -> None:
    primary, other = two_records(agency)
    record = agency.merge(primary, [other]).record
    undone = agency.unmerge(record)
    assert undone.undone_at is not None and undone.undone_by == agency.actor
    assert agency.get_customer(other.id) == other
    back = agency.get_customer(primary.id)
    assert back.email == primary.email and back.notes == primary.notes and back.version == primary.version + 2
    assert [b.reference for b in agency.booking_history(other)] == ["BK-2"]
    assert agency.list_customers().total == 2
    with pytest.raises(crm.ConflictError, match="already undone"):
        agency.unmerge(record.id)


def test_unmerge_refused_once_the_primary_changed(agency: crm.Tenant) -> None:
    primary, other = two_records(agency)
    merged = agency.merge(primary, [other])
    agency.update_customer(merged.customer, company="Acme")
    with pytest.raises(crm.ConflictError, match="changed since the merge"):
        agency.unmerge(merged.record.id)
    assert agency.get_customer(other.id).id == primary.id


def test_bad_requests_raise_typed_errors(agency: crm.Tenant) -> None:
    primary, other = two_records(agency)
    with pytest.raises(crm.ValidationError) as caught:
        agency.merge(primary, [primary])
    assert caught.value.field == "others[0]"
    with pytest.raises(crm.ValidationError) as caught:
        agency.merge(primary, [])
    assert caught.value.field == "others"
    with pytest.raises(crm.ValidationError) as caught:
        agency.merge(primary, [other], choices={"shoe_size": other})  # type: ignore[dict-item]
    assert caught.value.field == "choices"
    with pytest.raises(crm.ValidationError) as caught:
        agency.unmerge("not-an-id")
    assert caught.value.field == "merge_id"
    with pytest.raises(TypeError, match="others"):
        agency.merge(primary, other)  # type: ignore[arg-type]
    with pytest.raises(crm.NotFoundError):
        agency.unmerge("0190c6d4-1b2c-7d3e-8f40-123456789abc")
    assert agency.list_customers().total == 2


def test_merges_never_cross_tenants(agency: crm.Tenant, other: crm.Tenant) -> None:
    primary, dup = two_records(agency)
    theirs = other.create_customer(first_name="Hélène", last_name="Dupont")
    with pytest.raises(crm.NotFoundError):
        agency.merge(primary, [theirs])
    with pytest.raises(crm.NotFoundError):
        other.plan_merge(theirs, [dup])
    record = agency.merge(primary, [dup]).record
    with pytest.raises(crm.NotFoundError):
        other.get_merge(record.id)
    with pytest.raises(crm.NotFoundError):
        other.unmerge(record.id)
    with pytest.raises(crm.NotFoundError):
        other.get_customer(dup.id)
    assert other.list_customers().total == 1
    assert agency.get_customer(dup.id).id == primary.id
