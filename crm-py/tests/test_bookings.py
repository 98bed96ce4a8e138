"""Bookings: upsert, batch upsert, link, history, stats, capture at booking time."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import at

import crm


def test_upsert_creates_then_replaces(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Núñez")
    booking, created = agency.upsert_booking(
        reference="BK-1",
        pickup_at=at(14, 8),
        customer=c,
        route_from="Lyon",
        route_to="LYS",
        transport="coach",
        hotel="Hôtel du Parc",
        salesperson="Marc",
        invoices=[crm.Invoice("INV-1", crm.Money(12_50, "EUR"), "partially_paid")],
    )
    assert created
    assert booking.customer_id == c.id
    assert booking.status == "confirmed"
    assert booking.route == "Lyon → LYS"
    assert booking.invoices == [crm.Invoice("INV-1", crm.Money(1250, "EUR"), "partially_paid")]
    again, created = agency.upsert_booking(reference="BK-1", pickup_at=at(14, 8), status="cancelled")
    assert not created
    assert again.status == "cancelled"
    assert again.customer_id == c.id  # customer left out keeps the link
    kept, _ = agency.upsert_booking(reference="BK-1", pickup_at=at(14, 8), customer=None)
    assert kept.customer_id == c.id  # None keeps it too; unlink with link_booking
    assert kept.updated_at >= kept.created_at
    assert agency.get_booking("BK-1") == kept


def test_times_keep_their_instant_and_offset(agency: crm.Tenant) -> None:
    paris = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris"))
    tokyo = datetime(2026, 10, 26, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    booking, _ = agency.upsert_booking(reference="TZ", pickup_at=paris, return_at=tokyo)
    # the second 02:30 of the night clocks go back (fold=1) is 01:30 UTC; PEP 495 makes such a
    # time unequal to any time of another zone, so compare the instants
    assert booking.pickup_at.timestamp() == paris.timestamp()
    assert booking.pickup_at.utcoffset() == timedelta(hours=1)
    assert booking.return_at == tokyo
    assert booking.return_at is not None and booking.return_at.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize("offset", [timedelta(hours=5, minutes=45), timedelta(hours=-3, minutes=-30), timedelta(0)])
def test_odd_offsets_are_kept(agency: crm.Tenant, offset: timedelta) -> None:
    pickup = datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=timezone(offset))
    booking, _ = agency.upsert_booking(reference="ODD", pickup_at=pickup)
    assert booking.pickup_at == pickup
    assert booking.pickup_at.utcoffset() == offset
    assert booking.pickup_at.replace(tzinfo=None) == pickup.replace(tzinfo=None)


def test_sub_second_offsets_are_refused(agency: crm.Tenant) -> None:
    odd = timezone(timedelta(hours=1, microseconds=1))
    with pytest.raises(crm.ValidationError, match="fraction of a second"):
        agency.upsert_booking(reference="X", pickup_at=datetime(2026, 7, 1, tzinfo=odd))


def test_naive_times_are_refused(agency: crm.Tenant) -> None:
    with pytest.raises(crm.ValidationError) as caught:
        agency.upsert_booking(reference="N", pickup_at=datetime(2026, 7, 1, 9, 0))
    assert caught.value.field == "pickup_at"
    with pytest.raises(TypeError, match="missing required argument: 'pickup_at'"):
        agency.upsert_booking(reference="N")  # type: ignore[typeddict-item]
    with pytest.raises(crm.ValidationError, match="status"):
        agency.upsert_booking(reference="N", pickup_at=at(1), status="lost")  # type: ignore[typeddict-item]


def test_big_amounts_are_exact(agency: crm.Tenant) -> None:
    big = 9_999_999_999_999  # minor units: just under the limit
    booking, _ = agency.upsert_booking(
        reference="BIG", pickup_at=at(1), invoices=[crm.Invoice("I", crm.Money(big, "JPY"), "paid")]
    )
    assert booking.invoices[0].amount.minor == big
    with pytest.raises(crm.ValidationError, match="amount"):
        agency.upsert_booking(
            reference="HUGE", pickup_at=at(1), invoices=[crm.Invoice("I", crm.Money(10**14, "EUR"))]
        )
    for minor in (10**14, 2**70, -(2**70)):
        with pytest.raises(crm.ValidationError) as caught:
            crm.Money(minor, "EUR")
        assert caught.value.field == "amount"


def test_history_is_newest_first_and_stats_sum_per_currency(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Núñez")
    count = agency.upsert_bookings(
        [
            {"reference": "A", "pickup_at": at(1), "customer": c, "invoices": [crm.Invoice("1", crm.Money(100, "EUR"))]},
            {"reference": "B", "pickup_at": at(20), "customer": c.id, "invoices": [crm.Invoice("2", crm.Money(250, "EUR"))]},
            {"reference": "C", "pickup_at": at(10), "customer": c, "invoices": [crm.Invoice("3", crm.Money(7, "CHF"))]},
            {"reference": "D", "pickup_at": at(5), "customer": c, "status": "cancelled",
             "invoices": [crm.Invoice("4", crm.Money(999, "EUR"))]},
        ]
    )
    assert count == 4
    assert [b.reference for b in agency.booking_history(c)] == ["B", "C", "D", "A"]
    stats = agency.customer_stats(c)
    assert stats.bookings == 4
    assert stats.last_booking == at(20)
    assert set(stats.total_spent) == {crm.Money(350, "EUR"), crm.Money(7, "CHF")}


def test_batch_upsert_is_all_or_nothing(agency: crm.Tenant) -> None:
    with pytest.raises(crm.ValidationError) as caught:
        agency.upsert_bookings([{"reference": "OK", "pickup_at": at(1)}, {"reference": "", "pickup_at": at(2)}])
    assert caught.value.field == "[1].reference"
    with pytest.raises(crm.NotFoundError):
        agency.get_booking("OK")


def test_link_relink_unlink(agency: crm.Tenant) -> None:
    a = agency.create_customer(first_name="A", last_name="One")
    b = agency.create_customer(first_name="B", last_name="Two")
    agency.upsert_booking(reference="BK", pickup_at=at(3))
    assert agency.link_booking("BK", a).customer_id == a.id
    assert agency.link_booking("BK", b.id).customer_id == b.id
    assert agency.link_booking("BK", None).customer_id is None
    with pytest.raises(crm.ValidationError, match="customer"):
        agency.link_booking("BK", "not-a-uuid")


def test_capture_creates_then_updates_by_email(agency: crm.Tenant) -> None:
    first = agency.capture_booking(
        {"first_name": "Ana", "last_name": "Núñez", "email": "ana@example.es"},
        {"reference": "W-1", "pickup_at": at(2)},
    )
    assert first.matched == "created"
    relinked = agency.capture_booking(
        {"first_name": "Ana", "last_name": "Núñez", "email": "ana@example.es"},
        {"reference": "W-1", "pickup_at": at(2)},
    )
    assert relinked.matched == "booking" and relinked.customer.id == first.customer.id
    assert first.booking.customer_id == first.customer.id
    second = agency.capture_booking(
        {"first_name": "Ana", "last_name": "Núñez", "email": "ANA@example.es", "mobile": "06 11 22 33 44"},
        {"reference": "W-2", "pickup_at": at(9)},
    )
    assert second.matched == "email"
    assert "Ana" not in repr(second) and "W-2" in repr(second)
    assert second.customer.id == first.customer.id
    assert "mobile" in second.changed_fields
    assert second.to_dict()["customer"]["mobile"]["e164"] == "+33611223344"
    with pytest.raises(TypeError, match="contact.nickname"):
        agency.capture_booking(
            {"first_name": "A", "last_name": "B", "nickname": "x"},  # type: ignore[typeddict-unknown-key]
            {"reference": "W-3", "pickup_at": at(9)},
        )


def test_booking_repr_and_dict(agency: crm.Tenant) -> None:
    booking, _ = agency.upsert_booking(reference="BK-9", pickup_at=at(4), route_from="A", route_to="B")
    assert "BK-9" in repr(booking)
    d = booking.to_dict()
    assert d["reference"] == "BK-9" and d["pickup_at"] == at(4) and d["invoices"] == []


def test_a_booking_has_several_invoices_and_the_customer_lists_them_with_totals(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Anne", last_name="Martin")
    deposit = crm.Invoice(
        "D-1", crm.Money(30_000, "EUR"), "paid", issued_on=date(2026, 3, 1), due_on=date(2026, 3, 15), amount_paid=30_000
    )
    balance = crm.Invoice(
        "B-1", crm.Money(70_000, "EUR"), "partially_paid", issued_on=date(2026, 6, 1), amount_paid=20_000
    )
    booking, _ = agency.upsert_booking(reference="BK-1", pickup_at=at(14), customer=c, invoices=[deposit, balance])
    assert booking.invoices == [deposit, balance]
    assert balance.issued_on == date(2026, 6, 1) and balance.due_on is None
    assert (balance.amount_paid, balance.paid) == (20_000, 20_000)
    assert crm.Invoice("X", crm.Money(5, "EUR"), "paid").paid == 5
    listed = agency.invoices(c)
    assert [i["invoice"].number for i in listed["invoices"]] == ["B-1", "D-1"]
    assert [i["owed"] for i in listed["invoices"]] == [50_000, 0]
    assert listed["invoices"][0]["booking_reference"] == "BK-1"
    assert listed["invoices"][0]["booking_status"] == "confirmed"
    assert listed["paid"] == [crm.Money(50_000, "EUR")]
    assert listed["outstanding"] == [crm.Money(50_000, "EUR")]
    with pytest.raises(crm.ValidationError) as caught:
        agency.upsert_booking(
            reference="BK-1", pickup_at=at(14), customer=c,
            invoices=[deposit, crm.Invoice("G-1", crm.Money(1, "GBP"))],
        )
    assert caught.value.field == "invoices[1].amount.currency"
    with pytest.raises(crm.ValidationError) as caught:
        crm_invoice = crm.Invoice("P", crm.Money(100, "EUR"), "unpaid", amount_paid=5)
        agency.upsert_booking(reference="BK-2", pickup_at=at(14), invoices=[crm_invoice])
    assert caught.value.field == "invoices[0].amount_paid"
    with pytest.raises(TypeError, match="invoices"):
        agency.upsert_booking(reference="BK-2", pickup_at=at(14), invoices=deposit)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="issued_on"):
        crm.Invoice("P", crm.Money(100, "EUR"), issued_on=datetime(2026, 1, 1))
    assert agency.get_booking("BK-1").invoices == [deposit, balance]


def test_invoices_are_each_tenants_own(agency: crm.Tenant, other: crm.Tenant) -> None:
    a, b = agency, other
    anne = a.create_customer(first_name="Anne", last_name="Martin")
    a.upsert_booking(reference="BK-1", pickup_at=at(14), customer=anne, invoices=[crm.Invoice("F-1", crm.Money(100, "EUR"))])
    with pytest.raises(crm.NotFoundError):
        b.invoices(anne)
    assert a.invoices(anne)["outstanding"] == [crm.Money(100, "EUR")]
