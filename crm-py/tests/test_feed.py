"""The change feed's life from Python: cursors, compaction, readers told of what is gone."""

import time
from datetime import timedelta

import pytest

import crm


def compact_now(db: crm.Crm) -> crm.FeedCompaction:
    """Compacts with no retention, once every event so far is a few ms old."""
    time.sleep(0.003)
    return db.compact_feeds(keep=timedelta(0))


def make(t: crm.Tenant, n: int) -> None:
    for i in range(n):
        t.create_customer(first_name=f"Anna{i}", last_name="Feedwalker")


def test_events_within_the_retention_are_kept(db: crm.Crm, agency: crm.Tenant) -> None:
    make(agency, 2)
    before = agency.changes_since()
    assert crm.FEED_RETENTION == timedelta(days=30)
    done = db.compact_feeds()
    assert (done.tenants, done.events) == (0, 0)
    assert agency.changes_since() == before
    assert agency.feed_bounds().compacted == 0


def test_a_cursor_holds_compaction_and_a_reader_behind_it_is_told(
    db: crm.Crm, agency: crm.Tenant, other: crm.Tenant
) -> None:
    make(agency, 3)
    make(other, 1)
    events = agency.changes_since()
    bounds = agency.feed_bounds()
    assert (bounds.compacted, bounds.head) == (0, events[-1].seq)
    agency.set_feed_cursor("warehouse", events[1].seq)
    other.set_feed_cursor("warehouse", 0)

    done = compact_now(db)
    assert (done.tenants, done.events) == (1, 2)
    assert done.to_dict() == {"tenants": 1, "events": 2}
    assert agency.feed_bounds().compacted == events[1].seq
    assert agency.changes_since(events[1].seq) == events[2:]
    with pytest.raises(crm.FeedCompactedError, match="compacted") as caught:
        agency.changes_since(0)
    assert (caught.value.after, caught.value.compacted) == (0, events[1].seq)
    # The other tenant's feed is whole: its own reader holds it.
    assert len(other.changes_since()) == 2

    [cursor] = agency.feed_cursors()
    assert (cursor.name, cursor.seq) == ("warehouse", events[1].seq)
    assert cursor.to_dict()["name"] == "warehouse"
    assert agency.remove_feed_cursor("warehouse") is True
    assert agency.remove_feed_cursor("warehouse") is False
    compact_now(db)
    last = agency.feed_bounds()
    assert last.compacted == last.head == events[-1].seq
    assert [c.name for c in other.feed_cursors()] == ["warehouse"]


def test_a_cursor_is_checked(db: crm.Crm, agency: crm.Tenant) -> None:
    make(agency, 1)
    head = agency.feed_bounds().head
    with pytest.raises(crm.ValidationError) as caught:
        agency.set_feed_cursor("reader", head + 1)
    assert caught.value.field == "seq"
    with pytest.raises(crm.ValidationError) as caught:
        agency.set_feed_cursor("", head)
    assert caught.value.field == "name"
    with pytest.raises(crm.ValidationError) as caught:
        db.compact_feeds(keep=timedelta(seconds=-1))
    assert caught.value.field == "keep"
    compact_now(db)
    with pytest.raises(crm.FeedCompactedError):
        agency.set_feed_cursor("late", head - 1)
    agency.set_feed_cursor("late", head)
    assert [c.seq for c in agency.feed_cursors()] == [head]


def test_a_search_index_behind_the_compaction_rebuilds_itself(
    db: crm.Crm, agency: crm.Tenant
) -> None:
    kept = agency.create_customer(first_name="Ottilie", last_name="Brandauer")
    assert agency.search("ottilie").total == 1
    agency.update_customer(kept, first_name="Ottavia")
    agency.create_customer(first_name="Leopold", last_name="Brandauer")
    compact_now(db)
    found = sorted(r.first_name for r in agency.search("brandauer").items)
    assert found == ["Leopold", "Ottavia"]
