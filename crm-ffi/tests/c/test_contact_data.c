/* Real-world contact data through the C API: a national number read in the customer's
 * country, a number that fits no plan kept as typed with no E.164 form (never texted), `+33`
 * finding French numbers only, and the tenant's name rule in create, capture and import.
 * Usage: test_contact_data <scratch dir> */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, const char *last,
                            const char *country, const char *mobile) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, last));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_COUNTRY, country));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_MOBILE, mobile));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CONSENT_SMS, "2026-01-01T00:00:00Z"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

/* The number of customers a typed search finds; `expected_id` (or NULL) must be the first. */
static size_t found(crm_tenant *t, const char *text, const char *expected_id) {
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  size_t n;
  CHECK_OK(crm_search_query_new(text, &q));
  CHECK_OK(crm_tenant_search(t, q, &page));
  n = crm_customer_page_len(page);
  if (expected_id != NULL) {
    CHECK(n >= 1);
    CHECK(str_eq(crm_customer_row_get(crm_customer_page_row(page, 0), CRM_ROW_ID), expected_id));
  }
  crm_customer_page_free(page);
  crm_search_query_free(q);
  return n;
}

static void phones(crm_tenant *t) {
  crm_customer *german = create(t, "J\xc3\xb6rg", "Keller", "DE", "0151 25642510");
  crm_customer *french = create(t, "Zo\xc3\xa9", "Moreau", NULL, "06 12 34 56 78");
  crm_customer *short_number = create(t, "Jean", "Dupont", "FR", "06 12 34 56");
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  crm_outreach *o = NULL;
  crm_outreach_skips skips;

  /* Read in the customer's country, not the tenant's FR. */
  CHECK(str_eq(crm_customer_e164(german, CRM_FIELD_MOBILE), "+4915125642510"));
  CHECK(str_eq(crm_customer_e164(french, CRM_FIELD_MOBILE), "+33612345678"));
  /* Fits no plan: kept as typed, no E.164 form. */
  CHECK(str_eq(crm_customer_get(short_number, CRM_FIELD_MOBILE), "06 12 34 56"));
  CHECK(crm_customer_e164(short_number, CRM_FIELD_MOBILE) == NULL);

  /* A secondary number that fits no plan: its E.164 entry is empty, in step with the typed. */
  CHECK_OK(crm_customer_fields_from_customer(short_number, &f));
  CHECK_OK(crm_customer_fields_add(f, CRM_MULTI_SECONDARY_PHONES, "+44 20 7946 0958"));
  CHECK_OK(crm_customer_fields_add(f, CRM_MULTI_SECONDARY_PHONES, "36 08"));
  CHECK_OK(crm_tenant_update_customer(t, crm_customer_id(short_number),
                                      crm_customer_version(short_number), f, &c));
  CHECK(crm_customer_count(c, CRM_MULTI_SECONDARY_PHONES_E164) == 2);
  CHECK(str_eq(crm_customer_item(c, CRM_MULTI_SECONDARY_PHONES_E164, 0), "+442079460958"));
  CHECK(str_eq(crm_customer_item(c, CRM_MULTI_SECONDARY_PHONES_E164, 1), ""));
  CHECK(str_eq(crm_customer_item(c, CRM_MULTI_SECONDARY_PHONES, 1), "36 08"));
  crm_customer_free(c);
  crm_customer_fields_free(f);

  /* Text that is no phone at all is refused, naming the field. */
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "A"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "B"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FAX, "call me"));
  CHECK_STATUS(crm_tenant_create_customer(t, f, &c), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "fax"));
  crm_customer_fields_free(f);

  /* Never texted: two mobiles take SMS, the short one is skipped for want of an address. */
  CHECK_OK(crm_tenant_outreach(t, NULL, CRM_CHANNEL_SMS, &o));
  CHECK(crm_outreach_count(o) == 2);
  CHECK_OK(crm_outreach_skipped(o, &skips));
  CHECK(skips.no_address == 1);
  crm_outreach_free(o);

  /* `+33` finds the French number only; national digits find the German one and the short. */
  CHECK(found(t, "+33", crm_customer_id(french)) == 1);
  CHECK(found(t, "0151", crm_customer_id(german)) == 1);
  CHECK(found(t, "06 12 34 56", NULL) == 2);

  crm_customer_free(german);
  crm_customer_free(french);
  crm_customer_free(short_number);
}

