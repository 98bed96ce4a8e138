/* Every capability of the C API on its happy path, plus the errors a caller handles daily.
 * Usage: test_api <scratch-folder> */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, const char *last,
                            const char *email, const char *mobile) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, last));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_MOBILE, mobile));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

static crm_booking *book(crm_tenant *t, const char *ref, const char *pickup,
                         const char *customer_id, int64_t cents, bool *created) {
  crm_booking_fields *b = NULL;
  crm_booking *out = NULL;
  CHECK_OK(crm_booking_fields_new(ref, pickup, &b));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_CUSTOMER_ID, customer_id));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_ROUTE_FROM, "Lyon Part-Dieu"));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_ROUTE_TO, "A\xc3\xa9roport LYS"));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_TRANSPORT, "coach"));
  CHECK_OK(crm_booking_fields_add_invoice(b, "INV-1", cents, "EUR", "paid", NULL, NULL, NULL));
  CHECK_OK(crm_tenant_upsert_booking(t, b, &out, created));
  crm_booking_fields_free(b);
  return out;
}

static uint64_t progress_calls = 0;
static uint64_t progress_total = 0;

static void on_progress(void *userdata, uint64_t done, uint64_t total) {
  uint64_t *calls = (uint64_t *)userdata;
  *calls += 1;
  progress_total = total;
  (void)done;
}

