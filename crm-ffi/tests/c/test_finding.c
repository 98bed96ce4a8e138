/* Precise finding from C: booking filters given together hold for one booking, each phone
 * field has a filter, zip prefixes, the booking's salesperson; another tenant's customers are
 * never found. argv[1] is a scratch folder. */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, uint32_t phone_field,
                            const char *zip) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Voyageur"));
  CHECK_OK(crm_customer_fields_set(f, phone_field, "06 12 34 56 78"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_ZIP, zip));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

static void book(crm_tenant *t, const char *ref, const char *pickup, const crm_customer *c,
                 const char *hotel, const char *transport, const char *seller) {
  crm_booking_fields *b = NULL;
  crm_booking *out = NULL;
  bool created = false;
  CHECK_OK(crm_booking_fields_new(ref, pickup, &b));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(c)));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_HOTEL, hotel));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_TRANSPORT, transport));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_SALESPERSON, seller));
  CHECK_OK(crm_tenant_upsert_booking(t, b, &out, &created));
  crm_booking_free(out);
  crm_booking_fields_free(b);
}

/* The number of hits of one filter (and an optional second one). */
static uint64_t count(crm_tenant *t, crm_filter f1, const char *v1, crm_filter f2,
                      const char *v2, int july) {
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  uint64_t total;
  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_filter(q, f1, v1));
  if (v2 != NULL) CHECK_OK(crm_search_query_filter(q, f2, v2));
  if (july) CHECK_OK(crm_search_query_period(q, CRM_PERIOD_DEPARTURE, "2026-07-01", "2026-07-31"));
  CHECK_OK(crm_tenant_search(t, q, &page));
  total = crm_customer_page_total(page);
  crm_customer_page_free(page);
  crm_search_query_free(q);
  return total;
}

