//! Imports: each row matched to a customer inside the write transaction (so it sees the rows
//! before it), then laid over it or created.

use std::collections::{HashMap, HashSet};

use rusqlite::{Transaction, params};

use super::{customers, merges, privacy};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Actor, Customer, CustomerId, TenantId, email_key};
use crate::store::import::{CustomerReads, ImportRow, ImportSink, MatchValue, RowOutcome};

/// Reads inside a transaction.
pub(super) struct TxReads<'a, 'c> {
    pub(super) tx: &'a Transaction<'c>,
    pub(super) tenant: &'a TenantId,
}

impl CustomerReads for TxReads<'_, '_> {
    fn customers(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        let docs = super::indexing::documents(self.tx, self.tenant, ids, false)?;
        Ok(docs.into_iter().map(|d| d.customer).collect())
    }

    fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>> {
        customers::by_email(self.tx, self.tenant, email)
    }
}

/// The customers of the tenant by the value of custom field `key`, the oldest for a value held
/// by several.
pub(super) fn by_custom_value(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    key: &str,
) -> Result<HashMap<String, CustomerId>> {
    // Only the rows whose JSON holds the key are parsed.
    let needle = serde_json::to_string(key).map_err(|e| Error::Internal(e.to_string()))? + ":";
    let mut stmt = tx
        .prepare_cached(
            "SELECT id, custom_fields FROM customers
         WHERE tenant_id = ?1 AND instr(custom_fields, ?2) > 0 ORDER BY customer_no",
        )
        .map_err(super::db)?;
    let mut rows = stmt
        .query(params![tenant.as_str(), needle])
        .map_err(super::db)?;
    let mut out = HashMap::new();
    while let Some(row) = rows.next().map_err(super::db)? {
        let id = CustomerId::from_uuid(row.get(0).map_err(super::db)?);
        let json: String = row.get(1).map_err(super::db)?;
        let fields: HashMap<String, String> = serde_json::from_str(&json)
            .map_err(|_| Error::Internal("a stored custom field map is not JSON".into()))?;
        if let Some(value) = fields.get(key) {
            out.entry(value.clone()).or_insert(id);
        }
    }
    Ok(out)
}

/// Rows waiting to be created, in file order, and the keys a later row could match them on.
#[derive(Default)]
struct Pending {
    rows: Vec<(ImportRow, Vec<String>)>,
    /// Email keys (main and secondary) and custom-field values of the waiting rows.
    keys: HashSet<String>,
}

impl Pending {
    fn add(&mut self, row: ImportRow, suppressed: Vec<String>, custom: Option<&str>) {
        let c = &row.fields;
        self.keys.extend(
            c.email
                .iter()
                .chain(&c.secondary_emails)
                .map(|e| email_key(e)),
        );
        if let Some(value) = custom.and_then(|key| c.custom_fields.get(key)) {
            self.keys.insert(format!("custom:{value}"));
        }
        self.rows.push((row, suppressed));
    }

    /// Whether `key` could match a waiting row (then they are created first, so it sees them):
    /// the same email or custom value, or a customer no. not given yet (a waiting row may be
    /// about to get it).
    fn holds(&self, tx: &Transaction<'_>, tenant: &TenantId, key: &MatchValue) -> Result<bool> {
        Ok(match key {
            MatchValue::Email(email) => self.keys.contains(&email_key(email)),
            MatchValue::Custom(value) => self.keys.contains(&format!("custom:{value}")),
            MatchValue::CustomerNo(no) => {
                !self.rows.is_empty() && *no >= customers::next_customer_no(tx, tenant)?
            }
        })
    }
}