static void customers(crm_tenant *t) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  crm_customer *again = NULL;
  char *json = NULL;

  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "H\xc3\xa9l\xc3\xa8ne"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Dupont"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, "Helene.Dupont@example.fr"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_MOBILE, "06 12 34 56 78"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CITY, "Lyon"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_COUNTRY, "FR"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_BIRTH_DATE, "1980-02-29"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CONSENT_EMAIL, "2026-03-01T10:00:00Z"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_NOTES, "window seat \xf0\x9f\xaa\x9f\nline 2"));
  CHECK_OK(crm_customer_fields_add(f, CRM_MULTI_SECONDARY_EMAILS, "h@work.example"));
  CHECK_OK(crm_customer_fields_add(f, CRM_MULTI_SECONDARY_PHONES, "07 81 23 45 67"));
  CHECK_OK(crm_customer_fields_add(f, CRM_MULTI_LISTS, "vip"));
  CHECK_OK(crm_customer_fields_set_custom(f, "loyalty", "gold"));
  CHECK_OK(crm_tenant_validate_customer(t, f));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);

  CHECK(crm_customer_no(c) == 1);
  CHECK(crm_customer_version(c) == 1);
  CHECK(strlen(crm_customer_id(c)) == 36);
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_FIRST_NAME), "H\xc3\xa9l\xc3\xa8ne"));
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_FULL_NAME), "H\xc3\xa9l\xc3\xa8ne Dupont"));
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_MOBILE), "06 12 34 56 78"));
  CHECK(str_eq(crm_customer_e164(c, CRM_FIELD_MOBILE), "+33612345678"));
  CHECK(crm_customer_get(c, CRM_FIELD_COMPANY) == NULL);
  CHECK(crm_customer_e164(c, CRM_FIELD_PHONE) == NULL);
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_BIRTH_DATE), "1980-02-29"));
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_CONSENT_EMAIL), "2026-03-01T10:00:00Z"));
  CHECK(contains(crm_customer_get(c, CRM_FIELD_NOTES), "\nline 2"));
  CHECK(contains(crm_customer_get(c, CRM_FIELD_CREATED_AT), "Z"));
  CHECK(crm_customer_count(c, CRM_MULTI_SECONDARY_PHONES) == 1);
  CHECK(str_eq(crm_customer_item(c, CRM_MULTI_SECONDARY_PHONES_E164, 0), "+33781234567"));
  CHECK(crm_customer_item(c, CRM_MULTI_SECONDARY_PHONES, 1) == NULL);
  CHECK(str_eq(crm_customer_item(c, CRM_MULTI_LISTS, 0), "vip"));
  CHECK(str_eq(crm_customer_custom_field(c, "loyalty"), "gold"));
  CHECK(crm_customer_custom_field(c, "nope") == NULL);
  CHECK_OK(crm_customer_to_json(c, &json));
  CHECK(contains(json, "\"format\":1") && contains(json, "\"loyalty\":\"gold\""));
  crm_string_free(json);

  /* read back by id, by number, by email (any case) */
  CHECK_OK(crm_tenant_get_customer(t, crm_customer_id(c), &again));
  CHECK(crm_customer_no(again) == 1);
  crm_customer_free(again);
  CHECK_OK(crm_tenant_get_customer_by_no(t, 1, &again));
  CHECK(str_eq(crm_customer_id(again), crm_customer_id(c)));
  crm_customer_free(again);
  {
    crm_customer_list *found = NULL;
    CHECK_OK(crm_tenant_find_customers_by_email(t, "HELENE.dupont@example.FR", &found));
    CHECK(crm_customer_list_len(found) == 1);
    CHECK(str_eq(crm_customer_id(crm_customer_list_get(found, 0)), crm_customer_id(c)));
    CHECK(crm_customer_list_get(found, 1) == NULL);
    crm_customer_list_free(found);
  }

  /* update from the stored fields; a stale version is a conflict */
  {
    crm_customer *updated = NULL;
    crm_customer *stale = NULL;
    CHECK_OK(crm_customer_fields_from_customer(c, &f));
    CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_COMPANY, "Voyages \xc2\xab \xc3\x89toile \xc2\xbb"));
    CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_NOTES, NULL));
    CHECK_OK(crm_customer_fields_clear(f, CRM_MULTI_LISTS));
    CHECK_OK(crm_tenant_update_customer(t, crm_customer_id(c), crm_customer_version(c), f, &updated));
    CHECK(crm_customer_version(updated) == 2);
    CHECK(crm_customer_get(updated, CRM_FIELD_NOTES) == NULL);
    CHECK(crm_customer_count(updated, CRM_MULTI_LISTS) == 0);
    CHECK(str_eq(crm_customer_get(updated, CRM_FIELD_EMAIL), "Helene.Dupont@example.fr"));
    CHECK_STATUS(crm_tenant_update_customer(t, crm_customer_id(c), 1, f, &stale), CRM_ERR_CONFLICT);
    CHECK(stale == NULL);
    crm_customer_fields_free(f);
    crm_customer_free(updated);
  }

  /* validation names the field; nothing is written */
  {
    crm_customer *bad = NULL;
    CHECK_OK(crm_customer_fields_new(&f));
    CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "A"));
    CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "B"));
    CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, "not an address"));
    CHECK_STATUS(crm_tenant_create_customer(t, f, &bad), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "email"));
    CHECK(contains(crm_last_error(), "email"));
    CHECK(bad == NULL);
    CHECK_STATUS(crm_customer_fields_set(f, CRM_FIELD_BIRTH_DATE, "29/02/1980"), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "birth_date"));
    crm_customer_fields_free(f);
  }
  crm_customer_free(c);
}