/* The status of adding one filter to a fresh query. */
static crm_status count_status(crm_tenant *t, crm_filter f, const char *v) {
  crm_search_query *q = NULL;
  crm_status status;
  (void)t;
  CHECK_OK(crm_search_query_new(NULL, &q));
  status = crm_search_query_filter(q, f, v);
  crm_search_query_free(q);
  return status;
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_customer *split, *whole, *fax, *stranger;
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;

  CHECK(argc > 1 && argv[1] != NULL);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-a", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-b", "u-17", CRM_ROLE_AGENT, &other));
  CHECK_OK(crm_tenant_set_default_region(t, "FR"));
  CHECK_OK(crm_tenant_set_default_region(other, "FR"));

  split = create(t, "Split", CRM_FIELD_MOBILE, "75001");
  whole = create(t, "Whole", CRM_FIELD_PHONE, "75016");
  fax = create(t, "Fax", CRM_FIELD_FAX, "69003");
  stranger = create(other, "Stranger", CRM_FIELD_MOBILE, "75002");
  /* Split: a July train, an October stay at the Parc. Whole: a July stay at the Parc. */
  book(t, "S-1", "2026-07-10T08:00:00+02:00", split, NULL, "TGV", "alice");
  book(t, "S-2", "2026-10-03T08:00:00+02:00", split, "H\xc3\xb4tel du Parc", "Van", "bruno");
  book(t, "W-1", "2026-07-20T08:00:00+02:00", whole, "H\xc3\xb4tel du Parc", "TGV", "Chlo\xc3\xa9");
  book(other, "X-1", "2026-07-20T08:00:00+02:00", stranger, "H\xc3\xb4tel du Parc", "TGV", "Chlo\xc3\xa9");

  /* One booking must hold the filters given together. */
  CHECK(count(t, CRM_FILTER_HOTEL, "hotel du parc", 0, NULL, 1) == 1);
  CHECK(count(t, CRM_FILTER_HOTEL, "hotel du parc", CRM_FILTER_TRANSPORT, "van", 1) == 0);
  CHECK(count(t, CRM_FILTER_HOTEL, "hotel du parc", CRM_FILTER_TRANSPORT, "van", 0) == 1);
  CHECK(count(t, CRM_FILTER_TRANSPORT, "tgv", CRM_FILTER_BOOKING_SALESPERSON, "CHLOE", 0) == 1);
  CHECK(count(t, CRM_FILTER_TRANSPORT, "tgv", CRM_FILTER_BOOKING_SALESPERSON, "bruno", 0) == 0);
  CHECK(count(t, CRM_FILTER_BOOKING_SALESPERSON, "alice", 0, NULL, 0) == 1);
  CHECK(count(t, CRM_FILTER_HOTEL, "hotel du parc", CRM_FILTER_BOOKING_STATUS, "confirmed", 1) == 1);

  /* Each phone field has its filter; the any-phone filter finds them all. */
  CHECK(count(t, CRM_FILTER_PHONE, "0612345678", 0, NULL, 0) == 3);
  CHECK(count(t, CRM_FILTER_MOBILE, "+33 6 12 34 56 78", 0, NULL, 0) == 1);
  CHECK(count(t, CRM_FILTER_MAIN_PHONE, "56 78", 0, NULL, 0) == 1);
  CHECK(count(t, CRM_FILTER_FAX, "06 12", 0, NULL, 0) == 1);
  CHECK(count(t, CRM_FILTER_EMERGENCY_PHONE, "06 12", 0, NULL, 0) == 0);

  /* Zip prefixes, and with the mobile filter. */
  CHECK(count(t, CRM_FILTER_ZIP_PREFIX, "75", 0, NULL, 0) == 2);
  CHECK(count(t, CRM_FILTER_ZIP_PREFIX, "690", 0, NULL, 0) == 1);
  CHECK(count(t, CRM_FILTER_ZIP_PREFIX, "75", CRM_FILTER_MOBILE, "0612345678", 0) == 1);
  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_ZIP_PREFIX, "7501"));
  CHECK_OK(crm_tenant_search(t, q, &page));
  CHECK(crm_customer_page_total(page) == 1);
  CHECK(str_eq(crm_customer_row_get(crm_customer_page_row(page, 0), CRM_ROW_FIRST_NAME), "Whole"));
  crm_customer_page_free(page);
  crm_search_query_free(q);

  /* Invoices: a payment status, what is still owed, and spending by month. */
  {
    crm_booking_fields *b = NULL;
    crm_booking *out = NULL;
    bool created = false;
    char *json = NULL;
    CHECK_OK(crm_booking_fields_new("W-1", "2026-07-20T08:00:00+02:00", &b));
    CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(whole)));
    CHECK_OK(crm_booking_fields_add_invoice(b, "F-W-1", 12550, "EUR", "partially_paid", NULL, NULL, NULL));
    CHECK_OK(crm_tenant_upsert_booking(t, b, &out, &created));
    crm_booking_free(out);
    crm_booking_fields_free(b);
    CHECK(count(t, CRM_FILTER_HAS_OUTSTANDING, "yes", 0, NULL, 0) == 1);
    CHECK(count(t, CRM_FILTER_HAS_OUTSTANDING, "no", 0, NULL, 0) == 2);
    CHECK(count(t, CRM_FILTER_PAYMENT_STATUS, "partially_paid", 0, NULL, 0) == 1);
    CHECK(count(t, CRM_FILTER_PAYMENT_STATUS, "paid", 0, NULL, 0) == 0);
    CHECK(count(other, CRM_FILTER_HAS_OUTSTANDING, "yes", 0, NULL, 0) == 0);
    CHECK_STATUS(count_status(t, CRM_FILTER_PAYMENT_STATUS, "lost"), CRM_ERR_VALIDATION);
    CHECK_OK(crm_tenant_spending_json(t, crm_customer_id(whole), "month", &json));
    CHECK(str_eq(json, "{\"format\":1,\"spending\":[{\"amount\":{\"currency\":\"EUR\",\"minor\":12550},\"bookings\":1,\"period\":\"2026-07\"}]}"));
    crm_string_free(json);
    CHECK_STATUS(crm_tenant_spending_json(t, crm_customer_id(whole), "week", &json), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "by"));
    CHECK_STATUS(crm_tenant_spending_json(other, crm_customer_id(whole), "year", &json), CRM_ERR_NOT_FOUND);
    /* The same totals as export columns. */
    {
      char path[1024], content[512] = {0};
      FILE *f;
      size_t n;
      uint64_t rows = 0;
      snprintf(path, sizeof path, "%s/finding-money.csv", argv[1]);
      CHECK_OK(crm_tenant_export(t, path, CRM_EXPORT_CSV, "first_name,spent,outstanding", NULL, NULL, NULL, &rows));
      CHECK(rows == 3);
      f = fopen(path, "rb");
      CHECK(f != NULL);
      n = fread(content, 1, sizeof content - 1, f);
      fclose(f);
      CHECK(n > 0);
      CHECK(contains(content, "first_name,spent,outstanding"));
      CHECK(contains(content, "Whole,125.50 EUR,125.50 EUR"));
    }
  }

  /* The other tenant finds only its own. */
  CHECK(count(other, CRM_FILTER_ZIP_PREFIX, "75", 0, NULL, 0) == 1);
  CHECK(count(other, CRM_FILTER_HOTEL, "hotel du parc", CRM_FILTER_TRANSPORT, "tgv", 1) == 1);
  CHECK(count(other, CRM_FILTER_MAIN_PHONE, "0612345678", 0, NULL, 0) == 0);
  CHECK(count(other, CRM_FILTER_FAX, "0612345678", 0, NULL, 0) == 0);

  crm_customer_free(split);
  crm_customer_free(whole);
  crm_customer_free(fax);
  crm_customer_free(stranger);
  crm_tenant_free(t);
  crm_tenant_free(other);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_finding: ok\n");
  return 0;
}
