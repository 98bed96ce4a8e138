/* Duplicates from C: threshold and weights, candidates before and after a create with what each
 * field contributed, the batch finder, the learned model. */
#include "check.h"

static crm_customer *create(crm_tenant *t, const char *first, const char *last, const char *email,
                            const char *mobile) {
  crm_customer_fields *f = NULL;
  crm_customer *c = NULL;
  CHECK_OK(crm_customer_fields_new(&f));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_FIRST_NAME, first));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_LAST_NAME, last));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_EMAIL, email));
  CHECK_OK(crm_customer_fields_set(f, CRM_FIELD_MOBILE, mobile));
  CHECK_OK(crm_tenant_create_customer(t, f, &c));
  crm_customer_fields_free(f);
  return c;
}

static uint64_t last_done = 0, last_total = 1;

static void progress(void *userdata, uint64_t done, uint64_t total) {
  (void)userdata;
  CHECK(done >= last_done);
  last_done = done;
  last_total = total;
}

int main(void) {
  crm_db *db = NULL;
  crm_tenant *t = NULL, *other = NULL;
  crm_customer *helene, *bob, *robert, *stranger;
  crm_customer_fields *typed = NULL;
  crm_duplicate_list *found = NULL;
  crm_cluster_list *clusters = NULL;
  crm_match_config *strict = NULL;
  char *json = NULL;

  CHECK_OK(test_db_open(&db));
  CHECK_OK(crm_tenant_open(db, "agency-1", "u-17", CRM_ROLE_AGENT, &t));
  CHECK_OK(crm_tenant_open(db, "agency-2", "u-17", CRM_ROLE_AGENT, &other));
  CHECK_OK(crm_tenant_set_default_region(t, "FR"));
  helene = create(t, "H\xc3\xa9l\xc3\xa8ne", "Dupont", "helene.dupont@example.fr", "06 12 34 56 78");
  bob = create(t, "Bob", "Smith", NULL, "06 11 22 33 44");
  robert = create(t, "Robert", "Smith", NULL, "+33611223344");
  stranger = create(other, "H\xc3\xa9l\xc3\xa8ne", "Dupont", "helene.dupont@example.fr", NULL);

  /* before a create: the same email in capitals, the name without accents */
  CHECK_OK(crm_customer_fields_new(&typed));
  CHECK_OK(crm_customer_fields_set(typed, CRM_FIELD_FIRST_NAME, "Helene"));
  CHECK_OK(crm_customer_fields_set(typed, CRM_FIELD_LAST_NAME, "DUPONT"));
  CHECK_OK(crm_customer_fields_set(typed, CRM_FIELD_EMAIL, "HELENE.DUPONT@EXAMPLE.FR"));
  CHECK_OK(crm_tenant_possible_duplicates(t, typed, NULL, &found));
  CHECK(crm_duplicate_list_len(found) == 1); /* never the other tenant's Hélène */
  CHECK(str_eq(crm_duplicate_list_customer_id(found, 0), crm_customer_id(helene)));
  CHECK(crm_duplicate_list_score(found, 0) >= 0.9);
  CHECK(contains(crm_duplicate_list_explanation(found, 0), "same email ignoring case (+"));
  {
    const char *field = NULL, *level = NULL;
    double weight = 0;
    size_t n = crm_duplicate_list_contribution_count(found, 0);
    CHECK(n == 3); /* email, first name, last name: the others are unknown */
    CHECK_OK(crm_duplicate_list_contribution(found, 0, 0, &field, &level, &weight));
    CHECK(str_eq(field, "email") && str_eq(level, "same") && weight > 5);
    CHECK_OK(crm_duplicate_list_contribution(found, 0, 2, &field, &level, &weight));
    CHECK_STATUS(crm_duplicate_list_contribution(found, 0, 3, &field, &level, &weight),
                 CRM_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(crm_duplicate_list_contribution(found, 1, 0, &field, &level, &weight),
                 CRM_ERR_INVALID_ARGUMENT);
    CHECK(crm_duplicate_list_contribution_count(found, 1) == 0);
  }
  CHECK(crm_duplicate_list_customer_id(found, 1) == NULL);
  CHECK(crm_duplicate_list_score(found, 1) < 0);
  crm_duplicate_list_free(found);

  /* after: Bob and Robert share a phone */
  CHECK_OK(crm_tenant_duplicates_of(t, crm_customer_id(bob), NULL, &found));
  CHECK(crm_duplicate_list_len(found) == 1);
  CHECK(contains(crm_duplicate_list_explanation(found, 0), "same phone number (+"));
  CHECK(contains(crm_duplicate_list_explanation(found, 0), "first names a nickname pair (+"));
  crm_duplicate_list_free(found);

  /* stricter rules */
  CHECK_OK(crm_match_config_new(&strict));
  CHECK(crm_match_config_threshold(strict) > 0.84 && crm_match_config_threshold(strict) < 0.86);
  CHECK_OK(crm_match_config_set_threshold(strict, 0.99));
  CHECK_STATUS(crm_match_config_set_threshold(strict, 1.5), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "threshold"));
  CHECK(crm_match_config_threshold(strict) > 0.98); /* a refused value changes nothing */
  CHECK_STATUS(crm_match_config_set_weight(strict, "shoe_size", "same", 1), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "field"));
  CHECK_STATUS(crm_match_config_set_weight(strict, "phone", "nickname", 1), CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "weights"));
  /* first names alike only in their first letter: a level of first names only */
  CHECK_STATUS(crm_match_config_set_weight(strict, "last_name", "same_initial", 1),
               CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "weights"));
  CHECK_OK(crm_match_config_set_weight(strict, "first_name", "same_initial", -1.0));
  CHECK_STATUS(crm_match_config_set_weight(strict, "phone", "same", 1e6), CRM_ERR_VALIDATION);
  CHECK_OK(crm_match_config_set_weight(strict, "phone", "same", 2.0));
  CHECK_OK(crm_tenant_duplicates_of(t, crm_customer_id(bob), strict, &found));
  CHECK(crm_duplicate_list_len(found) == 0);
  crm_duplicate_list_free(found);

  /* the batch finder */
  CHECK_OK(crm_tenant_find_duplicates(t, NULL, 0, progress, NULL, &clusters));
  CHECK(last_done == last_total);
  CHECK(crm_cluster_list_len(clusters) == 1);
  CHECK(crm_cluster_list_size(clusters, 0) == 2);
  CHECK(str_eq(crm_cluster_list_customer(clusters, 0, 0), crm_customer_id(bob)));
  CHECK(str_eq(crm_cluster_list_customer(clusters, 0, 1), crm_customer_id(robert)));
  CHECK(crm_cluster_list_customer(clusters, 0, 2) == NULL);
  CHECK(crm_cluster_list_score(clusters, 0) >= 0.7);
  CHECK_OK(crm_cluster_list_to_json(clusters, &json));
  CHECK(contains(json, "\"nickname\"") && contains(json, "\"contributions\"") &&
        contains(json, "\"format\":1"));
  crm_string_free(json);
  crm_cluster_list_free(clusters);
  CHECK_OK(crm_tenant_find_duplicates_with_kept_model(t, NULL, 0, NULL, NULL, &clusters));
  CHECK(crm_cluster_list_len(clusters) == 1); /* the kept (here built-in) model finds the same */
  crm_cluster_list_free(clusters);
  CHECK_OK(crm_tenant_find_duplicates(t, strict, 8, NULL, NULL, &clusters));
  CHECK(crm_cluster_list_len(clusters) == 0);
  crm_cluster_list_free(clusters);
  CHECK_STATUS(crm_tenant_duplicates_of(other, crm_customer_id(bob), NULL, &found), CRM_ERR_NOT_FOUND);

  /* only the clusters with a pair new since a time */
  CHECK_OK(crm_tenant_find_duplicates_since(t, NULL, 0, true, "2999-01-01T00:00:00Z", NULL, NULL,
                                            &clusters));
  CHECK(crm_cluster_list_len(clusters) == 0);
  crm_cluster_list_free(clusters);
  CHECK_OK(crm_tenant_find_duplicates_since(t, NULL, 0, false, "2020-01-01T00:00:00+02:00", NULL,
                                            NULL, &clusters));
  CHECK(crm_cluster_list_len(clusters) == 1);
  crm_cluster_list_free(clusters);
  CHECK_OK(crm_tenant_find_duplicates_since(t, NULL, 0, false, NULL, NULL, NULL, &clusters));
  CHECK(crm_cluster_list_len(clusters) == 1);
  crm_cluster_list_free(clusters);
  clusters = NULL;
  CHECK_STATUS(crm_tenant_find_duplicates_since(t, NULL, 0, true, "last week", NULL, NULL, &clusters),
               CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "since") && clusters == NULL);
  CHECK_STATUS(crm_tenant_find_duplicates_since(t, NULL, 0, true, "last week", NULL, NULL, NULL),
               CRM_ERR_INVALID_ARGUMENT); /* the missing out first */

  /* a reviewed pair: Bob and Robert are two people */
  CHECK_STATUS(crm_tenant_mark_not_duplicate(t, crm_customer_id(bob), crm_customer_id(bob), NULL),
               CRM_ERR_VALIDATION);
  CHECK(str_eq(crm_last_error_field(), "b"));
  json = NULL;
  CHECK_STATUS(crm_tenant_mark_not_duplicate(other, crm_customer_id(bob), crm_customer_id(robert),
                                             &json),
               CRM_ERR_NOT_FOUND);
  CHECK(json == NULL); /* untouched on failure */
  CHECK_OK(crm_tenant_mark_not_duplicate(t, crm_customer_id(robert), crm_customer_id(bob), &json));
  CHECK(contains(json, "\"not_duplicate\"") && contains(json, "\"marked_by\":\"u-17\"") &&
        contains(json, crm_customer_id(bob)) && contains(json, crm_customer_id(robert)));
  crm_string_free(json);
  CHECK_OK(crm_tenant_mark_not_duplicate(t, crm_customer_id(bob), crm_customer_id(robert), NULL));
  CHECK_OK(crm_tenant_find_duplicates(t, NULL, 0, NULL, NULL, &clusters));
  CHECK(crm_cluster_list_len(clusters) == 0);
  crm_cluster_list_free(clusters);
  CHECK_OK(crm_tenant_duplicates_of(t, crm_customer_id(bob), NULL, &found));
  CHECK(crm_duplicate_list_len(found) == 0);
  crm_duplicate_list_free(found);
  CHECK_OK(crm_tenant_not_duplicates(t, crm_customer_id(robert), &json));
  CHECK(contains(json, "\"not_duplicates\":[{") && contains(json, crm_customer_id(bob)));
  crm_string_free(json);
  CHECK_OK(crm_tenant_export_personal_data(t, crm_customer_id(bob), &json));
  CHECK(contains(json, "\"not_duplicates\":[{") && contains(json, "not_duplicate_marked"));
  crm_string_free(json);
  CHECK_STATUS(crm_tenant_not_duplicates(other, crm_customer_id(bob), &json), CRM_ERR_NOT_FOUND);
  {
    bool removed = true;
    CHECK_STATUS(crm_tenant_unmark_not_duplicate(other, crm_customer_id(bob),
                                                 crm_customer_id(robert), &removed),
                 CRM_ERR_NOT_FOUND);
    CHECK(removed); /* untouched on failure */
    CHECK_STATUS(crm_tenant_unmark_not_duplicate(t, crm_customer_id(bob), crm_customer_id(bob),
                                                 &removed),
                 CRM_ERR_VALIDATION);
    CHECK(str_eq(crm_last_error_field(), "b"));
    removed = false;
    CHECK_OK(crm_tenant_unmark_not_duplicate(t, crm_customer_id(bob), crm_customer_id(robert),
                                             &removed));
    CHECK(removed);
    CHECK_OK(crm_tenant_unmark_not_duplicate(t, crm_customer_id(bob), crm_customer_id(robert),
                                             &removed));
    CHECK(!removed);
  }
  CHECK_OK(crm_tenant_find_duplicates(t, NULL, 0, NULL, NULL, &clusters));
  CHECK(crm_cluster_list_len(clusters) == 1);
  crm_cluster_list_free(clusters);

  /* the model: a tenant this small keeps the built-in one */
  CHECK_OK(crm_tenant_learn_match_model(t, &json));
  CHECK(contains(json, "\"learning\":null") && contains(json, "\"given\":\"email\""));
  crm_string_free(json);
  CHECK_OK(crm_tenant_match_model(other, &json));
  CHECK(contains(json, "\"prior\":") && contains(json, "\"field\":\"birth_date\""));
  crm_string_free(json);

  /* a weight for first names different holds for those alike only in their first letter,
   * unless that level is set too */
  {
    crm_tenant *third = NULL;
    crm_match_config *unlike = NULL;
    const char *field = NULL, *level = NULL;
    double weight = 0;
    size_t i, n, seen = 0;
    CHECK_OK(crm_tenant_open(db, "agency-3", "u-17", CRM_ROLE_AGENT, &third));
    CHECK_OK(crm_tenant_set_default_region(third, "FR"));
    crm_customer *lisa = create(third, "Lisa", "Smith", NULL, "06 11 22 33 44");
    crm_customer *laura = create(third, "Laura", "Smith", NULL, "06 11 22 33 44");
    CHECK_OK(crm_match_config_new(&unlike));
    CHECK_OK(crm_match_config_set_threshold(unlike, 0.000001));
    CHECK_OK(crm_match_config_set_weight(unlike, "first_name", "different", -3.0));
    for (int own = 0; own < 2; own++) {
      if (own) CHECK_OK(crm_match_config_set_weight(unlike, "first_name", "same_initial", -1.5));
      CHECK_OK(crm_tenant_duplicates_of(third, crm_customer_id(lisa), unlike, &found));
      CHECK(crm_duplicate_list_len(found) == 1);
      CHECK(str_eq(crm_duplicate_list_customer_id(found, 0), crm_customer_id(laura)));
      n = crm_duplicate_list_contribution_count(found, 0);
      for (i = 0; i < n; i++) {
        CHECK_OK(crm_duplicate_list_contribution(found, 0, i, &field, &level, &weight));
        if (str_eq(field, "first_name")) {
          CHECK(str_eq(level, "same_initial"));
          CHECK(weight == (own ? -1.5 : -3.0));
          seen++;
        }
      }
      crm_duplicate_list_free(found);
    }
    CHECK(seen == 2);
    crm_match_config_free(unlike);
    crm_customer_free(lisa);
    crm_customer_free(laura);
    crm_tenant_free(third);
  }

  crm_match_config_free(strict);
  crm_customer_fields_free(typed);
  crm_customer_free(helene);
  crm_customer_free(bob);
  crm_customer_free(robert);
  crm_customer_free(stranger);
  crm_tenant_free(other);
  crm_tenant_free(t);
  crm_db_free(db);
  CHECK(crm_live_handles() == 0);
  printf("test_dedupe: ok\n");
  return 0;
}
