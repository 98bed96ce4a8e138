//! Documents attached to customers: `crm_document` (read with getters), `crm_document_list`,
//! and the tenant's document calls.

use std::ffi::c_char;

use crm_core::{Document, DocumentId, NewDocument};

use crate::customer::{id_in, rfc3339};
use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, Texts, c_string};
use crate::status::{Failure, crm_status};

/// A document attached to a customer. From `crm_tenant_get_document` it holds the bytes too
/// (`crm_document_content`); from a list, only the metadata.
pub struct crm_document {
    _private: [u8; 0],
}

/// The documents of a customer, oldest first; `crm_document_list_get` lends its items.
pub struct crm_document_list {
    _private: [u8; 0],
}

/// A text field of a document, for `crm_document_get`.
pub type crm_document_field = u32;
/// Its id.
pub const CRM_DOCUMENT_ID: crm_document_field = 1201;
/// The id of the customer it is attached to.
pub const CRM_DOCUMENT_CUSTOMER_ID: crm_document_field = 1202;
/// The file name.
pub const CRM_DOCUMENT_NAME: crm_document_field = 1203;
/// The media type (`application/pdf`).
pub const CRM_DOCUMENT_CONTENT_TYPE: crm_document_field = 1204;
/// The SHA-256 of the bytes, lowercase hex.
pub const CRM_DOCUMENT_SHA256: crm_document_field = 1205;
/// When it was attached, RFC 3339 UTC.
pub const CRM_DOCUMENT_ADDED_AT: crm_document_field = 1206;

const FIELD_BASE: u32 = 1200;
const FIELD_COUNT: usize = 6;

struct DocumentHandle {
    document: Document,
    texts: Texts,
    content: Option<Vec<u8>>,
}

impl Handle for DocumentHandle {
    type C = crm_document;
    const NAME: &'static str = "crm_document";
}

impl DocumentHandle {
    fn new(document: Document, content: Option<Vec<u8>>) -> Self {
        let mut texts = Texts::new(FIELD_BASE, FIELD_COUNT);
        let d = &document;
        for (field, value) in [
            (CRM_DOCUMENT_ID, d.id.to_string()),
            (CRM_DOCUMENT_CUSTOMER_ID, d.customer_id.to_string()),
            (CRM_DOCUMENT_NAME, d.name.clone()),
            (CRM_DOCUMENT_CONTENT_TYPE, d.content_type.clone()),
            (CRM_DOCUMENT_SHA256, d.sha256.clone()),
            (CRM_DOCUMENT_ADDED_AT, rfc3339(&d.added_at)),
        ] {
            texts.set(field, Some(c_string(value)));
        }
        Self {
            document,
            texts,
            content,
        }
    }
}

struct DocumentList(Vec<DocumentHandle>);

impl DocumentList {
    fn new(documents: Vec<Document>) -> Self {
        let items: Vec<DocumentHandle> = documents
            .into_iter()
            .map(|d| DocumentHandle::new(d, None))
            .collect();
        ffi::lend(&items);
        Self(items)
    }
}

impl Drop for DocumentList {
    fn drop(&mut self) {
        ffi::unlend(&self.0);
    }
}

impl Handle for DocumentList {
    type C = crm_document_list;
    const NAME: &'static str = "crm_document_list";
}

fn document<'a>(ptr: *const crm_document) -> Result<&'a DocumentHandle, Failure> {
    ffi::get::<DocumentHandle>(ptr, "document")
}

fn document_id_in(ptr: *const c_char) -> Result<DocumentId, Failure> {
    Ok(ffi::text_in(ptr, "document_id")?.parse()?)
}

/// A text field of a document (`CRM_DOCUMENT_*`). Borrowed until the document is freed; NULL
/// on a bad handle or constant.
#[unsafe(no_mangle)]
pub extern "C" fn crm_document_get(
    document: *const crm_document,
    field: crm_document_field,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        self::document(document)?
            .texts
            .get(field, "crm_document_field")
    })
}

/// The size of the document in bytes; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_document_size(document: *const crm_document) -> u64 {
    ffi::value(0, || Ok(self::document(document)?.document.size))
}

