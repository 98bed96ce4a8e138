"""Outreach, the communication log, saved searches and statements from Python."""

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import crm

CONSENT = datetime(2026, 1, 1, tzinfo=UTC)


def make(t: crm.Tenant, first: str, email: str | None, consent: bool = True) -> crm.Customer:
    return t.create_customer(
        first_name=first,
        last_name="Voyageur",
        email=email,
        mobile="06 12 34 56 78",
        address=crm.Address(city="Lyon"),
        consent=crm.Consent(email=CONSENT if consent else None, sms=CONSENT if consent else None),
    )


def test_outreach_and_the_log(agency: crm.Tenant, other: crm.Tenant) -> None:
    anne = make(agency, "Anne", "anne@x.fr")
    make(agency, "Bob", "bob@x.fr", consent=False)
    make(agency, "Carl", None)
    out = agency.outreach("email", search={"city": "Lyon"})
    assert isinstance(out, crm.Outreach) and out.channel == "email" and len(out) == 1
    (r,) = out.recipients
    assert (r.first_name, r.address, r.customer_no) == ("Anne", "anne@x.fr", anne.customer_no)
    assert out.skipped == {"anonymised": 0, "no_address": 1, "no_consent": 1, "suppressed": 0, "opted_out": 0}
    sms = agency.outreach("sms")
    assert [x.address for x in sms.recipients] == ["+33612345678", "+33612345678"]
    with pytest.raises(crm.ValidationError) as err:
        agency.outreach("fax")
    assert err.value.field == "channel"
    assert len(other.outreach("email")) == 0

    sent = datetime(2026, 6, 1, 10, tzinfo=UTC)
    entry = agency.record_communication(anne, "email", "Summer offers", reference="msg-1", sent_at=sent)
    assert (entry.address, entry.subject, entry.reference, entry.sent_at) == ("anne@x.fr", "Summer offers", "msg-1", sent)
    agency.record_communication(anne.id, "sms", "Reminder")
    log = agency.communications(anne)
    assert [e.channel for e in log] == ["sms", "email"]
    assert log[1].to_dict()["recorded_by"] == entry.recorded_by
    with pytest.raises(crm.ValidationError) as err:
        agency.record_communication(anne, "email", " ")
    assert err.value.field == "[0].subject"
    with pytest.raises(crm.NotFoundError):
        other.record_communication(anne, "email", "x")
    with pytest.raises(crm.NotFoundError):
        other.communications(anne)
    assert agency.changes_since(0)[-1].kind == "communication_recorded"
    # Many at once, all or nothing.
    with pytest.raises(crm.ValidationError) as err:
        agency.record_communications([{"customer": anne, "channel": "sms", "subject": "ok"}, {"customer": anne, "channel": "email", "subject": ""}])
    assert err.value.field == "[1].subject"
    with pytest.raises(TypeError):
        agency.record_communications([{"customer": anne, "channel": "email", "subject": "x", "colour": "red"}])
    assert len(agency.communications(anne)) == 2
    logged = agency.record_communications([{"customer": anne.id, "channel": "sms", "subject": "a", "reference": "r", "sent_at": sent}])
    assert [(e.subject, e.reference, e.sent_at) for e in logged] == [("a", "r", sent)]


def test_an_opted_out_address_is_left_out_on_every_record(agency: crm.Tenant, other: crm.Tenant) -> None:
    make(agency, "Anne", "anne@x.fr")
    make(agency, "Annie", "Anne@X.fr")
    make(agency, "Bea", "bea@x.fr")
    make(other, "Xena", "anne@x.fr")
    assert agency.opt_out("email", "anne@x.fr", source="unsubscribe link") is True
    assert agency.opt_out("email", "ANNE@x.fr", source="again") is False
    assert agency.is_opted_out("email", "anne@x.fr") and not other.is_opted_out("email", "anne@x.fr")
    out = agency.outreach("email")
    assert [r.first_name for r in out.recipients] == ["Bea"] and out.skipped["opted_out"] == 2
    assert len(agency.outreach("sms")) == 3  # only that channel
    assert [r.first_name for r in other.outreach("email").recipients] == ["Xena"]
    agency.opt_out("sms", "+33 6 12 34 56 78", source="phone call")
    assert agency.is_opted_out("sms", "06.12.34.56.78")
    assert len(agency.outreach("sms")) == 0
    with pytest.raises(crm.ValidationError, match="address"):
        agency.opt_out("email", "not an email", source="form")
    with pytest.raises(crm.ValidationError, match="source"):
        agency.opt_out("email", "a@x.fr", source=" ")
    assert agency.opt_in("email", "anne@x.fr") is True and agency.opt_in("email", "anne@x.fr") is False
    assert len(agency.outreach("email")) == 3


