//! The C API of crm-core: `include/crm.h`, generated from this crate by the pinned cbindgen
//! (`make header`). The conventions C callers rely on are written at the top of the header
//! (`cbindgen.toml`); every pointer conversion lives in `ffi.rs`.
//!
//! An FFI crate cannot avoid `unsafe`: exports are `#[unsafe(no_mangle)]`, and `ffi.rs`
//! dereferences the pointers callers pass, after checking them.
#![allow(unsafe_code)]
// C names: `crm_customer`, `CRM_OK`.
#![allow(non_camel_case_types)]

mod booking;
mod changes;
mod customer;
mod db;
mod dedupe;
mod document;
mod export;
#[cfg(test)]
mod faces;
mod ffi;
mod import;
mod json;
mod lists;
mod merge;
mod outreach;
mod privacy;
mod saved;
mod schedules;
mod search;
mod statement;
mod status;
mod templates;

pub use booking::*;
pub use changes::*;
pub use customer::*;
pub use db::*;
pub use dedupe::*;
pub use document::*;
pub use export::*;
pub use import::*;
pub use lists::*;
pub use merge::*;
pub use outreach::*;
pub use privacy::*;
pub use saved::*;
pub use schedules::*;
pub use search::*;
pub use statement::*;
pub use status::*;
pub use templates::*;
