//! Documents attached to customers: stored with their bytes, listed without them.

use postgres::Row;

use super::Db;
use super::values::{self, count as count_column, customer_id, utc, utc_text};
use crate::error::Result;
use crate::model::{CustomerId, Document, DocumentId, TenantId};

const COLUMNS: &str = "id, customer_id, name, content_type, size, sha256, added_at";

fn from_row(r: &Row) -> Result<Document> {
    Ok(Document {
        id: DocumentId::from_uuid(values::get(r, 0)?),
        customer_id: customer_id(r, 1)?,
        name: values::get(r, 2)?,
        content_type: values::get(r, 3)?,
        size: values::get::<i64>(r, 4)? as u64,
        sha256: values::get(r, 5)?,
        added_at: utc(r, 6)?,
    })
}

/// Stores a document and its bytes.
pub(super) fn insert(
    db: &mut Db<'_>,
    tenant: &TenantId,
    doc: &Document,
    content: &[u8],
) -> Result<()> {
    db.execute(
        "INSERT INTO documents (id, tenant_id, customer_id, name, content_type, size, sha256,
            added_at, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            doc.id.as_uuid(),
            &tenant.as_str(),
            doc.customer_id.as_uuid(),
            &doc.name,
            &doc.content_type,
            &(doc.size as i64),
            &doc.sha256,
            &utc_text(&doc.added_at),
            &content,
        ],
    )?;
    Ok(())
}

/// The documents of a customer, oldest first.
pub(super) fn list(db: &mut Db<'_>, tenant: &TenantId, id: &CustomerId) -> Result<Vec<Document>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM documents WHERE tenant_id = $1 AND customer_id = $2 ORDER BY added_at, id"
    );
    db.query(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .iter()
        .map(from_row)
        .collect()
}

/// One document, without its bytes.
pub(super) fn get(db: &mut Db<'_>, tenant: &TenantId, id: &DocumentId) -> Result<Option<Document>> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE tenant_id = $1 AND id = $2");
    db.query_opt(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The bytes of one document.
pub(super) fn content(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &DocumentId,
) -> Result<Option<Vec<u8>>> {
    db.query_opt(
        "SELECT content FROM documents WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )?
    .map(|r| values::get(&r, 0))
    .transpose()
}

/// Removes a document.
pub(super) fn delete(db: &mut Db<'_>, tenant: &TenantId, id: &DocumentId) -> Result<()> {
    db.execute(
        "DELETE FROM documents WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )?;
    Ok(())
}

/// Deletes every document of `customer` without events (anonymise records its own); returns
/// how many.
pub(super) fn erase_all(db: &mut Db<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<u64> {
    db.execute(
        "DELETE FROM documents WHERE tenant_id = $1 AND customer_id = $2",
        &[&tenant.as_str(), customer.as_uuid()],
    )
}

/// How many documents `customer` has.
pub(super) fn count(db: &mut Db<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<u64> {
    let row = db.query_one(
        "SELECT COUNT(*) FROM documents WHERE tenant_id = $1 AND customer_id = $2",
        &[&tenant.as_str(), customer.as_uuid()],
    )?;
    count_column(&row, 0)
}
