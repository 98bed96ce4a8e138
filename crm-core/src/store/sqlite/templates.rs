//! Message templates of a tenant, a row per name and language.

use rusqlite::{Row, Transaction, params};

use super::values::{parse_enum, parse_utc, utc_text};
use crate::error::Result;
use crate::model::{Template, TenantId};

const COLUMNS: &str = "name, language, kind, subject, text, html, updated_at, updated_by";

fn template(r: &Row<'_>) -> rusqlite::Result<Template> {
    let language: String = r.get(1)?;
    Ok(Template {
        name: r.get(0)?,
        language: Some(language).filter(|l| !l.is_empty()),
        kind: parse_enum(2, &r.get::<_, String>(2)?)?,
        subject: r.get(3)?,
        text: r.get(4)?,
        html: r.get(5)?,
        updated_at: parse_utc(6, &r.get::<_, String>(6)?)?,
        updated_by: r.get(7)?,
    })
}

/// Every template of the tenant, by name then language (the default variant first).
pub(super) fn all(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<Template>> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM templates WHERE tenant_id = ?1 ORDER BY name, language"
    ))
    .map_err(super::db)?
    .query_map([tenant.as_str()], template)
    .map_err(super::db)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(super::db)
}

/// The variants of the template `name`, the default first.
pub(super) fn named(tx: &Transaction<'_>, tenant: &TenantId, name: &str) -> Result<Vec<Template>> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM templates WHERE tenant_id = ?1 AND name = ?2 ORDER BY language"
    ))
    .map_err(super::db)?
    .query_map(params![tenant.as_str(), name], template)
    .map_err(super::db)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(super::db)
}

/// Writes a template variant (a new one, or over the one of its name and language).
pub(super) fn put(tx: &Transaction<'_>, tenant: &TenantId, t: &Template) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO templates (tenant_id, name, language, kind, subject, text, html, updated_at,
            updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (tenant_id, name, language) DO UPDATE SET kind = excluded.kind,
             subject = excluded.subject, text = excluded.text, html = excluded.html,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        t.name,
        t.language.as_deref().unwrap_or_default(),
        t.kind.as_str(),
        t.subject,
        t.text,
        t.html,
        utc_text(&t.updated_at),
        t.updated_by,
    ])
    .map_err(super::db)?;
    Ok(())
}

/// Removes the variant of `name` in `language` (`None`: the default); `false` if none.
pub(super) fn delete(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    name: &str,
    language: Option<&str>,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM templates WHERE tenant_id = ?1 AND name = ?2 AND language = ?3",
        )
        .map_err(super::db)?
        .execute(params![tenant.as_str(), name, language.unwrap_or_default()])
        .map_err(super::db)?
        == 1)
}
