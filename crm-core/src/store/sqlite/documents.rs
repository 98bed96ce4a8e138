//! Documents attached to customers: stored with their bytes, listed without them.

use rusqlite::{OptionalExtension, Transaction, params};

use super::values::{parse_utc, utc_text};
use crate::error::Result;
use crate::model::{CustomerId, Document, DocumentId, TenantId};

const COLUMNS: &str = "id, customer_id, name, content_type, size, sha256, added_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Document> {
    Ok(Document {
        id: DocumentId::from_uuid(r.get(0)?),
        customer_id: CustomerId::from_uuid(r.get(1)?),
        name: r.get(2)?,
        content_type: r.get(3)?,
        size: r.get::<_, i64>(4)? as u64,
        sha256: r.get(5)?,
        added_at: parse_utc(6, &r.get::<_, String>(6)?)?,
    })
}

/// Stores a document and its bytes.
pub(super) fn insert(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    doc: &Document,
    content: &[u8],
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO documents (id, tenant_id, customer_id, name, content_type, size, sha256,
            added_at, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .map_err(super::db)?
    .execute(params![
        doc.id.as_uuid(),
        tenant.as_str(),
        doc.customer_id.as_uuid(),
        doc.name,
        doc.content_type,
        doc.size as i64,
        doc.sha256,
        utc_text(&doc.added_at),
        content
    ])
    .map_err(super::db)?;
    Ok(())
}

/// The documents of a customer, oldest first.
pub(super) fn list(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<Document>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM documents WHERE tenant_id = ?1 AND customer_id = ?2 ORDER BY added_at, id"
    );
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_map(params![tenant.as_str(), id.as_uuid()], from_row)
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)
}

/// One document, without its bytes.
pub(super) fn get(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &DocumentId,
) -> Result<Option<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE tenant_id = ?1 AND id = ?2");
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], from_row)
        .optional()
        .map_err(super::db)
}

/// The bytes of one document.
pub(super) fn content(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &DocumentId,
) -> Result<Option<Vec<u8>>> {
    tx.prepare_cached("SELECT content FROM documents WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], |r| r.get(0))
        .optional()
        .map_err(super::db)
}

/// Removes a document.
pub(super) fn delete(tx: &Transaction<'_>, tenant: &TenantId, id: &DocumentId) -> Result<()> {
    tx.prepare_cached("DELETE FROM documents WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), id.as_uuid()])
        .map_err(super::db)?;
    Ok(())
}

/// Deletes every document of `customer` without events (anonymise records its own); returns
/// how many.
pub(super) fn erase_all(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<u64> {
    Ok(tx
        .prepare_cached("DELETE FROM documents WHERE tenant_id = ?1 AND customer_id = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), customer.as_uuid()])
        .map_err(super::db)? as u64)
}

/// How many documents `customer` has.
pub(super) fn count(tx: &Transaction<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<u64> {
    Ok(tx
        .prepare_cached("SELECT COUNT(*) FROM documents WHERE tenant_id = ?1 AND customer_id = ?2")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), customer.as_uuid()], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(super::db)? as u64)
}