static void bulk_and_list(crm_tenant *t) {
  crm_customer_list *made = NULL;
  crm_customer_page *page = NULL;
  crm_customer_page *next = NULL;
  char *json = NULL;
  CHECK_OK(crm_tenant_create_customers_json(
      t,
      "{\"format\": 1, \"customers\": ["
      "{\"first_name\": \"J\xc3\xbcrgen\", \"last_name\": \"M\xc3\xbcller\", \"email\": \"jm@example.de\"},"
      "{\"first_name\": \"Ana\", \"last_name\": \"N\xc3\xba\xc3\xb1\x65z\", \"mobile\": \"+34 612 345 678\"}]}",
      &made));
  CHECK(crm_customer_list_len(made) == 2);
  CHECK(crm_customer_no(crm_customer_list_get(made, 1)) == 3);
  crm_customer_list_free(made);

  made = NULL;
  CHECK_STATUS(crm_tenant_create_customers_json(
                   t, "{\"format\": 1, \"customers\": [{\"first_name\": \"A\", \"last_name\": \"B\"},"
                      "{\"first_name\": \"C\", \"last_name\": \"D\", \"email\": \"bad\"}]}",
                   &made),
               CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "[1].email"));
  CHECK_STATUS(crm_tenant_create_customers_json(t, "{\"format\": 2, \"customers\": []}", &made),
               CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_tenant_create_customers_json(t, "{not json", &made), CRM_ERR_VALIDATION);
  CHECK(made == NULL);

  CHECK_OK(crm_tenant_list_customers(t, CRM_SORT_NAME, false, 2, NULL, &page));
  CHECK(crm_customer_page_total(page) == 3);
  CHECK(crm_customer_page_len(page) == 2);
  CHECK(str_eq(crm_customer_row_get(crm_customer_page_row(page, 0), CRM_ROW_LAST_NAME), "Dupont"));
  CHECK(crm_customer_page_next(page) != NULL);
  CHECK_OK(crm_tenant_list_customers(t, CRM_SORT_NAME, false, 2, crm_customer_page_next(page), &next));
  CHECK(crm_customer_page_len(next) == 1);
  CHECK(str_eq(crm_customer_row_get(crm_customer_page_row(next, 0), CRM_ROW_LAST_NAME), "N\xc3\xba\xc3\xb1\x65z"));
  CHECK(crm_customer_page_next(next) == NULL);
  CHECK_OK(crm_customer_page_to_json(page, &json));
  CHECK(contains(json, "\"total\":3") && contains(json, "\"items\":["));
  crm_string_free(json);
  crm_customer_page_free(next);
  crm_customer_page_free(page);
  CHECK_STATUS(crm_tenant_list_customers(t, CRM_SORT_RELEVANCE, false, 2, NULL, &page), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_list_customers(t, CRM_SORT_NAME, false, 2, "garbage", &page), CRM_ERR_VALIDATION);
}

