"""Exporting customers from Python: CSV (all or a search result, chosen columns, formula-safe,
optional BOM) and XLSX; errors leave no file."""

import shutil
import subprocess
import csv
import io
from pathlib import Path

import pytest

import crm


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_csv_of_all_and_of_a_search(agency: crm.Tenant, other: crm.Tenant, tmp_path: Path) -> None:
    agency.create_customer(first_name="Hélène", last_name="Dupont", company="=1+1", address=crm.Address(city="Lyon"))
    agency.create_customer(first_name="Paul", last_name="Martin", address=crm.Address(city="Paris"))
    other.create_customer(first_name="Not", last_name="Mine")
    out = tmp_path / "all.csv"
    seen: list[tuple[int, int]] = []
    n = agency.export_csv(out, columns=["customer_no", "first_name", "company"], bom=True, progress=lambda d, t: seen.append((d, t)))
    assert n == 2 and seen[-1] == (2, 2)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert rows(out) == [["customer_no", "first_name", "company"], ["1", "Hélène", "'=1+1"], ["2", "Paul", ""]]
    assert rows(out)[0] != list(crm.EXPORT_COLUMNS)
    full = tmp_path / "full.csv"
    agency.export_csv(str(full))
    assert rows(full)[0] == list(crm.EXPORT_COLUMNS)

    lyon = tmp_path / "lyon.csv"
    assert agency.export_csv(lyon, columns=["last_name"], search={"city": "Lyon"}) == 1
    assert rows(lyon) == [["last_name"], ["Dupont"]]
    assert agency.export_csv(lyon, columns=["last_name"], search={"text": "mar", "sort": "name"}) == 1
    assert rows(lyon) == [["last_name"], ["Martin"]]


def test_xlsx_and_errors(agency: crm.Tenant, tmp_path: Path) -> None:
    agency.create_customer(first_name="Hélène", last_name="Dupont")
    book = tmp_path / "all.xlsx"
    assert agency.export_xlsx(book) == 1
    assert book.read_bytes()[:2] == b"PK"
    bad = tmp_path / "bad.csv"
    with pytest.raises(crm.ValidationError) as caught:
        agency.export_csv(bad, columns=["first_name", "first_name"])
    assert caught.value.field == "columns[1]"
    with pytest.raises(crm.ValidationError):
        agency.export_csv(bad, columns=["shoe_size"])
    with pytest.raises(TypeError, match="shoe"):
        agency.export_csv(bad, search={"shoe": 42})
    with pytest.raises(TypeError, match="search.city"):
        agency.export_csv(bad, search={"city": 42})
    assert not bad.exists() and not (tmp_path / "bad.csv.partial").exists()
    with pytest.raises(crm.IoError):
        agency.export_csv(tmp_path / "missing-dir" / "x.csv")


def test_a_progress_callback_that_raises_leaves_no_file(agency: crm.Tenant, tmp_path: Path) -> None:
    agency.create_customer(first_name="Ana", last_name="Lopez")
    out = tmp_path / "x.csv"

    def boom(done: int, total: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        agency.export_csv(out, progress=boom)
    assert list(tmp_path.iterdir()) == []


def test_pdf_list_of_a_search(agency: crm.Tenant, other: crm.Tenant, tmp_path: Path) -> None:
    agency.create_customer(first_name="Łukasz", last_name="Nowak", address=crm.Address(city="Lyon"))
    agency.create_customer(first_name="Other", last_name="Town", address=crm.Address(city="Paris"))
    saved = agency.save_search("Lyon", {"city": "Lyon"})
    assert agency.export_pdf(tmp_path / "list.pdf", columns=["first_name", "last_name"], search=saved) == 1
    data = (tmp_path / "list.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext") is not None:
        text = subprocess.run(["pdftotext", str(tmp_path / "list.pdf"), "-"], check=True, capture_output=True, text=True).stdout
        assert "Łukasz" in text and "Paris" not in text
    assert other.export_pdf(tmp_path / "other.pdf") == 0
