"""The PostgreSQL store: two handles on one database, each with its own index folder, stand
for two application servers. CRM_TEST_POSTGRES names the test server (`make test` starts one);
without it these tests are skipped, except under CI, where they fail."""

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import crm

SERVER = os.environ.get("CRM_TEST_POSTGRES", "")

if not SERVER:
    if os.environ.get("CI"):
        raise RuntimeError("CI is set and CRM_TEST_POSTGRES is not")
    pytest.skip("CRM_TEST_POSTGRES is not set: PostgreSQL tests skipped", allow_module_level=True)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[crm.Crm, crm.Crm]]:
    with crm.Crm.connect(SERVER, index=tmp_path / "one") as one:
        with crm.Crm.connect(SERVER, index=tmp_path / "two") as two:
            yield one, two


@pytest.fixture
def tenant_id() -> str:
    # The database is shared with other runs: a tenant of this test's own.
    return f"py-{uuid.uuid4().hex}"


def settled_names(tenant: crm.Tenant, text: str) -> list[str]:
    """What a search finds once it reflects everything (a search takes other servers' writes
    in within a time budget and says what it left for the next ones)."""
    for _ in range(100):
        page = tenant.search(text)
        if page.behind == 0:
            return [f"{row.first_name} {row.last_name}" for row in page.items]
        time.sleep(0.02)
    raise AssertionError("the index stays behind")


def test_a_write_through_one_server_is_found_through_the_other(
    servers: tuple[crm.Crm, crm.Crm], tenant_id: str, clerk: crm.Actor
) -> None:
    one, two = servers
    a1 = one.tenant(tenant_id, actor=clerk)
    a2 = two.tenant(tenant_id, actor=clerk)
    assert settled_names(a2, "zoltan") == []
    made = a1.create_customer(first_name="Zoltan", last_name="Kodály")
    assert settled_names(a2, "zoltan") == ["Zoltan Kodály"]
    a2.update_customer(made, first_name="Zsófia")
    assert settled_names(a1, "zsofia") == ["Zsófia Kodály"]
    # Every tenant's changes taken in at once (a host's timer on each server).
    one.sync_index()
    two.sync_index()
    assert settled_names(two.tenant(f"{tenant_id}-other", actor=clerk), "zsofia") == []
    # The tenant's feed counts from 1 without gaps, through either server.
    seqs = [event.seq for event in a1.changes_since(0)]
    assert seqs == [1, 2]


def test_connect_errors_are_typed_and_repr_shows_no_connection_string(tmp_path: Path) -> None:
    with pytest.raises(crm.ValidationError):
        crm.Crm.connect("postgresql://[bad", index=tmp_path / "i")
    with pytest.raises(crm.StorageError):
        crm.Crm.connect("host=/nonexistent user=nobody password=s3cret", index=tmp_path / "i")
    with crm.Crm.connect(SERVER, index=tmp_path / "i") as db:
        assert repr(db) == f"<crm.Crm PostgreSQL, index {tmp_path / 'i'}>"
        assert SERVER not in repr(db)


def tls_server() -> tuple[str, str]:
    """The test server's TLS-only listener and the authority that signed its certificate."""
    url = os.environ.get("CRM_TEST_POSTGRES_TLS", "")
    ca = os.environ.get("CRM_TEST_POSTGRES_CA", "")
    if not url or not ca:
        if os.environ.get("CI"):
            raise RuntimeError("CI is set and CRM_TEST_POSTGRES_TLS or CRM_TEST_POSTGRES_CA is not")
        pytest.skip("CRM_TEST_POSTGRES_TLS is not set: the TLS test is skipped")
    return url, ca


def test_tls_verifies_the_server_with_the_authority_given(
    tmp_path: Path, tenant_id: str, clerk: crm.Actor
) -> None:
    url, ca = tls_server()
    # In clear the TLS-only listener refuses; an unknown authority's certificate is refused.
    with pytest.raises(crm.StorageError):
        crm.Crm.connect(f"{url} sslmode=disable", index=tmp_path / "a")
    with pytest.raises(crm.StorageError, match="certificate"):
        crm.Crm.connect(f"{url} sslmode=require", index=tmp_path / "b")
    with pytest.raises(crm.IoError):
        crm.Crm.connect(url, index=tmp_path / "c", ca_file=tmp_path / "missing.pem")
    with crm.Crm.connect(f"{url} sslmode=require", index=tmp_path / "d", ca_file=Path(ca)) as db:
        t = db.tenant(tenant_id, actor=clerk)
        t.create_customer(first_name="Tamsin", last_name="Encrypted")
        assert t.search("tamsin").total == 1
