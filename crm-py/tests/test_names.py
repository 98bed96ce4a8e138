"""The names the Python face shows come from the core: the stub's literals, sorts and the window."""

import ast
from datetime import date, datetime, timezone
import inspect
from pathlib import Path

import pytest

import crm

# Each literal alias of the typing stub and the core's list it must equal.
ALIASES = {
    "_Role": "role",
    "_BookingStatus": "booking_status",
    "_PaymentStatus": "payment_status",
    "_SearchSort": "search_sort",
    "_ListSort": "list_sort",
    "_ChangeKind": "change_kind",
    "_MergeField": "merge_field",
    "_MatchField": "match_field",
    "_MatchLevel": "match_level",
    "_Channel": "channel",
    "_ImportPreset": "import_preset",
    "_NameRule": "name_rule",
    "_EmailUniqueness": "email_uniqueness",
    "_Permission": "permission",
    "_PrivacyAction": "privacy_action",
    "_SpendingPeriod": "spending_period",
    "_ConsentPurpose": "consent_purpose",
    "_ConsentState": "consent_state",
    "_CaptureMatch": "capture_match",
    "_IssueKind": "issue_kind",
    "_ScheduleEvery": "schedule_every",
    "_ScheduleAction": "schedule_action",
    "_ExportFormat": "export_format",
    "_TemplateKind": "template_kind",
    "_SmsEncoding": "sms_encoding",
    "_SmtpSecurity": "smtp_security",
}


def stub_literals() -> dict[str, tuple[str, ...]]:
    """`_Name = Literal["a", "b"]` of the installed stub, by alias."""
    stub = Path(crm.__file__).with_name("_crm.pyi")
    out: dict[str, tuple[str, ...]] = {}
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript)):
            continue
        target, value = node.targets[0], node.value
        if not (isinstance(target, ast.Name) and isinstance(value.value, ast.Name)):
            continue
        if value.value.id != "Literal":
            continue
        items = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
        out[target.id] = tuple(ast.literal_eval(item) for item in items)
    return out


def stub_typed_dict(name: str) -> tuple[str, ...]:
    """The keys of a `class Name(TypedDict)` of the installed stub, in order."""
    stub = Path(crm.__file__).with_name("_crm.pyi")
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return tuple(
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            )
    raise AssertionError(f"{name} is not in the stub")


def test_every_literal_of_the_stub_is_the_core_list() -> None:
    literals = stub_literals()
    assert set(ALIASES) <= set(literals), "an alias went missing from the stub"
    others = {
        "search_filter",
        "search_period",
        "customer_field",
        "customer_attribute",
        "booking_field",
        "communication_field",
    }
    assert set(ALIASES.values()) | others == set(crm.NAMES), "a core list without its alias"
    for alias, kind in ALIASES.items():
        assert literals[alias] == crm.NAMES[kind], alias


def test_every_sort_the_core_names_is_taken(agency: crm.Tenant) -> None:
    agency.create_customer(first_name="Jean", last_name="Dupont")
    for sort in crm.NAMES["search_sort"]:
        assert agency.search(sort=sort).total == 1  # type: ignore[arg-type]
    for sort in crm.NAMES["list_sort"]:
        assert len(agency.list_customers(sort=sort).items) == 1  # type: ignore[arg-type]
    with pytest.raises(crm.ValidationError, match="sort: not one of: name last_booking created_at"):
        agency.list_customers(sort="relevance")  # type: ignore[arg-type]
    with pytest.raises(crm.ValidationError, match="sort: not one of"):
        agency.search(sort=" name ")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=" city is not an argument of search"):
        agency.save_search("padded", {" city": "Lyon"})


def test_the_window_is_the_core_default_and_checked_by_it(agency: crm.Tenant) -> None:
    window = inspect.signature(crm.Tenant.find_duplicates).parameters["window"]
    assert window.default == crm.DEFAULT_WINDOW == 24
    with pytest.raises(crm.ValidationError, match="window: must be at least 1"):
        agency.find_duplicates(window=0)
    assert agency.find_duplicates(window=1) == []


