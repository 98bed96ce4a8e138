/* Inputs that size work are bounded: a 10 MB typed word, a 10 MB or 982-character filter, an
 * offset of 2^63 get CRM_ERR_VALIDATION naming the argument, in a child process that then goes
 * on living (a failed allocation would abort it), and in this one. Run under AddressSanitizer.
 * Usage: test_bounds <scratch dir> */
#if !defined(__cplusplus)
#define _POSIX_C_SOURCE 200809L
#endif
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static void refused(crm_tenant *t, crm_search_query *q, const char *field) {
  crm_customer_page *page = NULL;
  CHECK_STATUS(crm_tenant_search(t, q, &page), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), field));
  CHECK(page == NULL);
  crm_search_query_free(q);
}

/* Every hostile search of the test, each refused. */
static void hostile_searches(crm_tenant *t) {
  const size_t n = 10u * 1024u * 1024u;
  char *word = (char *)malloc(n + 1);
  crm_search_query *q = NULL;
  CHECK(word != NULL);
  memset(word, 'x', n);
  word[n] = '\0';

  CHECK_OK(crm_search_query_new(word, &q));
  refused(t, q, "text");

  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_COMPANY, word));
  refused(t, q, "company");

  word[982] = '\0'; /* once "a typed word made an invalid prefix pattern" */
  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_filter(q, CRM_FILTER_LAST_NAME, word));
  refused(t, q, "last_name");

  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_sort(q, CRM_SORT_NAME));
  CHECK_OK(crm_search_query_page(q, UINT64_C(1) << 63, 20));
  refused(t, q, "offset");

  CHECK_OK(crm_search_query_new(NULL, &q));
  CHECK_OK(crm_search_query_sort(q, CRM_SORT_NAME));
  CHECK_OK(crm_search_query_page(q, UINT64_C(2147483648), 20));
  refused(t, q, "offset");
  free(word);
}

static crm_tenant *open_tenant(const char *path, crm_db **db) {
  crm_tenant *t = NULL;
  CHECK_OK(crm_db_open(path, db));
  CHECK_OK(crm_tenant_open(*db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  return t;
}

int main(int argc, char **argv) {
  char path[4096];
  crm_db *db = NULL;
  crm_tenant *t = NULL;
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  pid_t child;
  int status = 0;

  CHECK(argc == 2);
  snprintf(path, sizeof path, "%s/bounds.db", argv[1]);
  remove(path);

  t = open_tenant(path, &db);
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "Ann"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Deep"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  crm_customer_free(c);
  crm_tenant_free(t);
  crm_db_free(db);

  /* A child process of its own, which must live to say it is done. */
  fflush(NULL);
  child = fork();
  CHECK(child >= 0);
  if (child == 0) {
    crm_db *cdb = NULL;
    crm_tenant *ct = open_tenant(path, &cdb);
    hostile_searches(ct);
    crm_tenant_free(ct);
    crm_db_free(cdb);
    printf("test_bounds: child alive\n");
    fflush(NULL);
    _exit(0);
  }
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* The same in this process, which then searches as usual. */
  t = open_tenant(path, &db);
  hostile_searches(t);
  CHECK_OK(crm_search_query_new("deep", &q));
  CHECK_OK(crm_search_query_page(q, 0, 20));
  CHECK_OK(crm_tenant_search(t, q, &page));
  CHECK(crm_customer_page_total(page) == 1);
  CHECK(crm_customer_page_behind(page) == 0);
  crm_customer_page_free(page);
  crm_search_query_free(q);
  crm_tenant_free(t);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_bounds: ok\n");
  return 0;
}
