/* The change feed's life from C: cursors, compaction, and a reader told when what it wanted
 * was compacted away. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "check.h"

static void create(crm_tenant *t, const char *first) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Feedwalker"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_free(c);
  crm_customer_fields_free(f);
}

/* The sequence of the tenant's event at `index`. */
static int64_t seq_at(crm_tenant *t, size_t index) {
  crm_change_list *feed = NULL;
  int64_t seq;
  CHECK_OK(crm_tenant_changes_since(t, 0, 100, &feed));
  CHECK(index < crm_change_list_len(feed));
  seq = crm_change_seq(crm_change_list_get(feed, index));
  crm_change_list_free(feed);
  return seq;
}

/* Compacts with no retention, once every event written so far is a few ms old. */
static void compact_now(crm_db *db, uint64_t *tenants, uint64_t *events) {
  struct timespec pause = {0, 3000000L};
  nanosleep(&pause, NULL);
  CHECK_OK(crm_db_compact_feeds(db, 0, tenants, events));
}

int main(void) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_change_list *feed = NULL;
  int64_t compacted = -1, head = -1, kept;
  uint64_t tenants = 0, events = 0;
  bool removed = false;
  char *json = NULL;

  CHECK(strcmp(crm_status_name(CRM_ERR_FEED_COMPACTED), "CRM_ERR_FEED_COMPACTED") == 0);
  CHECK(CRM_FEED_RETENTION_SECONDS == 30u * 24u * 3600u);
  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-2", "u-17", CRM_ROLE_AGENT, &other));
  create(t, "Ana");
  create(t, "Bo");
  create(t, "Cy");
  create(other, "Di");

  CHECK_OK(crm_tenant_feed_bounds(t, &compacted, &head));
  CHECK(compacted == 0 && head == seq_at(t, 2));
  CHECK_STATUS(crm_tenant_feed_bounds(t, &compacted, &compacted), CRM_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(crm_tenant_feed_bounds(t, NULL, &head), CRM_ERR_INVALID_ARGUMENT);

  /* Within the default retention nothing goes. */
  CHECK_OK(crm_db_compact_feeds(db, CRM_FEED_RETENTION_SECONDS, &tenants, &events));
  CHECK(tenants == 0 && events == 0);

  /* A reader registered after the first event keeps the two after it. */
  kept = seq_at(t, 0);
  CHECK_OK(crm_tenant_set_feed_cursor(t, "warehouse", kept));
  /* The other tenant's reader holds its own feed back, not this one's. */
  CHECK_OK(crm_tenant_set_feed_cursor(other, "warehouse", 0));
  compact_now(db, &tenants, &events);
  CHECK(tenants == 1 && events == 1);
  CHECK_OK(crm_tenant_feed_bounds(t, &compacted, &head));
  CHECK(compacted == kept);
  CHECK_OK(crm_tenant_changes_since(t, kept, 100, &feed));
  CHECK(crm_change_list_len(feed) == 2);
  crm_change_list_free(feed);
  feed = NULL;
  CHECK_STATUS(crm_tenant_changes_since(t, 0, 100, &feed), CRM_ERR_FEED_COMPACTED);
  CHECK(feed == NULL);
  CHECK_OK(crm_tenant_changes_since(other, 0, 100, &feed));
  CHECK(crm_change_list_len(feed) == 1);
  crm_change_list_free(feed);

  /* Cursors are checked and listed. */
  CHECK_STATUS(crm_tenant_set_feed_cursor(t, "late", kept - 1), CRM_ERR_FEED_COMPACTED);
  CHECK_STATUS(crm_tenant_set_feed_cursor(t, "ahead", head + 1), CRM_ERR_VALIDATION);
  CHECK(strcmp(crm_last_error_field(), "seq") == 0);
  CHECK_STATUS(crm_tenant_set_feed_cursor(t, " ", head), CRM_ERR_VALIDATION);
  CHECK(strcmp(crm_last_error_field(), "name") == 0);
  CHECK_STATUS(crm_tenant_set_feed_cursor(t, NULL, head), CRM_ERR_INVALID_ARGUMENT);
  CHECK_OK(crm_tenant_feed_cursors_json(t, &json));
  CHECK(strstr(json, "\"feed_cursors\"") != NULL && strstr(json, "\"warehouse\"") != NULL);
  CHECK(strstr(json, "\"late\"") == NULL);
  crm_string_free(json);

  /* Dropped, the cursor holds nothing back. */
  CHECK_OK(crm_tenant_remove_feed_cursor(t, "warehouse", &removed));
  CHECK(removed);
  CHECK_OK(crm_tenant_remove_feed_cursor(t, "warehouse", &removed));
  CHECK(!removed);
  CHECK_OK(crm_tenant_remove_feed_cursor(t, "warehouse", NULL));
  compact_now(db, NULL, &events);
  CHECK(events == 2);
  CHECK_OK(crm_tenant_feed_bounds(t, &compacted, &head));
  CHECK(compacted == head);
  CHECK_OK(crm_tenant_feed_cursors_json(other, &json));
  CHECK(strstr(json, "\"warehouse\"") != NULL);
  crm_string_free(json);
  CHECK_STATUS(crm_db_compact_feeds(NULL, 0, NULL, NULL), CRM_ERR_INVALID_ARGUMENT);

  crm_tenant_free(other);
  crm_tenant_free(t);
  crm_db_free(db);
  printf("test_feed: ok\n");
  return 0;
}
