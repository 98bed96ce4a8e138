//! The change feed table: append inside the mutation's transaction, read in order.

use chrono::Utc;
use rusqlite::{Transaction, params};

use super::values::{opt_customer_id, parse_enum, parse_utc, utc_text};
use crate::changes::{Change, ChangeEvent};
use crate::error::{Error, Result};
use crate::model::limits::MAX_CHANGES;
use crate::model::{Actor, TenantId};

pub(super) fn append(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    change: &Change,
) -> Result<()> {
    let fields =
        serde_json::to_string(&change.fields).map_err(|e| Error::Internal(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO changes (tenant_id, at, kind, customer_id, previous_customer_id, booking_ref,
            actor_id, actor_role, fields) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        tenant.as_str(),
        utc_text(&Utc::now()),
        change.kind.as_str(),
        change.customer_id.as_ref().map(|c| c.as_uuid()),
        change.previous_customer_id.as_ref().map(|c| c.as_uuid()),
        change.booking_ref,
        actor.user_id,
        actor.role.as_str(),
        fields,
    ])?;
    Ok(())
}

pub(super) fn since(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<ChangeEvent>> {
    if limit == 0 || limit > MAX_CHANGES {
        return Err(Error::validation(
            "limit",
            format!("must be between 1 and {MAX_CHANGES}"),
        ));
    }
    let mut stmt = tx.prepare_cached(
        "SELECT seq, at, kind, customer_id, previous_customer_id, booking_ref, actor_id, actor_role, fields
         FROM changes WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![tenant.as_str(), after, limit], |row| {
        let fields: String = row.get(8)?;
        Ok(ChangeEvent {
            seq: row.get(0)?,
            at: parse_utc(1, &row.get::<_, String>(1)?)?,
            kind: parse_enum(2, &row.get::<_, String>(2)?)?,
            customer_id: opt_customer_id(row, 3)?,
            previous_customer_id: opt_customer_id(row, 4)?,
            booking_ref: row.get(5)?,
            actor: Actor::new(
                row.get::<_, String>(6)?,
                parse_enum(7, &row.get::<_, String>(7)?)?,
            ),
            fields: serde_json::from_str(&fields).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    8,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
