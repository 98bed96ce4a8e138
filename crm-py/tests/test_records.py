"""The value classes: constructors, equality, hashing, repr, to_dict."""

from datetime import datetime, timedelta, timezone

import pytest

import crm


def test_money_is_an_exact_hashable_value() -> None:
    m = crm.Money(1250, "EUR")
    assert crm.Money(1250, " eur ") == m  # kept as the store keeps it
    assert m == crm.Money(1250, "EUR") and m != crm.Money(1250, "USD")
    assert len({m, crm.Money(1250, "EUR")}) == 1
    assert repr(m) == "Money(1250, 'EUR')"
    assert m.to_dict() == {"minor": 1250, "currency": "EUR"}
    with pytest.raises(TypeError):
        crm.Money(12.5, "EUR")  # type: ignore[arg-type]


def test_invoice_checks_its_payment_status() -> None:
    inv = crm.Invoice("INV-1", crm.Money(100, "EUR"))
    assert inv.payment_status == "unpaid"
    assert inv.to_dict() == {
        "number": "INV-1",
        "issued_on": None,
        "due_on": None,
        "amount": {"minor": 100, "currency": "EUR"},
        "amount_paid": None,
        "payment_status": "unpaid",
    }
    assert repr(inv) == "Invoice('INV-1', Money(100, 'EUR'), 'unpaid')"
    with pytest.raises(crm.ValidationError) as caught:
        crm.Invoice("INV-1", crm.Money(100, "EUR"), "lost")  # type: ignore[arg-type]
    assert caught.value.field == "invoice.payment_status"


def test_actor_is_hashable_and_defaults_to_agent() -> None:
    a = crm.Actor("u-1")
    assert a.role == "agent" and a == crm.Actor("u-1", "agent")
    assert a != crm.Actor("u-1", "system")
    assert len({a, crm.Actor("u-1")}) == 1
    assert a.to_dict() == {"user_id": "u-1", "role": "agent"}
    assert repr(a) == "Actor('u-1', 'agent')"


def test_address_and_consent() -> None:
    a = crm.Address(city="Lyon", country="FR")
    assert (a.street, a.zip, a.city, a.region, a.country) == (None, None, "Lyon", None, "FR")
    assert a == crm.Address(country="FR", city="Lyon")
    when = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
    c = crm.Consent(sms=when)
    assert c.sms == when and c.email is None
    with pytest.raises(crm.ValidationError) as caught:
        crm.Consent(email=datetime(2026, 1, 1))
    assert caught.value.field == "consent.email"
    with pytest.raises(crm.ValidationError, match="1900"):
        crm.Consent(sms=datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    assert c.to_dict() == {"email": None, "sms": when}


def test_records_are_frozen() -> None:
    m = crm.Money(1, "EUR")
    with pytest.raises(AttributeError):
        m.minor = 2  # type: ignore[misc]


def test_records_with_mutable_looking_fields_are_not_hashable(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="A", last_name="B", mobile="06 12 34 56 78")
    with pytest.raises(TypeError):
        hash(c)
    assert c.mobile is not None and c.mobile.to_dict() == {"typed": "06 12 34 56 78", "e164": "+33612345678"}
