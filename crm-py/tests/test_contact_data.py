"""Real-world contact data: phones read in the customer's country and checked against the
numbering plans, numbers that fit no plan kept as typed, and the tenant's name rule."""

from pathlib import Path

import pytest

import crm
from conftest import at


def test_a_national_number_is_read_in_the_customers_country(agency: crm.Tenant) -> None:
    german = agency.create_customer(
        first_name="Jörg", last_name="Keller", mobile="0151 25642510", address=crm.Address(country="DE")
    )
    assert german.mobile is not None
    assert german.mobile.e164 == "+4915125642510"
    assert german.mobile.is_verified
    # The same digits without a country are read in the tenant's FR, where they fit no plan.
    nowhere = agency.create_customer(first_name="Ana", last_name="Ruiz", mobile="0151 25642510")
    assert nowhere.mobile is not None
    assert nowhere.mobile.typed == "0151 25642510"
    assert nowhere.mobile.e164 is None
    assert not nowhere.mobile.is_verified
    assert nowhere.mobile.to_dict() == {"typed": "0151 25642510", "e164": None}
    # The country turns out to be Germany: the number is read again.
    moved = agency.update_customer(nowhere, address=crm.Address(country="DE"))
    assert moved.mobile is not None
    assert moved.mobile.e164 == "+4915125642510"


def test_a_number_that_fits_no_plan_is_kept_found_and_never_texted(agency: crm.Tenant) -> None:
    consent = crm.Consent(sms=at(1))
    short = agency.create_customer(
        first_name="Jean", last_name="Dupont", mobile="06 12 34 56", consent=consent
    )
    full = agency.create_customer(
        first_name="Marc", last_name="Petit", mobile="06 98 76 54 32", consent=consent
    )
    outreach = agency.outreach("sms")
    assert [r.customer_id for r in outreach.recipients] == [full.id]
    assert outreach.skipped["no_address"] == 1
    assert [row.id for row in agency.search("06 12 34 56").items] == [short.id]
    assert [row.id for row in agency.search("+33").items] == [full.id]
    with pytest.raises(crm.ValidationError) as caught:
        agency.create_customer(first_name="A", last_name="B", fax="call me")
    assert caught.value.field == "fax"


@pytest.mark.parametrize(
    ("rule", "created"),
    [("both", ["Anne Roux"]), ("either", ["Martin", "Louis", "Anne Roux"]), ("last_name", ["Martin", "Anne Roux"])],
)
def test_the_name_rule_holds_in_create_capture_and_import(
    db: crm.Crm, clerk: crm.Actor, tmp_path: Path, rule: str, created: list[str]
) -> None:
    tenant = db.tenant(f"book-{rule}", actor=clerk)
    tenant.set_settings(default_region="FR", name_rule=rule)  # type: ignore[arg-type]
    assert tenant.settings().name_rule == rule
    assert tenant.settings().to_dict() == {"default_region": "FR", "name_rule": rule, "time_zone": None, "email_uniqueness": "allow", "hard_delete": "anyone", "merge": "anyone"}
    # Create and capture accept a record with one name when the rule does.
    if rule == "both":
        with pytest.raises(crm.ValidationError) as caught:
            tenant.create_customer(last_name="Dupont")
        assert caught.value.field == "first_name"
        with pytest.raises(crm.ValidationError):
            tenant.capture_booking({"last_name": "Dupont"}, {"reference": "BK-1", "pickup_at": at(2)})
    else:
        assert tenant.create_customer(last_name="Dupont").full_name == "Dupont"
        assert [row.full_name for row in tenant.list_customers().items] == ["Dupont"]
        captured = tenant.capture_booking({"last_name": "Dupond"}, {"reference": "BK-1", "pickup_at": at(2)})
        assert captured.customer.first_name == ""
    if rule == "either":
        assert tenant.create_customer(first_name="Zoé").full_name == "Zoé"
    else:
        with pytest.raises(crm.ValidationError) as caught:
            tenant.create_customer(first_name="Zoé")
        assert caught.value.field == "last_name"
    # An import brings in the rows the rule accepts and reports the others.
    path = tmp_path / f"{rule}.csv"
    path.write_text(
        "first_name,last_name,email\n,Martin,m@example.com\nLouis,,l@example.com\n"
        ",,n@example.com\nAnne,Roux,a@example.com\n",
        encoding="utf-8",
    )
    report = tenant.import_csv(path, match_on="none")
    assert report.created == len(created)
    assert report.failed == 4 - len(created)
    names = {tenant.get_customer(row.id).full_name for row in tenant.search().items}
    assert names >= set(created)


def test_an_unknown_name_rule_is_refused(agency: crm.Tenant) -> None:
    with pytest.raises(crm.ValidationError) as caught:
        agency.set_settings(default_region="FR", name_rule="sometimes")  # type: ignore[arg-type]
    assert caught.value.field == "name_rule"
    assert agency.settings().name_rule == "both"
    # A setting left out keeps its value; None clears the region.
    agency.set_settings(name_rule="either")
    assert agency.settings().to_dict() == {"default_region": "FR", "name_rule": "either", "time_zone": None, "email_uniqueness": "allow", "hard_delete": "anyone", "merge": "anyone"}
    agency.set_settings(default_region="DE")
    assert agency.settings().to_dict() == {"default_region": "DE", "name_rule": "either", "time_zone": None, "email_uniqueness": "allow", "hard_delete": "anyone", "merge": "anyone"}
    agency.set_settings(default_region=None)
    assert agency.settings().to_dict() == {"default_region": None, "name_rule": "either", "time_zone": None, "email_uniqueness": "allow", "hard_delete": "anyone", "merge": "anyone"}
    with pytest.raises(TypeError):
        agency.set_settings(region="FR")  # type: ignore[call-arg]
