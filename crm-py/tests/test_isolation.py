"""Tenant isolation seen from Python: no call for one tenant reads, changes or reveals another's."""

import pytest
from conftest import at

import crm


def test_nothing_crosses_tenants(agency: crm.Tenant, other: crm.Tenant) -> None:
    mine = agency.create_customer(first_name="Hélène", last_name="Dupont", email="h@example.fr",
                                  mobile="06 12 34 56 78")
    agency.upsert_booking(reference="BK-1", pickup_at=at(1), customer=mine)

    assert other.search("dupont").total == 0
    assert other.search("0612").total == 0
    assert other.search().total == 0
    assert other.list_customers().total == 0
    assert other.find_customers_by_email("h@example.fr") == []
    assert other.changes_since() and all(e.customer_id is None for e in other.changes_since())
    with pytest.raises(crm.NotFoundError):
        other.get_customer(mine.id)
    with pytest.raises(crm.NotFoundError):
        other.get_customer_by_no(mine.customer_no)
    with pytest.raises(crm.NotFoundError):
        other.get_booking("BK-1")
    with pytest.raises(crm.NotFoundError):
        other.booking_history(mine)
    with pytest.raises(crm.NotFoundError):
        other.customer_stats(mine)
    with pytest.raises(crm.NotFoundError):
        other.update_customer(mine, last_name="Stolen")
    with pytest.raises(crm.NotFoundError):
        other.delete_customer(mine)
    with pytest.raises(crm.NotFoundError):
        other.upsert_booking(reference="BK-X", pickup_at=at(2), customer=mine)
    # the same reference in another tenant is another booking
    theirs, created = other.upsert_booking(reference="BK-1", pickup_at=at(5))
    assert created and theirs.customer_id is None
    with pytest.raises(crm.NotFoundError):
        other.link_booking("BK-1", mine)
    # capture by the same email creates the other tenant's own customer
    captured = other.capture_booking({"first_name": "H", "last_name": "D", "email": "h@example.fr"},
                                     {"reference": "BK-2", "pickup_at": at(3)})
    assert captured.matched == "created" and captured.customer.id != mine.id

    assert agency.get_customer(mine.id) == mine
    assert agency.get_booking("BK-1").customer_id == mine.id
    assert agency.customer_stats(mine).bookings == 1