static void bookings(crm_tenant *t) {
  crm_customer *c = NULL;
  crm_booking *b = NULL;
  crm_booking_list *history = NULL;
  crm_customer_stats *stats = NULL;
  char *json = NULL;
  bool created = false;
  size_t count = 0;

  CHECK_OK(crm_tenant_get_customer_by_no(t, 1, &c));
  b = book(t, "BK-1", "2026-07-14T08:30:00+02:00", crm_customer_id(c), 4500, &created);
  CHECK(created);
  CHECK(str_eq(crm_booking_get(b, CRM_BOOKING_CUSTOMER_ID), crm_customer_id(c)));
  CHECK(str_eq(crm_booking_get(b, CRM_BOOKING_STATUS), "confirmed"));
  CHECK(str_eq(crm_booking_get(b, CRM_BOOKING_PICKUP_AT), "2026-07-14T08:30:00+02:00"));
  CHECK(str_eq(crm_booking_get(b, CRM_BOOKING_ROUTE), "Lyon Part-Dieu \xe2\x86\x92 A\xc3\xa9roport LYS"));
  CHECK(crm_booking_invoice_count(b) == 1);
  {
    const char *number = NULL, *status = NULL, *issued = "x";
    int64_t minor = 0, paid = 0;
    bool given = true;
    CHECK_OK(crm_booking_invoice(b, 0, &number, &minor, NULL, &status, &issued, NULL, &paid, &given));
    CHECK(str_eq(number, "INV-1") && minor == 4500 && str_eq(status, "paid"));
    CHECK(issued == NULL && paid == 4500 && !given); /* paid read from the status */
    CHECK(crm_booking_invoice(b, 1, &number, NULL, NULL, NULL, NULL, NULL, NULL, NULL) ==
          CRM_ERR_VALIDATION);
  }
  CHECK(crm_booking_amount_minor(b) == 4500);
  CHECK(crm_booking_get(b, CRM_BOOKING_RETURN_AT) == NULL);
  CHECK_OK(crm_booking_to_json(b, &json));
  CHECK(contains(json, "\"reference\":\"BK-1\""));
  crm_string_free(json);
  crm_booking_free(b);

  b = book(t, "BK-1", "2026-07-14T08:30:00+02:00", NULL, 4500, &created);
  CHECK(!created); /* same reference: replaced, link kept */
  CHECK(str_eq(crm_booking_get(b, CRM_BOOKING_CUSTOMER_ID), crm_customer_id(c)));
  crm_booking_free(b);
  {
    crm_booking_fields *nf = NULL;
    CHECK_OK(crm_booking_fields_new("BK-3", "2026-06-01T09:00:00-04:00", &nf));
    CHECK_OK(crm_booking_fields_add_invoice(nf, "INV-3", 100, "usd", NULL, NULL, NULL, NULL));
    CHECK_OK(crm_booking_fields_clear_invoices(nf));
    CHECK_OK(crm_tenant_upsert_booking(t, nf, &b, &created));
    CHECK(crm_booking_invoice_count(b) == 0);
    CHECK(crm_booking_amount_minor(b) == 0);
    CHECK(str_eq(crm_booking_get(b, CRM_BOOKING_PICKUP_AT), "2026-06-01T09:00:00-04:00"));
    CHECK(crm_booking_get(b, CRM_BOOKING_CUSTOMER_ID) == NULL);
    crm_booking_fields_free(nf);
  }
  crm_booking_free(b);
  {
    /* A deposit and a balance on one booking; the customer's invoice list sums them. */
    crm_booking_fields *nf = NULL;
    char *list = NULL;
    const char *issued = NULL, *due = NULL;
    int64_t paid = 0, part = 20000;
    bool given = false;
    CHECK_OK(crm_booking_fields_new("BK-4", "2026-08-01T09:00:00+02:00", &nf));
    CHECK_OK(crm_booking_fields_set(nf, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(c)));
    CHECK_OK(crm_booking_fields_add_invoice(nf, "D-4", 30000, "EUR", "paid", "2026-03-01", "2026-03-15", NULL));
    CHECK_OK(crm_booking_fields_add_invoice(nf, "B-4", 70000, "EUR", "partially_paid", "2026-06-01", NULL, &part));
    CHECK(crm_booking_fields_add_invoice(nf, "X", 1, "EUR", "paid", "1 June", NULL, NULL) == CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "issued_on"));
    CHECK_OK(crm_tenant_upsert_booking(t, nf, &b, &created));
    CHECK(crm_booking_invoice_count(b) == 2 && crm_booking_amount_minor(b) == 100000);
    CHECK_OK(crm_booking_invoice(b, 1, NULL, NULL, NULL, NULL, &issued, &due, &paid, &given));
    CHECK(str_eq(issued, "2026-06-01") && due == NULL && paid == 20000 && given);
    crm_booking_free(b);
    CHECK_OK(crm_tenant_invoices_json(t, crm_customer_id(c), &list));
    CHECK(contains(list, "\"number\":\"B-4\""));
    CHECK(contains(list, "\"owed\":50000"));
    CHECK(contains(list, "\"outstanding\":[{\"currency\":\"EUR\",\"minor\":50000}]"));
    CHECK(contains(list, "D-4") && strstr(list, "B-4") < strstr(list, "D-4")); /* the latest issued first */
    crm_string_free(list);
    /* A second currency on one booking is refused, naming the invoice. */
    CHECK_OK(crm_booking_fields_add_invoice(nf, "G-4", 1, "GBP", NULL, NULL, NULL, NULL));
    CHECK(crm_tenant_upsert_booking(t, nf, &b, &created) == CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "invoices[2].amount.currency"));
    crm_booking_fields_free(nf);
    CHECK(crm_tenant_invoices_json(t, "0190b3a0-0000-7000-8000-000000000001", &list) == CRM_ERR_NOT_FOUND);
    CHECK_OK(crm_tenant_link_booking(t, "BK-4", NULL, &b)); /* the history below counts the others */
    crm_booking_free(b);
  }

  CHECK_OK(crm_tenant_upsert_bookings_json(
      t, "{\"format\": 1, \"bookings\": [{\"reference\": \"BK-2\", \"pickup_at\": \"2026-08-01T10:00:00+02:00\"}]}",
      &count));
  CHECK(count == 1);
  CHECK_OK(crm_tenant_link_booking(t, "BK-2", crm_customer_id(c), &b));
  CHECK(str_eq(crm_booking_get(b, CRM_BOOKING_CUSTOMER_ID), crm_customer_id(c)));
  crm_booking_free(b);

  CHECK_OK(crm_tenant_booking_history(t, crm_customer_id(c), &history));
  CHECK(crm_booking_list_len(history) == 2);
  CHECK(str_eq(crm_booking_get(crm_booking_list_get(history, 0), CRM_BOOKING_REFERENCE), "BK-2"));
  crm_booking_list_free(history);

  CHECK_OK(crm_tenant_customer_stats(t, crm_customer_id(c), &stats));
  CHECK(crm_customer_stats_bookings(stats) == 2);
  CHECK(str_eq(crm_customer_stats_last_booking(stats), "2026-08-01T10:00:00+02:00"));
  CHECK(crm_customer_stats_currencies(stats) == 1);
  CHECK(str_eq(crm_customer_stats_currency(stats, 0), "EUR"));
  CHECK(crm_customer_stats_spent_minor(stats, 0) == 4500);
  crm_customer_stats_free(stats);

  CHECK_OK(crm_tenant_link_booking(t, "BK-2", NULL, &b));
  CHECK(crm_booking_get(b, CRM_BOOKING_CUSTOMER_ID) == NULL);
  crm_booking_free(b);
  CHECK_OK(crm_tenant_get_booking(t, "BK-2", &b));
  crm_booking_free(b);
  b = NULL;
  CHECK_STATUS(crm_tenant_get_booking(t, "BK-404", &b), CRM_ERR_NOT_FOUND);
  CHECK(b == NULL);

  /* capture: the contact creates a customer, then the same email finds it */
  {
    crm_customer_fields *contact = NULL;
    crm_booking_fields *trip = NULL;
    crm_customer *who = NULL;
    crm_customer *who2 = NULL;
    crm_booking *what = NULL;
    crm_match matched = 0;
    CHECK_OK(crm_customer_fields_new(&contact));
    CHECK_OK(crm_customer_fields_set(contact, CRM_FIELD_FIRST_NAME, "Paul"));
    CHECK_OK(crm_customer_fields_set(contact, CRM_FIELD_LAST_NAME, "Martin"));
    CHECK_OK(crm_customer_fields_set(contact, CRM_FIELD_EMAIL, "paul@example.fr"));
    CHECK_OK(crm_booking_fields_new("W-1", "2026-09-01T07:00:00+02:00", &trip));
    CHECK_OK(crm_tenant_capture_booking(t, contact, trip, &who, &what, &matched));
    CHECK(matched == CRM_MATCH_CREATED);
    CHECK(str_eq(crm_booking_get(what, CRM_BOOKING_CUSTOMER_ID), crm_customer_id(who)));
    crm_booking_free(what);
    crm_booking_fields_free(trip);
    CHECK_OK(crm_customer_fields_set(contact, CRM_FIELD_EMAIL, "PAUL@example.fr"));
    CHECK_OK(crm_customer_fields_set(contact, CRM_FIELD_MOBILE, "06 99 88 77 66"));
    CHECK_OK(crm_booking_fields_new("W-2", "2026-09-08T07:00:00+02:00", &trip));
    CHECK_OK(crm_tenant_capture_booking(t, contact, trip, &who2, &what, &matched));
    CHECK(matched == CRM_MATCH_EMAIL);
    CHECK(str_eq(crm_customer_id(who2), crm_customer_id(who)));
    CHECK(str_eq(crm_customer_e164(who2, CRM_FIELD_MOBILE), "+33699887766"));
    crm_booking_free(what);
    crm_booking_fields_free(trip);
    crm_customer_fields_free(contact);
    crm_customer_free(who);
    crm_customer_free(who2);
  }
  crm_customer_free(c);
}

