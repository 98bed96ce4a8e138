//! CSV and XLSX export: columns, byte order mark, formula-safe cells, search results, paging
//! through large tenants, and tenant isolation.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use crm_core::{
    BookingStatus, CustomerQuery, ErrorKind, ExportColumn, ExportOptions, NewCustomer,
    PaymentStatus,
};

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes)
        .unwrap()
        .trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn csv_holds_the_chosen_columns_with_accents_and_no_formulas() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let helene = a
        .create_customer(
            &actor(),
            NewCustomer {
                email: Some("helene@example.fr".into()),
                mobile: Some("+33 6 12 34 56 78".into()),
                company: Some("=HYPERLINK(\"http://evil\",\"x\")".into()),
                notes: Some("@SUM(A1)\nline, with \"quotes\"".into()),
                ..customer("Hélène", "Dupont")
            },
        )
        .unwrap();
    a.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &helene),
    )
    .unwrap();
    b.create_customer(&actor(), customer("Other", "Tenant"))
        .unwrap();
    let columns = [
        ExportColumn::CustomerNo,
        ExportColumn::FirstName,
        ExportColumn::Company,
        ExportColumn::Mobile,
        ExportColumn::Notes,
        ExportColumn::Bookings,
        ExportColumn::LastBooking,
    ];
    let mut out = Vec::new();
    let n = a
        .export_csv(
            &ExportOptions::all().columns(columns).bom(true),
            &mut out,
            |_, _| {},
        )
        .unwrap();
    assert_eq!(n, 1);
    assert!(out.starts_with("\u{feff}".as_bytes()));
    let rows = csv_rows(&out);
    assert_eq!(
        rows[0],
        [
            "customer_no",
            "first_name",
            "company",
            "mobile",
            "notes",
            "bookings",
            "last_booking"
        ]
    );
    assert_eq!(rows.len(), 2, "the other tenant's customer is not exported");
    let r = &rows[1];
    assert_eq!(r[1], "Hélène");
    assert_eq!(r[2], "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(r[3], "'+33 6 12 34 56 78");
    assert_eq!(r[4], "'@SUM(A1)\nline, with \"quotes\"");
    assert_eq!(
        (r[5].as_str(), r[6].as_str()),
        ("1", "2026-07-14T08:30:00+02:00")
    );
    // Without a byte order mark, every column by default.
    let mut plain = Vec::new();
    a.export_csv(&ExportOptions::all(), &mut plain, |_, _| {})
        .unwrap();
    assert!(plain.starts_with(b"customer_no,title,first_name,last_name"));
    assert_eq!(csv_rows(&plain)[0].len(), ExportColumn::ALL.len());
}

#[test]
fn spent_and_outstanding_are_columns_per_currency() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let owes = a
        .create_customer(&actor(), customer("Owes", "Two"))
        .unwrap();
    let none = a.create_customer(&actor(), customer("No", "Trip")).unwrap();
    for (reference, minor, currency, paid, status) in [
        (
            "O-1",
            12_050,
            "EUR",
            PaymentStatus::Unpaid,
            BookingStatus::Confirmed,
        ),
        (
            "O-2",
            500,
            "JPY",
            PaymentStatus::Paid,
            BookingStatus::Completed,
        ),
        (
            "O-3",
            990,
            "EUR",
            PaymentStatus::PartiallyPaid,
            BookingStatus::Pending,
        ),
        (
            "O-4",
            7_000,
            "EUR",
            PaymentStatus::Unpaid,
            BookingStatus::Cancelled,
        ),
    ] {
        let mut bk = booking_for(reference, "2026-07-14T08:30:00+02:00", &owes);
        let mut inv = invoice(&format!("F-{reference}"), minor, currency);
        inv.payment_status = paid;
        bk.invoices = vec![inv];
        bk.status = status;
        a.upsert_booking(&actor(), bk).unwrap();
    }
    let stranger = b.create_customer(&actor(), customer("X", "Y")).unwrap();
    let mut bk = booking_for("O-1", "2026-07-14T08:30:00+02:00", &stranger);
    bk.invoices = vec![invoice("F-X", 1, "EUR")];
    b.upsert_booking(&actor(), bk).unwrap();

    let mut out = Vec::new();
    a.export_csv(
        &ExportOptions::all().columns([
            ExportColumn::CustomerNo,
            ExportColumn::Spent,
            ExportColumn::Outstanding,
        ]),
        &mut out,
        |_, _| {},
    )
    .unwrap();
    let rows = csv_rows(&out);
    assert_eq!(rows[0], ["customer_no", "spent", "outstanding"]);
    assert_eq!(
        rows[1],
        [
            owes.customer_no.to_string(),
            "130.40 EUR; 500 JPY".to_owned(),
            "130.40 EUR".to_owned()
        ]
    );
    assert_eq!(
        rows[2],
        [none.customer_no.to_string(), String::new(), String::new()]
    );
    assert_eq!(rows.len(), 3);
    // Computed: an import ignores them.
    assert!(ExportColumn::Spent.is_computed() && ExportColumn::Outstanding.is_computed());
}

