"""Customer lists and brochure requests from Python."""

from datetime import datetime, timedelta, timezone

import pytest

import crm


def test_lists_are_made_filled_searched_and_deleted(agency: crm.Tenant, other: crm.Tenant) -> None:
    ana = agency.create_customer(first_name="Ana", last_name="Lopez")
    bo = agency.create_customer(first_name="Bo", last_name="Berg")
    assert agency.create_list("Newsletter") is True
    assert agency.create_list("Newsletter") is False
    with pytest.raises(crm.ValidationError) as caught:
        agency.create_list(" ")
    assert caught.value.field == "list"
    assert agency.add_to_list("Newsletter", [ana, bo.id]) == 2
    assert agency.search(list="Newsletter").total == 2
    assert agency.get_customer(ana.id).lists == frozenset({"Newsletter"})
    assert agency.remove_from_list("Newsletter", [bo]) == 1
    [info] = agency.lists()
    assert (info.name, info.members) == ("Newsletter", 1)
    with pytest.raises(TypeError, match="customers"):
        agency.add_to_list("Newsletter", ana)  # type: ignore[arg-type]
    with pytest.raises(crm.NotFoundError):
        agency.add_to_list("Nope", [ana])
    with pytest.raises(crm.NotFoundError):
        other.add_to_list("Newsletter", [ana])
    assert other.lists() == []
    assert agency.delete_list("Newsletter") == 1
    assert agency.search(list="Newsletter").total == 0


def test_brochure_requests(agency: crm.Tenant, other: crm.Tenant) -> None:
    ana = agency.create_customer(first_name="Ana", last_name="Lopez")
    req = agency.request_brochure(ana)
    assert agency.request_brochure(ana.id) == req
    assert req.customer_id == ana.id and req.sent_at is None
    assert agency.pending_brochure_requests() == [req]
    with pytest.raises(crm.NotFoundError):
        other.mark_brochure_sent(req.id)
    with pytest.raises(crm.ValidationError) as caught:
        agency.mark_brochure_sent(req, at=req.requested_at - timedelta(days=1))
    assert caught.value.field == "sent_at"
    sent = agency.mark_brochure_sent(req, at=datetime.now(timezone.utc))
    assert sent.sent_at is not None and sent.id == req.id
    with pytest.raises(crm.ConflictError):
        agency.mark_brochure_sent(req)
    assert agency.pending_brochure_requests(limit=10) == []
    assert agency.brochure_requests(ana) == [sent]
    with pytest.raises(crm.ValidationError):
        agency.pending_brochure_requests(limit=0)
    assert [e.kind for e in agency.changes_since()][-2:] == ["brochure_requested", "brochure_sent"]
