//! The tenant's duplicate-detection model: kept after each learning, read back (once per
//! process until it changes) by every finder of duplicates.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::dedupe::MatchModel;
use crate::error::Result;
use crate::model::TenantId;
use crate::store::port::{self, Store};

/// The models read so far, by tenant, with when each was learned: a read checks that stamp
/// only, and reads the model again when another handle or process learned a new one.
#[derive(Debug, Default)]
pub(crate) struct ModelCache {
    models: Mutex<HashMap<String, (String, Arc<MatchModel>)>>,
}

/// The tenant's model: the one learned last, or the built-in one.
pub(crate) fn model(
    store: &dyn Store,
    tenant: &TenantId,
    cache: &ModelCache,
) -> Result<Arc<MatchModel>> {
    let Some(stamp) = port::read(store, tenant, |tx| tx.match_model_stamp())? else {
        return Ok(Arc::new(MatchModel::default()));
    };
    if let Ok(models) = cache.models.lock()
        && let Some((known, model)) = models.get(tenant.as_str())
        && *known == stamp
    {
        return Ok(Arc::clone(model));
    }
    let stored = port::read(store, tenant, |tx| tx.match_model())?;
    let Some((stamp, params, frequencies)) = stored else {
        return Ok(Arc::new(MatchModel::default()));
    };
    // A model this version cannot read (written by a later one) counts as none until the
    // next learning.
    let model = Arc::new(MatchModel::from_stored(&params, &frequencies).unwrap_or_default());
    if let Ok(mut models) = cache.models.lock() {
        models.insert(tenant.as_str().to_owned(), (stamp, Arc::clone(&model)));
    }
    Ok(model)
}

/// Keeps a newly learned model as the tenant's. The built-in one is never stored.
pub(crate) fn keep(store: &dyn Store, tenant: &TenantId, model: &MatchModel) -> Result<()> {
    let Some(learning) = &model.learning else {
        return Ok(());
    };
    let stamp = learning
        .learned_at
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (params, frequencies) = model.to_stored();
    port::write(store, tenant, |tx| {
        tx.set_match_model(&stamp, &params, &frequencies)
    })
}
