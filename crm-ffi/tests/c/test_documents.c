/* Documents from C: attach bytes (with NULs), list, read back, delete; checks and isolation. */
#include "check.h"

int main(void) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  crm_document *doc = NULL, *read = NULL, *never = NULL;
  crm_document_list *list = NULL;
  static const uint8_t scan[] = {0x89, 'P', 'N', 'G', 0x00, 0x0d, 0x0a, 0x00, 0xff};
  const uint8_t *bytes;
  size_t size = 0;
  char id[64];

  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-2", "u-17", CRM_ROLE_AGENT, &other));
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, "Ana"));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, "Lopez"));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));

  CHECK_OK(crm_tenant_attach_document(t, crm_customer_id(c), "passport.png", "image/png", scan, sizeof scan, &doc));
  CHECK(str_eq(crm_document_get(doc, CRM_DOCUMENT_NAME), "passport.png"));
  CHECK(str_eq(crm_document_get(doc, CRM_DOCUMENT_CONTENT_TYPE), "image/png"));
  CHECK(str_eq(crm_document_get(doc, CRM_DOCUMENT_CUSTOMER_ID), crm_customer_id(c)));
  CHECK(strlen(crm_document_get(doc, CRM_DOCUMENT_SHA256)) == 64);
  CHECK(crm_document_get(doc, CRM_DOCUMENT_ADDED_AT) != NULL);
  CHECK(crm_document_size(doc) == sizeof scan);
  CHECK(crm_document_content(doc, &size) == NULL && size == 0); /* no bytes kept here */
  CHECK(crm_document_get(doc, CRM_FIELD_FIRST_NAME) == NULL);   /* another family */
  CHECK(contains(crm_last_error(), "crm_document_field"));
  snprintf(id, sizeof id, "%s", crm_document_get(doc, CRM_DOCUMENT_ID));

  CHECK_OK(crm_tenant_get_document(t, id, &read));
  bytes = crm_document_content(read, &size);
  CHECK(bytes != NULL && size == sizeof scan && memcmp(bytes, scan, sizeof scan) == 0);
  CHECK(crm_document_content(read, NULL) == bytes);
  CHECK_OK(crm_tenant_documents(t, crm_customer_id(c), &list));
  CHECK(crm_document_list_len(list) == 1);
  CHECK(str_eq(crm_document_get(crm_document_list_get(list, 0), CRM_DOCUMENT_ID), id));
  CHECK(crm_document_list_get(list, 1) == NULL);
  crm_document_free((crm_document *)crm_document_list_get(list, 0));
  CHECK(contains(crm_last_error(), "borrowed"));
  crm_document_list_free(list);

  /* checks */
  CHECK_STATUS(crm_tenant_attach_document(t, crm_customer_id(c), "../x", "image/png", scan, 1, &never), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "name"));
  CHECK_STATUS(crm_tenant_attach_document(t, crm_customer_id(c), "x.png", "png", scan, 1, &never), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "content_type"));
  CHECK_STATUS(crm_tenant_attach_document(t, crm_customer_id(c), "x.png", "image/png", NULL, 0, &never), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "content"));
  CHECK_STATUS(crm_tenant_attach_document(t, crm_customer_id(c), "x.png", "image/png", scan, (size_t)1 << 40, &never), CRM_ERR_VALIDATION);
  CHECK_STATUS(crm_tenant_attach_document(t, crm_customer_id(c), "x.png", "image/png", NULL, 5, &never), CRM_ERR_INVALID_ARGUMENT);
  CHECK(never == NULL);

  /* isolation */
  CHECK_STATUS(crm_tenant_get_document(other, id, &never), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_delete_document(other, id), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_documents(other, crm_customer_id(c), &list), CRM_ERR_NOT_FOUND);

  CHECK_OK(crm_tenant_delete_document(t, id));
  CHECK_STATUS(crm_tenant_get_document(t, id, &never), CRM_ERR_NOT_FOUND);
  CHECK_STATUS(crm_tenant_delete_document(t, "not-an-id"), CRM_ERR_VALIDATION);

  crm_document_free(read);
  crm_document_free(doc);
  crm_customer_free(c);
  crm_customer_fields_free(f);
  crm_tenant_free(other);
  crm_tenant_free(t);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_documents: ok\n");
  return 0;
}
