/* Bad use is answered with a status, never a crash: NULL handles and strings, invalid UTF-8,
 * freed and wrong-type handles, unknown constants, another tenant's records. Run under
 * AddressSanitizer: any memory error or leak fails the test. */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, const char *last) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, last));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

static void null_arguments(crm_db *db, crm_tenant *t) {
  crm_tenant *nt = NULL;
  crm_customer *c = NULL;
  crm_customer_fields *f = NULL;
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  crm_db *ndb = NULL;
  uint64_t detached = 7;

  CHECK_STATUS(crm_db_open(NULL, &ndb), CRM_ERR_INVALID_ARGUMENT);
  CHECK(contains(crm_last_error(), "path is NULL"));
  CHECK_STATUS(crm_db_open_in_memory(NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_open(NULL, "a", "u", CRM_ROLE_AGENT, &nt), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_open(db, NULL, "u", CRM_ROLE_AGENT, &nt), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_open(db, "a", NULL, CRM_ROLE_AGENT, &nt), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_open(db, "a", "u", 99, &nt), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_open(db, "a", "u", CRM_ROLE_AGENT, NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK(nt == NULL && ndb == NULL);

  CHECK_STATUS(crm_tenant_create_customer(NULL, NULL, &c), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_create_customer(t, NULL, &c), CRM_ERR_INVALID_ARGUMENT);
  CHECK(contains(crm_last_error(), "fields is NULL"));
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_STATUS(crm_tenant_create_customer(t, f, NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_customer_fields_set(NULL, CRM_FIELD_EMAIL, "a@b.c"), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_customer_fields_add(f, CRM_MULTI_LISTS, NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_customer_fields_set_custom(f, NULL, "v"), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_get_customer(t, NULL, &c), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_delete_customer(t, NULL, &detached), CRM_ERR_INVALID_ARGUMENT);
  CHECK(detached == 7);
  CHECK_STATUS(crm_tenant_search(t, NULL, &page), CRM_ERR_INVALID_ARGUMENT);
  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_STATUS(crm_tenant_search(t, q, NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_search_query_filter(q, CRM_FILTER_CITY, NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK(c == NULL && page == NULL);

  /* getters on NULL answer NULL or 0; frees of NULL do nothing */
  CHECK(crm_customer_id(NULL) == NULL);
  CHECK(crm_customer_no(NULL) == 0);
  CHECK(crm_customer_get(NULL, CRM_FIELD_EMAIL) == NULL);
  CHECK(crm_customer_page_total(NULL) == 0);
  CHECK(crm_customer_row_get(NULL, CRM_ROW_ID) == NULL);
  CHECK(crm_booking_get(NULL, CRM_BOOKING_REFERENCE) == NULL);
  CHECK(crm_change_list_len(NULL) == 0);
  crm_customer_free(NULL);
  crm_customer_fields_free(NULL);
  crm_customer_list_free(NULL);
  crm_booking_free(NULL);
  crm_booking_fields_free(NULL);
  crm_booking_list_free(NULL);
  crm_customer_stats_free(NULL);
  crm_customer_page_free(NULL);
  crm_search_query_free(NULL);
  crm_change_list_free(NULL);
  crm_tenant_free(NULL);
  crm_db_free(NULL);
  crm_string_free(NULL);
  crm_search_query_free(q);
  crm_customer_fields_free(f);
}

static void invalid_utf8(crm_tenant *t) {
  crm_customer_fields *f = NULL;
  crm_booking_fields *b = NULL;
  crm_search_query *q = NULL;
  const char bad[] = {'D', 'u', (char)0xff, 'p', 0};
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_STATUS(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, bad), CRM_ERR_INVALID_ARGUMENT);
  CHECK(contains(crm_last_error(), "UTF-8"));
  CHECK_STATUS(crm_customer_fields_set_custom(f, bad, "x"), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_booking_fields_new(bad, "2026-07-14T08:30:00+02:00", &b), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_search_query_new(bad, &q), CRM_ERR_INVALID_ARGUMENT);
  CHECK(b == NULL && q == NULL);
  {
    crm_customer_list *list = NULL;
    CHECK_STATUS(crm_tenant_find_customers_by_email(t, bad, &list), CRM_ERR_INVALID_ARGUMENT);
    CHECK(list == NULL);
  }
  crm_customer_fields_free(f);
}

static void freed_and_wrong_handles(crm_tenant *t) {
  crm_customer *c = create(t, "Free", "Twice");
  crm_customer_fields *f = NULL;
  crm_customer_list *list = NULL;
  crm_customer *again = NULL;
  char *json = NULL;

  /* a string freed twice */
  CHECK_OK(crm_customer_to_json(c, &json));
  crm_string_free(json);
  crm_string_free(json);
  CHECK(contains(crm_last_error(), "freed twice"));

  /* a handle passed as another type */
  CHECK(crm_customer_no((const crm_customer *)t) == 0);
  CHECK(contains(crm_last_error(), "not a live crm_customer"));
  CHECK_STATUS(crm_tenant_validate_customer((const crm_tenant *)c, NULL), CRM_ERR_INVALID_ARGUMENT);

  /* a borrowed item cannot be freed: only its list */
  CHECK_OK(crm_tenant_find_customers_by_email(t, "nobody@example.com", &list));
  CHECK(crm_customer_list_len(list) == 0);
  crm_customer_list_free(list);
  list = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "Borrow"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Ed"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, "b@example.com"));
  CHECK_OK(crm_tenant_create_customer(t, f, &again));
  crm_customer_free(again);
  crm_customer_fields_free(f);
  CHECK_OK(crm_tenant_find_customers_by_email(t, "b@example.com", &list));
  crm_customer_free((crm_customer *)crm_customer_list_get(list, 0));
  CHECK(contains(crm_last_error(), "not a live crm_customer"));
  CHECK(crm_customer_no(crm_customer_list_get(list, 0)) > 0); /* still readable */
  crm_customer_list_free(list);

  /* a customer freed twice, then used */
  crm_customer_free(c);
  crm_customer_free(c);
  CHECK(contains(crm_last_error(), "freed twice"));
  CHECK(crm_customer_id(c) == NULL);
  CHECK_STATUS(crm_customer_fields_from_customer(c, &f), CRM_ERR_INVALID_ARGUMENT);

  /* fields freed, then set */
  CHECK_OK(crm_customer_fields_new(&f));
  crm_customer_fields_free(f);
  CHECK_STATUS(crm_customer_fields_set(f, CRM_FIELD_EMAIL, "a@b.c"), CRM_ERR_INVALID_ARGUMENT);
}

static void unknown_constants(crm_tenant *t) {
  crm_customer *c = create(t, "Con", "Stant");
  crm_customer_fields *f = NULL;
  crm_search_query *q = NULL;
  CHECK(crm_customer_get(c, 0) == NULL);
  CHECK(crm_customer_get(c, 9999) == NULL);
  CHECK(contains(crm_last_error(), "is not a crm_field"));
  /* a constant of another family is refused, not read as a customer field */
  CHECK(crm_customer_get(c, CRM_ROW_LAST_NAME) == NULL);
  CHECK(contains(crm_last_error(), "is not a crm_field"));
  CHECK(crm_customer_get(c, CRM_BOOKING_STATUS) == NULL);
  /* a getter that succeeds clears the last error: NULL then means an empty field */
  CHECK(crm_customer_get(c, CRM_FIELD_COMPANY) == NULL);
  CHECK(str_eq(crm_last_error(), ""));
  CHECK(crm_customer_e164(c, CRM_FIELD_EMAIL) == NULL);
  CHECK(crm_customer_count(c, 77) == 0);
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_STATUS(crm_customer_fields_set(f, CRM_FIELD_CREATED_AT, "2026-01-01T00:00:00Z"), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_customer_fields_set(f, 12345, "x"), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_customer_fields_add(f, CRM_MULTI_SECONDARY_PHONES_E164, "x"), CRM_ERR_INVALID_ARGUMENT);
  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_STATUS(crm_search_query_filter(q, 555, "x"), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_search_query_period(q, 0, NULL, NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_search_query_sort(q, 42), CRM_ERR_INVALID_ARGUMENT);
  crm_search_query_free(q);
  crm_customer_fields_free(f);
  crm_customer_free(c);
}

static void other_tenant(crm_db *db, crm_tenant *mine) {
  crm_tenant *theirs = NULL;
  crm_customer *c = create(mine, "Hidden", "Away");
  crm_customer *seen = NULL;
  crm_booking_fields *b = NULL;
  crm_booking *booking = NULL;
  crm_booking_list *history = NULL;
  crm_customer_stats *stats = NULL;
  crm_customer_fields *f = NULL;
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  uint64_t detached = 0;
  bool created = false;

  CHECK_OK(crm_tenant_open(db, "agency-2", "u-99", CRM_ROLE_AGENT, &theirs));
  CHECK_STATUS(crm_tenant_get_customer(theirs, crm_customer_id(c), &seen), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_get_customer_by_no(theirs, crm_customer_no(c), &seen), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_booking_history(theirs, crm_customer_id(c), &history), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_customer_stats(theirs, crm_customer_id(c), &stats), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_delete_customer(theirs, crm_customer_id(c), &detached), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_customer_fields_from_customer(c, &f));
  CHECK_STATUS(crm_tenant_update_customer(theirs, crm_customer_id(c), crm_customer_version(c), f, &seen), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_booking_fields_new("X-1", "2026-07-14T08:30:00+02:00", &b));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(c)));
  CHECK_STATUS(crm_tenant_upsert_booking(theirs, b, &booking, &created), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_search_query_new("hidden", &q));
  CHECK_OK(crm_tenant_search(theirs, q, &page));
  CHECK(crm_customer_page_total(page) == 0);
  crm_customer_page_free(page);
  CHECK_OK(crm_tenant_search(mine, q, &page));
  CHECK(crm_customer_page_total(page) == 1);
  crm_customer_page_free(page);
  CHECK(seen == NULL && history == NULL && stats == NULL && booking == NULL && detached == 0);
  crm_search_query_free(q);
  crm_booking_fields_free(b);
  crm_customer_fields_free(f);
  crm_customer_free(c);
  crm_tenant_free(theirs);
}

static int reentered = 0;
static crm_status reentry_status = CRM_OK;

static void reenter(void *userdata, uint64_t done, uint64_t total) {
  crm_tenant *t = (crm_tenant *)userdata;
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  (void)done;
  (void)total;
  reentered += 1;
  /* every status-returning call is refused while the index is rebuilt */
  CHECK_STATUS(crm_search_query_new("x", &q), CRM_ERR_INVALID_ARGUMENT);
  CHECK(q == NULL);
  reentry_status = crm_tenant_search(t, q, &page);
  CHECK(page == NULL);
}

static void callback_reentry(crm_db *db, crm_tenant *t) {
  crm_customer *c = create(t, "Re", "Enter");
  crm_customer_free(c);
  reentered = 0;
  CHECK_OK(crm_db_reindex(db, reenter, t));
  CHECK(reentered >= 1);
  CHECK(reentry_status == CRM_ERR_INVALID_ARGUMENT);
}

static void aliased_out_parameters(crm_tenant *t) {
  crm_customer_fields *contact = NULL;
  crm_booking_fields *trip = NULL;
  void *same[1] = {NULL};
  crm_match matched = 0;
  CHECK_OK(crm_customer_fields_new(&contact));
  CHECK_OK(crm_customer_fields_set(contact, CRM_FIELD_FIRST_NAME, "A"));
  CHECK_OK(crm_customer_fields_set(contact, CRM_FIELD_LAST_NAME, "B"));
  CHECK_OK(crm_booking_fields_new("ALIAS", "2026-07-14T08:30:00+02:00", &trip));
  CHECK_STATUS(crm_tenant_capture_booking(t, contact, trip, (crm_customer **)same, (crm_booking **)same, &matched),
               CRM_ERR_INVALID_ARGUMENT);
  CHECK(same[0] == NULL);
  crm_booking_fields_free(trip);
  crm_customer_fields_free(contact);
}

static void json_input(crm_tenant *t) {
  crm_customer_list *made = NULL;
  size_t count = 0;
  CHECK_STATUS(crm_tenant_create_customers_json(
                   t, "{\"format\": 1, \"customers\": [{\"first_name\": \"A\", \"last_name\": \"B\", \"emial\": \"x@y.z\"}]}",
                   &made),
               CRM_ERR_VALIDATION);
  CHECK(made == NULL);
  CHECK_STATUS(crm_tenant_upsert_bookings_json(
                   t, "{\"format\": 1, \"bookings\": [{\"reference\": \"J\", \"pickup_at\": \"2026-07-14T08:30:00+02:00\", \"status\": 7}]}",
                   &count),
               CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "[0].status"));
  CHECK(!contains(crm_last_error(), "7"));
}

int main(void) {
  crm_db *db = NULL;
  crm_tenant *t = NULL;
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  null_arguments(db, t);
  invalid_utf8(t);
  freed_and_wrong_handles(t);
  unknown_constants(t);
  other_tenant(db, t);
  callback_reentry(db, t);
  aliased_out_parameters(t);
  json_input(t);
  CHECK(crm_live_handles() == 2); /* the database and the tenant */
  crm_tenant_free(t);
  crm_tenant_free(t);
  crm_db_free(db);
  crm_db_free(db);
  CHECK(contains(crm_last_error(), "freed twice"));
  CHECK(crm_live_handles() == 0);
  printf("test_misuse: ok\n");
  return 0;
}
