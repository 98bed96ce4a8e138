//! Storage: the storage port (`port`: transactions of one tenant, row-level, rule-free) and its
//! SQLite implementation (the source of truth).

pub(crate) mod port;
pub(crate) mod sqlite;
