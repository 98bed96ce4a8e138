/* Privacy from C: plan and anonymise (organisation role only), suppression, export, retention. */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, const char *email, const char *mobile) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Dupont"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_MOBILE, mobile));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_NOTES, "Allergic to peanuts"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

static uint64_t steps = 0;

static void progress(void *userdata, uint64_t done, uint64_t total) {
  (void)userdata;
  CHECK(done <= total);
  steps++;
}

int main(void) {
  crm_db *db = NULL;
  crm_tenant *clerk = NULL, *dpo = NULL, *other = NULL;
  crm_customer *helene, *idle, *got = NULL;
  crm_customer_fields *probe = NULL;
  crm_anonymisation *plan = NULL, *done = NULL, *never = NULL;
  crm_retention *dry = NULL, *ran = NULL;
  crm_booking_fields *bf = NULL;
  crm_booking *b = NULL;
  bool created = false;
  char *json = NULL, *hit = NULL;
  size_t i;
  int kept_invoices = 0;

  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &clerk));
  CHECK_OK(crm_tenant_open(db, "agency-1", "dpo-1", CRM_ROLE_ORGANISATION, &dpo));
  CHECK_OK(crm_tenant_open(db, "agency-2", "dpo-2", CRM_ROLE_ORGANISATION, &other));
  CHECK_OK(crm_tenant_set_default_region(clerk, "FR"));
  helene = create(clerk, "H\xc3\xa9l\xc3\xa8ne", "helene.dupont@example.fr", "06 12 34 56 78");
  idle = create(clerk, "Ida", "ida@example.fr", NULL);
  CHECK_OK(crm_booking_fields_new("BK-1", "2030-07-14T08:30:00+02:00", &bf));
  CHECK_OK(crm_booking_fields_set(bf, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(helene)));
  CHECK_OK(crm_booking_fields_add_invoice(bf, "F-1", 12000, "EUR", "paid", NULL, NULL, NULL));
  CHECK_OK(crm_tenant_upsert_booking(clerk, bf, &b, &created));
  crm_booking_free(b);
  crm_booking_fields_free(bf);

  /* the export, before */
  CHECK_OK(crm_tenant_export_personal_data(clerk, crm_customer_id(helene), &json));
  CHECK(contains(json, "\"format\":6") && contains(json, "helene.dupont@example.fr"));
  CHECK(contains(json, "\"invoices\":[{\"booking_reference\":\"BK-1\""));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_export_personal_data(other, crm_customer_id(helene), &json), CRM_ERR_NOT_FOUND);

  /* the plan writes nothing */
  CHECK_OK(crm_tenant_plan_anonymise(clerk, crm_customer_id(helene), &plan));
  CHECK(crm_anonymisation_erased_count(plan) >= 4);
  for (i = 0; i < crm_anonymisation_kept_count(plan); i++)
    if (contains(crm_anonymisation_kept_what(plan, i), "invoice") && contains(crm_anonymisation_kept_why(plan, i), "17(3)(b)"))
      kept_invoices = 1;
  CHECK(kept_invoices);
  CHECK(crm_anonymisation_kept_what(plan, 99) == NULL);
  CHECK(crm_anonymisation_erased(plan, 99) == NULL);
  CHECK(crm_anonymisation_bookings(plan) == 1);
  CHECK(crm_anonymisation_suppressed_contacts(plan) == 2);
  CHECK_OK(crm_anonymisation_to_json(plan, &json));
  CHECK(contains(json, "\"erased\":[\"first_name\""));
  crm_string_free(json);
  CHECK_OK(crm_tenant_get_customer(clerk, crm_customer_id(helene), &got));
  CHECK(crm_customer_get(got, CRM_FIELD_ANONYMISED_AT) == NULL);
  crm_customer_free(got);

  /* only the organisation role may anonymise */
  CHECK_STATUS(crm_tenant_anonymise(clerk, crm_customer_id(helene), "GDPR Art. 17", &never), CRM_ERR_PERMISSION_DENIED);
  CHECK(never == NULL);
  CHECK_STATUS(crm_tenant_anonymise(dpo, crm_customer_id(helene), "", &never), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "reason"));
  CHECK_STATUS(crm_tenant_anonymise(other, crm_customer_id(helene), "GDPR", &never), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_tenant_anonymise(dpo, crm_customer_id(helene), "GDPR Art. 17 request", &done));
  CHECK(crm_anonymisation_erased_count(done) == crm_anonymisation_erased_count(plan));
  CHECK_OK(crm_tenant_get_customer(clerk, crm_customer_id(helene), &got));
  CHECK(crm_customer_get(got, CRM_FIELD_ANONYMISED_AT) != NULL);
  CHECK(crm_customer_get(got, CRM_FIELD_EMAIL) == NULL && crm_customer_get(got, CRM_FIELD_NOTES) == NULL);
  CHECK(contains(crm_customer_get(got, CRM_FIELD_FULL_NAME), "Anonymised customer"));
  crm_customer_free(got);
  CHECK_STATUS(crm_tenant_anonymise(dpo, crm_customer_id(helene), "again", &never), CRM_ERR_CONFLICT);
  CHECK_OK(crm_tenant_export_personal_data(clerk, crm_customer_id(helene), &json));
  CHECK(!contains(json, "helene") && contains(json, "\"reason\":\"GDPR Art. 17 request\""));
  CHECK(contains(json, "\"amount\":{\"minor\":12000"));
  crm_string_free(json);

  /* suppression: the same person typed again is recognised, in this tenant only */
  CHECK_OK(crm_customer_fields_new(&probe));
  CHECK_OK(crm_customer_fields_set(probe, CRM_FIELD_FIRST_NAME, "Helene"));
  CHECK_OK(crm_customer_fields_set(probe, CRM_FIELD_LAST_NAME, "Dupont"));
  CHECK_OK(crm_customer_fields_set(probe, CRM_FIELD_EMAIL, "HELENE.DUPONT@example.fr"));
  CHECK_OK(crm_customer_fields_set(probe, CRM_FIELD_MOBILE, "+33 6 12 34 56 78"));
  CHECK_OK(crm_tenant_suppressed_fields(clerk, probe, &hit));
  CHECK(str_eq(hit, "email,mobile"));
  crm_string_free(hit);
  CHECK_OK(crm_tenant_set_default_region(other, "FR"));
  CHECK_OK(crm_tenant_suppressed_fields(other, probe, &hit));
  CHECK(str_eq(hit, ""));
  crm_string_free(hit);

  /* retention: Ida has no booking; the cut-off is far ahead */
  CHECK_STATUS(crm_tenant_anonymise_inactive(clerk, "2100-01-01T00:00:00Z", true, NULL, NULL, &dry), CRM_ERR_PERMISSION_DENIED);
  CHECK_STATUS(crm_tenant_anonymise_inactive(dpo, "tomorrow", true, NULL, NULL, &dry), CRM_ERR_VALIDATION);
  CHECK_OK(crm_tenant_anonymise_inactive(dpo, "2100-01-01T00:00:00Z", true, NULL, NULL, &dry));
  CHECK(crm_retention_count(dry) == 1);
  CHECK(str_eq(crm_retention_customer(dry, 0), crm_customer_id(idle)));
  CHECK(crm_retention_customer(dry, 1) == NULL);
  CHECK_OK(crm_retention_to_json(dry, &json));
  CHECK(contains(json, "\"dry_run\":true"));
  crm_string_free(json);
  CHECK_OK(crm_tenant_get_customer(clerk, crm_customer_id(idle), &got));
  CHECK(crm_customer_get(got, CRM_FIELD_ANONYMISED_AT) == NULL);
  crm_customer_free(got);
  CHECK_OK(crm_tenant_anonymise_inactive(dpo, "2100-01-01T00:00:00Z", false, progress, NULL, &ran));
  CHECK(crm_retention_count(ran) == 1 && steps >= 1);
  CHECK_OK(crm_tenant_get_customer(clerk, crm_customer_id(idle), &got));
  CHECK(crm_customer_get(got, CRM_FIELD_ANONYMISED_AT) != NULL);
  crm_customer_free(got);

  /* misuse */
  CHECK_STATUS(crm_tenant_plan_anonymise(clerk, crm_customer_id(helene), NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK(crm_anonymisation_erased_count((const crm_anonymisation *)dry) == 0);
  CHECK(contains(crm_last_error(), "crm_anonymisation"));
  CHECK(crm_retention_count(NULL) == 0);
  CHECK_STATUS(crm_tenant_anonymise(NULL, crm_customer_id(idle), "GDPR", &never), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_anonymise(dpo, NULL, "GDPR", &never), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_anonymise(dpo, crm_customer_id(idle), NULL, &never), CRM_ERR_INVALID_ARGUMENT);
  CHECK(never == NULL);
  CHECK_STATUS(crm_tenant_plan_anonymise(clerk, crm_customer_id(idle), &never), CRM_ERR_CONFLICT);
  crm_anonymisation_free(done);
  CHECK(crm_anonymisation_bookings(done) == 0); /* freed: detected, never read */
  CHECK(contains(crm_last_error(), "not a live"));
  crm_anonymisation_free(done); /* twice: detected, nothing done */

  crm_retention_free(ran);
  crm_retention_free(dry);
  crm_anonymisation_free(plan);
  crm_customer_fields_free(probe);
  crm_customer_free(helene);
  crm_customer_free(idle);
  crm_tenant_free(other);
  crm_tenant_free(dpo);
  crm_tenant_free(clerk);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_privacy: ok\n");
  return 0;
}