/// Imports one batch of rows in `tx`. `custom` maps the custom-field values already seen to
/// their customers and learns the ones this batch creates.
///
/// Rows that create a customer are created together, as a batch of `create_customers` is (one
/// customer-number range, one duplicate check for all), unless a later row of the batch could
/// match one of them: those waiting are created first, so that row sees them. Outcomes come
/// back in row order.
pub(super) fn batch(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    rows: Vec<ImportRow>,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
) -> Result<Vec<RowOutcome>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut pending = Pending::default();
    let custom_key = custom.as_ref().map(|(key, _)| key.clone());
    // The region national numbers of a matched customer without a country are read in.
    let region = customers::tenant_settings(tx, tenant)?.region();
    for row in rows {
        let waits = match &row.key {
            Some(key) => pending.holds(tx, tenant, key)?,
            None => false,
        };
        if waits {
            create(
                tx,
                tenant,
                actor,
                std::mem::take(&mut pending),
                custom,
                sink,
                &mut out,
            )?;
        }
        let number = row.row;
        let outcome = one(tx, tenant, actor, row, region, custom, sink).or_else(|e| match e {
            // A row that breaks a rule once laid over its customer fails alone.
            Error::Validation { field, reason } => Ok(Row::Done(RowOutcome::Failed {
                row: number,
                field,
                reason,
            })),
            other => Err(other),
        })?;
        match outcome {
            Row::Done(outcome) => out.push(outcome),
            Row::Create(row, suppressed) => pending.add(*row, suppressed, custom_key.as_deref()),
        }
    }
    create(tx, tenant, actor, pending, custom, sink, &mut out)?;
    out.sort_by_key(RowOutcome::row);
    Ok(out)
}

/// Creates the waiting rows in one insert, after the sink has flagged their duplicates.
fn create(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    pending: Pending,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
    out: &mut Vec<RowOutcome>,
) -> Result<()> {
    if pending.rows.is_empty() {
        return Ok(());
    }
    let (rows, suppressed): (Vec<ImportRow>, Vec<Vec<String>>) = pending.rows.into_iter().unzip();
    let numbers: Vec<u64> = rows.iter().map(|r| r.row).collect();
    let fields: Vec<Customer> = rows.into_iter().map(|r| r.fields).collect();
    let duplicates = sink.duplicates(&fields, &TxReads { tx, tenant })?;
    let created = customers::insert(tx, tenant, actor, fields)?;
    for (((row, c), duplicates), suppressed) in numbers
        .into_iter()
        .zip(created)
        .zip(duplicates)
        .zip(suppressed)
    {
        if let Some((key, map)) = custom
            && let Some(value) = c.custom_fields.get(key.as_str())
        {
            map.entry(value.clone()).or_insert(c.id);
        }
        out.push(RowOutcome::Created {
            row,
            id: c.id,
            duplicates,
            suppressed,
        });
    }
    Ok(())
}

/// What a row comes to: an outcome, or a customer to create with the batch.
enum Row {
    Done(RowOutcome),
    Create(Box<ImportRow>, Vec<String>),
}

fn one(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    row: ImportRow,
    region: Option<phonenumber::country::Id>,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
) -> Result<Row> {
    let number = row.row;
    let found = match &row.key {
        None => None,
        Some(MatchValue::Email(email)) => {
            customers::by_email(tx, tenant, email)?.into_iter().next()
        }
        Some(MatchValue::CustomerNo(no)) => match merges::resolve_no(tx, tenant, *no) {
            Ok(c) => Some(c),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Ok(Row::Done(RowOutcome::Failed {
                    row: number,
                    field: "customer_no".into(),
                    reason: format!("no customer no. {no} in this tenant"),
                }));
            }
            Err(e) => return Err(e),
        },
        // The map was read before the import: its customer may have been merged since (the
        // reference then lives on in the primary) or deleted (no match).
        Some(MatchValue::Custom(value)) => match custom.as_ref().and_then(|(_, m)| m.get(value)) {
            Some(id) => match merges::resolve(tx, tenant, id)
                .and_then(|id| customers::by_id(tx, tenant, &id))
            {
                Ok(c) => Some(c),
                Err(e) if e.kind() == ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            },
            None => None,
        },
    };
    let suppressed = privacy::suppressed_fields(tx, tenant, &row.fields)?;
    let done = match found {
        Some(current) if current.is_anonymised() => RowOutcome::Skipped {
            row: number,
            reason: format!(
                "matches customer no. {}, who is anonymised",
                current.customer_no
            ),
        },
        Some(current) => {
            let laid = current.overlay(&row.fields, region)?;
            let (stored, changed) = customers::update(tx, tenant, actor, &current, laid)?;
            if !changed.is_empty() {
                sink.updated(&stored);
            }
            if changed.is_empty() {
                RowOutcome::Unchanged {
                    row: number,
                    id: stored.id,
                }
            } else {
                RowOutcome::Updated {
                    row: number,
                    id: stored.id,
                    suppressed,
                }
            }
        }
        None => return Ok(Row::Create(Box::new(row), suppressed)),
    };
    Ok(Row::Done(done))
}
