//! Documents attached to customers: attach, list, read, delete; the checks; tenant isolation;
//! what merges, unmerges, deletes and anonymisations do to them.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use crm_core::{Actor, ChangeKind, ErrorKind, MergeRequest, NewDocument, Role};

fn pdf(name: &str, bytes: &[u8]) -> NewDocument {
    NewDocument::new(name, "application/pdf", bytes.to_vec())
}

#[test]
fn attach_list_read_and_delete() {
    let db = open();
    let a = db.tenant("agency-a");
    let c = a
        .create_customer(&actor(), customer("Hélène", "Dupont"))
        .unwrap();
    let seq = last_seq(&a);
    let first = a
        .attach_document(&actor(), &c.id, pdf("passport.pdf", b"%PDF-1.4 passport"))
        .unwrap();
    let second = a
        .attach_document(&actor(), &c.id, pdf("visa.pdf", b"%PDF-1.4 visa"))
        .unwrap();
    assert_eq!(
        (first.customer_id, first.size, first.name.as_str()),
        (c.id, 17, "passport.pdf")
    );
    assert_eq!(first.sha256.len(), 64);
    assert_eq!(
        a.documents(&c.id).unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(a.get_document(&first.id).unwrap(), first);
    assert_eq!(a.document_content(&first.id).unwrap(), b"%PDF-1.4 passport");
    a.delete_document(&actor(), &first.id).unwrap();
    assert_eq!(a.documents(&c.id).unwrap(), vec![second.clone()]);
    assert_kind(a.get_document(&first.id), ErrorKind::NotFound);
    assert_kind(a.document_content(&first.id), ErrorKind::NotFound);
    assert_kind(a.delete_document(&actor(), &first.id), ErrorKind::NotFound);
    let kinds: Vec<ChangeKind> = changes_after(&a, seq).iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::DocumentAttached,
            ChangeKind::DocumentAttached,
            ChangeKind::DocumentDeleted
        ]
    );
    // Survives a reopen.
    let again = db.reopen().tenant("agency-a").unwrap();
    assert_eq!(
        again.document_content(&second.id).unwrap(),
        b"%PDF-1.4 visa"
    );
}

#[test]
fn bad_documents_name_the_field_and_write_nothing() {
    let db = open();
    let a = db.tenant("agency-a");
    let c = a
        .create_customer(&actor(), customer("Hélène", "Dupont"))
        .unwrap();
    let seq = last_seq(&a);
    assert_invalid(
        a.attach_document(&actor(), &c.id, pdf("../../etc/passwd", b"x")),
        "name",
    );
    assert_invalid(a.attach_document(&actor(), &c.id, pdf(" ", b"x")), "name");
    assert_invalid(
        a.attach_document(
            &actor(),
            &c.id,
            NewDocument::new("a.pdf", "pdf", b"x".to_vec()),
        ),
        "content_type",
    );
    assert_invalid(
        a.attach_document(&actor(), &c.id, pdf("a.pdf", b"")),
        "content",
    );
    let big = vec![0u8; crm_core::limits::MAX_DOCUMENT_BYTES + 1];
    assert_invalid(
        a.attach_document(&actor(), &c.id, pdf("a.pdf", &big)),
        "content",
    );
    assert_invalid(
        a.attach_document(&Actor::new(" ", Role::Agent), &c.id, pdf("a.pdf", b"x")),
        "actor.user_id",
    );
    for i in 0..crm_core::limits::MAX_DOCUMENTS {
        a.attach_document(&actor(), &c.id, pdf(&format!("{i}.pdf"), b"x"))
            .unwrap();
    }
    let seq_full = last_seq(&a);
    assert_invalid(
        a.attach_document(&actor(), &c.id, pdf("one-more.pdf", b"x")),
        "documents",
    );
    assert_eq!(last_seq(&a), seq_full);
    assert!(seq_full > seq);
}

#[test]
fn documents_never_cross_tenants() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let c = a
        .create_customer(&actor(), customer("Hélène", "Dupont"))
        .unwrap();
    let doc = a
        .attach_document(&actor(), &c.id, pdf("passport.pdf", b"secret"))
        .unwrap();
    assert_kind(b.get_document(&doc.id), ErrorKind::NotFound);
    assert_kind(b.document_content(&doc.id), ErrorKind::NotFound);
    assert_kind(b.delete_document(&actor(), &doc.id), ErrorKind::NotFound);
    assert_kind(b.documents(&c.id), ErrorKind::NotFound);
    assert_kind(
        b.attach_document(&actor(), &c.id, pdf("x.pdf", b"x")),
        ErrorKind::NotFound,
    );
    assert_eq!(a.documents(&c.id).unwrap(), vec![doc]);
}

#[test]
fn merges_move_documents_and_unmerge_moves_them_back() {
    let db = open();
    let a = db.tenant("agency-a");
    let keep = a
        .create_customer(&actor(), customer("Hélène", "Dupont"))
        .unwrap();
    let dup = a
        .create_customer(&actor(), customer("Helene", "Dupont"))
        .unwrap();
    let mine = a
        .attach_document(&actor(), &keep.id, pdf("mine.pdf", b"1"))
        .unwrap();
    let theirs = a
        .attach_document(&actor(), &dup.id, pdf("theirs.pdf", b"2"))
        .unwrap();
    let merge = a
        .merge(&actor(), &MergeRequest::new(keep.id, [dup.id]))
        .unwrap()
        .record;
    let names: Vec<String> = a
        .documents(&keep.id)
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names, ["mine.pdf", "theirs.pdf"]);
    assert_eq!(a.get_document(&theirs.id).unwrap().customer_id, keep.id);
    // Through the merged id too.
    assert_eq!(a.documents(&dup.id).unwrap().len(), 2);
    assert_kind(
        a.attach_document(&actor(), &dup.id, pdf("x.pdf", b"x")),
        ErrorKind::Conflict,
    );
    a.unmerge(&actor(), &merge.id).unwrap();
    assert_eq!(a.documents(&keep.id).unwrap(), vec![mine]);
    assert_eq!(a.documents(&dup.id).unwrap(), vec![theirs]);
}

#[test]
fn deleting_or_anonymising_the_customer_erases_its_documents() {
    let db = open();
    let a = db.tenant("agency-a");
    let gone = a
        .create_customer(&actor(), customer("Ana", "Lopez"))
        .unwrap();
    let doc = a
        .attach_document(&actor(), &gone.id, pdf("a.pdf", b"1"))
        .unwrap();
    a.delete_customer(&actor(), &gone.id).unwrap();
    assert_kind(a.get_document(&doc.id), ErrorKind::NotFound);

    let erased = a.create_customer(&actor(), customer("Bo", "Berg")).unwrap();
    let doc = a
        .attach_document(&actor(), &erased.id, pdf("b.pdf", b"2"))
        .unwrap();
    let plan = a.plan_anonymise(&erased.id).unwrap();
    assert!(plan.erased.contains(&"documents".to_string()));
    a.anonymise(
        &Actor::new("dpo", Role::Organisation),
        &erased.id,
        "GDPR Art. 17 request",
    )
    .unwrap();
    assert_kind(a.get_document(&doc.id), ErrorKind::NotFound);
    assert!(a.documents(&erased.id).unwrap().is_empty());
    assert_kind(
        a.attach_document(&actor(), &erased.id, pdf("c.pdf", b"3")),
        ErrorKind::Conflict,
    );
}