static void name_rules(crm_db *db, const char *dir) {
  crm_tenant *t = NULL;
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  crm_booking_fields *b = NULL;
  crm_booking *booking = NULL;
  crm_match matched;
  crm_import_report *report = NULL;
  crm_import_counts counts;
  char *rule = NULL;
  char path[4096];
  FILE *file;

  CHECK_OK(crm_tenant_open(db, "old-address-book", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_name_rule(t, &rule));
  CHECK(str_eq(rule, "both"));
  crm_string_free(rule);

  /* By default both names are needed. */
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Dupont"));
  CHECK_STATUS(crm_tenant_create_customer(t, f, &c), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "first_name"));

  CHECK_STATUS(crm_tenant_set_name_rule(t, "sometimes"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "name_rule"));
  CHECK_OK(crm_tenant_set_name_rule(t, "either"));
  CHECK_OK(crm_tenant_name_rule(t, &rule));
  CHECK(str_eq(rule, "either"));
  crm_string_free(rule);

  /* One name is enough now: create, then capture. */
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_LAST_NAME), "Dupont"));
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_FIRST_NAME), ""));
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_FULL_NAME), "Dupont"));
  crm_customer_free(c);
  {
    crm_customer_page *page = NULL;
    CHECK_OK(crm_tenant_list_customers(t, CRM_SORT_NAME, false, 10, NULL, &page));
    CHECK(crm_customer_page_len(page) == 1);
    CHECK(str_eq(crm_customer_row_get(crm_customer_page_row(page, 0), CRM_ROW_FULL_NAME),
                 "Dupont"));
    crm_customer_page_free(page);
  }
  crm_customer_fields_free(f);

  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "Louis"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, "louis@example.com"));
  CHECK_OK(crm_booking_fields_new("BK-1", "2026-07-14T08:30:00+02:00", &b));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_ROUTE_FROM, "Lyon"));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_ROUTE_TO, "Paris"));
  CHECK_OK(crm_tenant_capture_booking(t, f, b, &c, &booking, &matched));
  CHECK(matched == CRM_MATCH_CREATED);
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_FULL_NAME), "Louis"));
  crm_customer_free(c);
  crm_booking_free(booking);
  crm_booking_fields_free(b);
  crm_customer_fields_free(f);

  /* A file of such records: rows with one name are created, a row with none is reported. */
  snprintf(path, sizeof path, "%s/one-name.csv", dir);
  file = fopen(path, "w");
  CHECK(file != NULL);
  fputs("first_name,last_name,email\n,Martin,m@example.com\nAnne,,a@example.com\n,,n@example.com\n",
        file);
  fclose(file);
  CHECK_OK(crm_tenant_import(t, path, NULL, NULL, NULL, &report));
  CHECK_OK(crm_import_report_counts(report, &counts));
  CHECK(counts.created == 2);
  CHECK(counts.failed == 1);
  crm_import_report_free(report);
  remove(path);
  crm_tenant_free(t);
}

int main(int argc, char **argv) {
  char path[4096];
  crm_db *db = NULL;
  crm_tenant *t = NULL;

  CHECK(argc == 2);
  snprintf(path, sizeof path, "%s/contact-data.db", argv[1]);
  remove(path);
  CHECK_OK(crm_db_open(path, &db));
  CHECK_OK(crm_tenant_open(db, "agency", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_set_default_region(t, "FR"));
  phones(t);
  name_rules(db, argv[1]);
  crm_tenant_free(t);
  crm_db_free(db);
  printf("test_contact_data: ok\n");
  return 0;
}
