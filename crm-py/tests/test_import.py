"""Importing customers from Python: an export imported into another tenant, a dry run with
flagged duplicates, matching by customer no., all-or-nothing and the row report, bytes and
encodings, bad arguments, tenant isolation."""

from pathlib import Path

import pytest

import crm


def test_an_export_imported_elsewhere_gives_the_same_customers(agency: crm.Tenant, other: crm.Tenant, tmp_path: Path) -> None:
    agency.create_customer(
        first_name="Hélène",
        last_name="Dupont",
        email="helene@example.fr",
        mobile="+33 6 12 34 56 78",
        notes="-vegetarian\n=no formulas",
        lists={"VIP"},
        custom_fields={"ref": "R-1"},
        address=crm.Address(city="Lyon", country="FR"),
    )
    agency.create_customer(first_name="Paul", last_name="Martin")
    out = tmp_path / "all.csv"
    agency.export_csv(out, bom=True)
    seen: list[tuple[int, int]] = []
    report = other.import_csv(out, progress=lambda d, t: seen.append((d, t)))
    assert isinstance(report, crm.ImportReport)
    assert (report.rows, report.created, report.failed, report.committed) == (2, 2, 0, True)
    assert report.preset == "crm" and ("email", "email") in report.columns
    assert seen[-1][0] == seen[-1][1] == out.stat().st_size
    mine = [agency.get_customer_by_no(n) for n in (1, 2)]
    theirs = [other.get_customer_by_no(n) for n in (1, 2)]
    for a, b in zip(mine, theirs, strict=True):
        assert (a.first_name, a.email, a.mobile, a.notes, a.lists, a.custom_fields, a.address) == (
            b.first_name,
            b.email,
            b.mobile,
            b.notes,
            b.lists,
            b.custom_fields,
            b.address,
        )
    assert other.search(text="hel").total == 1
    # Matched on email the second time: nothing changes for Hélène; Paul (no email) is new.
    again = other.import_csv(out.read_bytes())
    assert (again.unchanged, again.created) == (1, 1)


def test_dry_run_flags_and_reports_by_row(agency: crm.Tenant) -> None:
    agency.create_customer(first_name="Hélène", last_name="Dupont", mobile="06 12 34 56 78")
    data = (
        "First Name,Last Name,E-mail Address,Mobile Phone\n"
        "Helene,Dupont,h2@x.fr,+33 6 12 34 56 78\n"
        "Bad,Email,not-an-email,\n"
    ).encode()
    report = agency.import_csv(data, dry_run=True)
    assert report.preset == "outlook" and report.dry_run and not report.committed
    assert (report.created, report.failed) == (1, 1)
    (flag,) = report.flagged
    assert flag.row == 2 and flag.customer_id is None and flag.matches[0].score >= 0.8
    (issue,) = report.issues
    assert (issue.row, issue.field, issue.kind) == (3, "email", "error")
    assert issue.to_dict()["reason"] == issue.reason
    assert agency.search().total == 1
    quiet = agency.import_csv(data, dry_run=True, flag_duplicates=False)
    assert quiet.flagged == ()


def test_all_or_nothing_and_customer_no(agency: crm.Tenant) -> None:
    agency.create_customer(first_name="Anne", last_name="Martin")
    data = b"customer_no;first_name;last_name;city\n1;Anne;Martin;Nantes\n5;No;One;Paris\n"
    report = agency.import_csv(data, match_on="customer_no", all_or_nothing=True)
    assert not report.committed and report.failed == 1
    assert report.issues[0].reason == "no customer no. 5 in this tenant"
    assert agency.get_customer_by_no(1).address.city is None
    report = agency.import_csv(data, match_on="customer_no")
    assert report.committed and report.updated == 1
    assert agency.get_customer_by_no(1).address.city == "Nantes"


def test_mapping_encoding_and_lenient(agency: crm.Tenant) -> None:
    data = "Prénom|Nom|Pays\nZoé|Petit|Atlantis\n".encode("cp1252")
    report = agency.import_csv(
        data,
        mapping={"Prénom": "first_name", "Nom": "last_name", "Pays": "country"},
        encoding="windows-1252",
        delimiter="|",
        lenient=True,
    )
    assert report.created == 1
    assert [(i.field, i.kind) for i in report.issues] == [("address.country", "warning")]
    zoe = agency.get_customer_by_no(1)
    assert (zoe.first_name, zoe.address.country) == ("Zoé", None)


def test_bad_arguments_and_files_are_refused(agency: crm.Tenant, tmp_path: Path) -> None:
    ok = b"first_name,last_name\nA,B\n"
    for kwargs, field in [
        ({"match_on": "phone"}, "match_on"),
        ({"preset": "excel"}, "preset"),
        ({"batch_size": 0}, "batch_size"),
        ({"delimiter": ";;"}, "delimiter"),
        ({"encoding": "klingon"}, "encoding"),
        ({"mapping": {"first_name": "shoe_size"}}, "mapping"),
        ({"flag_duplicates": "yes"}, "flag_duplicates"),
    ]:
        with pytest.raises(crm.ValidationError) as err:
            agency.import_csv(ok, **kwargs)  # type: ignore[arg-type]
        assert err.value.field == field, kwargs
    with pytest.raises(crm.ValidationError) as err:
        agency.import_csv(b"first_name,first_name\nA,B\n")
    assert err.value.field == "columns"
    with pytest.raises(crm.IoError):
        agency.import_csv(tmp_path / "missing.csv")
    with pytest.raises(TypeError):
        agency.import_csv(42)  # type: ignore[arg-type]
    assert agency.search().total == 0


def test_progress_in_bytes_and_a_raising_callback_stops_the_import(agency: crm.Tenant) -> None:
    data = ("first_name,last_name\n" + "".join(f"P{i},Q{i}\n" for i in range(1200))).encode()
    seen: list[tuple[int, int]] = []
    agency.import_csv(data, dry_run=True, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (len(data), 0)

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt("enough")

    with pytest.raises(KeyboardInterrupt):
        agency.import_csv(data, batch_size=500, match_on="none", flag_duplicates=False, progress=stop)
    assert agency.search().total == 500, "the batch before the stop stays"
    with pytest.raises(KeyboardInterrupt):
        agency.import_csv(data, batch_size=500, all_or_nothing=True, progress=stop)
    assert agency.search().total == 500


def test_an_import_leaves_other_tenants_alone(agency: crm.Tenant, other: crm.Tenant) -> None:
    anne = agency.create_customer(first_name="Anne", last_name="Martin", email="anne@x.fr")
    report = other.import_csv(b"first_name,last_name,email,city\nAnne,Martin,anne@x.fr,Paris\n")
    assert (report.created, report.updated, report.flagged) == (1, 0, ())
    assert agency.get_customer(anne.id) == anne
    assert agency.search().total == 1
