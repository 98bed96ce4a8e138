"""Documents from Python: attach bytes, list, read back, delete; checks, isolation, merges."""

import pytest

import crm

SCAN = b"\x89PNG\x00\r\n\x00\xff"


def test_attach_list_read_delete(agency: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Lopez")
    doc = agency.attach_document(c, name="passport.png", content_type="image/png", content=SCAN)
    assert (doc.customer_id, doc.name, doc.content_type, doc.size) == (c.id, "passport.png", "image/png", len(SCAN))
    assert len(doc.sha256) == 64
    assert agency.documents(c) == [doc]
    assert agency.get_document(doc.id) == doc
    assert agency.document_content(doc) == SCAN
    assert doc.to_dict()["sha256"] == doc.sha256
    assert "passport" not in repr(doc)
    agency.delete_document(doc)
    assert agency.documents(c.id) == []
    with pytest.raises(crm.NotFoundError):
        agency.document_content(doc.id)
    kinds = [e.kind for e in agency.changes_since()][-2:]
    assert kinds == ["document_attached", "document_deleted"]


def test_bad_documents_raise_typed_errors(agency: crm.Tenant, other: crm.Tenant) -> None:
    c = agency.create_customer(first_name="Ana", last_name="Lopez")
    for kwargs, field in [
        ({"name": "../x", "content_type": "image/png", "content": SCAN}, "name"),
        ({"name": "x.png", "content_type": "png", "content": SCAN}, "content_type"),
        ({"name": "x.png", "content_type": "image/png", "content": b""}, "content"),
    ]:
        with pytest.raises(crm.ValidationError) as caught:
            agency.attach_document(c, **kwargs)  # type: ignore[arg-type]
        assert caught.value.field == field
    with pytest.raises(TypeError, match="content"):
        agency.attach_document(c, name="x.txt", content_type="text/plain", content="text")  # type: ignore[arg-type]
    doc = agency.attach_document(c, name="x.txt", content_type="text/plain", content=b"x")
    with pytest.raises(crm.NotFoundError):
        other.get_document(doc.id)
    with pytest.raises(crm.NotFoundError):
        other.delete_document(doc.id)
    with pytest.raises(crm.NotFoundError):
        other.documents(c)
    assert agency.documents(c) == [doc]


def test_merge_moves_documents_and_anonymise_erases_them(agency: crm.Tenant, db: crm.Crm) -> None:
    keep = agency.create_customer(first_name="Hélène", last_name="Dupont")
    dup = agency.create_customer(first_name="Helene", last_name="Dupont")
    theirs = agency.attach_document(dup, name="visa.pdf", content_type="application/pdf", content=b"%PDF")
    merged = agency.merge(keep, [dup])
    assert [d.id for d in agency.documents(keep)] == [theirs.id]
    agency.unmerge(merged.record)
    assert [d.id for d in agency.documents(dup)] == [theirs.id]
    dpo = db.tenant(agency.id, actor=crm.Actor("dpo", "organisation"))
    assert "documents" in dpo.plan_anonymise(dup).erased
    dpo.anonymise(dup, reason="GDPR Art. 17 request")
    assert agency.documents(dup) == []
    with pytest.raises(crm.NotFoundError):
        agency.get_document(theirs)