def test_consent_records_keep_a_history_and_outreach_honours_the_purpose(agency: crm.Tenant, other: crm.Tenant) -> None:
    anne = make(agency, "Anne", "anne@x.fr")
    bea = make(agency, "Bea", "bea@x.fr", consent=False)
    assert [(r.channel, r.purpose, r.state, r.source) for r in agency.consents(anne)] == [
        ("sms", "marketing", "given", "customer record"),
        ("email", "marketing", "given", "customer record"),
    ]
    when = datetime(2026, 3, 1, 10, tzinfo=UTC)
    record = agency.record_consent(anne, "email", "marketing", "withdrawn", source="phone call", at=when)
    assert isinstance(record, crm.ConsentRecord)
    assert (record.state, record.at, record.recorded_by) == ("withdrawn", when, "u-17")
    assert record.to_dict()["purpose"] == "marketing"
    assert agency.get_customer(anne.id).consent.email is None
    assert agency.consents(anne.id)[0] == record
    assert [r.first_name for r in agency.outreach("email").recipients] == []
    # Service messages need no consent; a withdrawal of them holds.
    assert sorted(r.first_name for r in agency.outreach("email", purpose="service").recipients) == ["Anne", "Bea"]
    agency.record_consent(bea, "email", "service", "withdrawn", source="phone call")
    service = agency.outreach("email", purpose="service")
    assert [r.first_name for r in service.recipients] == ["Anne"] and service.skipped["no_consent"] == 1
    # An opt-out is from marketing: service messages still go.
    agency.opt_out("email", "anne@x.fr", source="unsubscribe link")
    assert [r.first_name for r in agency.outreach("email", purpose="service").recipients] == ["Anne"]
    with pytest.raises(crm.ValidationError) as caught:
        agency.record_consent(anne, "email", "marketing", "given", source="from anne@x.fr")
    assert caught.value.field == "source"
    with pytest.raises(crm.ValidationError) as caught:
        agency.record_consent(anne, "email", "marketing", "given", source="form", at=datetime(2999, 1, 1, tzinfo=UTC))
    assert caught.value.field == "at"
    with pytest.raises(crm.ValidationError):
        agency.record_consent(anne, "email", "newsletters", "given", source="form")  # type: ignore[arg-type]
    with pytest.raises(crm.ValidationError):
        agency.outreach("email", purpose="spam")  # type: ignore[arg-type]
    with pytest.raises(crm.NotFoundError):
        other.record_consent(anne, "email", "marketing", "given", source="form")
    with pytest.raises(crm.NotFoundError):
        other.consents(anne)
    assert len(agency.consents(anne)) == 3


def test_run_saved_finds_who_newly_matches(agency: crm.Tenant, other: crm.Tenant) -> None:
    saved = agency.save_search("Lyon weekly", {"city": "Lyon", "limit": 1})
    assert isinstance(saved, crm.SavedSearch) and saved.last_run_at is None
    assert saved.query["filters"] and saved.query["limit"] == 1
    make(agency, "Anne", "a@x.fr")
    make(agency, "Bob", "b@x.fr")
    first = agency.run_saved(saved)
    assert (first.total, len(first.new), first.previous_run_at) == (2, 2, None)
    carl = make(agency, "Carl", "c@x.fr")
    second = agency.run_saved(saved.id)
    assert [row.id for row in second.new] == [carl.id]
    assert second.previous_run_at == first.ran_at
    assert second.search.last_run_at == second.ran_at
    assert len(agency.run_saved(saved, since=first.ran_at - timedelta(seconds=1)).new) == 3
    assert agency.find_saved_search("Lyon weekly") == agency.get_saved_search(saved.id)
    assert [s.name for s in agency.saved_searches()] == ["Lyon weekly"]
    with pytest.raises(crm.NotFoundError):
        other.run_saved(saved)
    with pytest.raises(crm.NotFoundError):
        other.find_saved_search("Lyon weekly")
    with pytest.raises(crm.ValidationError):
        agency.save_search("", {"city": "Lyon"})
    agency.delete_saved_search(saved)
    assert agency.saved_searches() == []
    with pytest.raises(crm.NotFoundError):
        agency.delete_saved_search(saved)


