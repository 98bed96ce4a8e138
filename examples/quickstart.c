/* Quickstart of the C API: create customers, link bookings, search, show a history.
 *
 *   cargo build -p crm-ffi
 *   cc -std=c99 -Iinclude examples/quickstart.c -Ltarget/debug -lcrm_ffi -o quickstart
 *   LD_LIBRARY_PATH=target/debug ./quickstart [agency.db]
 *
 * Without a path the database lives in memory. Every call returns a crm_status; on failure
 * crm_last_error() says why. Handles written to out-parameters are the caller's to free. */
#include <stdio.h>
#include <stdlib.h>

#include "crm.h"

static int ok(crm_status status, const char *what) {
  if (status != CRM_OK) {
    fprintf(stderr, "%s failed: %s: %s\n", what, crm_status_name((uint32_t)status), crm_last_error());
    return 0;
  }
  return 1;
}

#define TRY(call)             \
  do {                        \
    if (!ok((call), #call)) { \
      goto done;              \
    }                         \
  } while (0)

int main(int argc, char **argv) {
  crm_db *db = NULL;
  crm_tenant *agency = NULL;
  crm_customer_fields *fields = NULL;
  crm_customer *helene = NULL;
  crm_booking_fields *trip = NULL;
  crm_booking *booked = NULL;
  crm_booking_list *history = NULL;
  crm_search_query *query = NULL;
  crm_customer_page *page = NULL;
  bool created = false;
  int status = 1;
  size_t i;
  const char *typed[] = {"hel", "dupont", "0612", "5678"};

  if (argc > 1) {
    TRY(crm_db_open(argv[1], &db));
  } else {
    TRY(crm_db_open_in_memory(&db));
  }
  TRY(crm_tenant_open(db, "agency-42", "u-17", CRM_ROLE_AGENT, &agency));
  TRY(crm_tenant_set_default_region(agency, "FR"));

  /* a customer, field by field */
  TRY(crm_customer_fields_new(&fields));
  TRY(crm_customer_fields_set(fields, CRM_FIELD_FIRST_NAME, "H\xc3\xa9l\xc3\xa8ne"));
  TRY(crm_customer_fields_set(fields, CRM_FIELD_LAST_NAME, "Dupont"));
  TRY(crm_customer_fields_set(fields, CRM_FIELD_EMAIL, "Helene.Dupont@example.fr"));
  TRY(crm_customer_fields_set(fields, CRM_FIELD_MOBILE, "06 12 34 56 78"));
  TRY(crm_tenant_create_customer(agency, fields, &helene));
  printf("created customer no. %lld, mobile %s\n", (long long)crm_customer_no(helene),
         crm_customer_e164(helene, CRM_FIELD_MOBILE));

  /* two bookings linked to her */
  TRY(crm_booking_fields_new("BK-1001", "2026-07-14T08:30:00+02:00", &trip));
  TRY(crm_booking_fields_set(trip, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(helene)));
  TRY(crm_booking_fields_set(trip, CRM_BOOKING_ROUTE_FROM, "Lyon Part-Dieu"));
  TRY(crm_booking_fields_set(trip, CRM_BOOKING_ROUTE_TO, "A\xc3\xa9roport LYS"));
  TRY(crm_booking_fields_add_invoice(trip, "INV-1", 4500, "EUR", "paid", NULL, NULL, NULL));
  TRY(crm_tenant_upsert_booking(agency, trip, &booked, &created));
  crm_booking_free(booked);
  booked = NULL;
  crm_booking_fields_free(trip);
  trip = NULL;
  TRY(crm_booking_fields_new("BK-1002", "2026-07-21T18:00:00+02:00", &trip));
  TRY(crm_booking_fields_set(trip, CRM_BOOKING_CUSTOMER_ID, crm_customer_id(helene)));
  TRY(crm_booking_fields_set(trip, CRM_BOOKING_ROUTE_FROM, "A\xc3\xa9roport LYS"));
  TRY(crm_booking_fields_set(trip, CRM_BOOKING_ROUTE_TO, "Lyon Part-Dieu"));
  TRY(crm_tenant_upsert_booking(agency, trip, &booked, &created));

  /* type-ahead search */
  for (i = 0; i < sizeof typed / sizeof typed[0]; i++) {
    TRY(crm_search_query_new(typed[i], &query));
    TRY(crm_tenant_search(agency, query, &page));
    printf("search '%s': %llu found", typed[i], (unsigned long long)crm_customer_page_total(page));
    if (crm_customer_page_len(page) > 0) {
      const crm_customer_row *row = crm_customer_page_row(page, 0);
      printf(", first %s %s with %llu bookings", crm_customer_row_get(row, CRM_ROW_FIRST_NAME),
             crm_customer_row_get(row, CRM_ROW_LAST_NAME),
             (unsigned long long)crm_customer_row_bookings(row));
    }
    printf("\n");
    crm_customer_page_free(page);
    page = NULL;
    crm_search_query_free(query);
    query = NULL;
  }

  /* her history, newest first */
  TRY(crm_tenant_booking_history(agency, crm_customer_id(helene), &history));
  for (i = 0; i < crm_booking_list_len(history); i++) {
    const crm_booking *b = crm_booking_list_get(history, i);
    printf("  %s  %s (%s)\n", crm_booking_get(b, CRM_BOOKING_PICKUP_AT), crm_booking_get(b, CRM_BOOKING_ROUTE),
           crm_booking_get(b, CRM_BOOKING_STATUS));
  }
  status = 0;

done:
  crm_booking_list_free(history);
  crm_customer_page_free(page);
  crm_search_query_free(query);
  crm_booking_free(booked);
  crm_booking_fields_free(trip);
  crm_customer_free(helene);
  crm_customer_fields_free(fields);
  crm_tenant_free(agency);
  crm_db_free(db);
  return status;
}
