"""Shared fixtures: a database (in memory, or a schema of its own on the PostgreSQL test server
when CRM_TEST_STORE=postgres) and tenant handles with an actor."""

import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import crm

ON_POSTGRES = os.environ.get("CRM_TEST_STORE") == "postgres"

PARIS_SUMMER = timezone(timedelta(hours=2))


@pytest.fixture
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[crm.Crm]:
    if not ON_POSTGRES:
        with crm.Crm.in_memory() as database:
            yield database
        return
    server = os.environ.get("CRM_TEST_POSTGRES", "")
    if not server:
        raise RuntimeError("CRM_TEST_STORE=postgres needs CRM_TEST_POSTGRES (the test server)")
    schema = f"py_{uuid.uuid4().hex}"
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", server, "-c", f"CREATE SCHEMA {schema}"],
        check=True,
        capture_output=True,
    )
    url = f"{server} options='-c search_path={schema}'"
    # The index in a folder of its own: tests look at what they write into `tmp_path`.
    with crm.Crm.connect(url, index=tmp_path_factory.mktemp("index")) as database:
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