def test_statement_with_totals_and_pdf(agency: crm.Tenant, other: crm.Tenant, tmp_path: Path) -> None:
    c = agency.create_customer(first_name="Hélène", last_name="Dupont")
    for ref, day, minor, status in [("BK-1", 1, 12050, "confirmed"), ("BK-2", 15, 999, "cancelled"), ("BK-3", 30, 1000, "completed")]:
        agency.upsert_booking(
            reference=ref,
            pickup_at=datetime(2026, 6, day, 8, tzinfo=UTC),
            customer=c,
            status=status,
            invoices=[crm.Invoice(ref, crm.Money(minor, "EUR"), "paid")],
        )
    agency.upsert_booking(reference="BK-9", pickup_at=datetime(2026, 7, 1, 8, tzinfo=UTC), customer=c)
    s = agency.statement(c, date(2026, 6, 1), date(2026, 6, 30))
    assert [line.reference for line in s.lines] == ["BK-1", "BK-2", "BK-3"]
    assert s.totals == (crm.Money(13050, "EUR"),)
    assert s.outstanding == ()
    agency.upsert_booking(reference="BK-3", pickup_at=datetime(2026, 6, 30, 8, tzinfo=UTC), customer=c,
                          status="completed", invoices=[crm.Invoice("BK-3", crm.Money(1000, "EUR"), "unpaid")])
    assert agency.statement(c, date(2026, 6, 1), date(2026, 6, 30)).outstanding == (crm.Money(1000, "EUR"),)
    assert s.lines[0].amount == crm.Money(12050, "EUR") and s.lines[1].status == "cancelled"
    assert (s.start, s.end, s.name) == (date(2026, 6, 1), date(2026, 6, 30), "Hélène Dupont")
    pdf = s.to_pdf()
    assert pdf.startswith(b"%PDF-")
    written = tmp_path / "written.pdf"
    s.write_pdf(written)
    assert written.read_bytes() == pdf
    assert not (tmp_path / "written.pdf.partial").exists()
    with pytest.raises(crm.IoError):
        s.write_pdf(tmp_path / "missing" / "statement.pdf")
    with pytest.raises(crm.ValidationError):
        agency.statement(c, date(2026, 6, 30), date(2026, 6, 1))
    with pytest.raises(crm.NotFoundError):
        other.statement(c, date(2026, 6, 1), date(2026, 6, 30))
    if shutil.which("pdftotext") is None:
        return
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    for needle in ["Hélène Dupont", "BK-1", "BK-3", "130.50 EUR"]:
        assert needle in text
    assert "BK-9" not in text


def test_relative_periods_follow_the_tenant_day_and_a_saved_search_is_a_search(
    agency: crm.Tenant, other: crm.Tenant, tmp_path: Path
) -> None:
    agency.set_settings(time_zone="Europe/Paris")
    assert agency.settings().time_zone == "Europe/Paris"
    assert other.settings().time_zone is None
    with pytest.raises(crm.ValidationError) as err:
        agency.set_settings(time_zone="Paris")
    assert err.value.field == "time_zone"
    soon = make(agency, "Soon", "soon@x.fr")
    later = make(agency, "Later", "later@x.fr")
    lapsed = make(agency, "Lapsed", "lapsed@x.fr")
    today = datetime.now(UTC).date()

    def pickup(days: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), datetime.min.time(), UTC) + timedelta(hours=12)

    agency.upsert_booking(reference="P-1", pickup_at=pickup(3), customer=soon)
    agency.upsert_booking(reference="P-2", pickup_at=pickup(20), customer=later)
    agency.upsert_booking(reference="P-3", pickup_at=pickup(-500), customer=lapsed)
    assert [r.first_name for r in agency.search(departure_in="next 7 days")] == ["Soon"]
    assert [r.first_name for r in agency.search(last_booking_in="more than 12 months ago")] == ["Lapsed"]
    assert agency.search(created_in="today").total == 3
    assert agency.search(created_in="last month").total == 0
    with pytest.raises(crm.ValidationError) as err:
        agency.search(departure_in="soonish")
    assert err.value.field == "departure_in"
    with pytest.raises(crm.ValidationError):
        agency.search(departure_in="next 0 days")

    saved = agency.save_search("Departing soon", {"departure_in": "next 7 days", "has_email": True})
    assert "next 7 days" in str(saved.query)
    # A SavedSearch goes wherever a search does: outreach, exports, another saved search.
    out = agency.outreach("email", search=saved)
    assert [r.first_name for r in out.recipients] == ["Soon"]
    assert agency.export_csv(tmp_path / "soon.csv", columns=["first_name"], search=saved) == 1
    assert (tmp_path / "soon.csv").read_text().splitlines() == ["first_name", "Soon"]
    assert agency.export_xlsx(tmp_path / "soon.xlsx", search=saved) == 1
    copy = agency.save_search("Copy", saved)
    assert copy.query == saved.query and copy.id != saved.id
    assert agency.run_saved(copy).total == 1
    # The other tenant runs it on its own customers: none.
    assert len(other.outreach("email", search=saved)) == 0
    with pytest.raises(TypeError, match="SavedSearch"):
        agency.outreach("email", search=42)  # type: ignore[arg-type]


def test_statements_of_a_saved_search(agency: crm.Tenant, other: crm.Tenant) -> None:
    anne = make(agency, "Anne", "anne@x.fr")
    bob = make(agency, "Bob", "bob@x.fr")
    june = datetime(2026, 6, 10, 8, tzinfo=UTC)
    agency.upsert_booking(reference="S-1", pickup_at=june, customer=anne, invoices=[crm.Invoice("I-1", crm.Money(100, "EUR"))])
    saved = agency.save_search("Lyon", {"city": "Lyon"})
    statements = agency.statements(date(2026, 6, 1), date(2026, 6, 30), search=saved)
    assert sorted(s.name for s in statements) == ["Anne Voyageur", "Bob Voyageur"]
    (only,) = agency.statements(date(2026, 6, 1), date(2026, 6, 30), customers=[anne])
    assert [line.reference for line in only.lines] == ["S-1"]
    assert other.statements(date(2026, 6, 1), date(2026, 6, 30), customers=[anne, bob]) == []
    with pytest.raises(crm.ValidationError):
        agency.statements(date(2026, 6, 30), date(2026, 6, 1))