/// The bytes of a document read with `crm_tenant_get_document`, borrowed until it is freed;
/// `*size_out` (or NULL) receives their count. NULL for a document from a list (read it with
/// `crm_tenant_get_document`) or on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_document_content(
    document: *const crm_document,
    size_out: *mut usize,
) -> *const u8 {
    ffi::value(std::ptr::null(), || {
        let d = self::document(document)?;
        let bytes = d.content.as_deref();
        ffi::write_if_asked(size_out, bytes.map_or(0, <[u8]>::len));
        Ok(bytes.map_or(std::ptr::null(), <[u8]>::as_ptr))
    })
}

/// Frees a document. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_document_free(document: *mut crm_document) {
    ffi::value((), || ffi::free::<DocumentHandle>(document));
}

/// How many documents the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_document_list_len(list: *const crm_document_list) -> usize {
    ffi::value(0, || Ok(ffi::get::<DocumentList>(list, "list")?.0.len()))
}

/// The document at `index`, borrowed from the list (never free it; no bytes). NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_document_list_get(
    list: *const crm_document_list,
    index: usize,
) -> *const crm_document {
    ffi::value(std::ptr::null(), || {
        Ok(ffi::item_ptr(
            &ffi::get::<DocumentList>(list, "list")?.0,
            index,
        ))
    })
}

/// Frees a list of documents. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_document_list_free(list: *mut crm_document_list) {
    ffi::value((), || ffi::free::<DocumentList>(list));
}

/// Attaches `size` bytes at `content` (an ID copy, a signed form) to customer `customer_id`
/// as a file named `name` of media type `content_type`: stored in the database with the
/// customer, fingerprinted (SHA-256), at most 10 MiB and 100 per customer; erased when the
/// customer is deleted or anonymised, moved by a merge. On success `*out` is the document
/// (without the bytes), freed with `crm_document_free`. Errors: `CRM_ERR_VALIDATION` on
/// `name`, `content_type`, `content` (empty or too large) or `documents` (too many),
/// `CRM_ERR_NOT_FOUND`, `CRM_ERR_CONFLICT` (customer anonymised or merged).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_attach_document(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    name: *const c_char,
    content_type: *const c_char,
    content: *const u8,
    size: usize,
    out: *mut *mut crm_document,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let name = ffi::text_in(name, "name")?;
        let content_type = ffi::text_in(content_type, "content_type")?;
        if size > crm_core::limits::MAX_DOCUMENT_BYTES {
            // Refused before a byte is read.
            return Err(crate::json::validation(
                "content",
                format!("larger than {} bytes", crm_core::limits::MAX_DOCUMENT_BYTES),
            ));
        }
        let bytes = ffi::bytes_in(content, size, "content")?;
        let new = NewDocument::new(name, content_type, bytes);
        let document = t.tenant.attach_document(&t.actor, &id, new)?;
        out.write(ffi::into_raw(DocumentHandle::new(document, None)));
        Ok(())
    })
}

/// The documents of customer `customer_id`, oldest first, without their bytes. On success
/// `*out` is a list freed with `crm_document_list_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_documents(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_document_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        out.write(ffi::into_raw(DocumentList::new(t.tenant.documents(&id)?)));
        Ok(())
    })
}

/// One document with its bytes (`crm_document_content`). On success `*out` is freed with
/// `crm_document_free`. Errors: `CRM_ERR_NOT_FOUND` (also for another tenant's document).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_get_document(
    tenant: *const crm_tenant,
    document_id: *const c_char,
    out: *mut *mut crm_document,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = document_id_in(document_id)?;
        let (document, content) = t.tenant.get_document_file(&id)?;
        out.write(ffi::into_raw(DocumentHandle::new(document, Some(content))));
        Ok(())
    })
}

/// Deletes a document. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_delete_document(
    tenant: *const crm_tenant,
    document_id: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let id = document_id_in(document_id)?;
        t.tenant.delete_document(&t.actor, &id)?;
        Ok(())
    })
}