def test_the_search_keywords_are_the_core_filters(agency: crm.Tenant) -> None:
    keywords = list(inspect.signature(crm.Tenant.search).parameters)
    filters = [k for k in keywords if k in crm.NAMES["search_filter"]]
    assert tuple(filters) == crm.NAMES["search_filter"]
    periods = [k.removesuffix("_between") for k in keywords if k.endswith("_between")]
    assert tuple(periods) == crm.NAMES["search_period"]
    relative = [k.removesuffix("_in") for k in keywords if k.endswith("_in")]
    assert tuple(relative) == crm.NAMES["search_period"]
    others = {"self", "text", "customer_no", "sort", "offset", "limit"}
    assert set(keywords) - others == (
        set(filters) | {f"{p}_between" for p in periods} | {f"{p}_in" for p in periods}
    )
    agency.create_customer(first_name="Jean", last_name="Dupont", email="jean@example.fr")
    # Each filter by its core name through the mapping a saved search takes.
    for name in crm.NAMES["search_filter"]:
        statuses = {"booking_status": "confirmed", "payment_status": "paid"}
        value: object = True if name.startswith("has_") else statuses.get(name, "x")
        saved = agency.save_search(f"by {name}", {name: value})
        assert saved.name == f"by {name}"
        # ... and as a keyword of search itself: each is taken, and means what it means saved.
        page = agency.search(**{name: value})  # type: ignore[arg-type]
        assert page.total == agency.run_saved(saved).total, name
    for period in crm.NAMES["search_period"]:
        span = (date(2026, 1, 1), date(2026, 12, 31))
        assert agency.search(**{f"{period}_between": span}).total >= 0  # type: ignore[arg-type]
        # The relative form, as a keyword and through a saved search's mapping alike.
        assert agency.search(**{f"{period}_in": "this year"}).total == (1 if period == "created" else 0)  # type: ignore[arg-type]
        saved = agency.save_search(f"in {period}", {f"{period}_in": "this year"})
        assert agency.run_saved(saved).total == (1 if period == "created" else 0)
    with pytest.raises(crm.ValidationError, match="booking_status: not one of"):
        agency.search(booking_status="sent")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="telex is not an argument of search"):
        agency.save_search("bad", {"telex": "01"})