static const char *first_last_name(crm_customer_page *page) {
  return crm_customer_row_get(crm_customer_page_row(page, 0), CRM_ROW_LAST_NAME);
}

static void search(crm_tenant *t) {
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  const char *typed[] = {"hel", "mull", "nunez", "0612", "+33612", "5678"};
  const char *expected[] = {"Dupont", "M\xc3\xbcller", "N\xc3\xba\xc3\xb1\x65z", "Dupont", "Dupont", "Dupont"};
  size_t i;
  for (i = 0; i < sizeof typed / sizeof typed[0]; i++) {
    CHECK_OK(crm_search_query_new(typed[i], &q));
    CHECK_OK(crm_tenant_search(t, q, &page));
    CHECK(crm_customer_page_total(page) >= 1);
    CHECK(str_eq(first_last_name(page), expected[i]));
    CHECK(crm_customer_page_next(page) == NULL);
    crm_customer_page_free(page);
    crm_search_query_free(q);
  }

  /* the find-customer form: filters combine with each other and with text */
  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_CITY, "lyon"));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_COUNTRY, "FR"));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_TRANSPORT, "coach"));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_HAS_MOBILE, "yes"));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_ZIP, "   ")); /* blank: ignored */
  CHECK_OK(crm_search_query_period(q, CRM_PERIOD_DEPARTURE, "2026-07-01", "2026-07-31"));
  CHECK_OK(crm_search_query_sort(q, CRM_SORT_NAME));
  CHECK_OK(crm_search_query_page(q, 0, 10));
  CHECK_OK(crm_tenant_search(t, q, &page));
  CHECK(crm_customer_page_total(page) == 1);
  CHECK(str_eq(first_last_name(page), "Dupont"));
  CHECK(crm_customer_row_bookings(crm_customer_page_row(page, 0)) == 1); /* BK-2 was unlinked */
  CHECK(crm_customer_row_no(crm_customer_page_row(page, 0)) == 1);
  CHECK(str_eq(crm_customer_row_get(crm_customer_page_row(page, 0), CRM_ROW_PHONE), "06 12 34 56 78"));
  CHECK(str_eq(crm_customer_row_get(crm_customer_page_row(page, 0), CRM_ROW_LAST_BOOKING), "2026-07-14T08:30:00+02:00"));
  crm_customer_page_free(page);
  CHECK_OK(crm_search_query_period(q, CRM_PERIOD_DEPARTURE, "2027-01-01", NULL));
  CHECK_OK(crm_tenant_search(t, q, &page));
  CHECK(crm_customer_page_total(page) == 0);
  CHECK(crm_customer_page_row(page, 0) == NULL);
  crm_customer_page_free(page);
  CHECK_STATUS(crm_search_query_filter(q, CRM_FILTER_BOOKING_STATUS, "lost"), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_search_query_filter(q, CRM_FILTER_HAS_EMAIL, "maybe"), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_search_query_period(q, CRM_PERIOD_CREATED, "tomorrow", NULL), CRM_ERR_VALIDATION);
  CHECK_OK(crm_search_query_page(q, 0, 0));
  page = NULL;
  CHECK_STATUS(crm_tenant_search(t, q, &page), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "limit"));
  CHECK(page == NULL);
  crm_search_query_free(q);

  CHECK_OK(crm_search_query_new("", &q));
  CHECK_OK(crm_search_query_customer_no(q, 2));
  CHECK_OK(crm_tenant_search(t, q, &page));
  CHECK(str_eq(first_last_name(page), "M\xc3\xbcller"));
  crm_customer_page_free(page);
  crm_search_query_free(q);
}

