//! Customers: how an edit is saved (the fields that changed, a new version, one event).

use chrono::Utc;

use crate::consent::FROM_RECORD;
use crate::error::{Error, Result};
use crate::model::{
    Actor, Consent, Cursor, CursorData, Customer, CustomerId, CustomerListQuery, CustomerRow,
    NewCustomer, Page, Rules, SortKey, TenantId,
};
use crate::model::{Change, ChangeKind};
use crate::policy::Emails;
use crate::privacy::{Act, allow};
use crate::resolve;
use crate::store::port::{self, SortValue, Store, WriteTx};

/// The customer `id` stands for (a merged id reads the customer it went into).
pub(crate) fn get(store: &dyn Store, tenant: &TenantId, id: &CustomerId) -> Result<Customer> {
    port::read(store, tenant, |tx| resolve::customer(tx, id))
}

/// The customer customer no. `no` stands for.
pub(crate) fn by_no(store: &dyn Store, tenant: &TenantId, no: i64) -> Result<Customer> {
    port::read(store, tenant, |tx| resolve::by_no(tx, no))
}

/// One page of the customer list, keyset-paginated: a cursor points at the last row of the page
/// before, and one that points at a customer deleted or renamed since (in the name order) is
/// stale: start again from the first page.
pub(crate) fn list(
    store: &dyn Store,
    tenant: &TenantId,
    query: &CustomerListQuery,
) -> Result<Page<CustomerRow>> {
    let limit = query.checked_limit()?;
    let after = query.position()?;
    port::read(store, tenant, |tx| {
        let start = match &after {
            None => None,
            Some(data) => Some(match data.key {
                SortKey::Int(i) => SortValue::Int(i),
                SortKey::Name { .. } => {
                    let stale = |what: &str| {
                        Error::validation(
                            "cursor",
                            format!(
                                "the customer it points at was {what}: start again from the first page"
                            ),
                        )
                    };
                    let name = tx.sort_name(&data.id)?.ok_or_else(|| stale("deleted"))?;
                    if SortKey::name(&name) != data.key {
                        return Err(stale("renamed"));
                    }
                    SortValue::Name(name)
                }
            }),
        };
        let at = start.as_ref().zip(after.as_ref().map(|d| &d.id));
        let rows = tx.customer_page(query.sort, query.descending, limit + 1, at)?;
        let total = tx.customer_count()?;
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(limit as usize);
        let mut last_key = None;
        for (row, key) in rows.into_iter().take(limit as usize) {
            last_key = Some((key, row.id));
            items.push(row);
        }
        let next = match (more, last_key) {
            (true, Some((key, id))) => Some(Cursor::encode(&CursorData {
                sort: query.sort.as_str().to_owned(),
                descending: query.descending,
                key,
                id,
            })?),
            _ => None,
        };
        Ok(Page { items, total, next })
    })
}

/// Replaces the editable fields of customer `id` (itself, not a merged id; not anonymised)
/// with `fields`, provided it is still at `expected_version`.
///
/// The fields are checked by the tenant's rules inside the write (one transaction: on
/// PostgreSQL, round trips saved), phones typed as stored keeping their E.164 even if the
/// tenant's region changed since.
pub(crate) fn update(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &CustomerId,
    expected_version: i64,
    fields: NewCustomer,
) -> Result<Customer> {
    port::write(store, tenant, |tx| {
        let current = resolve::live(tx, id)?;
        let rules = Rules::new(&tx.tenant_settings()?, Utc::now().date_naive());
        let fields = fields.validate(&rules.keeping_phones_of(&current))?;
        allow(&current, Act::Edit)?;
        if current.version != expected_version {
            return Err(Error::conflict(format!(
                "customer {id} is at version {}, not {expected_version}: read it again",
                current.version
            )));
        }
        save(tx, actor, &current, fields, FROM_RECORD).map(|(c, _)| c)
    })
}

/// Replaces the editable fields of `current` with those of `fields`, writing nothing when no
/// field changed; else the customer takes the next version and a `CustomerUpdated` event names
/// the changed fields, and a changed consent is recorded as from `source`. Conflict if the
/// stored row moved on since `current` was read. Returns the stored customer and the names of
/// the changed fields.
pub(crate) fn save(
    tx: &dyn WriteTx,
    actor: &Actor,
    current: &Customer,
    fields: Customer,
    source: &str,
) -> Result<(Customer, Vec<&'static str>)> {
    let changed = current.changed_fields(&fields);
    if changed.is_empty() {
        return Ok((current.clone(), changed));
    }
    let next = Customer {
        id: current.id,
        customer_no: current.customer_no,
        created_at: current.created_at,
        updated_at: Utc::now(),
        version: current.version + 1,
        ..fields
    };
    // A new email meets the tenant's email policy (one already held stays).
    let shared = match changed.contains(&"email") || changed.contains(&"secondary_emails") {
        true => Emails::of(tx)?.check(tx, &next, &[current], &[])?,
        false => None,
    };
    if !tx.update_customer(&next)? {
        return Err(changed_meanwhile(&next));
    }
    if changed.contains(&"consent") {
        let consents = (current.consent, next.consent);
        crate::cases::consent::follow(tx, actor, &next.id, consents, source)?;
    }
    let change = Change::customer(ChangeKind::CustomerUpdated, next.id).with_fields(&changed);
    tx.append(actor, &change)?;
    Emails::warn(tx, actor, &next.id, shared)?;
    Ok((next, changed))
}

