//! Message templates: saved (one kind per name across its language variants), read, removed.

use chrono::Utc;

use crate::error::{Error, Result};
use crate::model::{Actor, NewTemplate, Template, TenantId};
use crate::store::port::{self, Store};

/// Saves a checked template variant, over the one of its name and language.
pub(crate) fn save(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    t: NewTemplate,
) -> Result<Template> {
    port::write(store, tenant, |tx| {
        if let Some(other) = tx
            .template_variants(&t.name)?
            .into_iter()
            .find(|v| v.kind != t.kind && v.language != t.language)
        {
            return Err(Error::validation(
                "kind",
                format!(
                    "the template {:?} is a {} template in its other languages",
                    t.name, other.kind
                ),
            ));
        }
        let template = Template {
            name: t.name,
            kind: t.kind,
            language: t.language,
            subject: t.subject,
            text: t.text,
            html: t.html,
            updated_at: Utc::now(),
            updated_by: actor.user_id.clone(),
        };
        tx.put_template(&template)?;
        Ok(template)
    })
}

/// Every template of the tenant, by name then language.
pub(crate) fn all(store: &dyn Store, tenant: &TenantId) -> Result<Vec<Template>> {
    port::read(store, tenant, |tx| tx.templates())
}

/// The variants of template `name`, the default first.
///
/// # Errors
/// NotFound when it has none.
pub(crate) fn variants(store: &dyn Store, tenant: &TenantId, name: &str) -> Result<Vec<Template>> {
    let found = port::read(store, tenant, |tx| tx.template_variants(name.trim()))?;
    if found.is_empty() {
        return Err(Error::not_found("template", name.trim()));
    }
    Ok(found)
}

/// Removes the variant of `name` in `language` (`None`: the default).
///
/// # Errors
/// NotFound when there is no such variant.
pub(crate) fn delete(
    store: &dyn Store,
    tenant: &TenantId,
    name: &str,
    language: Option<&str>,
) -> Result<()> {
    port::write(store, tenant, |tx| {
        if !tx.delete_template(name.trim(), language)? {
            return Err(Error::not_found("template", name.trim()));
        }
        Ok(())
    })
}
