//! Duplicates: the tenant's model, kept after each learning and read back (once per process
//! until it changes) by every finder; and the pairs a person decided are not duplicates, which
//! no finder reports again.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::dedupe::{MatchModel, NotDuplicate};
use crate::error::{Error, Result};
use crate::model::limits::{MAX_CHANGES, MAX_NOT_DUPLICATES};
use crate::model::{Actor, Change, ChangeKind, CustomerId, TenantId};
use crate::privacy::{Act, allow};
use crate::resolve;
use crate::store::port::{self, Store, Tx};

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

/// Records that customers `x` and `y` (each itself, not a merged id) are not one person, unless
/// that was decided already: returns the decision that stands.
///
/// # Errors
/// Validation naming `b` when the two are one customer; NotFound or Conflict (merged) as for any
/// change of a customer.
pub(crate) fn mark(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    x: &CustomerId,
    y: &CustomerId,
) -> Result<NotDuplicate> {
    if x == y {
        return Err(Error::validation("b", "is the same customer as a"));
    }
    port::write(store, tenant, |tx| {
        let (a, b) = (resolve::live(tx, x)?, resolve::live(tx, y)?);
        allow(&a, Act::Review)?;
        allow(&b, Act::Review)?;
        let decision = NotDuplicate::new(a.id, b.id, actor, Utc::now());
        let of_x = tx.not_duplicates_of(x)?;
        if let Some(standing) = of_x.iter().find(|d| (d.a, d.b) == (decision.a, decision.b)) {
            return Ok(standing.clone());
        }
        for (field, id) in [("a", x), ("b", y)] {
            let count = if id == x {
                of_x.len()
            } else {
                tx.not_duplicates_of(id)?.len()
            };
            if count >= MAX_NOT_DUPLICATES {
                return Err(Error::validation(
                    field,
                    format!(
                        "customer {id} has {MAX_NOT_DUPLICATES} not-a-duplicate decisions \
                         already, the most one customer may have"
                    ),
                ));
            }
        }
        if !tx.insert_not_duplicate(&decision)? {
            return Err(Error::Internal("a decision appeared while stored".into()));
        }
        tx.append(actor, &event(ChangeKind::NotDuplicateMarked, &decision))?;
        Ok(decision)
    })
}

/// Takes back every decision that the customers `x` and `y` stand for (each with the records
/// merged into it) are not one person; whether there was one.
///
/// # Errors
/// Validation naming `b` when the two are one customer; NotFound if either customer is unknown
/// here (never existed, or deleted).
pub(crate) fn unmark(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    x: &CustomerId,
    y: &CustomerId,
) -> Result<bool> {
    if x == y {
        return Err(Error::validation("b", "is the same customer as a"));
    }
    port::write(store, tenant, |tx| {
        let xs = resolve::person(tx, &resolve::current(tx, x)?)?;
        let ys: HashSet<CustomerId> = resolve::person(tx, &resolve::current(tx, y)?)?
            .into_iter()
            .collect();
        let mut any = false;
        for d in decisions_about(tx, &xs)? {
            let other = if xs.contains(&d.a) { d.b } else { d.a };
            if ys.contains(&other) && tx.delete_not_duplicate(&d.a, &d.b)? {
                tx.append(actor, &event(ChangeKind::NotDuplicateUnmarked, &d))?;
                any = true;
            }
        }
        Ok(any)
    })
}

/// The decisions about the customer `id` stands for and the records merged into it, oldest
/// first.
pub(crate) fn of_customer(
    store: &dyn Store,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<NotDuplicate>> {
    port::read(store, tenant, |tx| {
        let person = resolve::person(tx, &resolve::current(tx, id)?)?;
        decisions_about(tx, &person)
    })
}

/// The decisions about any of `person` (one person's records), each once, oldest first.
pub(crate) fn decisions_about(tx: &dyn Tx, person: &[CustomerId]) -> Result<Vec<NotDuplicate>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for id in person {
        for d in tx.not_duplicates_of(id)? {
            if seen.insert((d.a, d.b)) {
                out.push(d);
            }
        }
    }
    out.sort_by_key(|d| (d.marked_at, d.a, d.b));
    Ok(out)
}

/// The pairs no finder reports, as the customers they stand for now (a record merged into
/// another passes its decisions on), the lower id first. `live` says which ids are customers
/// as they are (the rest are followed through their merges, or dropped once deleted).
pub(crate) fn reviewed(
    store: &dyn Store,
    tenant: &TenantId,
    live: &dyn Fn(&CustomerId) -> bool,
) -> Result<HashSet<(CustomerId, CustomerId)>> {
    port::read(store, tenant, |tx| {
        let mut now: HashMap<CustomerId, Option<CustomerId>> = HashMap::new();
        let mut pairs = HashSet::new();
        for d in tx.not_duplicates()? {
            let mut at = |id: CustomerId| -> Result<Option<CustomerId>> {
                if live(&id) {
                    return Ok(Some(id));
                }
                if let Some(known) = now.get(&id) {
                    return Ok(*known);
                }
                let found = resolve::current_or_gone(tx, &id)?;
                now.insert(id, found);
                Ok(found)
            };
            if let (Some(a), Some(b)) = (at(d.a)?, at(d.b)?)
                && a != b
            {
                pairs.insert(if a < b { (a, b) } else { (b, a) });
            }
        }
        Ok(pairs)
    })
}

/// The customers a person decided are not the one `id` stands for, as they stand now.
pub(crate) fn not_duplicates_of(
    store: &dyn Store,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<HashSet<CustomerId>> {
    port::read(store, tenant, |tx| {
        let person = resolve::person(tx, &resolve::current(tx, id)?)?;
        let mut out = HashSet::new();
        for d in decisions_about(tx, &person)? {
            let other = if person.contains(&d.a) { d.b } else { d.a };
            out.extend(resolve::current_or_gone(tx, &other)?);
        }
        Ok(out)
    })
}

/// The customers that may be in pairs new since `since` without having changed: those whose
/// not-a-duplicate decision was taken back, and those an unmerge brought back (with the customer
/// they had been merged into), as the change feed still tells (see
/// [`Crm::compact_feeds`](crate::Crm::compact_feeds)).
pub(crate) fn renewed_since(
    store: &dyn Store,
    tenant: &TenantId,
    since: DateTime<Utc>,
) -> Result<HashSet<CustomerId>> {
    port::read(store, tenant, |tx| {
        let mut out = HashSet::new();
        let Some(first) = tx.first_change_from(0, since)? else {
            return Ok(out);
        };
        let mut after = first - 1;
        loop {
            let page = tx.changes_since(after, MAX_CHANGES)?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in &page {
                if matches!(
                    e.kind,
                    ChangeKind::NotDuplicateUnmarked | ChangeKind::CustomerUnmerged
                ) {
                    // As the customers they stand for now (merged since, maybe).
                    for id in e.customer_id.iter().chain(&e.previous_customer_id) {
                        out.extend(resolve::current_or_gone(tx, id)?);
                    }
                }
            }
        }
        Ok(out)
    })
}

/// The feed event of a decision: the two customers, the lower id first.
fn event(kind: ChangeKind, d: &NotDuplicate) -> Change {
    let mut change = Change::customer(kind, d.a);
    change.previous_customer_id = Some(d.b);
    change
}
