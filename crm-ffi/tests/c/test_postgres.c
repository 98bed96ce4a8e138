/* The PostgreSQL store from C: two handles on one database, each with its own index folder,
 * stand for two application servers. CRM_TEST_POSTGRES names the test server; without it the
 * test says it is skipped, and fails when CI is set. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static uint64_t found(crm_tenant *t, const char *text) {
  crm_search_query *q = NULL;
  crm_customer_page *page = NULL;
  uint64_t n;
  int tries;
  CHECK_OK(crm_search_query_new(text, &q));
  /* A search takes other servers' writes in within a time budget: search again until it
   * reflects everything (2 s at most). */
  for (tries = 0;; tries++) {
    CHECK_OK(crm_tenant_search(t, q, &page));
    if (crm_customer_page_behind(page) == 0 || tries == 100) break;
    crm_customer_page_free(page);
    {
      struct timespec pause = {0, 20000000L};
      nanosleep(&pause, NULL);
    }
  }
  n = crm_customer_page_total(page);
  crm_customer_page_free(page);
  crm_search_query_free(q);
  return n;
}

int main(int argc, char **argv) {
  const char *url = getenv("CRM_TEST_POSTGRES");
  char index_one[512], index_two[512], tenant_id[64];
  crm_db *one = NULL, *two = NULL, *bad = NULL;
  crm_tenant *t1 = NULL, *t2 = NULL, *stranger = NULL;
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  crm_change_list *feed = NULL;
  size_t i;

  if (url == NULL || url[0] == '\0') {
    const char *ci = getenv("CI");
    if (ci != NULL && ci[0] != '\0') {
      fprintf(stderr, "test_postgres: CI is set and CRM_TEST_POSTGRES is not\n");
      return 1;
    }
    printf("test_postgres: CRM_TEST_POSTGRES is not set: SKIPPED\n");
    return 0;
  }
  CHECK(argc > 1);
  snprintf(index_one, sizeof index_one, "%s/pg-index-one", argv[1]);
  snprintf(index_two, sizeof index_two, "%s/pg-index-two", argv[1]);
  /* The database is shared with other runs: a tenant of this run's own. */
  snprintf(tenant_id, sizeof tenant_id, "c-%ld-%ld", (long)getpid(), (long)time(NULL));

  CHECK_STATUS(crm_db_connect("host=/nonexistent user=nobody", index_one, &bad), CRM_ERR_STORAGE);
  CHECK(bad == NULL);
  CHECK_STATUS(crm_db_connect("postgresql://[bad", index_one, &bad), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_db_connect(NULL, index_one, &bad), CRM_ERR_INVALID_ARGUMENT);
  CHECK_OK(crm_db_connect(url, index_one, &one));
  CHECK_OK(crm_db_connect(url, index_two, &two));
  CHECK_OK(crm_tenant_open(one, tenant_id, "u-17", CRM_ROLE_AGENT, &t1));
  CHECK_OK(crm_tenant_open(two, tenant_id, "u-17", CRM_ROLE_AGENT, &t2));
  CHECK_OK(crm_tenant_open(two, "c-stranger", "u-17", CRM_ROLE_AGENT, &stranger));

  /* A write through one server is found through the other; another tenant finds nothing. */
  CHECK(found(t2, "zoltan") == 0);
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "Zoltan"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Kodály"));
  CHECK_OK(crm_tenant_create_customer(t1, f, &c));
  CHECK(found(t2, "zoltan") == 1);
  CHECK(found(t1, "kodaly") == 1);
  CHECK(found(stranger, "zoltan") == 0);

  /* Every tenant's changes taken in at once (a host's timer on each server). */
  CHECK_OK(crm_db_sync_index(two));
  CHECK_STATUS(crm_db_sync_index(NULL), CRM_ERR_INVALID_ARGUMENT);

  /* The tenant's feed counts from 1 without gaps, read through either server. */
  CHECK_OK(crm_tenant_changes_since(t2, 0, 100, &feed));
  CHECK(crm_change_list_len(feed) == 1);
  for (i = 0; i < crm_change_list_len(feed); i++) {
    CHECK(crm_change_seq(crm_change_list_get(feed, i)) == (int64_t)i + 1);
  }
  crm_change_list_free(feed);

  /* Over TLS, with the authority that signed the server's certificate (scripts/pg-server). */
  {
    const char *tls = getenv("CRM_TEST_POSTGRES_TLS");
    const char *ca = getenv("CRM_TEST_POSTGRES_CA");
    char require[1024], index_tls[512];
    crm_db *secure = NULL;
    if (tls == NULL || ca == NULL || tls[0] == '\0' || ca[0] == '\0') {
      const char *ci = getenv("CI");
      if (ci != NULL && ci[0] != '\0') {
        fprintf(stderr, "test_postgres: CI is set and CRM_TEST_POSTGRES_TLS is not\n");
        return 1;
      }
      printf("test_postgres: CRM_TEST_POSTGRES_TLS is not set: TLS SKIPPED\n");
    } else {
      snprintf(require, sizeof require, "%s sslmode=require", tls);
      snprintf(index_tls, sizeof index_tls, "%s/pg-index-tls", argv[1]);
      CHECK_STATUS(crm_db_connect(require, index_tls, &secure), CRM_ERR_STORAGE);
      CHECK(secure == NULL);
      CHECK_STATUS(crm_db_connect_with_ca(require, index_tls, NULL, &secure),
                   CRM_ERR_INVALID_ARGUMENT);
      CHECK_OK(crm_db_connect_with_ca(require, index_tls, ca, &secure));
      CHECK_OK(crm_db_sync_index(secure));
      crm_db_free(secure);
    }
  }

  crm_customer_free(c);
  crm_customer_fields_free(f);
  crm_tenant_free(stranger);
  crm_tenant_free(t2);
  crm_tenant_free(t1);
  crm_db_free(two);
  crm_db_free(one);
  printf("test_postgres: ok\n");
  return 0;
}
