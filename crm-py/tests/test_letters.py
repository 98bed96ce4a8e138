"""Printed letters and labels from Python: text outside Windows-1252 read back from the PDF."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import crm

CJK = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


def pdf_text(path: Path, data: bytes) -> str | None:
    path.write_bytes(data)
    if shutil.which("pdftotext") is None:
        assert "CI" not in os.environ, "CI installs poppler-utils"
        return None
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_pending_brochures_print_and_are_marked_sent(agency: crm.Tenant, other: crm.Tenant, tmp_path: Path) -> None:
    if not CJK.exists():
        assert "CI" not in os.environ, "CI installs fonts-droid-fallback"
        pytest.skip("no CJK font")
    lukasz = agency.create_customer(
        title="Pan", first_name="Łukasz", last_name="Nowak", language="pl",
        address=crm.Address(street="ul. Długa 5", zip="00-238", city="Warszawa", country="PL"),
    )
    wang = agency.create_customer(
        first_name="芳", last_name="王", language="zh",
        address=crm.Address(street="王府井大街 1号", zip="100006", city="北京", country="CN"),
    )
    nowhere = agency.create_customer(first_name="Anne", last_name="Martin", address=crm.Address(city="Lyon"))
    for c in (lukasz, wang, nowhere):
        agency.request_brochure(c)
    agency.save_template("Brochure", "letter", "{{ customer.salutation }}\n\nEnclosed.", subject="Your brochure")
    # Printed first, marked once the host wrote the files.
    first = agency.print_letters("Brochure", pending_brochures=True, fonts=[CJK])
    assert first.marked_sent == 0 and len(first.requests) == 2
    (tmp_path / "first.pdf").write_bytes(first.letters)
    assert agency.mark_brochures_sent(first.requests) == 2
    assert [r.customer_id for r in agency.pending_brochure_requests()] == [nowhere.id]
    for c in (lukasz, wang):
        agency.request_brochure(c)
    run = agency.print_letters(
        "Brochure", sender=["Voyages Lumière", "69002 Lyon"], pending_brochures=True,
        home_country="FR", fonts=[CJK], mark_sent=True,
    )
    assert isinstance(run, crm.LetterRun)
    assert run.printed == [lukasz.id, wang.id] and run.marked_sent == 2
    assert [s[0] for s in run.skipped] == [nowhere.id] and "postal address" in run.skipped[0][1]
    assert [r.customer_id for r in agency.pending_brochure_requests()] == [nowhere.id]
    text = pdf_text(tmp_path / "letters.pdf", run.letters)
    if text is not None:
        for needle in ("Pan Łukasz Nowak", "ul. Długa 5", "POLAND", "王府井大街 1号", "Your brochure", "Voyages Lumière"):
            assert needle in text, needle
        labels = pdf_text(tmp_path / "labels.pdf", run.labels)
        assert labels is not None and "Pan Łukasz Nowak" in labels and "王府井大街 1号" in labels
    # The other tenant prints none of them.
    other.save_template("Brochure", "letter", "x")
    assert other.print_letters("Brochure", customers=[lukasz.id]).printed == []


def test_bad_letter_options(agency: crm.Tenant) -> None:
    agency.save_template("Mail", "email", "x", subject="y")
    agency.save_template("Brochure", "letter", "x")
    with pytest.raises(crm.ValidationError) as err:
        agency.print_letters("Mail", pending_brochures=True)
    assert err.value.field == "template"
    with pytest.raises(crm.ValidationError) as err:
        agency.print_letters("Brochure", search={"city": "Lyon"}, mark_sent=True)
    assert err.value.field == "mark_sent"
    with pytest.raises(crm.IoError):
        agency.print_letters("Brochure", pending_brochures=True, fonts=["/nonexistent.ttf"])
    with pytest.raises(TypeError):
        agency.print_letters("Brochure", pending_brochures=True, search={"city": "Lyon"})
