"""Duplicates from Python: candidates before and after a create with what each field
contributed, the batch finder, the threshold and weights, the learned model."""

import pytest

import crm


def test_possible_duplicates_warn_before_saving(agency: crm.Tenant) -> None:
    stored = agency.create_customer(
        first_name="Hélène", last_name="Dupont", email="helene.dupont@example.fr", mobile="06 12 34 56 78"
    )
    found = agency.possible_duplicates(first_name="Helene", last_name="DUPONT", email="HELENE.DUPONT@example.fr")
    assert [m.customer_id for m in found] == [stored.id]
    why = found[0].contributions
    assert (why[0].field, why[0].level) == ("email", "same") and why[0].weight > 5
    assert ("last_name", "same") in [(c.field, c.level) for c in why]
    assert [c.weight for c in why] == sorted((c.weight for c in why), reverse=True)
    assert found[0].explanation.startswith("same email ignoring case (+")
    assert str(why[0]) in found[0].explanation
    assert why[0].to_dict() == {"field": "email", "level": "same", "weight": why[0].weight}
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
    assert [(c.field, c.level) for c in found[0].contributions] == [
        ("phone", "same"),
        ("first_name", "nickname"),
        ("last_name", "same"),
    ]
    strict = crm.MatchConfig(threshold=0.99)
    assert agency.duplicates_of(bob.id, config=strict) == []
    assert strict.threshold == 0.99 and strict.weights == {}
    # A weight set by hand takes the place of the model's.
    doubted = crm.MatchConfig(weights={("phone", "same"): 1.0})
    assert agency.duplicates_of(bob.id, config=doubted) == []
    assert doubted.weights == {("phone", "same"): 1.0}
    with pytest.raises(crm.NotFoundError):
        agency.duplicates_of("0190c6d4-1b2c-7d3e-8f40-123456789abc")


def test_a_weight_for_first_names_different_holds_for_those_alike_in_their_first_letter(
    agency: crm.Tenant,
) -> None:
    lisa = agency.create_customer(first_name="Lisa", last_name="Smith", mobile="06 11 22 33 44")
    laura = agency.create_customer(first_name="Laura", last_name="Smith", mobile="06 11 22 33 44")

    def first_name(config: crm.MatchConfig) -> tuple[str, float]:
        found = agency.duplicates_of(lisa, config=config)
        assert [m.customer_id for m in found] == [laura.id]
        [why] = [c for c in found[0].contributions if c.field == "first_name"]
        return why.level, why.weight

    assert first_name(crm.MatchConfig(threshold=1e-6)) != ("same_initial", -3.0)
    unlike = {("first_name", "different"): -3.0}
    assert first_name(crm.MatchConfig(threshold=1e-6, weights=unlike)) == ("same_initial", -3.0)
    both = {**unlike, ("first_name", "same_initial"): -1.5}
    assert first_name(crm.MatchConfig(threshold=1e-6, weights=both)) == ("same_initial", -1.5)


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
    assert ("email", "same_mailbox") in [(c.field, c.level) for c in cluster.pairs[0].contributions]
    assert cluster.score == cluster.pairs[0].score
    assert calls[-1][0] == calls[-1][1]
    assert cluster.to_dict()["pairs"][0]["a"] in cluster.customers
    assert other.find_duplicates() == []


def test_match_config_checks_its_threshold_and_weights() -> None:
    for threshold in (0.0, 1.0, 1.5, float("nan")):
        with pytest.raises(crm.ValidationError) as caught:
            crm.MatchConfig(threshold=threshold)
        assert caught.value.field == "threshold"
    with pytest.raises(crm.ValidationError) as caught:
        crm.MatchConfig(weights={("shoe_size", "same"): 1.0})  # type: ignore[dict-item]
    assert caught.value.field == "field"
    with pytest.raises(crm.ValidationError) as caught:
        crm.MatchConfig(weights={("phone", "nickname"): 1.0})
    assert caught.value.field == "weights"
    # First names alike only in their first letter are a level of first names only.
    initial = crm.MatchConfig(weights={("first_name", "same_initial"): -1.0})
    assert initial.weights == {("first_name", "same_initial"): -1.0}
    with pytest.raises(crm.ValidationError) as caught:
        crm.MatchConfig(weights={("last_name", "same_initial"): 1.0})
    assert caught.value.field == "weights"
    with pytest.raises(crm.ValidationError):
        crm.MatchConfig(weights={("phone", "same"): 1e6})
    with pytest.raises(TypeError):
        crm.MatchConfig(weights={"phone": 1.0})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        crm.MatchConfig(threshold="high")  # type: ignore[arg-type]
    assert crm.MatchConfig().to_dict() == {"threshold": 0.85, "weights": {}}
    assert crm.MatchConfig(threshold=0.5) == crm.MatchConfig(threshold=0.5)


