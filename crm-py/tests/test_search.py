"""Search: type-ahead text and the find-customer filters, from Python."""

from datetime import date
from pathlib import Path

import pytest
from conftest import at

import crm


@pytest.fixture
def people(agency: crm.Tenant) -> dict[str, crm.Customer]:
    made = agency.create_customers(
        [
            {"first_name": "Hélène", "last_name": "Dupont", "email": "helene@example.fr",
             "mobile": "+33 6 12 34 56 78", "address": crm.Address(city="Lyon", country="FR")},
            {"first_name": "Jürgen", "last_name": "Müller", "email": "jm@example.de",
             "address": crm.Address(city="Berlin", country="DE"), "lists": ["vip"]},
            {"first_name": "Ana", "last_name": "Núñez", "company": "Viajes Sol",
             "address": crm.Address(city="Lyon", country="ES")},
        ]
    )
    return {c.last_name: c for c in made}


def test_prefixes_fold_accents_and_case(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    for typed, expected in [("hel", "Dupont"), ("mull", "Müller"), ("nunez", "Núñez"), ("VIAJ", "Núñez")]:
        page = agency.search(typed)
        assert [row.last_name for row in page] == [expected], typed
        assert page.total == 1


def test_phone_digits_in_any_format(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    for typed in ["0612", "+33612", "33 6 12", "5678"]:
        assert [r.id for r in agency.search(typed)] == [people["Dupont"].id], typed


def test_typo_ranks_below_exact(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    agency.create_customer(first_name="Paul", last_name="Mullerr")
    page = agency.search("muller")
    assert [r.last_name for r in page] == ["Müller", "Mullerr"]


def test_filters_combine(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    agency.upsert_booking(reference="B1", pickup_at=at(14), customer=people["Núñez"], transport="coach")
    assert {r.last_name for r in agency.search(city="Lyon")} == {"Dupont", "Núñez"}
    assert [r.last_name for r in agency.search(city="Lyon", country="ES")] == ["Núñez"]
    assert [r.last_name for r in agency.search(list="vip")] == ["Müller"]
    assert [r.last_name for r in agency.search(transport="coach")] == ["Núñez"]
    assert [r.last_name for r in agency.search(departure_between=(date(2026, 7, 1), date(2026, 7, 31)))] == ["Núñez"]
    assert agency.search(departure_between=(date(2026, 8, 1), None)).total == 0
    assert [r.last_name for r in agency.search("a", has_email=False)] == ["Núñez"]
    assert [r.last_name for r in agency.search(has_mobile=True)] == ["Dupont"]
    assert [r.last_name for r in agency.search(customer_no=people["Müller"].customer_no)] == ["Müller"]
    assert [r.last_name for r in agency.search(booking_status="confirmed")] == ["Núñez"]


def test_rows_carry_bookings_and_last_booking(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    agency.upsert_booking(reference="B1", pickup_at=at(3), customer=people["Dupont"])
    agency.upsert_booking(reference="B2", pickup_at=at(9), customer=people["Dupont"])
    row = agency.search("dupont")[0]
    assert row.bookings == 2 and row.last_booking == at(9)
    assert row.email == "helene@example.fr" and row.phone == "+33 6 12 34 56 78"
    assert row.to_dict()["customer_no"] == people["Dupont"].customer_no


def test_sort_offset_limit_total(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    page = agency.search(sort="name", limit=2)
    assert [r.last_name for r in page] == ["Dupont", "Müller"] and page.total == 3
    assert [r.last_name for r in agency.search(sort="name", offset=2)] == ["Núñez"]
    assert len(page.items) == 2
    with pytest.raises(crm.ValidationError, match="limit"):
        agency.search(limit=0)
    with pytest.raises(crm.ValidationError, match="sort"):
        agency.search(sort="random")  # type: ignore[arg-type]
    with pytest.raises(crm.ValidationError, match="booking_status"):
        agency.search(booking_status="lost")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="departure_between"):
        agency.search(departure_between=date(2026, 1, 1))  # type: ignore[arg-type]


def test_a_write_is_seen_by_the_next_search(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    updated = agency.update_customer(people["Dupont"], last_name="Durand")
    assert [r.id for r in agency.search("durand")] == [updated.id]
    assert agency.search("dupont").total == 0


@pytest.fixture
def detailed(agency: crm.Tenant) -> crm.Customer:
    c = agency.create_customer(
        first_name="Marie-Claire", last_name="Lefèvre", company="Autocars Rhône", email="mc@lefevre.example",
        phone="04 72 11 22 33", contact_person="Paul Girard", language="fr", salesperson="Marc",
        address=crm.Address(street="12 rue Mercière", zip="69002", city="Lyon", region="ARA", country="FR"),
    )
    agency.create_customer(first_name="Other", last_name="Person", email="other@example.com")
    agency.upsert_booking(reference="H1", pickup_at=at(8), customer=c, hotel="Hôtel Carlton")
    return c


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "marie"), ("last_name", "lefevre"), ("company", "rhone"), ("email", "MC@lefevre.example"),
        ("phone", "0472112233"), ("zip", "69002"), ("address", "merciere"), ("contact_person", "girard"),
        ("region", "ara"), ("language", "FR"), ("salesperson", "marc"), ("hotel", "hotel carlton"),
    ],
)
def test_every_text_filter(agency: crm.Tenant, detailed: crm.Customer, field: str, value: str) -> None:
    kwargs: dict[str, str] = {field: value}
    page = agency.search(**kwargs)  # type: ignore[arg-type]
    assert [r.id for r in page] == [detailed.id]


def test_periods_and_booking_sort(agency: crm.Tenant, people: dict[str, crm.Customer]) -> None:
    agency.upsert_booking(reference="E", pickup_at=at(2), customer=people["Müller"])
    agency.upsert_booking(reference="L", pickup_at=at(25), customer=people["Dupont"])
    today = date.today()
    assert agency.search(created_between=(today, today)).total == 3
    assert agency.search(created_between=(None, date(2000, 1, 1))).total == 0
    assert [r.last_name for r in agency.search(last_booking_between=(date(2026, 7, 20), None))] == ["Dupont"]
    assert [r.last_name for r in agency.search(sort="last_booking")][:2] == ["Dupont", "Müller"]
    assert [r.last_name for r in agency.list_customers(sort="last_booking")][:2] == ["Dupont", "Müller"]
    assert agency.search(sort="created_at").total == 3
    page = agency.search(limit=2)
    assert repr(page) == "SearchPage(rows=2, total=3)"


def test_booking_filters_given_together_hold_for_one_booking(
    agency: crm.Tenant, other: crm.Tenant, people: dict[str, crm.Customer]
) -> None:
    # Dupont: a July train and an August stay at the Parc. Núñez: a July stay at the Parc.
    agency.upsert_booking(reference="D1", pickup_at=at(10), customer=people["Dupont"], transport="TGV")
    august = at(10).replace(month=8)
    agency.upsert_booking(reference="D2", pickup_at=august, customer=people["Dupont"], hotel="Hôtel du Parc")
    agency.upsert_booking(
        reference="N1", pickup_at=at(20), customer=people["Núñez"], hotel="Hôtel du Parc",
        transport="TGV", salesperson="Chloé",
    )
    stranger = other.create_customer(first_name="Zed", last_name="Other")
    other.upsert_booking(reference="N1", pickup_at=at(20), customer=stranger, hotel="Hôtel du Parc")
    july = (date(2026, 7, 1), date(2026, 7, 31))

    def found(tenant: crm.Tenant = agency, **filters: object) -> list[str]:
        return sorted(r.last_name for r in tenant.search(**filters))  # type: ignore[arg-type]

    assert found(departure_between=july, hotel="hotel du parc") == ["Núñez"]
    assert found(hotel="hotel du parc") == ["Dupont", "Núñez"]
    assert found(hotel="hotel du parc", transport="tgv") == ["Núñez"]
    assert found(departure_between=july, transport="tgv", booking_status="confirmed") == ["Dupont", "Núñez"]
    assert found(departure_between=july, booking_salesperson="CHLOE", booking_status="confirmed") == ["Núñez"]
    assert found(booking_salesperson="chloé", transport="van") == []
    assert found(other, departure_between=july, hotel="hotel du parc") == ["Other"]
    assert found(other, booking_salesperson="chloe") == []
    # A saved search keeps the new filters.
    saved = agency.save_search(
        "July at the Parc", {"departure_between": july, "hotel": "Hôtel du Parc", "booking_salesperson": "Chloé"}
    )
    assert {"booking_salesperson": "Chloé"} in saved.query["filters"]
    assert [r.last_name for r in agency.run_saved(saved).new] == ["Núñez"]


def test_each_phone_field_and_zip_prefix(agency: crm.Tenant, other: crm.Tenant) -> None:
    number = "06 12 34 56 78"
    made = {
        field: agency.create_customer(
            first_name=field, last_name="Phone", address=crm.Address(zip=zip_code), **{field: number}  # type: ignore[arg-type]
        )
        for field, zip_code in [("phone", "75001"), ("mobile", "75016"), ("fax", "69003"), ("emergency_phone", "13001")]
    }
    other.create_customer(first_name="Zed", last_name="Other", mobile=number, address=crm.Address(zip="75002"))
    assert agency.search(phone="+33612345678").total == 4
    for field, keyword in [("phone", "main_phone"), ("mobile", "mobile"), ("fax", "fax"), ("emergency_phone", "emergency_phone")]:
        page = agency.search(**{keyword: "+33 6 12 34 56 78"})  # type: ignore[arg-type]
        assert [r.id for r in page] == [made[field].id], keyword
        assert [r.id for r in agency.search(**{keyword: "56 78"})] == [made[field].id]  # type: ignore[arg-type]
    assert agency.search(mobile="06 12 34 56 79").total == 0
    assert sorted(r.first_name for r in agency.search(zip_prefix="75")) == ["mobile", "phone"]
    assert [r.first_name for r in agency.search(zip_prefix="7501")] == ["mobile"]
    assert [r.first_name for r in agency.search(zip_prefix="75", mobile=number)] == ["mobile"]
    assert [r.first_name for r in other.search(zip_prefix="75")] == ["Zed"]
    with pytest.raises(crm.ValidationError, match="zip_prefix"):
        agency.search(zip_prefix="7" * 300)


def test_invoices_filters_and_spending(
    agency: crm.Tenant, other: crm.Tenant, people: dict[str, crm.Customer], tmp_path: Path
) -> None:
    def bill(reference: str, who: crm.Customer, status: str, day: int, minor: int = 10000) -> None:
        invoice = crm.Invoice(number=f"F-{reference}", amount=crm.Money(minor=minor, currency="EUR"),
                              payment_status=status)  # type: ignore[arg-type]
        agency.upsert_booking(reference=reference, pickup_at=at(day), customer=who, invoices=[invoice])

    bill("D1", people["Dupont"], "unpaid", 3)
    bill("D2", people["Dupont"], "paid", 20, 2550)
    bill("M1", people["Müller"], "paid", 4)
    assert [r.last_name for r in agency.search(has_outstanding=True)] == ["Dupont"]
    assert sorted(r.last_name for r in agency.search(has_outstanding=False)) == ["Müller", "Núñez"]
    assert sorted(r.last_name for r in agency.search(payment_status="paid")) == ["Dupont", "Müller"]
    assert other.search(has_outstanding=True).total == 0
    with pytest.raises(crm.ValidationError, match="payment_status"):
        agency.search(payment_status="lost")  # type: ignore[arg-type]
    by_month = agency.spending(people["Dupont"])
    assert by_month == [{"period": "2026-07", "amount": crm.Money(minor=12550, currency="EUR"), "bookings": 2}]
    assert agency.spending(people["Dupont"], by="year")[0]["period"] == "2026"
    assert agency.spending(people["Núñez"], by="year") == []
    with pytest.raises(crm.ValidationError, match="by"):
        agency.spending(people["Dupont"], by="week")  # type: ignore[arg-type]
    with pytest.raises(crm.NotFoundError):
        other.spending(people["Dupont"])
    # The same totals as export columns.
    out = tmp_path / "money.csv"
    agency.export_csv(out, columns=["last_name", "spent", "outstanding"])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "last_name,spent,outstanding"
    assert "Dupont,125.50 EUR,100.00 EUR" in lines and "Müller,100.00 EUR," in lines
