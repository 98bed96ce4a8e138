//! Message templates of a tenant, a row per name and language.

use postgres::Row;

use super::Db;
use super::values::{self, enumerated, utc, utc_text};
use crate::error::Result;
use crate::model::{Template, TenantId};

const COLUMNS: &str = "name, language, kind, subject, text, html, updated_at, updated_by";

fn template(r: &Row) -> Result<Template> {
    let language: String = values::get(r, 1)?;
    Ok(Template {
        name: values::get(r, 0)?,
        language: Some(language).filter(|l| !l.is_empty()),
        kind: enumerated(r, 2)?,
        subject: values::get(r, 3)?,
        text: values::get(r, 4)?,
        html: values::get(r, 5)?,
        updated_at: utc(r, 6)?,
        updated_by: values::get(r, 7)?,
    })
}

/// Every template of the tenant, by name then language (the default variant first).
pub(super) fn all(db: &mut Db<'_>, tenant: &TenantId) -> Result<Vec<Template>> {
    let sql =
        format!("SELECT {COLUMNS} FROM templates WHERE tenant_id = $1 ORDER BY name, language");
    db.query(&sql, &[&tenant.as_str()])?
        .iter()
        .map(template)
        .collect()
}

/// The variants of the template `name`, the default first.
pub(super) fn named(db: &mut Db<'_>, tenant: &TenantId, name: &str) -> Result<Vec<Template>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM templates WHERE tenant_id = $1 AND name = $2 ORDER BY language"
    );
    db.query(&sql, &[&tenant.as_str(), &name])?
        .iter()
        .map(template)
        .collect()
}

/// Writes a template variant (a new one, or over the one of its name and language).
pub(super) fn put(db: &mut Db<'_>, tenant: &TenantId, t: &Template) -> Result<()> {
    db.execute(
        "INSERT INTO templates (tenant_id, name, language, kind, subject, text, html, updated_at,
            updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (tenant_id, name, language) DO UPDATE SET kind = excluded.kind,
             subject = excluded.subject, text = excluded.text, html = excluded.html,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        &[
            &tenant.as_str(),
            &t.name,
            &t.language.as_deref().unwrap_or_default(),
            &t.kind.as_str(),
            &t.subject,
            &t.text,
            &t.html,
            &utc_text(&t.updated_at),
            &t.updated_by,
        ],
    )?;
    Ok(())
}

/// Removes the variant of `name` in `language` (`None`: the default); `false` if none.
pub(super) fn delete(
    db: &mut Db<'_>,
    tenant: &TenantId,
    name: &str,
    language: Option<&str>,
) -> Result<bool> {
    Ok(db.execute(
        "DELETE FROM templates WHERE tenant_id = $1 AND name = $2 AND language = $3",
        &[&tenant.as_str(), &name, &language.unwrap_or_default()],
    )? == 1)
}