def stub_typed_dict_all(name: str) -> set[str]:
    """The keys of a TypedDict of the stub, its bases' included."""
    stub = Path(crm.__file__).with_name("_crm.pyi")
    classes = {
        node.name: node
        for node in ast.parse(stub.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    }
    node = classes[name]
    keys = {
        item.target.id
        for item in node.body
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
    }
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in classes:
            keys |= stub_typed_dict_all(base.id)
    return keys


def test_customer_fields_are_the_core_fields(agency: crm.Tenant) -> None:
    fields = crm.NAMES["customer_field"]
    assert stub_typed_dict_all("_CustomerFields") == set(fields)
    assert stub_typed_dict_all("_CustomerChanges") == set(fields)
    customer = agency.create_customer(first_name="Jean", last_name="Dupont")
    assert tuple(customer.to_dict()) == crm.NAMES["customer_attribute"]
    for name in crm.NAMES["customer_attribute"]:
        assert hasattr(customer, name), name
    # Every field of the core is read: a customer given each of them keeps it.
    values = {
        "title": "Mme",
        "first_name": "Hélène",
        "last_name": "Martin",
        "company": "Voyages Martin",
        "email": "helene@example.com",
        "phone": "04 72 00 00 01",
        "mobile": "06 12 34 56 78",
        "fax": "04 72 00 00 02",
        "emergency_phone": "04 72 00 00 03",
        "secondary_emails": ["h.martin@example.org"],
        "secondary_phones": ["04 72 00 00 04"],
        "address": crm.Address(street="1 rue de la Gare", zip="69003", city="Lyon", country="FR"),
        "contact_person": "Paul",
        "birth_date": date(1980, 5, 17),
        "language": "fr",
        "notes": "window seat",
        "consent": crm.Consent(email=datetime(2026, 1, 5, tzinfo=timezone.utc)),
        "salesperson": "Anne",
        "lists": ["newsletter"],
        "custom_fields": {"loyalty": "gold"},
    }
    full = agency.create_customer(**{name: values[name] for name in fields})  # type: ignore[arg-type]
    stored = full.to_dict()
    for name in fields:
        value = stored[name]
        if isinstance(value, dict) and name != "custom_fields":
            # A nested record (address, consent): one of its fields at least is kept.
            value = [v for v in value.values() if v is not None]
        assert value not in (None, "", [], {}), name
    with pytest.raises(TypeError, match="fax_number"):
        agency.create_customer(first_name="Jean", last_name="Dupont", fax_number="01")  # type: ignore[call-arg]


def test_booking_keywords_are_the_core_fields(agency: crm.Tenant) -> None:
    # `customer` takes a Customer as well as an id: the one key named apart from the core's.
    core = tuple("customer" if f == "customer_id" else f for f in crm.NAMES["booking_field"])
    assert set(stub_typed_dict("_BookingFields")) == set(core)
    when = datetime(2026, 7, 1, 10, tzinfo=timezone.utc)
    # Every key of the core is read: a booking given each of them is recorded.
    values = {
        "reference": "R0",
        "pickup_at": when,
        "customer": None,
        "status": "quote",
        "return_at": None,
        "route_from": "Lyon",
        "route_to": "Nice",
        "transport": None,
        "hotel": None,
        "salesperson": None,
        "invoices": [],
    }
    booking, created = agency.upsert_booking(**{key: values[key] for key in core})  # type: ignore[arg-type]
    assert created and booking.status == "quote" and booking.route_to == "Nice"
    with pytest.raises(TypeError, match="customer_id"):
        agency.upsert_booking(reference="R1", pickup_at=when, customer_id=None)  # type: ignore[call-arg]
    with pytest.raises(crm.ValidationError) as refused:
        agency.upsert_booking(reference="R1", pickup_at=when, status="booked")  # type: ignore[arg-type]
    assert refused.value.field == "status"
    for status in crm.NAMES["booking_status"]:
        assert status in str(refused.value)


def test_every_record_dict_has_the_core_fields(db: crm.Crm, agency: crm.Tenant, tmp_path: Path) -> None:
    """`to_dict` takes its keys from the core record: a field without its attribute would raise."""
    when = datetime(2026, 7, 1, 10, tzinfo=timezone.utc)
    a = agency.create_customer(
        first_name="Jean",
        last_name="Dupont",
        email="jean@example.com",
        mobile="06 12 34 56 78",
        consent=crm.Consent(email=when),
    )
    b = agency.create_customer(first_name="Jean", last_name="Dupont", email="JEAN@example.com")
    agency.upsert_booking(reference="RB", pickup_at=when, customer=b)
    invoice = crm.Invoice(number="F-1", amount=crm.Money(minor=12000, currency="EUR"))
    booking, _ = agency.upsert_booking(reference="R1", pickup_at=when, customer=a, invoices=[invoice])
    records: list[object] = [a, booking, invoice, invoice.amount, a.consent, a.address]
    records += [agency.customer_stats(a), agency.settings(), crm.Actor("u1", "agent")]
    records += list(a.secondary_phones) + ([a.mobile] if a.mobile else [])
    records += [agency.capture_booking({"first_name": "Ana", "last_name": "Silva"},
                                       {"reference": "R2", "pickup_at": when})]
    records += list(agency.list_customers().items) + agency.changes_since(0)
    clusters = agency.find_duplicates()
    records += agency.duplicates_of(a) + clusters + list(clusters[0].pairs)
    records += list(clusters[0].pairs[0].contributions)
    agency.create_list("vip")
    records += agency.lists() + [agency.request_brochure(a)]
    records += [agency.attach_document(a, name="id.pdf", content=b"%PDF-1.4", content_type="application/pdf")]
    outreach = agency.outreach("email")
    records += [outreach, *outreach.recipients]
    records += agency.record_communications(
        [{"customer": a, "channel": "email", "subject": "Hi"}])
    saved = agency.save_search("jeans", {"text": "Jean"})
    records += [saved, agency.run_saved(saved)]
    statement = agency.statement(a, date(2026, 1, 1), date(2026, 12, 31))
    records += [statement, *statement.lines]
    plan = agency.plan_merge(a, [b])
    merged = agency.merge(a, [b])
    records += [plan, merged, merged.record, *merged.record.bookings]
    records += [agency.unmerge(merged.record)]
    csv = tmp_path / "in.csv"
    csv.write_text(
        "first_name,last_name,email,mobile\n"
        "Paul,Martin,,06 12 34 56 79\n"
        "Paul,Martin,paul@example.org,06 12 34 56 79\n"
        ",,bad,\n"
    )
    report = agency.import_csv(csv, flag_duplicates=True)
    assert report.flagged and report.issues
    records += [report, *report.issues, *report.flagged]
    dpo = db.tenant("agency-1", actor=crm.Actor("dpo", "organisation"))
    retention = dpo.anonymise_inactive(datetime(2000, 1, 1, tzinfo=timezone.utc), dry_run=True)
    records += [retention, dpo.anonymise(a, reason="asked to be forgotten")]
    kinds = set()
    for record in records:
        assert isinstance(record.to_dict(), dict), type(record).__name__  # type: ignore[attr-defined]
        kinds.add(type(record).__name__)
    assert kinds == {
        "Actor", "Address", "AnonymisationReport", "BookingMove", "Booking", "BrochureRequest",
        "Captured", "ChangeEvent", "Communication", "Consent", "Customer", "CustomerRow",
        "CustomerStats", "Document", "DuplicateCluster", "DuplicateMatch", "DuplicatePair",
        "FlaggedRow", "ImportReport", "Invoice", "ListInfo", "MatchContribution", "MergePlan", "MergeRecord", "Merged",
        "Money", "Outreach", "Phone", "Recipient", "RetentionReport", "RowIssue", "SavedRun",
        "SavedSearch", "Statement", "StatementLine", "TenantSettings",
    }
    # The keys in the core's order, renamed where Python names a field apart.
    assert tuple(statement.to_dict()) == (
        "customer_id", "customer_no", "name", "company", "address", "start", "end", "lines",
        "totals", "outstanding", "generated_at",
    )
    assert tuple(merged.record.to_dict()) == (
        "id", "primary_id", "at", "actor", "primary_before", "merged", "bookings", "undone_at",
        "undone_by",
    )
    assert tuple(merged.record.bookings[0].to_dict()) == ("reference", "from_customer")
    assert "stopped" in report.to_dict()


def test_value_records_and_settings_take_back_their_core_fields(agency: crm.Tenant) -> None:
    """Constructors and `set_settings` take every field `to_dict` (the core's fields) gives."""
    address = crm.Address(street="1 rue de la Gare", zip="69003", city="Lyon", region="ARA", country="FR")
    assert crm.Address(**address.to_dict()) == address
    consent = crm.Consent(email=datetime(2026, 1, 5, tzinfo=timezone.utc))
    assert crm.Consent(**consent.to_dict()) == consent
    money = crm.Money(minor=12050, currency="EUR")
    assert crm.Money(**money.to_dict()) == money
    invoice = crm.Invoice(number="F-1", amount=money, payment_status="paid")
    fields = invoice.to_dict()
    fields["amount"] = crm.Money(**fields["amount"])
    assert crm.Invoice(**fields) == invoice
    agency.set_settings(default_region="BE", name_rule="either")
    agency.set_settings(**agency.settings().to_dict())
    assert agency.settings().to_dict() == {"default_region": "BE", "name_rule": "either", "time_zone": None, "email_uniqueness": "allow", "hard_delete": "anyone", "merge": "anyone"}


def test_a_log_entry_takes_every_core_field(agency: crm.Tenant) -> None:
    customer = agency.create_customer(first_name="Jean", last_name="Dupont", email="jean@example.com")
    values = {
        "customer": customer,
        "channel": "email",
        "subject": "Your trip",
        "reference": "msg-1",
        "sent_at": datetime(2026, 7, 1, 10, tzinfo=timezone.utc),
    }
    keys = ["customer" if f == "customer_id" else f for f in crm.NAMES["communication_field"]]
    (logged,) = agency.record_communications([{key: values[key] for key in keys}])
    assert logged.reference == "msg-1" and logged.sent_at == values["sent_at"]
    with pytest.raises(TypeError, match='unknown key "customer_id"'):
        agency.record_communications([{**{key: values[key] for key in keys}, "customer_id": "x"}])
