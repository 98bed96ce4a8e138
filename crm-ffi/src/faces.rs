//! The C face's families of field constants (`CRM_ROW_*`, `CRM_CHANGE_*`, `CRM_BOOKING_*`...)
//! checked against the fields of the core's records: a field the core adds, renames or drops
//! fails here until the face follows.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate};
use crm_core::{
    Actor, Crm, CustomerListQuery, CustomerSort, ExportFormat, Invoice, Money, NewBooking,
    NewCustomer, NewDocument, PaymentStatus, Role,
};
use serde::Serialize;

const HEADER: &str = include_str!("../../include/crm.h");

/// The keys of a record's serialised form: its fields.
fn keys(value: &impl Serialize) -> BTreeSet<String> {
    let json = serde_json::to_value(value).unwrap();
    json.as_object().unwrap().keys().cloned().collect()
}

/// The header's names of a family of constants, lower-cased (`CRM_ROW_FIRST_NAME`: first_name).
fn family(prefix: &str) -> BTreeSet<String> {
    crate::ffi::header_defines()
        .keys()
        .filter_map(|name| name.strip_prefix(prefix))
        .map(str::to_lowercase)
        .collect()
}

/// How the C face shows a record: its family of text fields, the fields read by a function of
/// their own (checked to be in the header), the fields shown under other names, and the texts
/// the face adds.
struct Shown<'a> {
    prefix: &'a str,
    by_function: &'a [(&'a str, &'a str)],
    renamed: &'a [(&'a str, &'a [&'a str])],
    extra: &'a [&'a str],
}

