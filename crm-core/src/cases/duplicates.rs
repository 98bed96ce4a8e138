//! The tenant's duplicate-detection model: kept after each learning, read back (once per
//! process until it changes) by every finder of duplicates.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::dedupe::MatchModel;
use crate::error::Result;
use crate::model::TenantId;
use crate::store::port::{self, Store};

/// The models read so far, by tenant, with when each was learned: a read checks that stamp
/// only, and reads the model again when another handle or process learned a new one. At most
/// [`CACHED_MODELS`] tenants: past that the cache starts again.
#[derive(Debug, Default)]
pub(crate) struct ModelCache {
    models: Mutex<HashMap<String, (String, Arc<MatchModel>)>>,
}

/// Tenants whose model a process keeps in memory at most (each up to a megabyte or two).
const CACHED_MODELS: usize = 64;

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
        if models.len() >= CACHED_MODELS && !models.contains_key(tenant.as_str()) {
            models.clear();
        }
        models.insert(tenant.as_str().to_owned(), (stamp, Arc::clone(&model)));
    }
    Ok(model)
}

/// Keeps a newly learned model as the tenant's; the built-in one too, when a learning gave it
/// (too few customers), so that no older learned model outlives it.
pub(crate) fn keep(store: &dyn Store, tenant: &TenantId, model: &MatchModel) -> Result<()> {
    let at = model
        .learning
        .as_ref()
        .map_or_else(chrono::Utc::now, |l| l.learned_at);
    let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (params, frequencies) = model.to_stored();
    port::write(store, tenant, |tx| {
        tx.set_match_model(&stamp, &params, &frequencies)
    })
}