static void changes_and_delete(crm_tenant *t) {
  crm_change_list *events = NULL;
  const crm_change *last;
  char *json = NULL;
  uint64_t detached = 99;
  crm_customer *c = NULL;
  size_t n;

  CHECK_OK(crm_tenant_get_customer_by_no(t, 1, &c));
  CHECK_OK(crm_tenant_delete_customer(t, crm_customer_id(c), &detached));
  CHECK(detached == 1);
  CHECK_OK(crm_tenant_changes_since(t, 0, 1000, &events));
  n = crm_change_list_len(events);
  CHECK(n > 5);
  last = crm_change_list_get(events, n - 1);
  CHECK(str_eq(crm_change_get(last, CRM_CHANGE_KIND), "customer_deleted"));
  CHECK(str_eq(crm_change_get(last, CRM_CHANGE_CUSTOMER_ID), crm_customer_id(c)));
  CHECK(str_eq(crm_change_get(last, CRM_CHANGE_ACTOR_USER_ID), "u-17"));
  CHECK(str_eq(crm_change_get(last, CRM_CHANGE_ACTOR_ROLE), "agent"));
  CHECK(crm_change_seq(last) > crm_change_seq(crm_change_list_get(events, 0)));
  CHECK(str_eq(crm_change_get(crm_change_list_get(events, 0), CRM_CHANGE_KIND), "tenant_settings_updated"));
  CHECK_OK(crm_change_list_to_json(events, &json));
  CHECK(contains(json, "\"customer_deleted\""));
  CHECK(!contains(json, "Helene")); /* the feed names fields, never values */
  crm_string_free(json);
  crm_change_list_free(events);
  crm_customer_free(c);
  c = NULL;
  CHECK_STATUS(crm_tenant_get_customer_by_no(t, 1, &c), CRM_ERR_NOT_FOUND);
}

