/* Message templates from C: saved and checked, rendered per customer in its language, SMS
 * encoding, another tenant out of reach. */
#include "check.h"

static char *create(crm_tenant *t, const char *title, const char *first, const char *last, const char *language) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  char *id;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_TITLE, title));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, last));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LANGUAGE, language));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  CHECK(str_eq(crm_customer_get(c, CRM_FIELD_TITLE), title));
  id = (char *)malloc(strlen(crm_customer_id(c)) + 1);
  CHECK(id != NULL);
  strcpy(id, crm_customer_id(c));
  crm_customer_free(c);
  crm_customer_fields_free(f);
  return id;
}

static void brochure(crm_tenant *t, const char *first, const char *last, const char *street, const char *city) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  crm_brochure_request *r = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, last));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_STREET, street));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_ZIP, "120 00"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CITY, city));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_COUNTRY, "CZ"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  CHECK_OK(crm_tenant_request_brochure(t, crm_customer_id(c), &r));
  crm_brochure_request_free(r);
  crm_customer_free(c);
  crm_customer_fields_free(f);
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  char *helene, *lukasz, *json = NULL;

  CHECK(argc > 1);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-a", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-b", "u-17", CRM_ROLE_AGENT, &other));
  helene = create(t, "Mme", "Hélène", "Dupont & Fils", "fr");
  lukasz = create(t, "Pan", "Łukasz", "Nowak", "pl");

  /* checked when saved */
  CHECK_STATUS(crm_tenant_save_template(t, "Welcome", "email", NULL, NULL, "x", NULL), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "subject"));
  CHECK_STATUS(crm_tenant_save_template(t, "Welcome", "email", NULL, "Hi", "{{ customer.shoe_size }}", NULL), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "text"));
  CHECK_STATUS(crm_tenant_save_template(t, "Welcome", "email", NULL, "Hi", "{% for x in y %}{% endfor %}", NULL), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_tenant_save_template(t, "Welcome", "fax", NULL, "Hi", "x", NULL), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "kind"));

  CHECK_OK(crm_tenant_save_template(t, "Welcome", "email", NULL, "Hello {{ customer.first_name }}",
                                    "{{ customer.salutation }}", "<p>{{ customer.last_name }}</p>"));
  CHECK_OK(crm_tenant_save_template(t, "Reminder", "sms", NULL, NULL, "Hi {{ customer.first_name }}!", NULL));
  CHECK_OK(crm_tenant_templates_json(t, &json));
  CHECK(contains(json, "\"name\":\"Reminder\"") && contains(json, "\"name\":\"Welcome\""));
  crm_string_free(json);

  CHECK_OK(crm_tenant_preview_json(t, "Welcome", helene, &json));
  CHECK(contains(json, "\"subject\":\"Hello Hélène\""));
  CHECK(contains(json, "Chère Madame Dupont & Fils,"));
  CHECK(contains(json, "<p>Dupont &amp; Fils</p>"));
  crm_string_free(json);
  CHECK_OK(crm_tenant_preview_json(t, "Reminder", lukasz, &json));
  CHECK(contains(json, "\"encoding\":\"ucs2\"") && contains(json, "\"segments\":1"));
  crm_string_free(json);

  /* another tenant */
  CHECK_STATUS(crm_tenant_preview_json(other, "Welcome", helene, &json), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_tenant_templates_json(other, &json));
  CHECK(contains(json, "\"templates\":[]"));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_delete_template(other, "Welcome", NULL), CRM_ERR_NOT_FOUND);

  /* sending, when the run has an SMTP server (scripts/with-smtp) */
  {
    const char *port = getenv("CRM_TEST_SMTP_PORT");
    char smtp[256];
    crm_communication_list *log = NULL;
    const char *subject = NULL, *reference = NULL;
    crm_customer_fields *f = NULL;
    crm_customer *updated = NULL, *current = NULL;
    if (port == NULL || port[0] == '\0') {
      CHECK(getenv("CI") == NULL);
      puts("test_templates: CRM_TEST_SMTP_PORT is not set: sending is SKIPPED");
    } else {
      CHECK_OK(crm_tenant_get_customer(t, helene, &current));
      CHECK_OK(crm_customer_fields_from_customer(current, &f));
      CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, "helene@example.com"));
      CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CONSENT_EMAIL, "2026-01-01T00:00:00Z"));
      CHECK_OK(crm_tenant_update_customer(t, helene, crm_customer_version(current), f, &updated));
      snprintf(smtp, sizeof smtp,
               "{\"host\":\"127.0.0.1\",\"port\":%s,\"security\":\"none\","
               "\"from\":\"Agence <bookings@agence.example>\"}",
               port);
      CHECK_STATUS(crm_tenant_send_email_json(t, "Welcome", NULL, "{\"host\":1}", &json), CRM_ERR_VALIDATION);
      CHECK_STATUS(crm_tenant_send_email_json(t, "Reminder", NULL, smtp, &json), CRM_ERR_VALIDATION);
      CHECK(str_eq(crm_last_error_field(), "template"));
      CHECK_OK(crm_tenant_send_email_json(t, "Welcome", NULL, smtp, &json));
      CHECK(contains(json, "\"address\":\"helene@example.com\"") && contains(json, "\"failed\":[]"));
      CHECK(contains(json, "\"no_address\":1"));
      crm_string_free(json);
      CHECK_OK(crm_tenant_communications(t, helene, &log));
      CHECK(crm_communication_list_len(log) == 1);
      CHECK_OK(crm_communication_list_get(log, 0, NULL, NULL, NULL, &subject, &reference, NULL));
      CHECK(str_eq(subject, "Hello Hélène") && reference != NULL && reference[0] == '<');
      crm_communication_list_free(log);
      CHECK_STATUS(crm_tenant_send_email_json(other, "Welcome", NULL, smtp, &json), CRM_ERR_NOT_FOUND);
      crm_customer_free(current);
      crm_customer_free(updated);
      crm_customer_fields_free(f);
    }
  }

  CHECK_OK(crm_tenant_delete_template(t, "Welcome", NULL));
  CHECK_STATUS(crm_tenant_preview_json(t, "Welcome", helene, &json), CRM_ERR_NOT_FOUND);

  /* letters of the pending brochure requests, and their labels */
  {
    char letters[512], labels[512], head[5] = {0};
    FILE *pdf;
    snprintf(letters, sizeof letters, "%s/letters.pdf", argv[1]);
    snprintf(labels, sizeof labels, "%s/labels.pdf", argv[1]);
    brochure(t, "Karel", "Čapek", "Vinohradská 12", "Praha");
    brochure(t, "Jan", "Nový", "", "Brno");
    CHECK_OK(crm_tenant_save_template(t, "Brochure", "letter", NULL, "Your brochure", "{{ customer.salutation }}\n\nEnclosed.", NULL));
    CHECK_STATUS(crm_tenant_print_letters(t, "{\"template\":\"Welcome\"}", NULL, letters, NULL, &json), CRM_ERR_NOT_FOUND);
    CHECK_STATUS(crm_tenant_print_letters(t, "{\"template\":1}", NULL, letters, NULL, &json), CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "options.template"));
    CHECK_OK(crm_tenant_print_letters(t, "{\"template\":\"Brochure\",\"sender\":[\"Agence\",\"Lyon\"],\"mark_sent\":true}", NULL, letters, labels, &json));
    CHECK(contains(json, "\"marked_sent\":1") && contains(json, "postal address"));
    crm_string_free(json);
    pdf = fopen(letters, "rb");
    CHECK(pdf != NULL && fread(head, 1, 4, pdf) == 4);
    fclose(pdf);
    CHECK(strcmp(head, "%PDF") == 0);
    pdf = fopen(labels, "rb");
    CHECK(pdf != NULL);
    fclose(pdf);
    /* printed without marking, then marked by id once the files are safe */
    {
      char request[37] = {0};
      const char *ids[1];
      const char *start;
      uint64_t marked = 0;
      brochure(t, "Eva", "Malá", "Nerudova 3", "Praha");
      CHECK_OK(crm_tenant_print_letters(t, "{\"template\":\"Brochure\"}", NULL, letters, NULL, &json));
      start = strstr(json, "\"requests\":[\"");
      CHECK(start != NULL && contains(json, "\"marked_sent\":0"));
      memcpy(request, start + strlen("\"requests\":[\""), 36);
      crm_string_free(json);
      ids[0] = request;
      CHECK_STATUS(crm_tenant_mark_brochures_sent(other, ids, 1, &marked), CRM_ERR_NOT_FOUND);
      CHECK_OK(crm_tenant_mark_brochures_sent(t, ids, 1, &marked));
      CHECK(marked == 1);
      CHECK_OK(crm_tenant_mark_brochures_sent(t, ids, 1, &marked));
      CHECK(marked == 0);
    }
    /* the other tenant has neither the template nor the requests */
    CHECK_STATUS(crm_tenant_print_letters(other, "{\"template\":\"Brochure\"}", NULL, letters, NULL, &json), CRM_ERR_NOT_FOUND);
    CHECK_OK(crm_tenant_save_template(other, "Brochure", "letter", NULL, NULL, "x", NULL));
    CHECK_OK(crm_tenant_print_letters(other, "{\"template\":\"Brochure\"}", NULL, letters, NULL, &json));
    CHECK(contains(json, "\"printed\":[]"));
    crm_string_free(json);
  }

  free(helene);
  free(lukasz);
  crm_tenant_free(t);
  crm_tenant_free(other);
  crm_db_free(db);
  puts("test_templates: ok");
  return 0;
}
