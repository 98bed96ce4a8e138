"""Duplicates from Python: candidates before and after a create, the batch finder, the rules."""

import pytest

import crm


def test_possible_duplicates_warn_before_saving(agency: crm.Tenant) -> None:
    stored = agency.create_customer(
        first_name="Hélène", last_name="Dupont", email="helene.dupont@example.fr", mobile="06 12 34 56 78"
    )
    found = agency.possible_duplicates(first_name="Helene", last_name="DUPONT", email="HELENE.DUPONT@example.fr")
    assert [m.customer_id for m in found] == [stored.id]
    assert found[0].reasons[0] == "same_email"
    assert "same_name" in found[0].reasons
    assert 0.9 <= found[0].score <= 1.0
    assert found[0].to_dict()["customer_id"] == stored.id
    assert agency.list_customers().total == 1  # nothing written
    with pytest.raises(crm.ValidationError) as caught:
        agency.possible_duplicates(first_name="A", last_name="B", email="nope")
    assert caught.value.field == "email"


def test_duplicates_of_and_the_threshold(agency: crm.Tenant) -> None:
    bob = agency.create_customer(first_name="Bob", last_name="Smith", mobile="06 11 22 33 44")
    robert = agency.create_customer(first_name="Robert", last_name="Smith", phone="+33611223344")
    found = agency.duplicates_of(bob)
    assert [m.customer_id for m in found] == [robert.id]
    assert found[0].reasons == ("same_phone", "nickname_name")
    strict = crm.MatchConfig(threshold=0.99)
    assert agency.duplicates_of(bob.id, config=strict) == []
    assert strict.threshold == 0.99 and strict.same_email == crm.MatchConfig().same_email
    with pytest.raises(crm.NotFoundError):
        agency.duplicates_of("0190c6d4-1b2c-7d3e-8f40-123456789abc")


def test_find_duplicates_returns_clusters_oldest_first(agency: crm.Tenant, other: crm.Tenant) -> None:
    first = agency.create_customer(first_name="Zoë", last_name="Ørsted", email="zoe.orsted@gmail.com")
    second = agency.create_customer(first_name="Zoe", last_name="Orsted", email="zoeorsted+trips@gmail.com")
    agency.create_customer(first_name="Paul", last_name="Martin")
    other.create_customer(first_name="Zoë", last_name="Ørsted", email="zoe.orsted@gmail.com")
    calls: list[tuple[int, int]] = []
    clusters = agency.find_duplicates(progress=lambda done, total: calls.append((done, total)))
    assert len(clusters) == 1
    cluster = clusters[0]
    assert cluster.customers == (first.id, second.id)  # the other tenant's Zoë is not there
    assert cluster.pairs[0].reasons[0] == "same_mailbox"
    assert cluster.score == cluster.pairs[0].score
    assert calls[-1][0] == calls[-1][1]
    assert cluster.to_dict()["pairs"][0]["a"] in cluster.customers
    assert other.find_duplicates() == []


def test_match_config_checks_its_rules() -> None:
    with pytest.raises(crm.ValidationError) as caught:
        crm.MatchConfig(same_phone=1.5)
    assert caught.value.field == "same_phone"
    with pytest.raises(TypeError, match="same_fax"):
        crm.MatchConfig(same_fax=0.5)  # type: ignore[call-arg]
    assert crm.MatchConfig().to_dict()["threshold"] == 0.7
    assert crm.MatchConfig(threshold=0.5) == crm.MatchConfig(threshold=0.5)


def test_find_duplicates_progress_cannot_call_the_database(agency: crm.Tenant) -> None:
    agency.create_customer(first_name="A", last_name="B")
    errors: list[str] = []

    def meddle(done: int, total: int) -> None:
        try:
            agency.search("a")
        except RuntimeError as err:
            errors.append(str(err))

    agency.find_duplicates(progress=meddle)
    assert errors and "progress callback" in errors[0]
