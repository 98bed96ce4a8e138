/* Tiny assertion helpers shared by the C tests (C99 and C++17). */
#ifndef CRM_TEST_CHECK_H
#define CRM_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__,   \
              __LINE__, #cond, crm_last_error());                                \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

#define CHECK_OK(call)                                                           \
  do {                                                                           \
    crm_status check_status_ = (call);                                           \
    if (check_status_ != CRM_OK) {                                               \
      fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__, __LINE__, #call, \
              crm_status_name((uint32_t)check_status_), crm_last_error());       \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

#define CHECK_STATUS(call, expected)                                             \
  do {                                                                           \
    crm_status check_status_ = (call);                                           \
    if (check_status_ != (expected)) {                                           \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (%s)\n", __FILE__,    \
              __LINE__, #call, crm_status_name((uint32_t)check_status_),         \
              crm_status_name((uint32_t)(expected)), crm_last_error());          \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

static inline int str_eq(const char *a, const char *b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static inline int contains(const char *haystack, const char *needle) {
  return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* The database a test runs on: in memory, or, when `make test-c` runs the tests on PostgreSQL
 * (CRM_TEST_C_URL and CRM_TEST_C_INDEX), a schema of its own on the test server with its
 * index in a folder of its own. One of the two without the other is a mistake of the run. */
static inline crm_status test_db_open(crm_db **out) {
  const char *url = getenv("CRM_TEST_C_URL");
  const char *index = getenv("CRM_TEST_C_INDEX");
  int has_url = url != NULL && url[0] != '\0';
  int has_index = index != NULL && index[0] != '\0';
  if (has_url != has_index) {
    fprintf(stderr, "CRM_TEST_C_URL and CRM_TEST_C_INDEX go together\n");
    exit(1);
  }
  if (has_url) {
    return crm_db_connect(url, index, out);
  }
  return crm_db_open_in_memory(out);
}

#endif