static void persistence(const char *folder) {
  char path[1024];
  crm_db *db = NULL;
  crm_tenant *t = NULL;
  crm_customer *c = NULL;
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  char *region = NULL;
  snprintf(path, sizeof path, "%s/agency.db", folder);
  remove(path);

  CHECK_OK(crm_db_open(path, &db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_set_default_region(t, "FR"));
  c = create(t, "Ana", "N\xc3\xba\xc3\xb1\x65z", "ana@example.es", "06 11 22 33 44");
  crm_customer_free(c);
  crm_tenant_free(t);
  crm_db_free(db);

  db = NULL;
  t = NULL;
  CHECK_OK(crm_db_open(path, &db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-18", CRM_ROLE_SYSTEM, &t));
  CHECK_OK(crm_tenant_default_region(t, &region));
  CHECK(str_eq(region, "FR"));
  crm_string_free(region);
  CHECK_OK(crm_db_reindex(db, on_progress, &progress_calls));
  CHECK(progress_calls >= 1 && progress_total == 1);
  CHECK_OK(crm_db_reindex(db, NULL, NULL));
  CHECK_OK(crm_search_query_new("nunez", &q));
  CHECK_OK(crm_tenant_search(t, q, &page));
  CHECK(crm_customer_page_total(page) == 1);
  crm_customer_page_free(page);
  crm_search_query_free(q);
  crm_tenant_free(t);
  crm_db_free(db);
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *t = NULL;
  crm_customer *c = NULL;
  char *region = NULL;
  CHECK(argc == 2);
  CHECK(strlen(crm_version()) > 0);
  CHECK(str_eq(crm_status_name(CRM_ERR_NOT_FOUND), "CRM_ERR_NOT_FOUND"));
  CHECK(str_eq(crm_status_name(4242), "CRM_UNKNOWN_STATUS"));

  CHECK(crm_schema_version() >= 1);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  CHECK(str_eq(crm_tenant_id(t), "agency-1"));
  CHECK_OK(crm_tenant_default_region(t, &region));
  CHECK(region == NULL);
  CHECK_OK(crm_tenant_set_default_region(t, "FR"));
  CHECK_STATUS(crm_tenant_set_default_region(t, "XX"), CRM_ERR_VALIDATION);

  customers(t);
  bulk_and_list(t);
  bookings(t);
  search(t);
  changes_and_delete(t);

  c = create(t, "Last", "One", "last@example.fr", "06 00 00 00 09");
  crm_customer_free(c);
  crm_tenant_free(t);
  crm_db_free(db);

  persistence(argv[1]);
  CHECK(crm_live_handles() == 0); /* every handle and string freed */
  printf("test_api: ok\n");
  return 0;
}
