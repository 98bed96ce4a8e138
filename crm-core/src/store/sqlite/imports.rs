//! Imports: each row matched to a customer inside the write transaction (so it sees the rows
//! before it), then laid over it or created.

use std::collections::HashMap;

use rusqlite::{Transaction, params};

use super::{customers, merges, privacy};
use crate::error::{Error, ErrorKind, Result};
use crate::model::{Actor, Customer, CustomerId, TenantId};
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
    let mut stmt = tx.prepare_cached(
        "SELECT id, custom_fields FROM customers
         WHERE tenant_id = ?1 AND instr(custom_fields, ?2) > 0 ORDER BY customer_no",
    )?;
    let mut rows = stmt.query(params![tenant.as_str(), needle])?;
    let mut out = HashMap::new();
    while let Some(row) = rows.next()? {
        let id = CustomerId::from_uuid(row.get(0)?);
        let json: String = row.get(1)?;
        let fields: HashMap<String, String> = serde_json::from_str(&json)
            .map_err(|_| Error::Internal("a stored custom field map is not JSON".into()))?;
        if let Some(value) = fields.get(key) {
            out.entry(value.clone()).or_insert(id);
        }
    }
    Ok(out)
}

/// Imports one batch of rows in `tx`. `custom` maps the custom-field values already seen to
/// their customers and learns the ones this batch creates.
pub(super) fn batch(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    rows: Vec<ImportRow>,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
) -> Result<Vec<RowOutcome>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let number = row.row;
        let outcome = one(tx, tenant, actor, row, custom, sink).or_else(|e| match e {
            // A row that breaks a rule once laid over its customer fails alone.
            Error::Validation { field, reason } => Ok(RowOutcome::Failed {
                row: number,
                field,
                reason,
            }),
            other => Err(other),
        })?;
        out.push(outcome);
    }
    Ok(out)
}

fn one(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    row: ImportRow,
    custom: &mut Option<(String, HashMap<String, CustomerId>)>,
    sink: &mut dyn ImportSink,
) -> Result<RowOutcome> {
    let number = row.row;
    let found = match &row.key {
        None => None,
        Some(MatchValue::Email(email)) => {
            customers::by_email(tx, tenant, email)?.into_iter().next()
        }
        Some(MatchValue::CustomerNo(no)) => match merges::resolve_no(tx, tenant, *no) {
            Ok(c) => Some(c),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Ok(RowOutcome::Failed {
                    row: number,
                    field: "customer_no".into(),
                    reason: format!("no customer no. {no} in this tenant"),
                });
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
    match found {
        Some(current) if current.anonymised_at.is_some() => Ok(RowOutcome::Skipped {
            row: number,
            reason: format!(
                "matches customer no. {}, who is anonymised",
                current.customer_no
            ),
        }),
        Some(current) => {
            let region = customers::tenant_settings(tx, tenant)?.region();
            let laid = current.overlay(&row.fields, region)?;
            let (stored, changed) = customers::update(tx, tenant, actor, &current, laid)?;
            Ok(if changed.is_empty() {
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
            })
        }
        None => {
            let duplicates = sink.duplicates(&row.fields, &TxReads { tx, tenant })?;
            let created = customers::insert(tx, tenant, actor, vec![row.fields])?
                .pop()
                .ok_or_else(|| Error::Internal("insert returned no customer".into()))?;
            if let Some((key, map)) = custom
                && let Some(value) = created.custom_fields.get(key.as_str())
            {
                map.entry(value.clone()).or_insert(created.id);
            }
            Ok(RowOutcome::Created {
                row: number,
                id: created.id,
                duplicates,
                suppressed,
            })
        }
    }
}
