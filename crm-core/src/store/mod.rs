//! Storage: the storage port (`port`: transactions of one tenant, row-level, rule-free) and its
//! implementations, SQLite (one file) and PostgreSQL (shared by several servers).

pub(crate) mod port;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
pub(crate) mod sqlite;
mod text;
