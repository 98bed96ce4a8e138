//! The bounds every stored value must respect, in characters (Unicode scalar values) or counts.

/// Longest first or last name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest short text field (company, street, city, contact person, salesperson...).
pub const MAX_TEXT_CHARS: usize = 200;
/// Longest email address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest phone number as typed.
pub const MAX_PHONE_CHARS: usize = 40;
/// Longest notes field.
pub const MAX_NOTES_CHARS: usize = 10_000;
/// Most secondary emails, and most secondary phones, on one customer.
pub const MAX_SECONDARY_CONTACTS: usize = 20;
/// Most lists one customer belongs to.
pub const MAX_LISTS: usize = 50;
/// Most custom fields on one customer.
pub const MAX_CUSTOM_FIELDS: usize = 50;
/// Longest custom field name.
pub const MAX_CUSTOM_KEY_CHARS: usize = 64;
/// Longest custom field value.
pub const MAX_CUSTOM_VALUE_CHARS: usize = 1_000;
/// Longest tenant id, actor user id or booking reference.
pub const MAX_ID_CHARS: usize = 128;
/// Most customers in one `create_customers` batch, and most bookings in one `upsert_bookings`.
pub const MAX_BATCH: usize = 1_000_000;
/// Largest page of a customer list.
pub const MAX_PAGE: u32 = 1_000;
/// Earliest year of a date-time (pickup, return, consent).
pub const MIN_YEAR: i32 = 1900;
/// Latest year of a date-time (pickup, return, consent).
pub const MAX_YEAR: i32 = 9999;
/// Largest page of the change feed.
pub const MAX_CHANGES: u32 = 10_000;
/// Most feed cursors one tenant registers.
pub const MAX_FEED_CURSORS: usize = 100;
/// Longest feed cursor name.
pub const MAX_CURSOR_NAME_CHARS: usize = 100;
/// Largest invoice amount, in minor units either way of zero (10^13: 100 billion euros), so
/// that a customer's total spent cannot overflow.
pub const MAX_AMOUNT_MINOR: u64 = 10_000_000_000_000;
/// Most invoices on one booking.
pub const MAX_INVOICES_PER_BOOKING: usize = 100;
/// Most customers merged into a primary in one merge.
pub const MAX_MERGE_OTHERS: usize = 100;
/// Largest document attached to a customer, in bytes (10 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most documents attached to one customer.
pub const MAX_DOCUMENTS: usize = 100;
/// Most not-a-duplicate decisions about one customer.
pub const MAX_NOT_DUPLICATES: usize = 1_000;
/// Longest document file name.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 255;
/// Longest text typed into a search, in characters.
pub const MAX_SEARCH_CHARS: usize = 1_000;
/// Most words (runs of letters or digits, as the search splits them) in a search's text.
pub const MAX_SEARCH_WORDS: usize = 16;
/// Longest typed word that tolerates typos; a longer one matches as typed (or as a prefix).
pub const MAX_TYPO_WORD_CHARS: usize = 24;
/// Most words of one search that tolerate typos (the first ones typed); the others match as
/// typed or as prefixes. The automaton of a typo-tolerant word costs memory.
pub const MAX_TYPO_WORDS: usize = 4;
/// Most filters in one search.
pub const MAX_FILTERS: usize = 32;
/// Deepest row a search pages to: `offset + limit` at most this. Deeper pages go through the
/// customer list's cursor ([`CustomerListQuery`](crate::CustomerListQuery)) or an export.
pub const MAX_SEARCH_DEPTH: u64 = 10_000;
/// Widest window of [`FindOptions`](crate::FindOptions): neighbours each customer of a large
/// block is compared with.
pub const MAX_WINDOW: usize = 1_000;
/// The window of [`FindOptions`](crate::FindOptions) unless one is given.
pub const DEFAULT_WINDOW: usize = 24;
/// Most customers put on or taken off a list in one call.
pub const MAX_LIST_CHANGE: usize = 100_000;

/// The largest count of a relative period (`last 1000 days`,
/// [`RelativePeriod`](crate::RelativePeriod)).
pub const MAX_PERIOD_COUNT: u32 = 1000;

/// Longest text of a message template (its subject, text or HTML body).
pub const MAX_TEMPLATE_CHARS: usize = 65_536;

/// Longest rendered message (each of its subject, text and HTML body), in bytes.
pub const MAX_RENDERED_BYTES: usize = 1_048_576;

/// Most customers one message or letter run goes to ([`Audience`](crate::Audience)).
pub const MAX_AUDIENCE: usize = 100_000;
