//! A tenant's settings: replaced whole, a `TenantSettingsUpdated` event naming what changed
//! (none when nothing did).

use crate::error::{Error, Result};
use crate::model::{Actor, Role, TenantId, TenantSettings};
use crate::model::{Change, ChangeKind};
use crate::store::port::{self, Store};

/// The tenant's settings.
pub(crate) fn settings(store: &dyn Store, tenant: &TenantId) -> Result<TenantSettings> {
    port::read(store, tenant, |tx| tx.tenant_settings())
}

/// Replaces the tenant's settings with `change` of them (checked), in one transaction; writes
/// nothing when they are the same. Changing a policy (email uniqueness, who may delete or
/// merge) needs the organisation role: an actor a policy restricts cannot lift it.
pub(crate) fn set_settings(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    change: impl FnOnce(TenantSettings) -> Result<TenantSettings>,
) -> Result<()> {
    port::write(store, tenant, |tx| {
        let before = tx.tenant_settings()?;
        let settings = change(before.clone())?;
        if before == settings {
            return Ok(());
        }
        let policies = |s: &TenantSettings| (s.email_uniqueness, s.hard_delete, s.merge);
        if policies(&before) != policies(&settings) && actor.role != Role::Organisation {
            return Err(Error::PermissionDenied {
                reason: format!(
                    "changing the tenant's policies needs the organisation role (the actor is {})",
                    actor.role
                ),
            });
        }
        tx.set_tenant_settings(&settings)?;
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