#[test]
fn bad_options_name_the_field() {
    let db = open();
    let a = db.tenant("agency-a");
    let mut out = Vec::new();
    assert_invalid(
        a.export_csv(&ExportOptions::all().columns([]), &mut out, |_, _| {}),
        "columns",
    );
    assert_invalid(
        a.export_csv(
            &ExportOptions::all().columns([ExportColumn::Email, ExportColumn::Email]),
            &mut out,
            |_, _| {},
        ),
        "columns[1]",
    );
    assert!(out.is_empty());
    assert_kind("shoe_size".parse::<ExportColumn>(), ErrorKind::Validation);
    assert_eq!(
        "first_name".parse::<ExportColumn>().unwrap(),
        ExportColumn::FirstName
    );
}

#[test]
fn large_tenants_and_search_results_are_written_page_by_page() {
    let db = open();
    let a = db.tenant("agency-a");
    let batch: Vec<NewCustomer> = (0..2_500)
        .map(|i| NewCustomer {
            address: crm_core::Address {
                city: Some(if i % 5 == 0 { "Lyon" } else { "Paris" }.into()),
                ..Default::default()
            },
            ..customer("Ana", &format!("Name{i:04}"))
        })
        .collect();
    a.create_customers(&actor(), batch).unwrap();
    let mut calls = Vec::new();
    let mut out = Vec::new();
    let n = a
        .export_csv(
            &ExportOptions::all().columns([ExportColumn::CustomerNo]),
            &mut out,
            |done, total| calls.push((done, total)),
        )
        .unwrap();
    assert_eq!(n, 2_500);
    let numbers: Vec<i64> = csv_rows(&out)[1..]
        .iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=2_500).collect::<Vec<_>>());
    assert_eq!(calls.len(), 3);
    assert_eq!(calls.last(), Some(&(2_500, 2_500)));
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));

    // A search result, in its order (by name), every hit whatever its page.
    let query = CustomerQuery::all()
        .city("Lyon")
        .sort(crm_core::SearchSort::Name)
        .limit(5);
    let mut out = Vec::new();
    let n = a
        .export_csv(
            &ExportOptions::all()
                .columns([ExportColumn::LastName, ExportColumn::City])
                .query(query),
            &mut out,
            |_, _| {},
        )
        .unwrap();
    assert_eq!(n, 500);
    let rows = csv_rows(&out);
    assert!(rows[1..].iter().all(|r| r[1] == "Lyon"));
    let names: Vec<&String> = rows[1..].iter().map(|r| &r[0]).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn xlsx_is_a_workbook_with_a_row_per_customer() {
    let db = open();
    let a = db.tenant("agency-a");
    a.create_customer(&actor(), customer("Hélène", "Dupont"))
        .unwrap();
    a.create_customer(&actor(), customer("José", "Núñez"))
        .unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    let n = a
        .export_xlsx(&ExportOptions::all(), &mut out, |_, _| {})
        .unwrap();
    assert_eq!(n, 2);
    let bytes = out.into_inner();
    assert!(bytes.starts_with(b"PK\x03\x04"), "not a zip container");
    // The parts of a workbook are there (the zip directory names them in clear).
    for part in [
        "xl/workbook.xml",
        "xl/worksheets/sheet1.xml",
        "[Content_Types].xml",
    ] {
        assert!(
            bytes.windows(part.len()).any(|w| w == part.as_bytes()),
            "{part}"
        );
    }
}

