//! The integration tests of crm-core, in one binary (one link step instead of one per file):
//! each module is one area, on real SQLite files and tantivy indexes, through the public API.

mod common;

/// Counts each thread's allocations, for the tests that bound the memory of one call.
#[global_allocator]
static ALLOCATOR: common::alloc::Counting = common::alloc::Counting;

mod bounds;

mod bookings;
mod capture;
mod changes;
mod consent;
mod contact_data;
mod crash_consistency;
mod customers;
mod dedupe;
mod documents;
#[cfg(feature = "smtp")]
mod email;
mod export;
mod feed;
mod fuzz;
mod import;
mod invoices;
mod letters;
mod list;
mod lists;
mod merge;
mod multithreading_tests;
mod outreach;
mod persistence;
mod pg_only;
mod policies;
mod privacy;
mod relative_periods;
mod schedules;
mod search;
mod search_filters;
mod search_isolation;
mod search_recovery;
mod servers;
mod templates;
mod tenant_isolation;
mod validation;
