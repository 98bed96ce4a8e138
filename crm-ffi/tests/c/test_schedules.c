/* Schedules of saved searches from C: set from JSON, due, run once per slot, runs recorded,
 * another tenant out of reach. argv[1] is a scratch folder. */
#include "check.h"

static void create(crm_tenant *t, const char *first, const char *email) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Voyageur"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CITY, "Lyon"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CONSENT_EMAIL, "2026-01-01T00:00:00Z"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_free(c);
  crm_customer_fields_free(f);
}

/* Copies the text value of `"key":"` in `json` into `out`. */
static void value_of(const char *json, const char *key, char *out, size_t size) {
  char pattern[64];
  const char *start, *end;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  start = strstr(json, pattern);
  CHECK(start != NULL);
  start += strlen(pattern);
  end = strchr(start, '"');
  CHECK(end != NULL && (size_t)(end - start) < size);
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_search_query *lyon = NULL;
  char *search_id = NULL, *json = NULL, slot[64], file[512], path[1024];
  FILE *f;
  char content[256] = {0};
  size_t n;
  const char *weekly =
      "{\"every\":\"week\",\"weekday\":\"monday\",\"at\":\"08:00\",\"action\":\"export\","
      "\"format\":\"csv\",\"columns\":[\"first_name\",\"email\"],\"only_new\":true}";

  CHECK(argc > 1);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-a", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-b", "u-17", CRM_ROLE_AGENT, &other));
  CHECK_OK(crm_tenant_set_time_zone(t, "Europe/Paris"));
  create(t, "Anne", "anne@x.fr");
  CHECK_OK(crm_search_query_new(NULL, &lyon));
  CHECK_OK(crm_search_query_filter(lyon, CRM_FILTER_CITY, "Lyon"));
  CHECK_OK(crm_tenant_save_search(t, "Lyon weekly", lyon, &search_id));

  /* bad schedules name their key */
  CHECK_STATUS(crm_tenant_set_schedule(t, search_id, "{\"every\":\"week\",\"at\":\"08:00\",\"action\":\"export\",\"format\":\"csv\"}"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "weekday"));
  CHECK_STATUS(crm_tenant_set_schedule(t, search_id, "{\"every\":\"day\",\"at\":\"8h\",\"action\":\"export\",\"format\":\"csv\"}"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "at"));
  CHECK_STATUS(crm_tenant_set_schedule(t, search_id, "not json"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "schedule"));
  CHECK_STATUS(crm_tenant_set_schedule(other, search_id, weekly), CRM_ERR_NOT_FOUND);

  CHECK_OK(crm_tenant_set_schedule(t, search_id, weekly));
  CHECK_OK(crm_tenant_schedule_json(t, search_id, &json));
  CHECK(contains(json, "\"weekday\":\"monday\"") && contains(json, "\"last_run\":null"));
  value_of(json, "next_slot", slot, sizeof slot);
  crm_string_free(json);
  CHECK_OK(crm_tenant_schedules_json(t, &json));
  CHECK(contains(json, "\"name\":\"Lyon weekly\""));
  crm_string_free(json);
  CHECK_OK(crm_tenant_schedules_json(other, &json));
  CHECK(contains(json, "\"schedules\":[]"));
  crm_string_free(json);

  CHECK_OK(crm_tenant_due_schedules_json(t, slot, &json));
  CHECK(contains(json, "\"slot\":\""));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_run_due_json(t, "Monday", argv[1], &json), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "now"));
  snprintf(path, sizeof path, "%s/missing", argv[1]);
  CHECK_STATUS(crm_tenant_run_due_json(t, slot, path, &json), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "out_dir"));

  /* the slot runs once, its file read back */
  CHECK_OK(crm_tenant_run_due_json(t, slot, argv[1], &json));
  CHECK(contains(json, "\"rows\":1") && contains(json, "\"error\":null"));
  value_of(json, "file", file, sizeof file);
  crm_string_free(json);
  f = fopen(file, "rb");
  CHECK(f != NULL);
  n = fread(content, 1, sizeof content - 1, f);
  fclose(f);
  content[n] = '\0';
  CHECK(strcmp(content, "first_name,email\nAnne,anne@x.fr\n") == 0);
  CHECK_OK(crm_tenant_run_due_json(t, slot, argv[1], &json));
  CHECK(contains(json, "\"runs\":[]"));
  crm_string_free(json);
  CHECK_OK(crm_tenant_run_due_json(other, slot, argv[1], &json));
  CHECK(contains(json, "\"runs\":[]"));
  crm_string_free(json);

  CHECK_OK(crm_tenant_schedule_runs_json(t, search_id, 10, &json));
  CHECK(contains(json, "\"rows\":1") && contains(json, "\"ran_by\":\"u-17\""));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_schedule_runs_json(t, search_id, 0, &json), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_tenant_schedule_runs_json(other, search_id, 10, &json), CRM_ERR_NOT_FOUND);

  /* removed */
  CHECK_OK(crm_tenant_set_schedule(t, search_id, NULL));
  CHECK_OK(crm_tenant_schedule_json(t, search_id, &json));
  CHECK(contains(json, "\"schedule\":null"));
  crm_string_free(json);

  crm_string_free(search_id);
  crm_search_query_free(lyon);
  crm_tenant_free(t);
  crm_tenant_free(other);
  crm_db_free(db);
  puts("test_schedules: ok");
  return 0;
}
