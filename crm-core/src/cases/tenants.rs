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
        let changed = [
            (
                "default_region",
                before.default_region != settings.default_region,
            ),
            ("name_rule", before.name_rule != settings.name_rule),
            ("time_zone", before.time_zone != settings.time_zone),
            (
                "email_uniqueness",
                before.email_uniqueness != settings.email_uniqueness,
            ),
            ("hard_delete", before.hard_delete != settings.hard_delete),
            ("merge", before.merge != settings.merge),
        ];
        let fields = changed
            .into_iter()
            .filter(|(_, changed)| *changed)
            .map(|(name, _)| name.to_owned())
            .collect();
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