/// Stores validated customers with the tenant's next customer numbers, in order: each new,
/// at version 1, with a `CustomerCreated` event; their emails meet the tenant's email policy;
/// the consents they hold are recorded as from `source`.
pub(crate) fn create(
    tx: &dyn WriteTx,
    actor: &Actor,
    batch: Vec<Customer>,
    source: &str,
) -> Result<Vec<Customer>> {
    let mut emails = Emails::of(tx)?;
    let mut out = Vec::with_capacity(batch.len());
    create_checked(
        tx,
        actor,
        batch,
        source,
        |c| emails.check(tx, c, &[], &[]),
        &mut out,
    )?;
    Ok(out)
}

/// [`create`] with the email policy checked by `check` (it returns the customer a new one
/// shares an email with, under `warn`): the import checks its rows itself, as they come.
pub(crate) fn create_checked(
    tx: &dyn WriteTx,
    actor: &Actor,
    batch: Vec<Customer>,
    source: &str,
    mut check: impl FnMut(&Customer) -> Result<Option<CustomerId>>,
    out: &mut Vec<Customer>,
) -> Result<()> {
    let first_no = tx.take_customer_numbers(batch.len() as i64)?;
    let now = Utc::now();
    for (i, mut c) in batch.into_iter().enumerate() {
        c.customer_no = first_no + i as i64;
        c.created_at = now;
        c.updated_at = now;
        c.version = 1;
        let shared = check(&c)?;
        tx.insert_customer(&c)?;
        let consents = (Consent::default(), c.consent);
        crate::cases::consent::follow(tx, actor, &c.id, consents, source)?;
        tx.append(actor, &Change::customer(ChangeKind::CustomerCreated, c.id))?;
        Emails::warn(tx, actor, &c.id, shared)?;
        out.push(c);
    }
    Ok(())
}

/// Creates the customers of the chunks `next` yields until `None`, in one transaction: an error
/// from `next` rolls every chunk back.
pub(crate) fn create_from(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    next: &mut dyn FnMut() -> Result<Option<Vec<Customer>>>,
) -> Result<Vec<Customer>> {
    port::write(store, tenant, |tx| {
        let mut out = Vec::new();
        while let Some(chunk) = next()? {
            out.extend(create(tx, actor, chunk, FROM_RECORD)?);
        }
        Ok(out)
    })
}

/// Creates one customer, its fields checked by the tenant's rules inside the write (one
/// transaction: on PostgreSQL, round trips saved).
pub(crate) fn create_one(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    fields: NewCustomer,
) -> Result<Customer> {
    port::write(store, tenant, |tx| {
        let rules = Rules::new(&tx.tenant_settings()?, Utc::now().date_naive());
        let mut created = create(tx, actor, vec![fields.validate(&rules)?], FROM_RECORD)?;
        created
            .pop()
            .ok_or_else(|| Error::Internal("insert returned no customer".into()))
    })
}

/// Creates validated customers in one transaction.
pub(crate) fn create_all(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    batch: Vec<Customer>,
) -> Result<Vec<Customer>> {
    let mut batch = Some(batch);
    create_from(store, tenant, actor, &mut || Ok(batch.take()))
}

/// The customers among `ids` that exist, in id order.
pub(crate) fn of_ids(
    store: &dyn Store,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<Customer>> {
    port::read(store, tenant, |tx| tx.customers(ids))
}

/// The customers whose main or secondary email matches, ignoring case, oldest first.
pub(crate) fn by_email(store: &dyn Store, tenant: &TenantId, email: &str) -> Result<Vec<Customer>> {
    port::read(store, tenant, |tx| tx.customers_by_email(email))
}

/// Up to `limit` customers in id order after `after`.
pub(crate) fn scan(
    store: &dyn Store,
    tenant: &TenantId,
    after: Option<CustomerId>,
    limit: u32,
) -> Result<Vec<Customer>> {
    port::read(store, tenant, |tx| tx.scan_customers(after, limit))
}

/// Up to `limit` customer numbers and ids after customer no. `after_no`, in number order.
pub(crate) fn ids_by_no(
    store: &dyn Store,
    tenant: &TenantId,
    after_no: i64,
    limit: u32,
) -> Result<Vec<(i64, CustomerId)>> {
    port::read(store, tenant, |tx| tx.ids_by_no(after_no, limit))
}

/// The customer-list rows of the given customers, in the order given.
pub(crate) fn rows(
    store: &dyn Store,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<CustomerRow>> {
    port::read(store, tenant, |tx| tx.customer_rows(ids))
}

/// The Conflict of a write that found the customer's row at another version than it read.
pub(crate) fn changed_meanwhile(c: &Customer) -> Error {
    Error::conflict(format!("customer {} changed meanwhile", c.id))
}
