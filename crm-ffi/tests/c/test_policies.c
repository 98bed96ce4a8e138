/* Tenant policies and the privacy log from C: email uniqueness, who may delete and merge, a
 * tenant handle acting on a request, the log of exports and deletions; another tenant keeps its
 * own. argv[1] is a scratch folder. */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, const char *email) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Martin"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *boss = NULL, *dsar = NULL, *other = NULL;
  crm_customer *anne, *bea, *twin = NULL;
  crm_customer_fields *f = NULL;
  crm_merge_request *req = NULL;
  crm_merge *merged = NULL;
  char *value = NULL, *json = NULL;
  uint64_t detached = 0;

  CHECK(argc > 1 && argv[1] != NULL);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-a", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-a", "dpo-1", CRM_ROLE_ORGANISATION, &boss));
  CHECK_OK(crm_tenant_open(db, "agency-b", "u-17", CRM_ROLE_AGENT, &other));

  /* Policies by name; unknown names and values are refused naming what was wrong. */
  CHECK_OK(crm_tenant_policy(t, "email_uniqueness", &value));
  CHECK(str_eq(value, "allow"));
  crm_string_free(value);
  /* An agent cannot change them; the organisation role can. */
  CHECK_OK(crm_tenant_set_policy(t, "hard_delete", "anyone")); /* unchanged: nothing to refuse */
  CHECK_STATUS(crm_tenant_set_policy(t, "hard_delete", "nobody"), CRM_ERR_PERMISSION_DENIED);
  CHECK_OK(crm_tenant_set_policy(boss, "email_uniqueness", "refuse"));
  CHECK_OK(crm_tenant_set_policy(boss, "hard_delete", "organisation"));
  CHECK_OK(crm_tenant_set_policy(boss, "merge", "nobody"));
  CHECK_OK(crm_tenant_policy(t, "hard_delete", &value));
  CHECK(str_eq(value, "organisation"));
  crm_string_free(value);
  CHECK_STATUS(crm_tenant_set_policy(t, "hard_delete", "anyone"), CRM_ERR_PERMISSION_DENIED);
  CHECK_STATUS(crm_tenant_set_policy(boss, "telex", "allow"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "policy"));
  CHECK_STATUS(crm_tenant_set_policy(boss, "merge", "everyone"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "merge"));

  /* One customer per email. */
  anne = create(t, "Anne", "anne@example.fr");
  bea = create(t, "Bea", "bea@example.fr");
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "Anna"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Martin"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, "ANNE@example.fr"));
  CHECK_STATUS(crm_tenant_create_customer(t, f, &twin), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "email"));
  CHECK(contains(crm_last_error(), "customer no. 1"));
  CHECK(twin == NULL);
  /* The other tenant allows it. */
  CHECK_OK(crm_tenant_create_customer(other, f, &twin));
  crm_customer_free(twin);
  CHECK_OK(crm_tenant_create_customer(other, f, &twin));
  crm_customer_fields_free(f);

  /* Who may merge and delete. */
  CHECK_OK(crm_merge_request_new(crm_customer_id(anne), &req));
  CHECK_OK(crm_merge_request_add(req, crm_customer_id(bea)));
  CHECK_STATUS(crm_tenant_merge(boss, req, &merged), CRM_ERR_PERMISSION_DENIED);
  CHECK(merged == NULL);
  crm_merge_request_free(req);
  CHECK_STATUS(crm_tenant_delete_customer(t, crm_customer_id(bea), &detached),
               CRM_ERR_PERMISSION_DENIED);

  /* A handle acting on a request: the log records it. */
  CHECK_STATUS(crm_tenant_with_request(boss, "DSAR\x07", &dsar), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "actor.request"));
  CHECK_STATUS(crm_tenant_with_request(boss, "anne@example.fr", &dsar), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "actor.request"));
  CHECK_OK(crm_tenant_with_request(boss, "DSAR-2026-114", &dsar));
  CHECK_OK(crm_tenant_export_personal_data(dsar, crm_customer_id(anne), &json));
  crm_string_free(json);
  CHECK_OK(crm_tenant_delete_customer(dsar, crm_customer_id(bea), &detached));
  CHECK_OK(crm_tenant_privacy_log_json(t, 0, 100, &json));
  CHECK(contains(json, "\"format\":1"));
  CHECK(contains(json, "\"seq\":1,"));
  CHECK(contains(json, "\"action\":\"export\""));
  CHECK(contains(json, "\"action\":\"delete\""));
  CHECK(contains(json, "\"customer_no\":2"));
  CHECK(contains(json, "\"request\":\"DSAR-2026-114\""));
  CHECK(contains(json, "\"user_id\":\"dpo-1\""));
  crm_string_free(json);
  CHECK_OK(crm_tenant_privacy_log_json(t, 1, 100, &json));
  CHECK(!contains(json, "\"action\":\"export\""));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_privacy_log_json(t, 0, 0, &json), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "limit"));
  CHECK_OK(crm_tenant_privacy_log_json(other, 0, 100, &json));
  CHECK(str_eq(json, "{\"format\":1,\"privacy_log\":[]}"));
  crm_string_free(json);

  crm_customer_free(anne);
  crm_customer_free(bea);
  crm_customer_free(twin);
  crm_tenant_free(t);
  crm_tenant_free(boss);
  crm_tenant_free(dsar);
  crm_tenant_free(other);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_policies: ok\n");
  return 0;
}
