/* Outreach, the communication log, saved searches and statements from C. argv[1] is a scratch
 * folder. */
#include <time.h>

#include "check.h"

static char *create(crm_tenant *t, const char *first, const char *email, int consent) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  char *id;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Voyageur"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CITY, "Lyon"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_MOBILE, "06 12 34 56 78"));
  if (consent) {
    CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CONSENT_EMAIL, "2026-01-01T00:00:00Z"));
  }
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  id = (char *)malloc(strlen(crm_customer_id(c)) + 1);
  CHECK(id != NULL);
  strcpy(id, crm_customer_id(c));
  crm_customer_free(c);
  crm_customer_fields_free(f);
  return id;
}

static void book(crm_tenant *t, const char *ref, const char *pickup, const char *customer, int64_t minor) {
  crm_booking_fields *b = NULL;
  crm_booking *stored = NULL;
  bool created = false;
  CHECK_OK(crm_booking_fields_new(ref, pickup, &b));
  CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_CUSTOMER_ID, customer));
  CHECK_OK(crm_booking_fields_add_invoice(b, ref, minor, "EUR", "paid", NULL, NULL, NULL));
  CHECK_OK(crm_tenant_upsert_booking(t, b, &stored, &created));
  CHECK(created);
  crm_booking_free(stored);
  crm_booking_fields_free(b);
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_search_query *lyon = NULL;
  crm_outreach *o = NULL;
  crm_outreach_skips skips;
  crm_communication_list *log = NULL;
  crm_saved_run *run = NULL;
  crm_statement *st = NULL;
  char *anne, *bob, *search_id = NULL, *found = NULL, *entry = NULL, *json = NULL;
  const char *address = NULL, *first = NULL, *subject = NULL, *reference = NULL, *currency = NULL;
  const char *ref = NULL, *status = NULL;
  int64_t no = 0, minor = 0;
  crm_channel channel = 0;
  char pdf[512], batch[1024];
  size_t count = 0;
  FILE *f;
  char head[5] = {0};

  CHECK(argc > 1);
  snprintf(pdf, sizeof pdf, "%s/statement.pdf", argv[1]);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-a", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-b", "u-17", CRM_ROLE_AGENT, &other));
  CHECK_OK(crm_tenant_set_default_region(t, "FR"));
  anne = create(t, "Anne", "anne@x.fr", 1);
  bob = create(t, "Bob", "bob@x.fr", 0);

  /* outreach: Bob gave no consent */
  CHECK_OK(crm_search_query_new(NULL, &lyon));
  CHECK_OK(crm_search_query_filter(lyon, CRM_FILTER_CITY, "Lyon"));
  CHECK_OK(crm_tenant_outreach(t, lyon, CRM_CHANNEL_EMAIL, &o));
  CHECK(crm_outreach_count(o) == 1);
  CHECK_OK(crm_outreach_recipient(o, 0, NULL, &no, &first, NULL, &address, NULL));
  CHECK(no == 1 && str_eq(first, "Anne") && str_eq(address, "anne@x.fr"));
  CHECK_OK(crm_outreach_skipped(o, &skips));
  CHECK(skips.no_consent == 1 && skips.anonymised == 0);
  CHECK_STATUS(crm_outreach_recipient(o, 1, NULL, NULL, NULL, NULL, NULL, NULL), CRM_ERR_VALIDATION);
  CHECK_OK(crm_outreach_to_json(o, &json));
  CHECK(contains(json, "\"no_consent\":1"));
  crm_string_free(json);
  crm_outreach_free(o);
  CHECK_STATUS(crm_tenant_outreach(t, NULL, 99, &o), CRM_ERR_INVALID_ARGUMENT);
  CHECK_OK(crm_tenant_outreach(other, NULL, CRM_CHANNEL_SMS, &o));
  CHECK(crm_outreach_count(o) == 0);
  crm_outreach_free(o);

  /* an opt-out: Anne's address is left out, on any record, until she opts in again */
  {
    bool yes = false;
    CHECK_OK(crm_tenant_opt_out(t, CRM_CHANNEL_EMAIL, "ANNE@x.fr", "unsubscribe link", &yes));
    CHECK(yes);
    CHECK_OK(crm_tenant_opt_out(t, CRM_CHANNEL_EMAIL, "anne@x.fr", "again", &yes));
    CHECK(!yes);
    CHECK_OK(crm_tenant_is_opted_out(t, CRM_CHANNEL_EMAIL, "anne@x.fr", &yes));
    CHECK(yes);
    CHECK_OK(crm_tenant_is_opted_out(other, CRM_CHANNEL_EMAIL, "anne@x.fr", &yes));
    CHECK(!yes);
    CHECK_OK(crm_tenant_outreach(t, lyon, CRM_CHANNEL_EMAIL, &o));
    CHECK(crm_outreach_count(o) == 0);
    CHECK_OK(crm_outreach_skipped(o, &skips));
    CHECK(skips.opted_out == 1 && skips.no_consent == 1);
    crm_outreach_free(o);
    CHECK_STATUS(crm_tenant_opt_out(t, CRM_CHANNEL_EMAIL, "not an email", "form", &yes), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "address"));
    CHECK_STATUS(crm_tenant_opt_out(t, 99, "anne@x.fr", "form", &yes), CRM_ERR_INVALID_ARGUMENT);
    CHECK_OK(crm_tenant_opt_in(other, CRM_CHANNEL_EMAIL, "anne@x.fr", &yes));
    CHECK(!yes);
    CHECK_OK(crm_tenant_opt_in(t, CRM_CHANNEL_EMAIL, "anne@x.fr", &yes));
    CHECK(yes);
    CHECK_OK(crm_tenant_outreach(t, lyon, CRM_CHANNEL_EMAIL, &o));
    CHECK(crm_outreach_count(o) == 1);
    crm_outreach_free(o);
  }

  /* consent records: a history per channel and purpose; outreach by purpose */
  {
    char *record = NULL, *history = NULL;
    CHECK_OK(crm_tenant_consents_json(t, anne, &history));
    CHECK(contains(history, "\"source\":\"customer record\"") && contains(history, "\"state\":\"given\""));
    crm_string_free(history);
    CHECK_OK(crm_tenant_record_consent(t, bob, CRM_CHANNEL_EMAIL, "service", "withdrawn", "2026-03-01T10:00:00Z",
                                       "phone call", &record));
    CHECK(contains(record, "\"purpose\":\"service\"") && contains(record, "\"recorded_by\":\"u-17\""));
    CHECK(contains(record, "\"at\":\"2026-03-01T10:00:00Z\""));
    crm_string_free(record);
    /* Service messages need no consent, but Bob withdrew them; Anne is reached. */
    CHECK_OK(crm_tenant_outreach_for(t, lyon, CRM_CHANNEL_EMAIL, "service", &o));
    CHECK(crm_outreach_count(o) == 1);
    CHECK_OK(crm_outreach_skipped(o, &skips));
    CHECK(skips.no_consent == 1);
    crm_outreach_free(o);
    CHECK_OK(crm_tenant_record_consent(t, bob, CRM_CHANNEL_EMAIL, "service", "given", NULL, "web form", NULL));
    CHECK_OK(crm_tenant_outreach_for(t, lyon, CRM_CHANNEL_EMAIL, "service", &o));
    CHECK(crm_outreach_count(o) == 2);
    crm_outreach_free(o);
    /* A marketing withdrawal clears the customer's consent: out of marketing. */
    CHECK_OK(crm_tenant_record_consent(t, anne, CRM_CHANNEL_EMAIL, "marketing", "withdrawn", NULL, "phone call", NULL));
    CHECK_OK(crm_tenant_outreach(t, lyon, CRM_CHANNEL_EMAIL, &o));
    CHECK(crm_outreach_count(o) == 0);
    crm_outreach_free(o);
    CHECK_OK(crm_tenant_record_consent(t, anne, CRM_CHANNEL_EMAIL, "marketing", "given", NULL, "web form", NULL));
    CHECK_OK(crm_tenant_consents_json(t, anne, &history));
    CHECK(contains(history, "web form") && contains(history, "phone call"));
    CHECK(strstr(history, "web form") < strstr(history, "phone call")); /* the latest first */
    crm_string_free(history);
    CHECK_STATUS(crm_tenant_outreach_for(t, lyon, CRM_CHANNEL_EMAIL, "spam", &o), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "purpose"));
    CHECK_STATUS(crm_tenant_record_consent(t, anne, CRM_CHANNEL_EMAIL, "marketing", "maybe", NULL, "form", NULL),
                 CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "state"));
    CHECK_STATUS(crm_tenant_record_consent(t, anne, CRM_CHANNEL_EMAIL, "marketing", "given", NULL, "anne@x.fr", NULL),
                 CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "source"));
    CHECK_STATUS(crm_tenant_record_consent(t, anne, CRM_CHANNEL_EMAIL, "marketing", "given", "yesterday", "form", NULL),
                 CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "at"));
    CHECK_STATUS(crm_tenant_record_consent(other, anne, CRM_CHANNEL_EMAIL, "marketing", "given", NULL, "form", NULL),
                 CRM_ERR_NOT_FOUND);
    CHECK_STATUS(crm_tenant_consents_json(other, anne, &history), CRM_ERR_NOT_FOUND);
  }

  /* the log */
  CHECK_OK(crm_tenant_record_communication(t, anne, CRM_CHANNEL_EMAIL, "Summer offers", "msg-1", "2026-06-01T10:00:00Z", &entry));
  CHECK(strlen(entry) == 36);
  crm_string_free(entry);
  CHECK_OK(crm_tenant_record_communication(t, anne, CRM_CHANNEL_SMS, "Reminder", NULL, NULL, NULL));
  CHECK_STATUS(crm_tenant_record_communication(t, anne, CRM_CHANNEL_EMAIL, "", NULL, NULL, NULL), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "[0].subject"));
  CHECK_STATUS(crm_tenant_record_communication(other, anne, CRM_CHANNEL_EMAIL, "x", NULL, NULL, NULL), CRM_ERR_NOT_FOUND);
  snprintf(batch, sizeof batch,
           "{\"format\":1,\"communications\":[{\"customer_id\":\"%s\",\"channel\":\"email\","
           "\"subject\":\"Batch\",\"sent_at\":\"2026-01-01T00:00:00Z\"},"
           "{\"customer_id\":\"%s\",\"channel\":\"email\",\"subject\":\"\"}]}",
           anne, anne);
  CHECK_STATUS(crm_tenant_record_communications_json(t, batch, &count), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "[1].subject"));
  snprintf(batch, sizeof batch,
           "{\"format\":1,\"communications\":[{\"customer_id\":\"%s\",\"channel\":\"email\","
           "\"subject\":\"Batch\",\"sent_at\":\"2026-01-01T00:00:00Z\"}]}",
           anne);
  CHECK_OK(crm_tenant_record_communications_json(t, batch, &count));
  CHECK(count == 1);
  CHECK_OK(crm_tenant_communications(t, anne, &log));
  CHECK(crm_communication_list_len(log) == 3);
  CHECK_OK(crm_communication_list_get(log, 2, NULL, NULL, NULL, &subject, NULL, NULL));
  CHECK(str_eq(subject, "Batch"));
  CHECK_OK(crm_communication_list_get(log, 1, NULL, &channel, &address, &subject, &reference, NULL));
  CHECK(channel == CRM_CHANNEL_EMAIL && str_eq(address, "anne@x.fr") && str_eq(subject, "Summer offers") && str_eq(reference, "msg-1"));
  CHECK_OK(crm_communication_list_get(log, 0, NULL, &channel, &address, NULL, &reference, NULL));
  CHECK(channel == CRM_CHANNEL_SMS && str_eq(address, "+33612345678") && reference == NULL);
  crm_communication_list_free(log);
  CHECK_STATUS(crm_tenant_communications(other, anne, &log), CRM_ERR_NOT_FOUND);

  /* a saved search, run twice */
  CHECK_OK(crm_tenant_save_search(t, "Lyon weekly", lyon, &search_id));
  CHECK_OK(crm_tenant_find_saved_search(t, " Lyon weekly ", &found));
  CHECK(str_eq(found, search_id));
  crm_string_free(found);
  CHECK_STATUS(crm_tenant_find_saved_search(other, "Lyon weekly", &found), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_tenant_run_saved(t, search_id, NULL, &run));
  CHECK(crm_saved_run_total(run) == 2 && crm_saved_run_new_count(run) == 2);
  CHECK(str_eq(crm_customer_row_get(crm_saved_run_new(run, 0), CRM_ROW_FIRST_NAME), "Anne") ||
        str_eq(crm_customer_row_get(crm_saved_run_new(run, 1), CRM_ROW_FIRST_NAME), "Anne"));
  CHECK(crm_saved_run_new(run, 2) == NULL);
  CHECK(crm_saved_run_ran_at(run) != NULL);
  crm_saved_run_free(run);
  free(create(t, "Carl", "carl@x.fr", 1));
  CHECK_OK(crm_tenant_run_saved(t, search_id, NULL, &run));
  CHECK(crm_saved_run_total(run) == 3 && crm_saved_run_new_count(run) == 1);
  CHECK(str_eq(crm_customer_row_get(crm_saved_run_new(run, 0), CRM_ROW_FIRST_NAME), "Carl"));
  CHECK_OK(crm_saved_run_to_json(run, &json));
  CHECK(contains(json, "\"total\":3"));
  crm_string_free(json);
  crm_saved_run_free(run);
  CHECK_STATUS(crm_tenant_run_saved(t, search_id, "yesterday", &run), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_tenant_run_saved(other, search_id, NULL, &run), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_tenant_get_saved_search_json(t, search_id, &json));
  CHECK(contains(json, "\"saved_search\":{") && contains(json, "\"last_run_at\":\"20"));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_get_saved_search_json(other, search_id, &json), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_tenant_saved_searches_json(t, &json));
  CHECK(contains(json, "\"name\":\"Lyon weekly\""));
  crm_string_free(json);
  CHECK_OK(crm_tenant_delete_saved_search(t, search_id));
  CHECK_STATUS(crm_tenant_delete_saved_search(t, search_id), CRM_ERR_NOT_FOUND);
  crm_string_free(search_id);

  /* a relative period, saved and handed back as a query to outreach and export */
  {
    crm_search_query *soon = NULL, *saved_query = NULL;
    char *zone = NULL, *soon_id = NULL, pickup[64], csv[512];
    time_t now = time(NULL) + 3 * 86400;
    uint64_t rows = 0;
    strftime(pickup, sizeof pickup, "%Y-%m-%dT12:00:00Z", gmtime(&now));
    snprintf(csv, sizeof csv, "%s/soon.csv", argv[1]);
    CHECK_OK(crm_tenant_set_time_zone(t, "Etc/UTC"));
    CHECK_OK(crm_tenant_time_zone(t, &zone));
    CHECK(str_eq(zone, "Etc/UTC"));
    crm_string_free(zone);
    CHECK_STATUS(crm_tenant_set_time_zone(t, "Paris"), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "time_zone"));
    CHECK_OK(crm_tenant_time_zone(other, &zone));
    CHECK(zone == NULL);
    book(t, "SOON-1", pickup, anne, 100);
    CHECK_OK(crm_search_query_new(NULL, &soon));
    CHECK_STATUS(crm_search_query_relative_period(soon, CRM_PERIOD_DEPARTURE, "soonish"), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "period"));
    CHECK_OK(crm_search_query_relative_period(soon, CRM_PERIOD_DEPARTURE, "next 7 days"));
    CHECK_OK(crm_tenant_save_search(t, "Departing soon", soon, &soon_id));
    CHECK_OK(crm_tenant_get_saved_search_json(t, soon_id, &json));
    CHECK(contains(json, "next 7 days"));
    crm_string_free(json);
    CHECK_OK(crm_tenant_saved_search_query(t, soon_id, &saved_query));
    CHECK_STATUS(crm_tenant_saved_search_query(other, soon_id, &saved_query), CRM_ERR_NOT_FOUND);
    CHECK_OK(crm_tenant_outreach(t, saved_query, CRM_CHANNEL_EMAIL, &o));
    CHECK(crm_outreach_count(o) == 1);
    CHECK_OK(crm_outreach_recipient(o, 0, NULL, NULL, &first, NULL, NULL, NULL));
    CHECK(str_eq(first, "Anne"));
    crm_outreach_free(o);
    CHECK_OK(crm_tenant_export(t, csv, CRM_EXPORT_CSV, "first_name", saved_query, NULL, NULL, &rows));
    CHECK(rows == 1);
    CHECK_OK(crm_tenant_outreach(other, saved_query, CRM_CHANNEL_EMAIL, &o));
    CHECK(crm_outreach_count(o) == 0);
    crm_outreach_free(o);
    crm_search_query_free(saved_query);
    crm_search_query_free(soon);
    CHECK_OK(crm_tenant_delete_saved_search(t, soon_id));
    crm_string_free(soon_id);
  }

  /* a statement */
  book(t, "BK-1", "2026-06-01T08:00:00+02:00", anne, 12050);
  book(t, "BK-2", "2026-06-20T08:00:00+02:00", anne, 1000);
  book(t, "BK-3", "2026-07-02T08:00:00+02:00", anne, 5);
  CHECK_OK(crm_tenant_statement(t, anne, "2026-06-01", "2026-06-30", &st));
  CHECK(crm_statement_line_count(st) == 2);
  CHECK_OK(crm_statement_line(st, 0, &ref, NULL, NULL, &status, NULL, &minor, &currency));
  CHECK(str_eq(ref, "BK-1") && str_eq(status, "confirmed") && minor == 12050 && str_eq(currency, "EUR"));
  CHECK(str_eq(crm_statement_line_payment_status(st, 0), "paid"));
  CHECK(crm_statement_line_payment_status(st, 2) == NULL);
  CHECK(crm_statement_total_count(st) == 1);
  CHECK_OK(crm_statement_total(st, 0, &minor, &currency));
  CHECK(minor == 13050 && str_eq(currency, "EUR"));
  CHECK_OK(crm_statement_write_pdf(st, pdf));
  f = fopen(pdf, "rb");
  CHECK(f != NULL && fread(head, 1, 4, f) == 4);
  fclose(f);
  CHECK(strcmp(head, "%PDF") == 0);
  crm_statement_free(st);
  CHECK(crm_statement_line_payment_status(NULL, 0) == NULL);
  {
    /* An unpaid invoice is still owed; the statement says how much, per currency. */
    crm_booking_fields *b = NULL;
    crm_booking *stored = NULL;
    bool created = false;
    CHECK_OK(crm_booking_fields_new("BK-8", "2026-09-02T08:00:00+02:00", &b));
    CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_CUSTOMER_ID, anne));
    CHECK_OK(crm_booking_fields_add_invoice(b, "INV-8", 4200, "EUR", "unpaid", NULL, NULL, NULL));
    CHECK_OK(crm_tenant_upsert_booking(t, b, &stored, &created));
    crm_booking_free(stored);
    crm_booking_fields_free(b);
    CHECK_OK(crm_tenant_statement(t, anne, "2026-09-01", "2026-09-30", &st));
    CHECK(crm_statement_outstanding_count(st) == 1);
    CHECK_OK(crm_statement_outstanding(st, 0, &minor, &currency));
    CHECK(minor == 4200 && str_eq(currency, "EUR"));
    CHECK_STATUS(crm_statement_outstanding(st, 1, &minor, &currency), CRM_ERR_VALIDATION);
    crm_statement_free(st);
    CHECK(crm_statement_outstanding_count(NULL) == 0);
  }
  {
    /* A booking without an invoice has no payment status. */
    crm_booking_fields *b = NULL;
    crm_booking *stored = NULL;
    bool created = false;
    CHECK_OK(crm_booking_fields_new("BK-9", "2026-08-03T08:00:00+02:00", &b));
    CHECK_OK(crm_booking_fields_set(b, CRM_BOOKING_CUSTOMER_ID, anne));
    CHECK_OK(crm_tenant_upsert_booking(t, b, &stored, &created));
    crm_booking_free(stored);
    crm_booking_fields_free(b);
    CHECK_OK(crm_tenant_statement(t, anne, "2026-08-01", "2026-08-31", &st));
    CHECK(crm_statement_line_count(st) == 1);
    CHECK(crm_statement_line_payment_status(st, 0) == NULL);
    crm_statement_free(st);
  }
  CHECK_STATUS(crm_tenant_statement(t, anne, "2026-06-30", "2026-06-01", &st), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_tenant_statement(t, anne, "June", "2026-06-01", &st), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "from"));
  CHECK_STATUS(crm_tenant_statement(other, anne, "2026-06-01", "2026-06-30", &st), CRM_ERR_NOT_FOUND);
  /* the statements of a search's customers */
  CHECK_OK(crm_tenant_statements_json(t, lyon, "2026-06-01", "2026-06-30", &json));
  CHECK(contains(json, "\"reference\":\"BK-1\"") && contains(json, "\"reference\":\"BK-2\""));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_statements_json(t, NULL, "2026-06-30", "2026-06-01", &json), CRM_ERR_VALIDATION);
  CHECK_OK(crm_tenant_statements_json(other, lyon, "2026-06-01", "2026-06-30", &json));
  CHECK(contains(json, "\"statements\":[]"));
  crm_string_free(json);

  crm_search_query_free(lyon);
  free(anne);
  free(bob);
  crm_tenant_free(t);
  crm_tenant_free(other);
  crm_db_free(db);
  puts("test_outreach: ok");
  return 0;
}