def test_the_model_is_learned_per_tenant_and_kept(agency: crm.Tenant, other: crm.Tenant) -> None:
    # Small tenants keep the built-in model.
    built_in = other.learn_match_model()
    assert built_in["learning"] is None and 0 < built_in["prior"] < 1
    given = {level["given"] for level in built_in["levels"]}
    assert given == {None, "email", "phone", "address"}
    # 1,200 customers: enough to learn from; a few typed twice.
    rows = [
        {"first_name": f"Name{i}", "last_name": f"Family{i % 300}", "email": f"p{i}@example.com"}
        for i in range(1200)
    ]
    rows += [{"first_name": f"Name{i}", "last_name": f"Family{i % 300}", "email": f"P{i}@EXAMPLE.COM"} for i in range(40)]
    agency.create_customers(rows)
    clusters = agency.find_duplicates()
    assert len(clusters) == 40
    learned = agency.match_model()
    assert learned["learning"]["customers"] == 1240
    assert learned["learning"]["candidate_pairs"] > 0
    # Scoring with the kept model finds what learning found.
    assert agency.find_duplicates(learn=False) == clusters
    again = agency.learn_match_model()
    assert again["learning"]["learned_at"] >= learned["learning"]["learned_at"]
    assert agency.match_model() == again
    # The other tenant's model is still the built-in one.
    assert other.match_model()["learning"] is None


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


def test_a_pair_marked_not_duplicate_is_not_reported_again(agency: crm.Tenant, other: crm.Tenant) -> None:
    bob = agency.create_customer(first_name="Bob", last_name="Smith", mobile="06 11 22 33 44")
    robert = agency.create_customer(first_name="Robert", last_name="Smith", phone="+33611223344")
    stranger = other.create_customer(first_name="Bob", last_name="Smith", mobile="06 11 22 33 44")
    assert len(agency.find_duplicates()) == 1
    decision = agency.mark_not_duplicate(robert, bob.id)
    assert {decision.a, decision.b} == {bob.id, robert.id} and decision.a < decision.b
    assert decision.marked_by == "u-17" and decision.marked_at.tzinfo is not None
    assert decision.to_dict()["marked_by"] == "u-17"
    assert agency.find_duplicates() == []
    assert agency.duplicates_of(bob) == []
    assert agency.mark_not_duplicate(bob, robert) == decision  # decided already: unchanged
    assert agency.not_duplicates(bob) == [decision] == agency.not_duplicates(robert.id)
    assert [e.kind for e in agency.changes_since(0)].count("not_duplicate_marked") == 1
    event = agency.changes_since(0)[-1]
    assert (event.customer_id, event.previous_customer_id) == (decision.a, decision.b)
    assert agency.export_personal_data(bob)["not_duplicates"][0]["b"] == decision.b
    with pytest.raises(crm.ValidationError) as caught:
        agency.mark_not_duplicate(bob, bob)
    assert caught.value.field == "b"
    with pytest.raises(crm.ValidationError) as caught:
        agency.unmark_not_duplicate(bob, bob.id)
    assert caught.value.field == "b"
    # Another tenant sees none of it and can change none of it.
    with pytest.raises(crm.NotFoundError):
        other.mark_not_duplicate(bob, stranger)
    with pytest.raises(crm.NotFoundError):
        other.unmark_not_duplicate(bob, robert)
    with pytest.raises(crm.NotFoundError):
        other.not_duplicates(bob)
    assert other.not_duplicates(stranger) == []
    assert agency.unmark_not_duplicate(bob, robert) is True
    assert agency.unmark_not_duplicate(bob, robert) is False
    assert agency.changes_since(0)[-1].kind == "not_duplicate_unmarked"
    assert [c.customers for c in agency.find_duplicates()] == [(bob.id, robert.id)]


def test_find_duplicates_since_a_run(agency: crm.Tenant) -> None:
    import datetime

    bob = agency.create_customer(first_name="Bob", last_name="Smith", mobile="06 11 22 33 44")
    agency.create_customer(first_name="Robert", last_name="Smith", phone="+33611223344")
    run = datetime.datetime.now(datetime.timezone.utc)
    assert agency.find_duplicates(since=run) == []
    assert len(agency.find_duplicates(since=run - datetime.timedelta(days=1))) == 1
    agency.update_customer(bob, company="Smith Travel")
    assert [c.customers[0] for c in agency.find_duplicates(since=run, learn=False)] == [bob.id]
    with pytest.raises(crm.ValidationError) as caught:
        agency.find_duplicates(since=datetime.datetime(2026, 1, 1))
    assert caught.value.field == "since"
