/* Customer lists and brochure requests from C. */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Lopez"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

static uint64_t members(crm_tenant *t, const char *list) {
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  uint64_t n;
  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_LIST, list));
  CHECK_OK(crm_tenant_search(t, q, &page));
  n = crm_customer_page_total(page);
  crm_customer_page_free(page);
  crm_search_query_free(q);
  return n;
}

int main(void) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_customer *ana, *bo;
  crm_lists *lists = NULL;
  crm_brochure_request *req = NULL, *sent = NULL, *never = NULL;
  crm_brochure_request_list *pending = NULL;
  const char *ids[2];
  bool created = false;
  uint64_t n = 0;
  char *json = NULL;
  char req_id[64];

  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-2", "u-17", CRM_ROLE_AGENT, &other));
  ana = create(t, "Ana");
  bo = create(t, "Bo");
  ids[0] = crm_customer_id(ana);
  ids[1] = crm_customer_id(bo);

  /* lists */
  CHECK_OK(crm_tenant_create_list(t, "Newsletter", &created));
  CHECK(created);
  CHECK_OK(crm_tenant_create_list(t, "Newsletter", &created));
  CHECK(!created);
  CHECK_STATUS(crm_tenant_create_list(t, " ", NULL), CRM_ERR_VALIDATION);
  CHECK_OK(crm_tenant_add_to_list(t, "Newsletter", ids, 2, &n));
  CHECK(n == 2 && members(t, "Newsletter") == 2);
  CHECK_OK(crm_tenant_remove_from_list(t, "Newsletter", ids + 1, 1, &n));
  CHECK(n == 1 && members(t, "Newsletter") == 1);
  CHECK_STATUS(crm_tenant_add_to_list(t, "Nope", ids, 1, &n), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_add_to_list(t, "Newsletter", NULL, 1, &n), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_add_to_list(other, "Newsletter", ids, 1, &n), CRM_ERR_NOT_FOUND);
  CHECK_OK(crm_tenant_lists(t, &lists));
  CHECK(crm_lists_len(lists) == 1 && str_eq(crm_lists_name(lists, 0), "Newsletter"));
  CHECK(crm_lists_members(lists, 0) == 1 && crm_lists_name(lists, 1) == NULL);
  CHECK_OK(crm_lists_to_json(lists, &json));
  CHECK(contains(json, "\"members\":1"));
  crm_string_free(json);
  crm_lists_free(lists);
  CHECK_OK(crm_tenant_lists(other, &lists));
  CHECK(crm_lists_len(lists) == 0);
  crm_lists_free(lists);
  CHECK_OK(crm_tenant_delete_list(t, "Newsletter", &n));
  CHECK(n == 1 && members(t, "Newsletter") == 0);

  /* brochure requests */
  CHECK_OK(crm_tenant_request_brochure(t, crm_customer_id(ana), &req));
  snprintf(req_id, sizeof req_id, "%s", crm_brochure_request_get(req, CRM_BROCHURE_ID));
  CHECK(str_eq(crm_brochure_request_get(req, CRM_BROCHURE_CUSTOMER_ID), crm_customer_id(ana)));
  CHECK(crm_brochure_request_get(req, CRM_BROCHURE_REQUESTED_AT) != NULL);
  CHECK(crm_brochure_request_get(req, CRM_BROCHURE_SENT_AT) == NULL);
  CHECK(crm_brochure_request_get(req, CRM_DOCUMENT_ID) == NULL); /* another family */
  CHECK_OK(crm_tenant_pending_brochure_requests(t, NULL, 10, &pending));
  CHECK(crm_brochure_request_list_len(pending) == 1);
  CHECK(str_eq(crm_brochure_request_get(crm_brochure_request_list_get(pending, 0), CRM_BROCHURE_ID), req_id));
  crm_brochure_request_list_free(pending);
  CHECK_STATUS(crm_tenant_mark_brochure_sent(other, req_id, NULL, &never), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_mark_brochure_sent(t, req_id, "yesterday", &never), CRM_ERR_VALIDATION);
  CHECK_OK(crm_tenant_mark_brochure_sent(t, req_id, NULL, &sent));
  CHECK(crm_brochure_request_get(sent, CRM_BROCHURE_SENT_AT) != NULL);
  CHECK_STATUS(crm_tenant_mark_brochure_sent(t, req_id, NULL, &never), CRM_ERR_CONFLICT);
  CHECK(never == NULL);
  CHECK_OK(crm_tenant_pending_brochure_requests(t, NULL, 10, &pending));
  CHECK(crm_brochure_request_list_len(pending) == 0);
  crm_brochure_request_list_free(pending);
  CHECK_STATUS(crm_tenant_pending_brochure_requests(t, NULL, 0, &pending), CRM_ERR_VALIDATION);
  CHECK_OK(crm_tenant_brochure_requests(t, crm_customer_id(ana), &pending));
  CHECK(crm_brochure_request_list_len(pending) == 1);
  crm_brochure_request_list_free(pending);

  crm_brochure_request_free(sent);
  crm_brochure_request_free(req);
  crm_customer_free(ana);
  crm_customer_free(bo);
  crm_tenant_free(other);
  crm_tenant_free(t);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_lists: ok\n");
  return 0;
}
