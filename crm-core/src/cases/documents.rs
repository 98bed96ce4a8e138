//! Documents attached to customers: at most [`MAX_DOCUMENTS`] each, none to an anonymised
//! customer, a merged id read as the customer it went into.

use crate::error::{Error, Result};
use crate::model::limits::MAX_DOCUMENTS;
use crate::model::{Actor, CustomerId, Document, DocumentId, NewDocument, TenantId};
use crate::model::{Change, ChangeKind};
use crate::privacy::{Act, allow};
use crate::resolve;
use crate::store::port::{self, Store};

/// Checks and attaches a document to customer `customer` (itself, not a merged id).
pub(crate) fn attach(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    customer: &CustomerId,
    new: NewDocument,
) -> Result<Document> {
    port::write(store, tenant, |tx| {
        let c = resolve::live(tx, customer)?;
        allow(&c, Act::AttachDocument)?;
        if tx.document_count(&c.id)? as usize >= MAX_DOCUMENTS {
            return Err(Error::validation(
                "documents",
                format!("the customer has {MAX_DOCUMENTS} documents already"),
            ));
        }
        let (doc, content) = new.validate(c.id)?;
        tx.insert_document(&doc, &content)?;
        let change =
            Change::customer(ChangeKind::DocumentAttached, c.id).with_fields(&["documents"]);
        tx.append(actor, &change)?;
        Ok(doc)
    })
}

/// The documents of a customer (a merged id answers those of the customer it went into),
/// oldest first.
pub(crate) fn of_customer(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<Document>> {
    port::read(store, tenant, |tx| {
        tx.documents(&resolve::current(tx, customer)?)
    })
}

/// One document, without its bytes.
pub(crate) fn get(store: &dyn Store, tenant: &TenantId, id: &DocumentId) -> Result<Document> {
    port::read(store, tenant, |tx| found(tx.document(id)?, id))
}

/// The bytes of one document.
pub(crate) fn content(store: &dyn Store, tenant: &TenantId, id: &DocumentId) -> Result<Vec<u8>> {
    port::read(store, tenant, |tx| found(tx.document_content(id)?, id))
}

/// One document and its bytes, from one snapshot.
pub(crate) fn file(
    store: &dyn Store,
    tenant: &TenantId,
    id: &DocumentId,
) -> Result<(Document, Vec<u8>)> {
    port::read(store, tenant, |tx| {
        Ok((
            found(tx.document(id)?, id)?,
            found(tx.document_content(id)?, id)?,
        ))
    })
}

/// Deletes a document; a `DocumentDeleted` event of its customer follows.
pub(crate) fn delete(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &DocumentId,
) -> Result<()> {
    port::write(store, tenant, |tx| {
        let doc = found(tx.document(id)?, id)?;
        tx.delete_document(id)?;
        let change = Change::customer(ChangeKind::DocumentDeleted, doc.customer_id)
            .with_fields(&["documents"]);
        tx.append(actor, &change)
    })
}

fn found<T>(value: Option<T>, id: &DocumentId) -> Result<T> {
    value.ok_or_else(|| Error::not_found("document", id))
}
