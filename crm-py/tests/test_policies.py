"""Tenant policies and the privacy log, from Python."""

import pytest

import crm


def test_email_uniqueness_on_create_update_and_merge(agency: crm.Tenant, other: crm.Tenant) -> None:
    anne = agency.create_customer(first_name="Anne", last_name="Martin", email="anne@example.fr")
    bea = agency.create_customer(first_name="Bea", last_name="Martin", email="bea@example.fr")
    boss = agency.with_actor(crm.Actor("boss", "organisation"))
    with pytest.raises(crm.PermissionDeniedError, match="organisation"):
        agency.set_settings(email_uniqueness="refuse")
    boss.set_settings(email_uniqueness="refuse")
    assert agency.settings().email_uniqueness == "refuse"
    with pytest.raises(crm.ValidationError, match=f"customer no. {anne.customer_no}") as refused:
        agency.create_customer(first_name="Anna", last_name="Martin", email="ANNE@example.fr")
    assert refused.value.field == "email"
    with pytest.raises(crm.ValidationError, match="email"):
        agency.update_customer(bea, email="anne@example.fr")
    with pytest.raises(crm.ValidationError, match="email"):
        agency.create_customers([
            {"first_name": "X", "last_name": "Y", "email": "x@example.fr"},
            {"first_name": "Z", "last_name": "Y", "email": "X@example.fr"},
        ])
    assert agency.search().total == 2
    # The other tenant keeps its own policy.
    other.create_customer(first_name="Anne", last_name="Martin", email="anne@example.fr")
    other.create_customer(first_name="Anne", last_name="Martin", email="anne@example.fr")
    # Warn: the write is made, and the feed names the customer and the one it shares with.
    boss.set_settings(email_uniqueness="warn")
    head = agency.feed_bounds().head
    twin = agency.create_customer(first_name="Anna", last_name="Martin", email="anne@example.fr")
    shared = [e for e in agency.changes_since(head) if e.kind == "customer_email_shared"]
    assert [(e.customer_id, e.previous_customer_id) for e in shared] == [(twin.id, anne.id)]
    with pytest.raises(crm.ValidationError, match="email_uniqueness"):
        boss.set_settings(email_uniqueness="maybe")  # type: ignore[arg-type]


def test_who_may_delete_and_merge(db: crm.Crm, agency: crm.Tenant) -> None:
    boss = agency.with_actor(crm.Actor("boss", "organisation"))
    a = agency.create_customer(first_name="Anne", last_name="Martin")
    b = agency.create_customer(first_name="Anne", last_name="Martin")
    boss.set_settings(hard_delete="organisation", merge="nobody")
    settings = agency.settings()
    assert (settings.hard_delete, settings.merge) == ("organisation", "nobody")
    with pytest.raises(crm.PermissionDeniedError, match="hard_delete"):
        agency.delete_customer(b)
    with pytest.raises(crm.PermissionDeniedError, match="merge"):
        boss.merge(a, [b])
    assert boss.delete_customer(b) == 0
    with pytest.raises(crm.ValidationError, match="hard_delete"):
        boss.set_settings(hard_delete="everyone")  # type: ignore[arg-type]
    with pytest.raises(crm.PermissionDeniedError):
        agency.set_settings(hard_delete="anyone")
    agency.set_settings(time_zone="Europe/Paris")  # not a policy: the agent's to change


def test_the_privacy_log(agency: crm.Tenant, other: crm.Tenant) -> None:
    dpo = agency.with_actor(crm.Actor("dpo-1", "organisation", request="DSAR-2026-114"))
    assert crm.Actor("dpo-1", "organisation", request="DSAR-2026-114").request == "DSAR-2026-114"
    a = agency.create_customer(first_name="Anne", last_name="Martin", email="anne@example.fr")
    b = agency.create_customer(first_name="Bea", last_name="Noir")
    dpo.export_personal_data(a)
    dpo.anonymise(a, reason="asked to be forgotten")
    agency.delete_customer(b)
    log = agency.privacy_log()
    assert [(e.seq, e.action, e.customer_no, e.user_id, e.request) for e in log] == [
        (1, "export", a.customer_no, "dpo-1", "DSAR-2026-114"),
        (2, "anonymise", a.customer_no, "dpo-1", "DSAR-2026-114"),
        (3, "delete", b.customer_no, agency.actor.user_id if agency.actor else "", None),
    ]
    assert log[0].role == "organisation" and log[0].to_dict()["action"] == "export"
    assert [e.seq for e in agency.privacy_log(after=1, limit=1)] == [2]
    assert other.privacy_log() == []
    with pytest.raises(crm.ValidationError, match="limit"):
        agency.privacy_log(limit=0)
    # A reference is an identifier: an email or a sentence is refused (the log is kept for good).
    for bad in ["x" * 200, "anne@example.fr", "Anne Martin", ""]:
        with pytest.raises(crm.ValidationError, match="actor.request"):
            crm.Actor("dpo-1", "organisation", request=bad)
