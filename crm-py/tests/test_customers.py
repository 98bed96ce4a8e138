"""Customers: create, read, update, delete, list, validate; values round-trip exactly."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import crm


def test_create_returns_the_stored_customer(agency: crm.Tenant) -> None:
    c = agency.create_customer(
        first_name="Hélène",
        last_name="Dupont",
        email="Helene.Dupont@example.fr",
        mobile="06 12 34 56 78",
        phone="+33 4 72 00 00 00",
        secondary_emails=["h.dupont@work.example"],
        secondary_phones=["07 81 23 45 67"],
        address=crm.Address(street="1 rue de la Paix", zip="69001", city="Lyon", country="FR"),
        birth_date=date(1980, 2, 29),
        language="fr",
        notes="Prefers window seats 🪟",
        salesperson="Marc",
        lists=["newsletter", "vip"],
        custom_fields={"loyalty": "gold"},
    )
    assert c.customer_no == 1
    assert c.version == 1
    assert c.full_name == "Hélène Dupont"
    assert c.mobile is not None and c.mobile.e164 == "+33612345678"
    assert c.mobile.typed == "06 12 34 56 78"
    assert [p.e164 for p in c.secondary_phones] == ["+33781234567"]
    assert c.secondary_emails == ("h.dupont@work.example",)
    assert c.address == crm.Address(street="1 rue de la Paix", zip="69001", city="Lyon", country="FR")
    assert c.birth_date == date(1980, 2, 29)
    assert c.lists == frozenset({"newsletter", "vip"})
    assert c.custom_fields == {"loyalty": "gold"}
    assert c.created_at.tzinfo is not None
    assert agency.get_customer(c.id) == c
    assert agency.get_customer(c) == c
    assert agency.get_customer_by_no(1) == c


def test_values_round_trip_exactly(agency: crm.Tenant) -> None:
    weird = "Zoë 🧳 Ørsted-Łukasiewicz ß 中文"
    consent_at = datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Paris"))
    c = agency.create_customer(
        first_name=weird,
        last_name="O'Brien",
        company="Voyages « Étoile »",
        notes="ligne 1\nligne 2\ttab — “quotes”",
        custom_fields={"clé": "välue 🎫"},
        consent=crm.Consent(email=consent_at),
    )
    again = agency.get_customer(c.id)
    assert again.first_name == weird
    assert again.company == "Voyages « Étoile »"
    assert again.notes == "ligne 1\nligne 2\ttab — “quotes”"
    assert again.custom_fields == {"clé": "välue 🎫"}
    assert again.consent.email == consent_at
    assert again.consent.email is not None
    assert again.consent.email.utcoffset() == timedelta(0)
    assert again.consent.sms is None


def test_update_changes_only_the_given_fields(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Núñez", email="ana@example.es", company="ACME")
    updated = agency.update_customer(c, email="ana.nunez@example.es", company=None)
    assert updated.email == "ana.nunez@example.es"
    assert updated.company is None
    assert updated.first_name == "Ana"
    assert updated.version == c.version + 1
    assert agency.get_customer(c.id) == updated


def test_update_from_a_stale_copy_is_a_conflict(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Núñez")
    agency.update_customer(c, notes="first")
    with pytest.raises(crm.ConflictError, match="version"):
        agency.update_customer(c, notes="second")
    assert agency.get_customer(c.id).notes == "first"


def test_update_needs_a_customer_object(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Núñez")
    with pytest.raises(TypeError, match="customer: expected Customer"):
        agency.update_customer(c.id, notes="x")  # type: ignore[arg-type]


def test_delete_keeps_bookings(agency: crm.Tenant) -> None:
    from conftest import at

    c = agency.create_customer(first_name="Ana", last_name="Núñez")
    agency.upsert_booking(reference="BK-1", pickup_at=at(1), customer=c)
    assert agency.delete_customer(c) == 1
    with pytest.raises(crm.NotFoundError):
        agency.get_customer(c.id)
    assert agency.get_booking("BK-1").customer_id is None


def test_create_customers_is_all_or_nothing(agency: crm.Tenant) -> None:
    made = agency.create_customers(
        [{"first_name": "A", "last_name": "One"}, {"first_name": "B", "last_name": "Two"}]
    )
    assert [c.customer_no for c in made] == [1, 2]
    with pytest.raises(crm.ValidationError) as caught:
        agency.create_customers(
            [{"first_name": "C", "last_name": "Three"}, {"first_name": "D", "last_name": "Four", "email": "nope"}]
        )
    assert caught.value.field == "[1].email"
    assert agency.list_customers().total == 2


def test_validate_customer_writes_nothing(agency: crm.Tenant) -> None:
    agency.validate_customer(first_name="Ana", last_name="Núñez", email="ana@example.es")
    with pytest.raises(crm.ValidationError) as caught:
        agency.validate_customer(first_name="Ana", last_name="Núñez", mobile="12")
    assert caught.value.field == "mobile"
    assert agency.list_customers().total == 0


def test_find_customers_by_email_ignores_case(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Núñez", email="Ana@Example.es")
    assert agency.find_customers_by_email("ana@example.ES") == [c]
    assert agency.find_customers_by_email("nobody@example.es") == []


def test_list_pages_with_cursor_and_sorts(agency: crm.Tenant) -> None:
    agency.create_customers([{"first_name": f"F{i}", "last_name": f"L{i:02}"} for i in range(5)])
    first = agency.list_customers(limit=2)
    assert first.total == 5 and len(first) == 2 and first.next is not None
    assert [r.last_name for r in first] == ["L00", "L01"]
    second = agency.list_customers(limit=2, after=first.next)
    assert [r.last_name for r in second] == ["L02", "L03"]
    assert [r.last_name for r in agency.list_customers(reverse=True, limit=1)] == ["L04"]
    newest = agency.list_customers(sort="created_at", limit=1)
    assert newest[0].customer_no == 5
    assert first[-1].last_name == "L01"
    with pytest.raises(IndexError):
        first[2]
    with pytest.raises(crm.ValidationError, match="cursor"):
        agency.list_customers(after="not-a-cursor")
    with pytest.raises(crm.ValidationError, match="sort"):
        agency.list_customers(sort="age")  # type: ignore[arg-type]


def test_customer_objects_are_frozen_values(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Núñez", email="a@example.es")
    with pytest.raises(AttributeError):
        c.first_name = "Eve"  # type: ignore[misc]
    assert "Ana" not in repr(c) and str(c.customer_no) in repr(c)
    d = c.to_dict()
    assert d["first_name"] == "Ana"
    assert d["address"] == {"street": None, "zip": None, "city": None, "region": None, "country": None}
    assert d["lists"] == [] and d["secondary_phones"] == []
    assert d["consent"] == {"email": None, "sms": None}
    assert set(d) >= {"id", "customer_no", "created_at", "updated_at", "version"}
    # changing the dict of custom fields changes nothing stored
    c.custom_fields["x"] = "y"
    assert c.custom_fields == {}


def test_wrong_types_and_unknown_fields_are_type_errors(agency: crm.Tenant) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'nickname'"):
        agency.create_customer(first_name="A", last_name="B", nickname="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="email: expected str or None, got int"):
        agency.create_customer(first_name="A", last_name="B", email=12)  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match="secondary_emails"):
        agency.create_customer(first_name="A", last_name="B", secondary_emails="a@b.c")
    with pytest.raises(TypeError, match="birth_date"):
        agency.create_customer(
            first_name="A", last_name="B", birth_date=datetime(1980, 1, 1, tzinfo=timezone.utc)
        )
    assert agency.list_customers().total == 0


def test_validation_error_names_field_and_reason(agency: crm.Tenant) -> None:
    with pytest.raises(crm.ValidationError) as caught:
        agency.create_customer(first_name="", last_name="B")
    err = caught.value
    assert isinstance(err, ValueError) and isinstance(err, crm.CrmError)
    assert err.field == "first_name"
    assert err.reason
    assert str(err).startswith("first_name: ")
    assert err.kind == "validation"