impl Shown<'_> {
    fn check(&self, value: &impl Serialize) {
        let mut expected = BTreeSet::new();
        for key in keys(value) {
            if let Some((_, function)) = self.by_function.iter().find(|(k, _)| *k == key) {
                assert!(
                    HEADER.contains(&format!("{function}(")),
                    "{key}: {function} is not in the header"
                );
            } else if let Some((_, names)) = self.renamed.iter().find(|(k, _)| *k == key) {
                expected.extend(names.iter().map(|n| n.to_string()));
            } else {
                expected.insert(key);
            }
        }
        expected.extend(self.extra.iter().map(|n| n.to_string()));
        assert_eq!(family(self.prefix), expected, "{}*", self.prefix);
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn each_family_of_field_constants_is_the_fields_of_the_core_record() {
    let crm = Crm::open_in_memory().unwrap();
    let tenant = crm.tenant("agency").unwrap();
    let actor = Actor::new("u1", Role::Organisation);
    let fields = NewCustomer {
        first_name: "Anne".into(),
        last_name: "Martin".into(),
        ..NewCustomer::default()
    };
    let anne = tenant.create_customer(&actor, fields).unwrap();
    let mut booking = NewBooking::new(
        "BK-1",
        DateTime::parse_from_rfc3339("2026-06-02T08:00:00+02:00").unwrap(),
    );
    booking.customer_id = Some(anne.id);
    let invoice = Invoice::new(
        "F-1",
        Money {
            minor: 12050,
            currency: "EUR".into(),
        },
        PaymentStatus::Paid,
    );
    booking.invoices = vec![invoice.clone()];
    let booking = tenant.upsert_booking(&actor, booking).unwrap().booking;

    let row = tenant
        .list_customers(&CustomerListQuery::new(CustomerSort::Name))
        .unwrap()
        .items
        .remove(0);
    Shown {
        prefix: "CRM_ROW_",
        by_function: &[
            ("customer_no", "crm_customer_row_no"),
            ("bookings", "crm_customer_row_bookings"),
        ],
        renamed: &[],
        extra: &["full_name"],
    }
    .check(&row);

    let event = tenant.changes_since(0, 10).unwrap().remove(0);
    Shown {
        prefix: "CRM_CHANGE_",
        by_function: &[("seq", "crm_change_seq")],
        renamed: &[("actor", &["actor_user_id", "actor_role"])],
        extra: &[],
    }
    .check(&event);
    assert_eq!(
        keys(&event.actor),
        ["role", "user_id"].map(String::from).into()
    );

    let document = tenant
        .attach_document(
            &actor,
            &anne.id,
            NewDocument::new("id.pdf", "application/pdf", b"%PDF-1.4".to_vec()),
        )
        .unwrap();
    Shown {
        prefix: "CRM_DOCUMENT_",
        by_function: &[("size", "crm_document_size")],
        renamed: &[],
        extra: &[],
    }
    .check(&document);

    let request = tenant.request_brochure(&actor, &anne.id).unwrap();
    Shown {
        prefix: "CRM_BROCHURE_",
        by_function: &[],
        renamed: &[],
        extra: &[],
    }
    .check(&request);

    // The invoices are read by `crm_booking_invoice`: each field an out-parameter of it, the
    // amount by its parts, the amount paid with whether it was given.
    Shown {
        prefix: "CRM_BOOKING_",
        by_function: &[("invoices", "crm_booking_invoice")],
        renamed: &[],
        extra: &["route"],
    }
    .check(&booking);
    let at = HEADER.find("crm_status crm_booking_invoice(").unwrap();
    let prototype = &HEADER[at..at + HEADER[at..].find(");").unwrap()];
    let mut shown: BTreeSet<String> = prototype
        .split(',')
        .skip(2) // the booking and the index
        .filter_map(|param| param.trim().rsplit([' ', '*']).next())
        .map(String::from)
        .collect();
    assert!(shown.remove("amount_minor") && shown.remove("currency"));
    assert!(shown.remove("amount_paid_given"));
    shown.insert("amount".into());
    assert_eq!(keys(&invoice), shown);
    assert!(HEADER.contains("crm_booking_amount_minor("));

    // A statement line: every field has its out-parameter of `crm_statement_line` or a function.
    let statement = tenant
        .statement(&anne.id, day("2026-06-01"), day("2026-06-30"))
        .unwrap();
    let at = HEADER.find("crm_status crm_statement_line(").unwrap();
    let prototype = &HEADER[at..at + HEADER[at..].find(");").unwrap()];
    let mut shown: BTreeSet<String> = prototype
        .split(',')
        .skip(2) // the statement and the index
        .filter_map(|param| param.trim().rsplit([' ', '*']).next())
        .map(String::from)
        .collect();
    // The amount is shown by its parts; the payment status by a function of its own.
    assert!(shown.remove("amount_minor") && shown.remove("currency"));
    shown.insert("amount".into());
    assert!(HEADER.contains("crm_statement_line_payment_status("));
    shown.insert("payment_status".into());
    assert_eq!(keys(&statement.lines[0]), shown);

    let formats: BTreeSet<String> = ExportFormat::ALL.iter().map(|f| f.to_string()).collect();
    let mut exports = family("CRM_EXPORT_");
    assert!(exports.remove("csv_bom"), "CRM_EXPORT_CSV_BOM");
    assert_eq!(exports, formats);
}

#[test]
fn every_field_of_a_new_customer_is_set_through_the_c_face() {
    use crate::customer::{
        crm_customer_fields_add, crm_customer_fields_free, crm_customer_fields_new,
        crm_customer_fields_set, crm_customer_fields_set_custom,
    };
    use crate::status::crm_status::CRM_OK;
    use crm_core::{Address, Consent};

    let defines = crate::ffi::header_defines();
    let mut fields = std::ptr::null_mut();
    assert_eq!(crm_customer_fields_new(&mut fields), CRM_OK);
    let set = |name: &str, value: &std::ffi::CStr| {
        let constant = format!("CRM_FIELD_{}", name.to_uppercase());
        let number = *defines
            .get(&constant)
            .unwrap_or_else(|| panic!("{constant}"));
        assert_eq!(
            crm_customer_fields_set(fields, number, value.as_ptr()),
            CRM_OK,
            "{constant}"
        );
    };
    let add = |name: &str, value: &std::ffi::CStr| {
        let constant = format!("CRM_MULTI_{}", name.to_uppercase());
        let number = *defines
            .get(&constant)
            .unwrap_or_else(|| panic!("{constant}"));
        assert_eq!(
            crm_customer_fields_add(fields, number, value.as_ptr()),
            CRM_OK,
            "{constant}"
        );
    };
    let address = keys(&Address::default());
    let consent = keys(&Consent::default());
    for field in NewCustomer::FIELDS {
        match *field {
            "email" => set(field, c"anne@example.com"),
            "phone" | "mobile" | "fax" | "emergency_phone" => set(field, c"+33 4 72 00 00 01"),
            "birth_date" => set(field, c"1980-05-17"),
            "language" => set(field, c"fr"),
            "address" => {
                for part in &address {
                    let value = if part == "country" { c"FR" } else { c"Lyon" };
                    set(part, value);
                }
            }
            "consent" => {
                for channel in &consent {
                    set(&format!("consent_{channel}"), c"2026-01-05T10:00:00Z");
                }
            }
            "secondary_emails" => add(field, c"anne@example.org"),
            "secondary_phones" => add(field, c"+33 4 72 00 00 02"),
            "lists" => add(field, c"newsletter"),
            "custom_fields" => assert_eq!(
                crm_customer_fields_set_custom(fields, c"loyalty".as_ptr(), c"gold".as_ptr()),
                CRM_OK
            ),
            other => set(other, c"text"),
        }
    }
    // Read back: every field of the core holds what was set.
    let set_fields = crate::ffi::get::<crate::customer::FieldsHandle>(fields, "fields")
        .unwrap()
        .0
        .clone();
    crm_customer_fields_free(fields);
    let json = serde_json::to_value(&set_fields).unwrap();
    for field in NewCustomer::FIELDS {
        let value = &json[*field];
        let held = match value {
            serde_json::Value::Object(parts) if *field != "custom_fields" => {
                parts.values().all(|v| !v.is_null())
            }
            serde_json::Value::Null => false,
            serde_json::Value::String(s) => !s.is_empty(),
            serde_json::Value::Array(items) => !items.is_empty(),
            serde_json::Value::Object(map) => !map.is_empty(),
            _ => true,
        };
        assert!(held, "{field} was not set through C: {value}");
    }
}

#[test]
fn the_header_names_every_change_kind_of_the_core() {
    let at = HEADER.find("#define CRM_CHANGE_KIND ").unwrap();
    let doc = &HEADER[HEADER[..at].rfind("/**").unwrap()..at];
    for kind in crm_core::ChangeKind::ALL {
        assert!(
            doc.contains(&format!("`{kind}`")),
            "{kind} is not in CRM_CHANGE_KIND's doc"
        );
    }
}

#[test]
fn the_default_feed_retention_is_the_cores() {
    assert_eq!(
        crate::CRM_FEED_RETENTION_SECONDS,
        crm_core::FEED_RETENTION.as_secs()
    );
    assert_eq!(
        crate::ffi::header_defines().get("CRM_FEED_RETENTION_SECONDS"),
        Some(&2_592_000)
    );
}
