/* Merging duplicates from C: plan, merge, merged ids, the record, unmerge, refusals. */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, const char *email, const char *mobile,
                            const char *notes) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Dupont"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_MOBILE, mobile));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_NOTES, notes));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

static void book(crm_tenant *t, const char *reference, const char *pickup, const crm_customer *c) {
  crm_booking_fields *f = NULL;
  crm_booking *b = NULL;
  bool created = false;
  CHECK_OK(crm_booking_fields_new(reference, pickup, &f));
  CHECK_OK(crm_booking_fields_set(f, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(c)));
  CHECK_OK(crm_tenant_upsert_booking(t, f, &b, &created));
  CHECK(created);
  crm_booking_free(b);
  crm_booking_fields_free(f);
}

static uint64_t bookings_of(crm_tenant *t, const char *id) {
  crm_customer_stats *stats = NULL;
  uint64_t n;
  CHECK_OK(crm_tenant_customer_stats(t, id, &stats));
  n = crm_customer_stats_bookings(stats);
  crm_customer_stats_free(stats);
  return n;
}

int main(void) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_customer *primary, *dup, *theirs, *got = NULL;
  crm_merge_request *req = NULL, *bad = NULL;
  crm_merge_plan *plan = NULL;
  crm_merge *merge = NULL, *undone = NULL, *fetched = NULL;
  crm_merge_list *history = NULL;
  const crm_customer *after;
  char *json = NULL;
  char merge_id[64];
  crm_merge *never = NULL;

  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-2", "u-17", CRM_ROLE_AGENT, &other));
  CHECK_OK(crm_tenant_set_default_region(t, "FR"));
  primary = create(t, "H\xc3\xa9l\xc3\xa8ne", "helene.dupont@example.fr", NULL, "Window seat");
  dup = create(t, "Helene", "h.dupont@work.example", "06 12 34 56 78", "Travels with a dog");
  theirs = create(other, "Helene", NULL, NULL, NULL);
  book(t, "BK-1", "2026-07-14T08:30:00+02:00", primary);
  book(t, "BK-2", "2026-07-20T08:30:00+02:00", dup);

  /* the request, and a plan that writes nothing */
  CHECK_OK(crm_merge_request_new(crm_customer_id(primary), &req));
  CHECK_OK(crm_merge_request_add(req, crm_customer_id(dup)));
  CHECK_OK(crm_merge_request_choose(req, "first_name", crm_customer_id(dup)));
  CHECK_STATUS(crm_merge_request_choose(req, "shoe_size", crm_customer_id(dup)), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "choices"));
  CHECK_STATUS(crm_merge_request_add(req, "not-an-id"), CRM_ERR_VALIDATION);
  CHECK_OK(crm_tenant_plan_merge(t, req, &plan));
  CHECK(str_eq(crm_customer_get(crm_merge_plan_customer(plan), CRM_FIELD_FIRST_NAME), "Helene"));
  CHECK(str_eq(crm_customer_get(crm_merge_plan_customer(plan), CRM_FIELD_EMAIL), "helene.dupont@example.fr"));
  CHECK(str_eq(crm_merge_plan_source(plan, "first_name"), crm_customer_id(dup)));
  CHECK(str_eq(crm_merge_plan_source(plan, "email"), crm_customer_id(primary)));
  CHECK(crm_merge_plan_source(plan, "company") == NULL);
  CHECK(crm_merge_plan_booking_count(plan) == 1);
  CHECK(str_eq(crm_merge_plan_booking_reference(plan, 0), "BK-2"));
  CHECK(str_eq(crm_merge_plan_booking_from(plan, 0), crm_customer_id(dup)));
  CHECK(crm_merge_plan_booking_reference(plan, 1) == NULL);
  CHECK_OK(crm_merge_plan_to_json(plan, &json));
  CHECK(contains(json, "\"format\":1") && contains(json, "\"versions\""));
  crm_string_free(json);
  CHECK(bookings_of(t, crm_customer_id(dup)) == 1); /* nothing written */
  /* a customer given back by a plan is borrowed */
  crm_customer_free((crm_customer *)crm_merge_plan_customer(plan));
  CHECK(contains(crm_last_error(), "borrowed"));
  CHECK(str_eq(crm_customer_get(crm_merge_plan_customer(plan), CRM_FIELD_FIRST_NAME), "Helene"));

  /* the merge, pinned to the versions the plan read */
  CHECK_OK(crm_merge_request_expect_plan(req, plan));
  CHECK_OK(crm_tenant_merge(t, req, &merge));
  after = crm_merge_customer(merge);
  CHECK(str_eq(crm_customer_id(after), crm_customer_id(primary)));
  CHECK(crm_customer_version(after) == 2);
  CHECK(crm_customer_count(after, CRM_MULTI_SECONDARY_EMAILS) == 1);
  CHECK(str_eq(crm_customer_item(after, CRM_MULTI_SECONDARY_EMAILS, 0), "h.dupont@work.example"));
  CHECK(contains(crm_customer_get(after, CRM_FIELD_NOTES), "Window seat") &&
        contains(crm_customer_get(after, CRM_FIELD_NOTES), "dog"));
  CHECK(str_eq(crm_merge_primary_id(merge), crm_customer_id(primary)));
  CHECK(crm_merge_merged_count(merge) == 1);
  CHECK(str_eq(crm_customer_id(crm_merge_merged_get(merge, 0)), crm_customer_id(dup)));
  CHECK(crm_merge_merged_get(merge, 1) == NULL);
  CHECK(str_eq(crm_customer_get(crm_merge_primary_before(merge), CRM_FIELD_FIRST_NAME), "H\xc3\xa9l\xc3\xa8ne"));
  CHECK(crm_merge_booking_count(merge) == 1 && str_eq(crm_merge_booking_reference(merge, 0), "BK-2"));
  CHECK(str_eq(crm_merge_booking_from(merge, 0), crm_customer_id(dup)));
  CHECK(crm_merge_undone_at(merge) == NULL);
  CHECK_OK(crm_merge_to_json(merge, &json));
  CHECK(contains(json, "\"primary_before\"") && contains(json, "\"undone\":null"));
  crm_string_free(json);
  snprintf(merge_id, sizeof merge_id, "%s", crm_merge_id(merge));
  CHECK(bookings_of(t, crm_customer_id(primary)) == 2);
  /* merging again is refused: the other is gone */
  CHECK_STATUS(crm_tenant_merge(t, req, &never), CRM_ERR_CONFLICT);
  CHECK(never == NULL);

  /* the merged id resolves to the primary, and says which merge */
  CHECK_OK(crm_tenant_get_customer(t, crm_customer_id(dup), &got));
  CHECK(str_eq(crm_customer_id(got), crm_customer_id(primary)));
  crm_customer_free(got);
  CHECK_OK(crm_tenant_merges_of(t, crm_customer_id(dup), &history));
  CHECK(crm_merge_list_len(history) == 1);
  CHECK(str_eq(crm_merge_id(crm_merge_list_get(history, 0)), merge_id));
  CHECK(crm_merge_list_get(history, 1) == NULL);
  crm_merge_free((crm_merge *)crm_merge_list_get(history, 0)); /* borrowed: refused */
  CHECK(contains(crm_last_error(), "borrowed"));
  CHECK(str_eq(crm_merge_id(crm_merge_list_get(history, 0)), merge_id));
  crm_merge_list_free(history);
  CHECK_OK(crm_tenant_get_merge(t, merge_id, &fetched));
  CHECK(crm_merge_customer(fetched) == NULL);
  CHECK(crm_merge_booking_count(fetched) == 1);
  crm_merge_free(fetched);

  /* other tenants see none of it */
  CHECK_STATUS(crm_tenant_get_merge(other, merge_id, &fetched), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_unmerge(other, merge_id, &undone), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_get_customer(other, crm_customer_id(dup), &got), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_merge_request_new(crm_customer_id(primary), &bad));
  CHECK_OK(crm_merge_request_add(bad, crm_customer_id(theirs)));
  CHECK_STATUS(crm_tenant_merge(t, bad, &never), CRM_ERR_NOT_FOUND);
  crm_merge_request_free(bad);
  /* a customer with itself */
  CHECK_OK(crm_merge_request_new(crm_customer_id(primary), &bad));
  CHECK_OK(crm_merge_request_add(bad, crm_customer_id(primary)));
  {
    crm_merge_plan *refused = NULL;
    CHECK_STATUS(crm_tenant_plan_merge(t, bad, &refused), CRM_ERR_VALIDATION);
    CHECK(refused == NULL);
  }
  CHECK(str_eq(crm_last_error_field(), "others[0]"));
  crm_merge_request_free(bad);

  /* misuse: NULL, wrong type, freed */
  CHECK_STATUS(crm_tenant_merge(t, NULL, &never), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_merge(t, req, NULL), CRM_ERR_INVALID_ARGUMENT);
  CHECK(crm_merge_id((const crm_merge *)plan) == NULL);
  CHECK(contains(crm_last_error(), "crm_merge"));
  CHECK_STATUS(crm_merge_request_add((crm_merge_request *)plan, crm_customer_id(dup)), CRM_ERR_INVALID_ARGUMENT);
  CHECK_OK(crm_merge_request_new(crm_customer_id(primary), &bad));
  crm_merge_request_free(bad);
  CHECK_STATUS(crm_merge_request_add(bad, crm_customer_id(dup)), CRM_ERR_INVALID_ARGUMENT);
  crm_merge_request_free(bad); /* twice: detected, nothing done */
  CHECK(crm_merge_plan_booking_count(NULL) == 0);

  /* unmerge: the record comes back as it was, with its booking */
  CHECK_STATUS(crm_tenant_unmerge(t, "nope", &undone), CRM_ERR_VALIDATION);
  CHECK_OK(crm_tenant_unmerge(t, merge_id, &undone));
  CHECK(crm_merge_undone_at(undone) != NULL);
  CHECK_OK(crm_tenant_get_customer(t, crm_customer_id(dup), &got));
  CHECK(str_eq(crm_customer_id(got), crm_customer_id(dup)));
  CHECK(crm_customer_version(got) == crm_customer_version(dup));
  CHECK(str_eq(crm_customer_get(got, CRM_FIELD_NOTES), "Travels with a dog"));
  crm_customer_free(got);
  CHECK(bookings_of(t, crm_customer_id(dup)) == 1 && bookings_of(t, crm_customer_id(primary)) == 1);
  CHECK_STATUS(crm_tenant_unmerge(t, merge_id, &fetched), CRM_ERR_CONFLICT);
  CHECK(contains(crm_last_error(), "already undone"));

  crm_merge_free(undone);
  crm_merge_free(merge);
  crm_merge_plan_free(plan);
  crm_merge_request_free(req);
  crm_customer_free(primary);
  crm_customer_free(dup);
  crm_customer_free(theirs);
  crm_tenant_free(other);
  crm_tenant_free(t);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_merge: ok\n");
  return 0;
}
