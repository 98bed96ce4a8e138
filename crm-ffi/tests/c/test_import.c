/* Importing customers from C: an export imported into another tenant, a dry run, matching by
 * customer no., all-or-nothing with the row report, options refused, tenant isolation.
 * argv[1] is a scratch folder. */
#include "check.h"

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  CHECK(fwrite(text, 1, strlen(text), f) == strlen(text));
  fclose(f);
}

static void create(crm_tenant *t, const char *first, const char *email) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Dupont"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CITY, "Lyon"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_free(c);
  crm_customer_fields_free(f);
}

static const char *field_of(crm_tenant *t, int64_t no, crm_field field, char *buf, size_t size) {
  crm_customer *c = NULL;
  CHECK_OK(crm_tenant_get_customer_by_no(t, no, &c));
  snprintf(buf, size, "%s", crm_customer_get(c, field) ? crm_customer_get(c, field) : "");
  crm_customer_free(c);
  return buf;
}

static uint64_t last_done = 0, last_total = 0;

static void progress(void *userdata, uint64_t done, uint64_t total) {
  (void)userdata;
  CHECK(total == 0 || done <= total); /* total 0: the size is unknown (bytes) */
  last_done = done;
  last_total = total;
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *a = NULL, *b = NULL;
  crm_import_options *opts = NULL;
  crm_import_report *report = NULL;
  crm_import_counts counts;
  char exported[512], edited[512], bad[512], buf[256];
  const char *field = NULL, *reason = NULL;
  char *json = NULL;
  uint64_t row = 0;
  crm_issue_kind kind = 0;
  crm_customer *c = NULL;

  CHECK(argc > 1);
  snprintf(exported, sizeof exported, "%s/import-export.csv", argv[1]);
  snprintf(edited, sizeof edited, "%s/import-edited.csv", argv[1]);
  snprintf(bad, sizeof bad, "%s/import-bad.csv", argv[1]);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-a", "u-17", CRM_ROLE_AGENT, &a));
  CHECK_OK(crm_tenant_open(db, "agency-b", "u-17", CRM_ROLE_AGENT, &b));
  create(a, "H\xc3\xa9l\xc3\xa8ne", "helene@example.fr");
  create(a, "Paul", "paul@example.fr");

  /* a's export into b, defaults (NULL options) */
  CHECK_OK(crm_tenant_export(a, exported, CRM_EXPORT_CSV_BOM, NULL, NULL, NULL, NULL, NULL));
  CHECK_OK(crm_tenant_import(b, exported, NULL, progress, NULL, &report));
  CHECK_OK(crm_import_report_counts(report, &counts));
  CHECK(counts.rows == 2 && counts.created == 2 && counts.failed == 0 && counts.committed);
  CHECK(last_total > 0 && last_done == last_total);
  CHECK(crm_import_report_issue_count(report) == 0);
  CHECK_OK(crm_import_report_to_json(report, &json));
  CHECK(contains(json, "\"preset\":\"crm\""));
  CHECK(contains(json, "{\"header\":\"email\",\"target\":\"email\"}"));
  CHECK(contains(json, "{\"header\":\"id\",\"target\":\"id\"}"));
  crm_string_free(json);
  crm_import_report_free(report);
  CHECK(str_eq(field_of(b, 1, CRM_FIELD_FIRST_NAME, buf, sizeof buf), "H\xc3\xa9l\xc3\xa8ne"));
  CHECK(str_eq(field_of(b, 2, CRM_FIELD_EMAIL, buf, sizeof buf), "paul@example.fr"));

  /* an edited file, matched by customer no., dry run first: nothing written */
  write_file(edited, "customer_no;first_name;last_name;city\n2;Paul;Dupont;Nantes\n7;No;One;Paris\n");
  CHECK_OK(crm_import_options_new(&opts));
  CHECK_OK(crm_import_options_set(opts, "match_on", "customer_no"));
  CHECK_OK(crm_import_options_set_flags(opts, CRM_IMPORT_DRY_RUN));
  CHECK_OK(crm_tenant_import(b, edited, opts, NULL, NULL, &report));
  CHECK_OK(crm_import_report_counts(report, &counts));
  CHECK(counts.updated == 1 && counts.failed == 1 && !counts.committed);
  CHECK_OK(crm_import_report_issue(report, 0, &row, &field, &reason, &kind));
  CHECK(row == 3 && str_eq(field, "customer_no") && contains(reason, "no customer no. 7"));
  CHECK(kind == CRM_ISSUE_ERROR);
  CHECK_STATUS(crm_import_report_issue(report, 1, &row, NULL, NULL, NULL), CRM_ERR_VALIDATION);
  crm_import_report_free(report);
  CHECK(str_eq(field_of(b, 2, CRM_FIELD_CITY, buf, sizeof buf), "Lyon"));

  /* applied, all-or-nothing: row 3 fails, so nothing is written */
  CHECK_OK(crm_import_options_set_flags(opts, CRM_IMPORT_ALL_OR_NOTHING | CRM_IMPORT_NO_DUPLICATE_FLAGS));
  CHECK_OK(crm_tenant_import(b, edited, opts, NULL, NULL, &report));
  CHECK_OK(crm_import_report_counts(report, &counts));
  CHECK(counts.failed == 1 && !counts.committed);
  crm_import_report_free(report);
  CHECK(str_eq(field_of(b, 2, CRM_FIELD_CITY, buf, sizeof buf), "Lyon"));
  /* row by row: the good row goes in, in b only */
  CHECK_OK(crm_import_options_set_flags(opts, 0));
  CHECK_OK(crm_tenant_import(b, edited, opts, NULL, NULL, &report));
  CHECK_OK(crm_import_report_counts(report, &counts));
  CHECK(counts.updated == 1 && counts.committed);
  crm_import_report_free(report);
  CHECK(str_eq(field_of(b, 2, CRM_FIELD_CITY, buf, sizeof buf), "Nantes"));
  CHECK(str_eq(field_of(a, 2, CRM_FIELD_CITY, buf, sizeof buf), "Lyon"));

  /* a mapping of the caller's own headers, windows-1252 */
  write_file(bad, "Pr\xe9nom|Nom|Ville\nZo\xe9|Petit|Orl\xe9" "ans\n");
  CHECK_OK(crm_import_options_map(opts, "Pr\xc3\xa9nom", "first_name"));
  CHECK_OK(crm_import_options_map(opts, "Nom", "last_name"));
  CHECK_OK(crm_import_options_map(opts, "Ville", "city"));
  CHECK_OK(crm_import_options_set(opts, "encoding", "windows-1252"));
  CHECK_OK(crm_import_options_set(opts, "delimiter", "|"));
  CHECK_OK(crm_import_options_set(opts, "match_on", "none"));
  CHECK_OK(crm_tenant_import(b, bad, opts, NULL, NULL, &report));
  CHECK_OK(crm_import_report_counts(report, &counts));
  CHECK(counts.created == 1);
  crm_import_report_free(report);
  CHECK(str_eq(field_of(b, 3, CRM_FIELD_CITY, buf, sizeof buf), "Orl\xc3\xa9" "ans"));
  crm_import_options_free(opts);

  /* from memory: the same rows, matched by email this time */
  {
    static const char data[] = "first_name,last_name,email\nPaul,Dupont,paul@example.fr\nNew,Person,new@example.fr\n";
    CHECK_OK(crm_tenant_import_bytes(b, (const uint8_t *)data, sizeof data - 1, NULL, progress, NULL, &report));
    CHECK_OK(crm_import_report_counts(report, &counts));
    CHECK(counts.rows == 2 && counts.created == 1 && counts.unchanged == 1 && counts.committed);
    CHECK(last_total == 0 && last_done == sizeof data - 1);
    crm_import_report_free(report);
    CHECK_STATUS(crm_tenant_import_bytes(b, NULL, 3, NULL, NULL, NULL, &report), CRM_ERR_INVALID_ARGUMENT);
  }

  /* refused options and files: typed errors naming the field */
  CHECK_OK(crm_import_options_new(&opts));
  CHECK_STATUS(crm_import_options_set(opts, "match_on", "phone"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "match_on"));
  CHECK_STATUS(crm_import_options_set(opts, "colour", "blue"), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_import_options_set(opts, "encoding", "klingon"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "encoding"));
  CHECK_STATUS(crm_import_options_set(opts, "batch_size", "0"), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "batch_size"));
  CHECK_STATUS(crm_import_options_set(opts, "delimiter", ";;"), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_import_options_set_flags(opts, 64), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_import_options_map(opts, "X", "shoe_size"), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_import_options_map(NULL, "X", "city"), CRM_ERR_INVALID_ARGUMENT);
  write_file(bad, "first_name,first_name\nA,B\n");
  report = NULL;
  CHECK_STATUS(crm_tenant_import(b, bad, opts, NULL, NULL, &report), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "columns"));
  CHECK(report == NULL);
  snprintf(buf, sizeof buf, "%s/missing.csv", argv[1]);
  CHECK_STATUS(crm_tenant_import(b, buf, opts, NULL, NULL, &report), CRM_ERR_IO);
  CHECK_STATUS(crm_tenant_import(b, NULL, opts, NULL, NULL, &report), CRM_ERR_INVALID_ARGUMENT);
  /* the wrong handle type is refused, not misread */
  CHECK_STATUS(crm_import_report_counts((const crm_import_report *)(const void *)opts, &counts), CRM_ERR_INVALID_ARGUMENT);
  crm_import_options_free(opts);
  crm_import_options_free(NULL);
  crm_import_report_free(NULL);

  CHECK_OK(crm_tenant_get_customer_by_no(a, 2, &c));
  crm_customer_free(c);
  CHECK_STATUS(crm_tenant_get_customer_by_no(a, 3, &c), CRM_ERR_NOT_FOUND);
  crm_tenant_free(a);
  crm_tenant_free(b);
  crm_db_free(db);
  puts("test_import: ok");
  return 0;
}