#[test]
fn an_export_file_replaces_its_target_whole_or_not_at_all_and_holds_one_tenant() {
    use crm_core::ExportFormat;
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    for i in 0..3 {
        a.create_customer(&actor(), customer("Jean", &format!("Dupont{i}")))
            .unwrap();
    }
    b.create_customer(&actor(), customer("Other", "Tenant"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    let partial = dir.path().join("customers.csv.partial");
    std::fs::write(&path, "before").unwrap();
    // Stopped by its progress: the target stays as it was.
    let stopped = a
        .export_file(&path, ExportFormat::Csv, &ExportOptions::all(), |_, _| {
            false
        })
        .unwrap();
    assert_eq!(stopped, None);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "before");
    assert!(!partial.exists());
    // Refused options: the same.
    let refused = a.export_file(
        &path,
        ExportFormat::Csv,
        &ExportOptions::all().columns([]),
        |_, _| true,
    );
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::Validation);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "before");
    // Done: the whole file, this tenant's customers only.
    let n = a
        .export_file(&path, ExportFormat::Csv, &ExportOptions::all(), |_, _| true)
        .unwrap();
    assert_eq!(n, Some(3));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(csv_rows(text.as_bytes()).len(), 4);
    assert!(text.contains("Dupont2") && !text.contains("Tenant"));
    assert!(!partial.exists());
    let xlsx = dir.path().join("customers.xlsx");
    let n = b
        .export_file(&xlsx, ExportFormat::Xlsx, &ExportOptions::all(), |_, _| {
            true
        })
        .unwrap();
    assert_eq!(n, Some(1));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
}

#[test]
fn a_pdf_list_holds_the_chosen_columns_of_the_search_in_every_script() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    for (first, last, city) in [
        ("Łukasz", "Nowak", "Lyon"),
        ("Karel", "Čapek", "Lyon"),
        ("芳", "王", "Lyon"),
        ("Other", "City", "Paris"),
    ] {
        a.create_customer(
            &actor(),
            NewCustomer {
                address: crm_core::Address {
                    city: Some(city.into()),
                    ..Default::default()
                },
                ..customer(first, last)
            },
        )
        .unwrap();
    }
    b.create_customer(&actor(), customer("Elsewhere", "Tenant"))
        .unwrap();
    let mut options = ExportOptions::all()
        .columns([
            ExportColumn::CustomerNo,
            ExportColumn::FirstName,
            ExportColumn::LastName,
            ExportColumn::City,
        ])
        .query(CustomerQuery::all().city("Lyon"));
    let font =
        std::path::PathBuf::from("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf");
    if font.exists() {
        options = options.fonts(vec![font]);
    }
    let path = db.dir.path().join("list.pdf");
    let n = a
        .export_file(&path, crm_core::ExportFormat::Pdf, &options, |_, _| true)
        .unwrap();
    assert_eq!(n, Some(3));
    let pdf = std::fs::read(&path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = match std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
        _ if std::env::var_os("CI").is_none() => return,
        other => panic!("pdftotext is needed on CI: {other:?}"),
    };
    for needle in [
        "customer_no",
        "first_name",
        "Łukasz",
        "Čapek",
        "Nowak",
        "1/1",
    ] {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
    assert!(
        !text.contains("Paris") && !text.contains("Elsewhere"),
        "{text}"
    );
    if options.fonts.is_empty() {
        assert!(text.contains('?'));
    } else {
        assert!(text.contains('王'), "{text}");
    }
}
