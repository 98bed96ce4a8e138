/* Exporting customers from C: CSV (all or a search result, chosen columns, formula-safe),
 * XLSX, and errors that leave no file behind. argv[1] is a scratch folder. */
#include "check.h"

static char *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  char *data;
  long n;
  CHECK(f != NULL);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = (char *)malloc((size_t)n + 1);
  CHECK(data != NULL && fread(data, 1, (size_t)n, f) == (size_t)n);
  data[n] = '\0';
  fclose(f);
  *size = (size_t)n;
  return data;
}

static void create(crm_tenant *t, const char *first, const char *city, const char *company) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Dupont"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_CITY, city));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_COMPANY, company));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_free(c);
  crm_customer_fields_free(f);
}

static uint64_t last_total = 0;

static void progress(void *userdata, uint64_t done, uint64_t total) {
  (void)userdata;
  CHECK(done <= total);
  last_total = total;
}

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *t = NULL;
  crm_search_query *lyon = NULL;
  char csv[512], xlsx[512], bad[512];
  char *data;
  size_t size = 0;
  uint64_t rows = 0;
  FILE *probe;

  CHECK(argc > 1);
  snprintf(csv, sizeof csv, "%s/export.csv", argv[1]);
  snprintf(xlsx, sizeof xlsx, "%s/export.xlsx", argv[1]);
  snprintf(bad, sizeof bad, "%s/bad.csv", argv[1]);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  create(t, "H\xc3\xa9l\xc3\xa8ne", "Lyon", "=1+1");
  create(t, "Paul", "Paris", "Acme");

  CHECK_OK(crm_tenant_export(t, csv, CRM_EXPORT_CSV_BOM, "customer_no,first_name,city,company", NULL, progress, NULL, &rows));
  CHECK(rows == 2 && last_total == 2);
  data = slurp(csv, &size);
  CHECK(memcmp(data, "\xef\xbb\xbf" "customer_no,first_name,city,company\n", 39) == 0);
  CHECK(contains(data, "1,H\xc3\xa9l\xc3\xa8ne,Lyon,'=1+1\n"));
  CHECK(contains(data, "2,Paul,Paris,Acme\n"));
  free(data);

  /* a search result */
  CHECK_OK(crm_search_query_new(NULL, &lyon));
  CHECK_OK(crm_search_query_filter(lyon, CRM_FILTER_CITY, "Lyon"));
  CHECK_OK(crm_tenant_export(t, csv, CRM_EXPORT_CSV, "first_name", lyon, NULL, NULL, &rows));
  CHECK(rows == 1);
  data = slurp(csv, &size);
  CHECK(strcmp(data, "first_name\nH\xc3\xa9l\xc3\xa8ne\n") == 0);
  free(data);

  /* a workbook */
  CHECK_OK(crm_tenant_export(t, xlsx, CRM_EXPORT_XLSX, NULL, NULL, NULL, NULL, NULL));
  data = slurp(xlsx, &size);
  CHECK(size > 100 && memcmp(data, "PK", 2) == 0);
  free(data);

  /* a PDF list to print */
  CHECK_OK(crm_tenant_export(t, xlsx, CRM_EXPORT_PDF, "customer_no,first_name", lyon, NULL, NULL, &rows));
  CHECK(rows == 1);
  data = slurp(xlsx, &size);
  CHECK(size > 100 && memcmp(data, "%PDF", 4) == 0);
  free(data);

  /* errors leave nothing */
  CHECK_STATUS(crm_tenant_export(t, bad, CRM_EXPORT_CSV, "first_name,shoe_size", NULL, NULL, NULL, &rows), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "columns"));
  CHECK_STATUS(crm_tenant_export(t, bad, 7, NULL, NULL, NULL, NULL, &rows), CRM_ERR_INVALID_ARGUMENT);
  probe = fopen(bad, "rb");
  CHECK(probe == NULL);
  CHECK_STATUS(crm_tenant_export(t, "/nonexistent-dir/x.csv", CRM_EXPORT_CSV, NULL, NULL, NULL, NULL, &rows), CRM_ERR_IO);

  remove(csv);
  remove(xlsx);
  crm_search_query_free(lyon);
  crm_tenant_free(t);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_export: ok\n");
  return 0;
}
