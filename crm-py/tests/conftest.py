"""Shared fixtures: an in-memory database and tenant handles with an actor."""

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import crm

PARIS_SUMMER = timezone(timedelta(hours=2))


@pytest.fixture
def db() -> Iterator[crm.Crm]:
    with crm.Crm.in_memory() as database:
        yield database


@pytest.fixture
def file_db(tmp_path: Path) -> Iterator[crm.Crm]:
    with crm.Crm.open(tmp_path / "agency.db") as database:
        yield database


@pytest.fixture
def clerk() -> crm.Actor:
    return crm.Actor("u-17", "agent")


@pytest.fixture
def agency(db: crm.Crm, clerk: crm.Actor) -> crm.Tenant:
    tenant = db.tenant("agency-1", actor=clerk)
    tenant.set_settings(default_region="FR")
    return tenant


@pytest.fixture
def other(db: crm.Crm, clerk: crm.Actor) -> crm.Tenant:
    tenant = db.tenant("agency-2", actor=clerk)
    tenant.set_settings(default_region="FR")
    return tenant


def at(day: int, hour: int = 9) -> datetime:
    """A pickup time in July 2026, Paris summer time."""
    return datetime(2026, 7, day, hour, 0, tzinfo=PARIS_SUMMER)
