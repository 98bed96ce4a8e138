"""Privacy from Python: plan and anonymise (organisation role only), suppression, retention, and
the personal-data export validated against the committed JSON Schema."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

import crm
from conftest import at

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "personal-data-export.schema.json").read_text()
)


@pytest.fixture
def dpo(db: crm.Crm, agency: crm.Tenant) -> crm.Tenant:
    return db.tenant(agency.id, actor=crm.Actor("dpo-1", "organisation"))


def helene(agency: crm.Tenant) -> crm.Customer:
    c = agency.create_customer(
        first_name="Hélène",
        last_name="Dupont",
        email="helene.dupont@example.fr",
        mobile="06 12 34 56 78",
        phone="36 08 07",  # fits no plan: kept as typed, with no E.164 form
        notes="Allergic to peanuts",
        consent=crm.Consent(email=datetime(2025, 3, 1, tzinfo=timezone.utc)),
        lists={"vip"},
    )
    agency.upsert_booking(
        reference="BK-1", pickup_at=at(14), customer=c, invoices=[crm.Invoice("F-1", crm.Money(12000, "EUR"), "paid")]
    )
    return c


def test_export_follows_the_schema_before_and_after_anonymising(agency: crm.Tenant, dpo: crm.Tenant) -> None:
    c = helene(agency)
    export = agency.export_personal_data(c)
    jsonschema.validate(export, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert export["format"] == 6 and export["tenant"] == agency.id
    assert export["profile"]["phone"] == {"typed": "36 08 07", "e164": None}
    assert export["profile"]["email"] == "helene.dupont@example.fr"
    assert [{k: r[k] for k in ("channel", "purpose", "state", "at", "source")} for r in export["consents"]] == [
        {"channel": "email", "purpose": "marketing", "state": "given", "at": "2025-03-01T00:00:00Z",
         "source": "customer record"}
    ]
    assert export["invoices"][0]["amount"] == {"minor": 12000, "currency": "EUR"}
    assert export["lists"] == ["vip"]
    assert [e["kind"] for e in export["changes"]][:1] == ["customer_created"]
    # A document that breaks the schema is caught: the check is real.
    broken = dict(export, format=1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)

    dpo.anonymise(c, reason="GDPR Art. 17 request")
    after = agency.export_personal_data(c.id)
    jsonschema.validate(after, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert "helene" not in json.dumps(after).lower() and "peanuts" not in json.dumps(after)
    assert after["anonymisation"]["reason"] == "GDPR Art. 17 request"
    assert after["invoices"] == export["invoices"]


def test_plan_then_anonymise(agency: crm.Tenant, dpo: crm.Tenant) -> None:
    c = helene(agency)
    assert agency.search("peanuts").total == 0  # notes are not searched
    assert agency.search("0612").total == 1 and agency.search("dupont hel").total == 1
    plan = agency.plan_anonymise(c)
    assert {"first_name", "email", "mobile", "notes", "consent", "lists"} <= set(plan.erased)
    assert any("invoice" in what and "17(3)(b)" in why for what, why in plan.kept)
    assert (plan.bookings, plan.suppressed_contacts) == (1, 3)  # email, mobile, phone
    assert agency.get_customer(c.id) == c  # nothing written
    with pytest.raises(crm.PermissionDeniedError):
        agency.anonymise(c, reason="GDPR")  # an agent
    assert agency.get_customer(c.id) == c
    with pytest.raises(crm.ValidationError) as caught:
        dpo.anonymise(c, reason=" ")
    assert caught.value.field == "reason"
    done = dpo.anonymise(c.id, reason="GDPR Art. 17 request")
    assert done == plan
    gone = agency.get_customer(c.id)
    assert gone.full_name == f"Anonymised customer {c.customer_no}"
    assert gone.email is None and gone.mobile is None and gone.notes is None and gone.lists == frozenset()
    assert gone.anonymised_at is not None
    assert agency.customer_stats(c).bookings == 1
    assert agency.changes_since()[-1].kind == "customer_anonymised"
    with pytest.raises(crm.ConflictError):
        dpo.anonymise(c, reason="again")
    assert agency.search("0612").total == 0 and agency.search("dupont hel").total == 0


def test_suppressed_contacts_are_flagged(agency: crm.Tenant, other: crm.Tenant, dpo: crm.Tenant) -> None:
    c = helene(agency)
    assert agency.suppressed_fields(email="HELENE.DUPONT@example.fr") == []
    dpo.anonymise(c, reason="GDPR Art. 17 request")
    assert agency.suppressed_fields(email="HELENE.DUPONT@example.fr", mobile="+33 6 12 34 56 78") == [
        "email",
        "mobile",
    ]
    assert other.suppressed_fields(email="helene.dupont@example.fr") == []
    with pytest.raises(crm.ValidationError):
        agency.suppressed_fields(email="nope")


def test_retention_dry_run_then_for_real(agency: crm.Tenant, dpo: crm.Tenant) -> None:
    idle = agency.create_customer(first_name="Ida", last_name="Idle")
    booked = agency.create_customer(first_name="Fred", last_name="Future")
    agency.upsert_booking(reference="BK-F", pickup_at=datetime(2031, 1, 1, tzinfo=timezone.utc), customer=booked)
    cutoff = datetime.now(timezone.utc) + timedelta(days=1)
    with pytest.raises(crm.PermissionDeniedError):
        agency.anonymise_inactive(cutoff, dry_run=True)
    dry = dpo.anonymise_inactive(cutoff, dry_run=True)
    assert dry.dry_run and dry.customers == (idle.id,)
    assert agency.get_customer(idle).anonymised_at is None
    seen: list[tuple[int, int]] = []
    ran = dpo.anonymise_inactive(cutoff, progress=lambda done, total: seen.append((done, total)))
    assert ran.customers == (idle.id,) and not ran.dry_run and seen[-1] == (1, 1)
    assert agency.get_customer(idle).anonymised_at is not None
    assert agency.get_customer(booked).anonymised_at is None
    with pytest.raises(crm.ValidationError):
        dpo.anonymise_inactive(datetime(2030, 1, 1))  # naive


def test_privacy_never_crosses_tenants(agency: crm.Tenant, other: crm.Tenant, db: crm.Crm) -> None:
    c = helene(agency)
    their_dpo = db.tenant(other.id, actor=crm.Actor("dpo-2", "organisation"))
    with pytest.raises(crm.NotFoundError):
        their_dpo.anonymise(c, reason="GDPR")
    with pytest.raises(crm.NotFoundError):
        other.export_personal_data(c)
    with pytest.raises(crm.NotFoundError):
        other.plan_anonymise(c)
    assert their_dpo.anonymise_inactive(datetime.now(timezone.utc) + timedelta(days=1)).customers == ()
    assert agency.get_customer(c.id) == c
