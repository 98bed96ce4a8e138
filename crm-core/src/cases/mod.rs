//! Use cases: each one loads what it needs through the storage port, decides by the rules of
//! its area, and writes through the port, in one transaction of one tenant. The facade calls
//! them; the store only runs their SQL.

pub(crate) mod bookings;
pub(crate) mod capture;
pub(crate) mod communications;
pub(crate) mod consent;
pub(crate) mod customers;
pub(crate) mod documents;
pub(crate) mod duplicates;
pub(crate) mod feed;
pub(crate) mod import;
pub(crate) mod lists;
pub(crate) mod merges;
pub(crate) mod privacy;
pub(crate) mod saved;
pub(crate) mod schedules;
pub(crate) mod templates;
pub(crate) mod tenants;
