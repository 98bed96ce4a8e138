//! A tenant's settings: replaced whole, a `TenantSettingsUpdated` event naming what changed
//! (none when nothing did).

use crate::error::Result;
use crate::model::{Actor, TenantId, TenantSettings};
use crate::model::{Change, ChangeKind};
use crate::store::port::{self, Store};

/// The tenant's settings.
pub(crate) fn settings(store: &dyn Store, tenant: &TenantId) -> Result<TenantSettings> {
    port::read(store, tenant, |tx| tx.tenant_settings())
}

/// Replaces the tenant's settings (checked); writes nothing when they are the same.
pub(crate) fn set_settings(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    settings: &TenantSettings,
) -> Result<()> {
    port::write(store, tenant, |tx| {
        let before = tx.tenant_settings()?;
        if before == *settings {
            return Ok(());
        }
        tx.set_tenant_settings(settings)?;
        let mut fields = Vec::new();
        if before.default_region != settings.default_region {
            fields.push("default_region".into());
        }
        if before.name_rule != settings.name_rule {
            fields.push("name_rule".into());
        }
        let change = Change {
            kind: ChangeKind::TenantSettingsUpdated,
            customer_id: None,
            previous_customer_id: None,
            booking_ref: None,
            fields,
        };
        tx.append(actor, &change)
    })
}
