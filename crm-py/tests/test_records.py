"""The value classes: constructors, equality, hashing, repr, to_dict."""

from datetime import datetime, timezone

import pytest

import crm


def test_money_is_an_exact_hashable_value() -> None:
    m = crm.Money(1250, "EUR")
    assert m == crm.Money(1250, "EUR") and m != crm.Money(1250, "USD")
    assert len({m, crm.Money(1250, "EUR")}) == 1
    assert repr(m) == "Money(1250, 'EUR')"
    assert m.to_dict() == {"minor": 1250, "currency": "EUR"}
    with pytest.raises(TypeError):
        crm.Money(12.5, "EUR")  # type: ignore[arg-type]


def test_invoice_checks_its_payment_status() -> None:
    inv = crm.Invoice("INV-1", crm.Money(100, "EUR"))
    assert inv.payment_status == "unpaid"
    assert inv.to_dict() == {"number": "INV-1", "amount": {"minor": 100, "currency": "EUR"}, "payment_status": "unpaid"}
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


def test_records_are_frozen() -> None:
    m = crm.Money(1, "EUR")
    with pytest.raises(AttributeError):
        m.minor = 2  # type: ignore[misc]
