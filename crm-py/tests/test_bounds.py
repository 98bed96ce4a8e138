"""Inputs that size work are bounded, and every bad value is a ValidationError naming its field:
never an OverflowError, a UnicodeEncodeError, a confusing TypeError or a dead process."""

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import crm

LONE_SURROGATE = "Du\ud800pont"


def test_a_10_mb_word_and_an_offset_of_2_63_answer_validation_in_a_child_process(
    tmp_path: Path,
) -> None:
    child = textwrap.dedent(
        f"""
        import crm
        db = crm.Crm.open({str(tmp_path / "agency.db")!r})
        t = db.tenant("agency-1", actor=crm.Actor("u-17"))
        t.create_customer(first_name="Ann", last_name="Deep")
        word = "x" * (10 * 1024 * 1024)
        for kwargs in (dict(text=word), dict(company=word), dict(sort="name", offset=2**63)):
            try:
                t.search(**kwargs)
            except crm.ValidationError as e:
                print("refused", e.field)
        print("alive", t.search("deep").total)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == [
        "refused text",
        "refused company",
        "refused offset",
        "alive 1",
        "",
    ]


def test_search_bounds_are_validation_errors(agency: crm.Tenant) -> None:
    agency.create_customer(first_name="Ann", last_name="Deep")
    for kwargs, field in [
        (dict(sort="name", offset=2**31), "offset"),
        (dict(offset=2**63), "offset"),
        (dict(offset=2**70), "offset"),
        (dict(offset=-1), "offset"),
        (dict(offset=9_990, limit=20), "offset"),
        (dict(limit=-1), "limit"),
        (dict(limit=2**70), "limit"),
        (dict(text="x" * 1_001), "text"),
        (dict(text=" ".join(["ab"] * 17)), "text"),
        (dict(company="x" * 982), "company"),
        (dict(first_name="x" * 982), "first_name"),
        (dict(city="x" * 982), "city"),
        (dict(address="x" * 982), "address"),
        (dict(contact_person="x" * 982), "contact_person"),
    ]:
        with pytest.raises(crm.ValidationError) as caught:
            agency.search(**kwargs)  # type: ignore[arg-type]
        assert caught.value.field == field, kwargs
    # At the bounds, searches answer.
    assert agency.search(offset=9_980, limit=20).total == 1
    assert agency.search(customer_no=2**70).total == 0
    page = agency.search("deep")
    assert page.total == 1 and page.behind == 0


def test_negative_and_huge_numbers_are_validation_errors(
    agency: crm.Tenant, tmp_path: Path
) -> None:
    csv = b"first_name,last_name\nAnn,One\n"
    for batch_size in (-1, 0, 2**70):
        with pytest.raises(crm.ValidationError) as caught:
            agency.import_csv(csv, batch_size=batch_size)
        assert caught.value.field == "batch_size"
    for call, field in [
        (lambda: agency.list_customers(limit=-1), "limit"),
        (lambda: agency.list_customers(limit=2**70), "limit"),
        (lambda: agency.changes_since(0, limit=-5), "limit"),
        (lambda: agency.changes_since(0, limit=2**64), "limit"),
        (lambda: agency.pending_brochure_requests(limit=2**70), "limit"),
        (lambda: agency.find_duplicates(window=-1), "window"),
        (lambda: agency.find_duplicates(window=2**70), "window"),
        (lambda: agency.search(offset=-(2**70)), "offset"),
    ]:
        with pytest.raises(crm.ValidationError) as caught:
            call()
        assert caught.value.field == field
    # Far past the numbers there are: nothing found, nothing raised.
    with pytest.raises(crm.NotFoundError):
        agency.get_customer_by_no(2**70)
    assert agency.changes_since(2**70) == []
    # An index past the page is an IndexError, as for a list.
    page = agency.search()
    for index in (2**70, -(2**70)):
        with pytest.raises(IndexError):
            page[index]


def test_lone_surrogates_are_validation_errors(agency: crm.Tenant, tmp_path: Path) -> None:
    with pytest.raises(crm.ValidationError) as caught:
        agency.create_customer(first_name="Ann", last_name=LONE_SURROGATE)
    assert caught.value.field == "last_name"
    with pytest.raises(crm.ValidationError):
        agency.search(LONE_SURROGATE)
    with pytest.raises(crm.ValidationError):
        agency.search(company=LONE_SURROGATE)
    with pytest.raises(crm.ValidationError):
        agency.find_customers_by_email(LONE_SURROGATE)
    with pytest.raises(crm.ValidationError):
        agency.export_csv(tmp_path / "x.csv", search={"text": LONE_SURROGATE})
    with pytest.raises(crm.ValidationError):
        crm.Actor(LONE_SURROGATE)
    with pytest.raises(crm.ValidationError):
        agency.create_list(LONE_SURROGATE)
    # Nothing was written.
    assert agency.search().total == 0


def test_a_tenant_keeps_its_database_open() -> None:
    tenant = crm.Crm.in_memory().tenant("agency-1", actor=crm.Actor("u-17"))
    gc.collect()
    tenant.create_customer(first_name="Ann", last_name="Kept")
    assert tenant.search("kept").total == 1
    other = tenant.with_actor(crm.Actor("u-18"))
    del tenant
    gc.collect()
    assert other.search("kept").total == 1


def test_a_closed_database_still_says_so_to_its_tenants(db: crm.Crm, agency: crm.Tenant) -> None:
    db.close()
    del db
    gc.collect()
    with pytest.raises(crm.ClosedError):
        agency.search("x")
