//! The facade: [`Crm`] opens a store, [`Tenant`] scopes every call to one agency.

#[cfg(feature = "smtp")]
mod email;
mod import;
mod letters;
mod outreach;
mod saved;
mod schedules;
mod statement;
mod templates;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::cases;
use crate::cases::import::{CustomerReads, StoreReads};
use crate::dedupe::{
    self, DuplicateCluster, DuplicateMatch, FindOptions, MatchConfig, MatchModel, NotDuplicate,
};
use crate::error::{Error, Result};
use crate::exchange::{self, CsvSheet, ExportOptions, XlsxSheet};
use crate::merge::{MergeId, MergePlan, MergeRecord, MergeRequest, Merged};
use crate::model::limits::MAX_PAGE;
use crate::model::limits::{MAX_BATCH, MAX_CHANGES, MAX_LIST_CHANGE};
use crate::model::{
    Actor, Booking, BrochureRequest, BrochureRequestId, Captured, Customer, CustomerId,
    CustomerInvoices, CustomerStats, Document, DocumentId, ListInfo, NewBooking, NewCustomer,
    NewDocument, PrivacyLogEntry, Rules, Spending, SpendingPeriod, TenantId, TenantSettings,
    UpsertedBooking, list_name,
};
use crate::model::{ChangeEvent, FeedBounds, FeedCompaction, FeedCursor};
use crate::model::{CustomerListQuery, CustomerRow, CustomerSort, Page};
use crate::model::{CustomerQuery, SearchPage};
use crate::privacy::{self, AnonymisationReport, PersonalDataExport, RetentionReport};
use crate::search::{self, SearchIndex};
use crate::store::port::Store;
use crate::store::sqlite::SqliteStore;
use crate::sync;

/// An open customer-records store. `Send + Sync`; cloning is cheap and shares the store.
///
/// ```
/// # fn main() -> crm_core::Result<()> {
/// let crm = crm_core::Crm::open_in_memory()?;
/// let agency = crm.tenant("agency-42")?;
/// assert_eq!(agency.id().as_str(), "agency-42");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Crm {
    store: Arc<dyn Store>,
    index: Arc<SearchIndex>,
    models: Arc<cases::duplicates::ModelCache>,
}

impl std::fmt::Debug for Crm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crm").finish_non_exhaustive()
    }
}

impl Crm {
    /// Opens the SQLite file at `path`, creating it if missing, and brings its schema up to date.
    ///
    /// # Errors
    /// [`Error::SchemaTooNew`] if a newer version of this library wrote the file; `Storage` if it
    /// cannot be opened or is not ours.
    ///
    /// The search index lives in the folder `<path>.index` beside the file. It is derived from
    /// SQLite: the first search after opening replays the changes it missed, and a missing,
    /// unreadable or outdated index is rebuilt then. Deleting the folder loses nothing. The
    /// handles of one process share one index; processes take turns writing it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(path)?);
        let mut dir = path.as_os_str().to_owned();
        dir.push(".index");
        let index = SearchIndex::shared(Path::new(&dir))?;
        Self::with_index(store, index)
    }

    /// A private store in memory, with its index in RAM, gone when the last clone is dropped.
    pub fn open_in_memory() -> Result<Self> {
        Self::with_index(
            Arc::new(SqliteStore::open_in_memory()?),
            Arc::new(SearchIndex::in_ram()?),
        )
    }

    /// Connects to a PostgreSQL database shared by several application servers, bringing its
    /// schema up to date, with this server's search index in the folder `index`.
    ///
    /// `url` is a connection string, as a URL (`postgresql://user@host:5432/db`) or as
    /// `key=value` pairs (`host=/run/postgresql dbname=crm user=app`). Calls are synchronous:
    /// the client runs its own small runtime, so an async Rust host calls the library from a
    /// plain thread (tokio's `spawn_blocking`, say).
    ///
    /// Each server keeps its own index (a local folder, not shared): before a search of a
    /// tenant it takes in what any server committed for that tenant since (one query of the
    /// tenant's feed head when nothing changed). A missing or outdated index, or one built from
    /// another database, is rebuilt by the first search.
    ///
    /// TLS (feature `postgres-tls`, on by default) is used when the connection string says
    /// `sslmode=require`, and then verified as libpq's `verify-full` does: the server's
    /// certificate against the system's certificate authorities (a private one is given to
    /// [`connect_with_ca`](Self::connect_with_ca)) and its name against `host` (also when
    /// `hostaddr` gives the address to connect to). Any other `sslmode` (`prefer`, the
    /// default, or `disable`) connects in clear: this library does no TLS it does not verify.
    /// A Unix socket never uses TLS (`require` fails there). Without the feature,
    /// `sslmode=require` fails to connect.
    ///
    /// # Errors
    /// Validation on `url` if it is not a connection string; Storage if the database cannot be
    /// reached (or its certificate is not trusted); [`Error::SchemaTooNew`] if a newer version
    /// of this library wrote its schema; Io or Search if the index folder cannot be made.
    #[cfg(feature = "postgres")]
    pub fn connect(url: &str, index: impl AsRef<Path>) -> Result<Self> {
        Self::connect_store(url, None, index.as_ref())
    }

    /// [`connect`](Self::connect) to a server whose certificate a private certificate
    /// authority signed: `ca_file` holds its certificate(s) in PEM, trusted besides the
    /// system's. A CA file asks for TLS: a connection string without `sslmode` (or with
    /// `prefer`) connects with TLS or fails, as with `require`.
    ///
    /// # Errors
    /// As [`connect`](Self::connect); also Validation on `url` if it says `sslmode=disable`,
    /// on `ca_file` if it holds no PEM certificate, and Io if it cannot be read.
    #[cfg(feature = "postgres-tls")]
    pub fn connect_with_ca(
        url: &str,
        index: impl AsRef<Path>,
        ca_file: impl AsRef<Path>,
    ) -> Result<Self> {
        Self::connect_store(url, Some(ca_file.as_ref()), index.as_ref())
    }

    #[cfg(feature = "postgres")]
    fn connect_store(url: &str, ca_file: Option<&Path>, index: &Path) -> Result<Self> {
        let store = crate::store::postgres::PgStore::connect(url, ca_file)?;
        let index = SearchIndex::shared(index)?;
        Self::with_index(Arc::new(store), index)
    }

    fn with_index(store: Arc<dyn Store>, index: Arc<SearchIndex>) -> Result<Self> {
        let (heads, _) = store.feed_heads()?;
        let applied = index.lock_applied().clone();
        // Built from another database; new (empty while the feeds are not); or ahead of this
        // store (another file was put in its place): the first search rebuilds it from the
        // customers rather than replaying every feed.
        let ahead = applied.ahead_of(&heads);
        let fresh = applied.is_empty() && heads.iter().any(|(_, head)| *head > 0);
        if index.store() != store.identity() || ahead || fresh {
            index.set_store(store.identity());
            index.mark_stale();
        }
        Ok(Self {
            store,
            index,
            models: Arc::default(),
        })
    }

    /// Rebuilds the search index from the store, calling `progress(done, total)` as customers are
    /// indexed. Searches of other threads keep answering from the old index until it commits;
    /// `progress` must not search (the index is held until the rebuild ends).
    pub fn reindex(&self, mut progress: impl FnMut(u64, u64)) -> Result<()> {
        sync::rebuild(self.store.as_ref(), &self.index, &mut progress)
    }

    /// Brings this handle's search index up to every tenant's committed changes now, rather
    /// than at the next search of each tenant.
    ///
    /// A search takes in the changes of the tenant it searches, within a time budget: a customer
    /// deleted or anonymised through another handle is no longer found once it is taken in, but
    /// the bytes of its
    /// old document stay in the index segments until they are rewritten, which a search does
    /// not do (it could take seconds). This call does: it takes every tenant's changes in, then
    /// rewrites the segments that still hold erased documents (also after a rewrite that failed
    /// or was cut short: the index remembers it). On PostgreSQL each application server has an
    /// index of its own: a host calls this from a timer (every few minutes, say) on each server
    /// so that erased values leave every index folder within that time. On SQLite the handles
    /// of a file share one index, which the erasing call rewrites itself.
    ///
    /// # Errors
    /// Storage or Search if the store cannot be read or the index written.
    pub fn sync_index(&self) -> Result<()> {
        sync::catch_up_all(self.store.as_ref(), &self.index)
    }

    /// Compacts every tenant's change feed: removes the events written more than `keep` ago
    /// ([`FEED_RETENTION`](crate::FEED_RETENTION), 30 days, unless the host needs longer)
    /// that every feed cursor of their tenant has passed
    /// ([`Tenant::set_feed_cursor`]). A host calls it from a timer (daily, say) on one server.
    ///
    /// This handle's search index takes in every tenant's changes first, so it never falls
    /// behind what is removed (an index that cannot, or waits for a rebuild anyway, is
    /// rebuilt from the customers at its next search). The events go in batches of 2,000,
    /// each its own short write transaction (on SQLite the file's one writer: every tenant's
    /// writes wait for a batch at most). A tenant whose lock another write held past the
    /// timeout (a Conflict, on PostgreSQL) does not stop the others. What
    /// compaction removes is gone for every reader: [`Tenant::changes_since`] after a removed
    /// event is an [`Error::FeedCompacted`] (never a silent gap); another server's index that
    /// had not taken them in (a server down longer than `keep`, or one whose host does not
    /// call [`sync_index`](Self::sync_index) on a timer) rebuilds itself from the customers at
    /// its next search; a customer's [personal-data export](Tenant::export_personal_data)
    /// lists the changes still kept. On SQLite the pages freed are reused by later writes (the
    /// file does not shrink until a `VACUUM`); on PostgreSQL autovacuum reclaims them.
    ///
    /// # Errors
    /// Storage if the store cannot be written (on SQLite also when another connection held
    /// the file's writer past the busy timeout): the compaction stops there. Conflict
    /// (PostgreSQL) if a tenant's writes held its lock past the timeout: returned once every
    /// other tenant was tried. Either way the batches done stay done, and running it again goes
    /// on.
    pub fn compact_feeds(&self, keep: std::time::Duration) -> Result<FeedCompaction> {
        // The cutoff is taken first: what is written while the index catches up stays.
        let before = crate::model::cutoff(Utc::now(), keep);
        sync::before_compaction(self.store.as_ref(), &self.index);
        cases::feed::compact_all(self.store.as_ref(), before)
    }

    /// The schema version this library writes.
    pub fn schema_version() -> i64 {
        crate::store::sqlite::SCHEMA_VERSION
    }

    /// A handle scoped to one tenant. Nothing is written until the first mutation.
    ///
    /// # Errors
    /// Validation on `tenant` if the id is malformed (see [`TenantId::new`]).
    pub fn tenant(&self, id: &str) -> Result<Tenant> {
        Ok(Tenant {
            store: Arc::clone(&self.store),
            index: Arc::clone(&self.index),
            models: Arc::clone(&self.models),
            id: TenantId::new(id)?,
        })
    }
}

/// Every operation on one tenant's records. No call through it ever reads, changes or reveals
/// another tenant's data: another tenant's record answers NotFound. Cheap to clone; `Send + Sync`.
///
/// Mutating calls take the [`Actor`] making the change, recorded in the change feed, and each is
/// one transaction: on error nothing is written.
#[derive(Clone)]
pub struct Tenant {
    store: Arc<dyn Store>,
    index: Arc<SearchIndex>,
    models: Arc<cases::duplicates::ModelCache>,
    id: TenantId,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Tenant {
    /// The tenant id.
    pub fn id(&self) -> &TenantId {
        &self.id
    }

    /// The tenant's settings (the defaults for a tenant never configured).
    pub fn settings(&self) -> Result<TenantSettings> {
        cases::tenants::settings(self.store.as_ref(), &self.id)
    }

    /// Replaces the tenant's settings (e.g. the default phone region). Stored phones keep their
    /// E.164 form; the new region applies to numbers typed from now on.
    ///
    /// # Errors
    /// Validation on a setting; PermissionDenied when the policies
    /// ([`TenantSettings::email_uniqueness`], [`hard_delete`](TenantSettings::hard_delete),
    /// [`merge`](TenantSettings::merge)) change and the actor has not the organisation role.
    pub fn set_settings(&self, actor: &Actor, settings: TenantSettings) -> Result<()> {
        self.update_settings(actor, |_| Ok(settings))
    }

    /// Changes the tenant's settings in one transaction: `change` gets them as stored and
    /// returns them changed (`|s| s.with_policy(Policy::Merge, "organisation")`), so two
    /// callers changing different settings at once both keep their change.
    ///
    /// # Errors
    /// As [`set_settings`](Self::set_settings), and what `change` returns.
    pub fn update_settings(
        &self,
        actor: &Actor,
        change: impl FnOnce(TenantSettings) -> Result<TenantSettings>,
    ) -> Result<()> {
        actor.validate()?;
        cases::tenants::set_settings(self.store.as_ref(), &self.id, actor, |current| {
            change(current)?.validate()
        })
    }

    /// Searches this tenant's customers: type-ahead text and "find customer" filters (see
    /// [`CustomerQuery`]).
    ///
    /// Every write committed through this handle (this [`Crm`], its clones and tenants) before
    /// the search is reflected, with everything committed before that write. Writes of other
    /// handles and processes are taken into the index for a bounded time per search (about
    /// 40 ms), so a search answers promptly however fast they write: what is left is taken in
    /// by the next searches, and [`SearchPage::behind`] says how many changes the answer did
    /// not reflect yet. While another thread rebuilds the
    /// index ([`Crm::reindex`]), searches answer from the index as it was.
    ///
    /// # Errors
    /// Validation on the query's bounds (see [`CustomerQuery`]), before any work: its page,
    /// text and filters; Search if the index cannot be brought up to date.
    pub fn search(&self, query: &CustomerQuery) -> Result<SearchPage> {
        query.validate()?;
        let query = self.resolved(query, Utc::now())?;
        let behind = sync::catch_up(self.store.as_ref(), &self.index, &self.id)?;
        let mut page = sync::run(self.store.as_ref(), &self.index, &self.id, &query)?;
        page.behind = behind;
        Ok(page)
    }

    fn rules(&self) -> Result<Rules> {
        Ok(Rules::new(&self.settings()?, Utc::now().date_naive()))
    }

    /// Checks and normalises customer fields without saving anything, as a create would.
    pub fn validate_customer(&self, fields: NewCustomer) -> Result<()> {
        fields.validate(&self.rules()?).map(drop)
    }

    /// Creates a customer and returns it as stored, with its id and customer no.
    ///
    /// # Errors
    /// Validation naming the field for bad input (nothing is written).
    pub fn create_customer(&self, actor: &Actor, fields: NewCustomer) -> Result<Customer> {
        actor.validate()?;
        cases::customers::create_one(self.store.as_ref(), &self.id, actor, fields)
    }

    /// Creates many customers in one transaction (for imports), with consecutive customer numbers
    /// in the order given. All or nothing: one bad record fails the batch, and the error's field
    /// is prefixed with its position (`[12].email`).
    pub fn create_customers(
        &self,
        actor: &Actor,
        batch: Vec<NewCustomer>,
    ) -> Result<Vec<Customer>> {
        actor.validate()?;
        if batch.len() > MAX_BATCH {
            return Err(Error::validation(
                "customers",
                format!("more than {MAX_BATCH} in one batch"),
            ));
        }
        let rules = self.rules()?;
        if batch.len() <= VALIDATION_CHUNK {
            let valid = batch
                .into_iter()
                .enumerate()
                .map(|(i, c)| c.validate(&rules).map_err(|e| at_position(i, e)))
                .collect::<Result<Vec<_>>>()?;
            if valid.is_empty() {
                return Ok(Vec::new());
            }
            return cases::customers::create_all(self.store.as_ref(), &self.id, actor, valid);
        }
        // A thread of its own checks the records chunk by chunk (parsing phone numbers is most
        // of the cost of checking one) while this one writes the chunks checked so far, all in
        // one transaction: a bad record rolls the batch back.
        let mut records = batch.into_iter().enumerate().peekable();
        let mut failed = false;
        let check_next = move || {
            if failed || records.peek().is_none() {
                return None;
            }
            let chunk = records
                .by_ref()
                .take(VALIDATION_CHUNK)
                .map(|(i, c)| c.validate(&rules).map_err(|e| at_position(i, e)))
                .collect::<Result<Vec<_>>>();
            failed = chunk.is_err();
            Some(chunk)
        };
        crate::parallel::ahead(check_next, |next| {
            cases::customers::create_from(self.store.as_ref(), &self.id, actor, &mut || {
                next()?.transpose()
            })
        })
    }

    /// One customer by id. The id of a customer merged into another answers that other one
    /// (whose `id` then differs from the one asked; [`merges_of`](Self::merges_of) says which
    /// merge).
    ///
    /// # Errors
    /// NotFound if no such customer belongs to this tenant.
    pub fn get_customer(&self, id: &CustomerId) -> Result<Customer> {
        cases::customers::get(self.store.as_ref(), &self.id, id)
    }

    /// One customer by customer no. (the number of a merged customer answers the customer it was
    /// merged into).
    pub fn get_customer_by_no(&self, customer_no: i64) -> Result<Customer> {
        cases::customers::by_no(self.store.as_ref(), &self.id, customer_no)
    }

    /// The customers whose main or secondary email is `email`, ignoring case, oldest first.
    /// Email is not unique: duplicates are possible until merged.
    ///
    /// # Errors
    /// Validation on `email` longer than any stored address
    /// ([`MAX_EMAIL_CHARS`](crate::limits::MAX_EMAIL_CHARS)) or holding control characters.
    pub fn find_customers_by_email(&self, email: &str) -> Result<Vec<Customer>> {
        let email = crate::model::lookup("email", email)?;
        let max = crate::model::limits::MAX_EMAIL_CHARS;
        if email.chars().nth(max).is_some() {
            return Err(Error::validation(
                "email",
                format!("longer than {max} characters"),
            ));
        }
        cases::customers::by_email(self.store.as_ref(), &self.id, email)
    }

    /// Replaces every editable field of a customer (start from [`Customer::edit`]), provided it
    /// is still at `expected_version`. An update that changes nothing writes nothing.
    ///
    /// # Errors
    /// Conflict if the customer changed since `expected_version` was read; NotFound; Validation.
    pub fn update_customer(
        &self,
        actor: &Actor,
        id: &CustomerId,
        expected_version: i64,
        fields: NewCustomer,
    ) -> Result<Customer> {
        actor.validate()?;
        cases::customers::update(
            self.store.as_ref(),
            &self.id,
            actor,
            id,
            expected_version,
            fields,
        )
    }

    /// Deletes a customer. Its bookings remain, detached; returns how many were detached.
    ///
    /// Then, as for [`anonymise`](Self::anonymise), the deleted values leave the files: SQLite
    /// zeroes deleted content (`secure_delete`), the write-ahead log is checkpointed into the
    /// file and truncated, and the search index segments that held the customer are rewritten
    /// without it. What stays: the change feed's `CustomerDeleted` event (ids, never values) and
    /// the detached bookings; the snapshots merge records kept of it are scrubbed.
    ///
    /// The tenant's policy says who may delete ([`TenantSettings::hard_delete`]); the deletion
    /// is recorded in the privacy log ([`privacy_log`](Self::privacy_log)) with the customer
    /// no., the actor and its request.
    ///
    /// # Errors
    /// PermissionDenied when the tenant's policy does not let the actor delete; NotFound;
    /// Conflict if it was merged into another customer. Search or Conflict after the delete
    /// was committed if the index or the log could not be rewritten (as for
    /// [`anonymise`](Self::anonymise)): the customer is deleted all the same.
    ///
    /// Cost: as for [`anonymise`](Self::anonymise), the index segments holding the customer are
    /// rewritten whole (about 2 s at 1M customers after a rebuild).
    pub fn delete_customer(&self, actor: &Actor, id: &CustomerId) -> Result<u64> {
        actor.validate()?;
        let detached = cases::privacy::delete(self.store.as_ref(), &self.id, actor, id)?;
        self.erase_traces()?;
        Ok(detached)
    }

    /// One page of the customer list (name, email, phone, bookings count, last booking) with
    /// the total count and a cursor to the next page.
    pub fn list_customers(&self, query: &CustomerListQuery) -> Result<Page<CustomerRow>> {
        cases::customers::list(self.store.as_ref(), &self.id, query)
    }

    /// Records a booking, or replaces the one with the same reference. `booking.customer_id`
    /// links or relinks it; `None` keeps the link it has. Returns it and whether it was created.
    ///
    /// # Errors
    /// NotFound if the customer does not belong to this tenant; Validation.
    pub fn upsert_booking(&self, actor: &Actor, booking: NewBooking) -> Result<UpsertedBooking> {
        actor.validate()?;
        let (booking, created) =
            cases::bookings::upsert(self.store.as_ref(), &self.id, actor, booking.validate()?)?;
        Ok(UpsertedBooking { booking, created })
    }

    /// Records or replaces many bookings in one transaction (for imports). All or nothing: one bad
    /// booking fails the batch, and the error's field is prefixed with its position (`[3].reference`).
    pub fn upsert_bookings(&self, actor: &Actor, batch: Vec<NewBooking>) -> Result<usize> {
        actor.validate()?;
        if batch.len() > MAX_BATCH {
            return Err(Error::validation(
                "bookings",
                format!("more than {MAX_BATCH} in one batch"),
            ));
        }
        let valid = batch
            .into_iter()
            .enumerate()
            .map(|(i, b)| b.validate().map_err(|e| at_position(i, e)))
            .collect::<Result<Vec<_>>>()?;
        cases::bookings::upsert_many(self.store.as_ref(), &self.id, actor, valid)
    }

    /// One booking by reference.
    ///
    /// # Errors
    /// NotFound; Validation on `reference` holding control characters (no stored one does).
    pub fn get_booking(&self, reference: &str) -> Result<Booking> {
        let reference = crate::model::lookup("reference", reference)?;
        cases::bookings::get(self.store.as_ref(), &self.id, reference)
    }

    /// Links a booking to a customer, relinks it to another, or unlinks it (`None`).
    pub fn link_booking(
        &self,
        actor: &Actor,
        reference: &str,
        customer: Option<&CustomerId>,
    ) -> Result<Booking> {
        let reference = crate::model::lookup("reference", reference)?;
        actor.validate()?;
        let reference = crate::model::reference(reference)?;
        cases::bookings::link(self.store.as_ref(), &self.id, actor, &reference, customer)
    }

    /// A customer's bookings, newest pickup first.
    pub fn booking_history(&self, customer: &CustomerId) -> Result<Vec<Booking>> {
        cases::bookings::history(self.store.as_ref(), &self.id, customer)
    }

    /// A customer's booking count, last booking, and total spent per currency.
    pub fn customer_stats(&self, customer: &CustomerId) -> Result<CustomerStats> {
        cases::bookings::stats(self.store.as_ref(), &self.id, customer)
    }

    /// What a customer spent over time: the invoiced amounts of its bookings (cancelled ones
    /// left out, as in [`customer_stats`](Self::customer_stats)) summed per month or year of
    /// departure (the local date at the pickup place) and per currency, oldest period first.
    /// A merged id answers for the customer it went into.
    ///
    /// ```
    /// # use crm_core::{Actor, Crm, NewCustomer, Role, SpendingPeriod};
    /// # let crm = Crm::open_in_memory()?;
    /// # let agency = crm.tenant("agency")?;
    /// # let actor = Actor::new("u-1", Role::Agent);
    /// # let c = agency.create_customer(&actor, NewCustomer { first_name: "Zoé".into(), last_name: "Roux".into(), ..Default::default() })?;
    /// for s in agency.spending(&c.id, SpendingPeriod::Year)? {
    ///     println!("{}: {} {} over {} bookings", s.period, s.amount.minor, s.amount.currency, s.bookings);
    /// }
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// NotFound.
    pub fn spending(&self, customer: &CustomerId, by: SpendingPeriod) -> Result<Vec<Spending>> {
        cases::bookings::spending(self.store.as_ref(), &self.id, customer, by)
    }

    /// A customer's invoices, the invoice list of its page: every invoice of its bookings, the
    /// latest issued first (undated ones last, then by departure), each with its booking and
    /// what is still owed on it, and the totals paid and outstanding per currency. A merged id
    /// answers for the customer it went into.
    ///
    /// ```
    /// # use crm_core::{Actor, Crm, NewCustomer, Role};
    /// # let crm = Crm::open_in_memory()?;
    /// # let agency = crm.tenant("agency")?;
    /// # let actor = Actor::new("u-1", Role::Agent);
    /// # let c = agency.create_customer(&actor, NewCustomer { first_name: "Zoé".into(), last_name: "Roux".into(), ..Default::default() })?;
    /// let list = agency.invoices(&c.id)?;
    /// for owed in &list.outstanding {
    ///     println!("owes {} {}", owed.minor, owed.currency);
    /// }
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// NotFound.
    pub fn invoices(&self, customer: &CustomerId) -> Result<CustomerInvoices> {
        cases::bookings::invoices(self.store.as_ref(), &self.id, customer)
    }

    /// Capture at booking time: the contact details typed into a booking update the one customer
    /// record, or create it. The customer is the one the booking is already linked to, else the
    /// oldest with the same email (ignoring case), else a new one; [`Captured::matched`] says
    /// which. Every field the contact gives replaces the stored one; fields it leaves empty are
    /// kept. The booking is then upserted, linked to that customer (its own `customer_id` is
    /// ignored). One transaction.
    pub fn capture_booking(
        &self,
        actor: &Actor,
        contact: NewCustomer,
        booking: NewBooking,
    ) -> Result<Captured> {
        actor.validate()?;
        let contact = contact.validate(&self.rules()?)?;
        cases::capture::capture(
            self.store.as_ref(),
            &self.id,
            actor,
            contact,
            booking.validate()?,
        )
    }

    /// The tenant's duplicate-detection model: the one learned by the last
    /// [`find_duplicates`](Self::find_duplicates) (or [`learn_match_model`](Self::learn_match_model)),
    /// or the built-in one ([`MatchModel::default`]) if none was or the tenant had fewer than
    /// 1,000 customers then. [`duplicates_of`](Self::duplicates_of),
    /// [`possible_duplicates`](Self::possible_duplicates) and import flagging score with it.
    pub fn match_model(&self) -> Result<MatchModel> {
        Ok((*self.current_model()?).clone())
    }

    fn current_model(&self) -> Result<Arc<MatchModel>> {
        cases::duplicates::model(self.store.as_ref(), &self.id, &self.models)
    }

    /// Learns the tenant's duplicate-detection model from its customers, without labels, and
    /// keeps it (see [`MatchModel`]); what [`find_duplicates`](Self::find_duplicates) does
    /// before it compares. Returns the model.
    pub fn learn_match_model(&self) -> Result<MatchModel> {
        let mut profiles = self.profiles(&mut |_, _| {})?;
        let model = dedupe::learn_from(&mut profiles, FindOptions::default().window)?;
        cases::duplicates::keep(self.store.as_ref(), &self.id, &model)?;
        Ok(model)
    }

    /// The profiles of every customer of the tenant but the anonymised ones; `progress(done,
    /// total)` as they are read.
    fn profiles(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<Vec<dedupe::Profile>> {
        let count = self
            .list_customers(&CustomerListQuery::new(CustomerSort::CreatedAt).limit(1))?
            .total;
        let (store, tenant) = (self.store.as_ref(), &self.id);
        let mut after = None;
        let mut failed = false;
        // The next page is read while this one is profiled.
        crate::parallel::ahead(
            move || {
                if failed {
                    return None;
                }
                match cases::customers::scan(store, tenant, after, SCAN_PAGE) {
                    Ok(page) => {
                        after = Some(page.last()?.id);
                        Some(Ok(page))
                    }
                    Err(e) => {
                        failed = true;
                        Some(Err(e))
                    }
                }
            },
            |next| {
                let mut profiles = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
                while let Some(page) = next()? {
                    // Anonymised records are nobody's duplicates.
                    profiles.extend(
                        page?
                            .iter()
                            .filter(|c| c.anonymised_at.is_none())
                            .map(dedupe::Profile::of),
                    );
                    progress((profiles.len() as u64).min(count), count);
                }
                Ok(profiles)
            },
        )
    }

    /// Customers already stored that are likely the same person as `fields`, best first, with
    /// what each field contributed: for the create form to warn before saving. Nothing is written.
    ///
    /// Candidates come from the search index (names with typos, any order; the last name alone
    /// for nicknames; each phone; the address) and from the emails, then each is scored with
    /// `config`; those at or above its threshold are returned.
    ///
    /// # Errors
    /// Validation if `fields` would not be accepted by a create.
    pub fn possible_duplicates(
        &self,
        fields: NewCustomer,
        config: &MatchConfig,
    ) -> Result<Vec<DuplicateMatch>> {
        config.validate()?;
        let candidate = fields.validate(&self.rules()?)?;
        self.matches_for(&candidate, config)
    }

    /// Customers likely the same person as customer `id`, best first (see
    /// [`possible_duplicates`](Self::possible_duplicates)).
    ///
    /// # Errors
    /// NotFound if no such customer belongs to this tenant.
    pub fn duplicates_of(
        &self,
        id: &CustomerId,
        config: &MatchConfig,
    ) -> Result<Vec<DuplicateMatch>> {
        config.validate()?;
        let customer = self.get_customer(id)?;
        let apart = cases::duplicates::not_duplicates_of(self.store.as_ref(), &self.id, id)?;
        let mut matches = self.matches_for(&customer, config)?;
        matches.retain(|m| !apart.contains(&m.customer_id));
        Ok(matches)
    }

    /// Every cluster of likely duplicates among the tenant's customers, best first. Customers
    /// are compared only when they share a blocking key (an email or mailbox, a phone's
    /// subscriber digits, the start of a name in either order, a nickname group, a birth date,
    /// an address) or are neighbours in name order, so the pass scales to millions of
    /// customers. Unless `options.learn` is false, the tenant's model is first learned from
    /// those comparisons (of the blocks compared whole) and kept
    /// ([`match_model`](Self::match_model)); pairs at or above the threshold are grouped into
    /// clusters, each pair with what every field contributed. A pair is left out when it would
    /// join records the others tell apart (born far apart, or weighing on average less than two
    /// to one for across the two groups), or put a customer alone with one of two people when
    /// it agrees with that one on the names only and the odds that it is that one, counting its
    /// pairs with the other, fall below the threshold (a customer found so is weighed the same
    /// way at every later join, whatever its pair agrees on).
    /// `progress(done, total)` is called as it goes: the first half of `total` reads the
    /// customers, the second compares them.
    ///
    /// # Errors
    /// Validation on the options (see [`MatchConfig::validate`]), or naming `window` when a
    /// window that large would compare more than 600 pairs per customer (10 million pairs for
    /// a tenant under about 17,000 customers).
    pub fn find_duplicates(
        &self,
        options: &FindOptions,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<Vec<DuplicateCluster>> {
        options.validate()?;
        let mut total = 2;
        let mut profiles = self.profiles(&mut |done, count| {
            total = count.max(1) * 2;
            progress(done, total);
        })?;
        let half = total / 2;
        let model = if options.learn {
            None
        } else {
            Some((*self.current_model()?).clone())
        };
        // Profiles come in id order.
        let live = |id: &CustomerId| profiles.binary_search_by(|p| p.id.cmp(id)).is_ok();
        let reviewed = cases::duplicates::reviewed(self.store.as_ref(), &self.id, &live)?;
        let renewed = match options.since {
            Some(since) => cases::duplicates::renewed_since(self.store.as_ref(), &self.id, since)?,
            None => std::collections::HashSet::new(),
        };
        let found = dedupe::find(
            &mut profiles,
            options,
            model,
            &reviewed,
            &renewed,
            &mut |done, blocks| {
                progress(half + done * half / blocks.max(1), total);
            },
        )?;
        if options.learn {
            cases::duplicates::keep(self.store.as_ref(), &self.id, &found.model)?;
        }
        progress(total, total);
        Ok(found.clusters)
    }

    /// Records that customers `a` and `b` are not one person, as a person reviewing a cluster
    /// decides: [`find_duplicates`](Self::find_duplicates) and
    /// [`duplicates_of`](Self::duplicates_of) never report the pair again, nor put the two in
    /// one cluster through others, until [`unmark_not_duplicate`](Self::unmark_not_duplicate).
    /// A `not_duplicate_marked` event goes to the change feed; the decision is part of each
    /// one's [personal-data export](Self::export_personal_data) and goes when either is deleted.
    /// When one is later merged into another customer, the decision holds for that one while
    /// the merge stands. Marking a pair already decided returns the decision that stands
    /// (nothing written).
    ///
    /// # Errors
    /// Validation on `actor.user_id`; naming `b` when `a` and `b` are the same customer; naming
    /// the one of the two that has [`MAX_NOT_DUPLICATES`](crate::limits::MAX_NOT_DUPLICATES)
    /// decisions already. NotFound. Conflict if either was merged into another customer (naming
    /// that one), or is anonymised (no one's duplicate any more).
    pub fn mark_not_duplicate(
        &self,
        actor: &Actor,
        a: &CustomerId,
        b: &CustomerId,
    ) -> Result<NotDuplicate> {
        actor.validate()?;
        cases::duplicates::mark(self.store.as_ref(), &self.id, actor, a, b)
    }

    /// Takes back the decision that customers `a` and `b` are not one person (with the records
    /// merged into each: every such decision between the two); `false` if there was none. A
    /// `not_duplicate_unmarked` event goes to the change feed for each decision taken back.
    ///
    /// # Errors
    /// Validation on `actor.user_id`, or naming `b` when it is the same id as `a`; NotFound if
    /// either customer is unknown here (never existed, or deleted).
    pub fn unmark_not_duplicate(
        &self,
        actor: &Actor,
        a: &CustomerId,
        b: &CustomerId,
    ) -> Result<bool> {
        actor.validate()?;
        cases::duplicates::unmark(self.store.as_ref(), &self.id, actor, a, b)
    }

    /// The not-a-duplicate decisions about customer `id` (a merged id answers the customer it
    /// went into) and the records merged into it, oldest first.
    ///
    /// # Errors
    /// NotFound if no such customer belongs to this tenant.
    pub fn not_duplicates(&self, id: &CustomerId) -> Result<Vec<NotDuplicate>> {
        cases::duplicates::of_customer(self.store.as_ref(), &self.id, id)
    }

    /// The stored customers that score at or above the threshold against `customer`.
    fn matches_for(
        &self,
        customer: &Customer,
        config: &MatchConfig,
    ) -> Result<Vec<DuplicateMatch>> {
        sync::catch_up(self.store.as_ref(), &self.index, &self.id)?;
        let reads = StoreReads {
            store: self.store.as_ref(),
            tenant: &self.id,
        };
        let scorer =
            dedupe::Scorer::new(&*self.current_model()?, &config.weights, config.threshold);
        self.matches_among(customer, &scorer, &reads)
    }

    /// Like [`matches_for`](Self::matches_for), reading customers through `reads` and the index
    /// as it stands, scoring with `scorer` (read before: this may run inside a write
    /// transaction, where the store takes no other read).
    pub(crate) fn matches_among(
        &self,
        customer: &Customer,
        scorer: &dedupe::Scorer,
        reads: &dyn CustomerReads,
    ) -> Result<Vec<DuplicateMatch>> {
        if customer.is_anonymised() {
            return Ok(Vec::new());
        }
        let ids = self.duplicate_candidates(customer, reads)?;
        let me = dedupe::Profile::of(customer);
        let others: Vec<dedupe::Profile> = reads
            .customers(&ids)?
            .iter()
            .filter(|other| other.anonymised_at.is_none())
            .map(dedupe::Profile::of)
            .collect();
        let mut out = dedupe::scored(&me, others.iter(), scorer);
        dedupe::settle_matches(&mut out);
        Ok(out)
    }

    /// The ids of the customers worth scoring against `c`: the names with typos in any order,
    /// the last name with each nickname of the first, each phone, the address, the emails.
    fn duplicate_candidates(
        &self,
        c: &Customer,
        reads: &dyn CustomerReads,
    ) -> Result<Vec<CustomerId>> {
        let mut ids = std::collections::BTreeSet::new();
        let mut queries = vec![CustomerQuery::text(c.full_name())];
        if !c.last_name.is_empty() {
            queries.extend(dedupe::nicknames(&c.first_name).map(|name| {
                CustomerQuery::all()
                    .last_name(c.last_name.clone())
                    .first_name(name)
            }));
        }
        queries.extend(
            c.phones()
                .filter_map(|p| p.e164.clone())
                .map(|e164| CustomerQuery::all().e164(&e164)),
        );
        if let (Some(zip), Some(street)) = (&c.address.zip, &c.address.street) {
            queries.push(
                CustomerQuery::all()
                    .zip(zip.clone())
                    .address(street.clone()),
            );
        }
        for query in queries {
            let page = search::ids_at(&self.index, &self.id, &query, 0, CANDIDATES_PER_QUERY);
            ids.extend(page?.0);
        }
        for email in c.email.iter().chain(&c.secondary_emails) {
            ids.extend(reads.customers_by_email(email)?.into_iter().map(|c| c.id));
        }
        Ok(ids.into_iter().collect())
    }

    /// What merging as `request` asks would do, computed without writing anything: the customer
    /// as the merge would leave it, where each field value comes from, the records that would
    /// disappear and the bookings that would move. Same checks and errors as
    /// [`merge`](Self::merge).
    pub fn plan_merge(&self, request: &MergeRequest) -> Result<MergePlan> {
        cases::merges::plan(self.store.as_ref(), &self.id, request)
    }

    /// Merges `request.others` into `request.primary` in one transaction.
    ///
    /// - **Fields**: a field named in `choices` takes that record's value; any other keeps the
    ///   primary's, or if empty the most recently updated other record's non-empty value. The
    ///   address travels as one field. Notes, unless chosen, are those of all records joined.
    /// - **Contacts**: every email and phone not kept in a main field is kept as a secondary
    ///   contact. Lists and custom fields are united (the primary's value wins for a name).
    /// - **Bookings**: every booking of the others moves to the primary (a `BookingLinked`
    ///   event each, `previous_customer_id` saying from whom); its count and last booking are
    ///   recomputed.
    /// - **Ids**: the others disappear (a `CustomerMerged` event each). Their ids and customer
    ///   numbers still resolve: [`get_customer`](Self::get_customer) and
    ///   [`get_customer_by_no`](Self::get_customer_by_no) answer the primary, bookings upserted
    ///   or linked for them go to the primary, and [`merges_of`](Self::merges_of) says which
    ///   merge took them; an update or delete through an old id is a Conflict naming the primary.
    /// - **Record**: who, when, and a snapshot of every record, kept for
    ///   [`unmerge`](Self::unmerge).
    ///
    /// The primary keeps its id, customer no. and creation time; its version goes up by one.
    /// The search index follows on the next search.
    ///
    /// # Errors
    /// - Conflict: an anonymised customer (it is no one's duplicate any more).
    /// - Validation: no others, the primary among them (a customer with itself), one given
    ///   twice, a choice or version naming a record outside the merge, or a result that breaks a
    ///   bound (e.g. joined notes too long: choose one record's notes).
    /// - NotFound: a customer that does not belong to this tenant (so a merge across tenants).
    /// - Conflict: a record already merged into another, or not at its expected version.
    pub fn merge(&self, actor: &Actor, request: &MergeRequest) -> Result<Merged> {
        actor.validate()?;
        cases::merges::merge(self.store.as_ref(), &self.id, actor, request)
    }

    /// Undoes a merge: the merged records come back exactly as they were (id, number, fields,
    /// version), their bookings move back to them, and the primary takes back the fields it had
    /// before (its version still goes up by one). One transaction; `CustomerUnmerged`,
    /// `BookingLinked` and `CustomerUpdated` events let a host relink its own rows. Bookings
    /// linked to the primary after the merge stay with it.
    ///
    /// # Errors
    /// - Conflict, with the reason, when a row the merge wrote was touched since: the primary's
    ///   fields were edited, it was merged again (into another, or another merge into it stands:
    ///   undo newest first), deleted or anonymised, or a moved booking was relinked or unlinked;
    ///   or when the merge was already undone. A moved booking whose summary changed since (a
    ///   payment, a new date) still moves back, with its changes: it belongs to that person.
    /// - NotFound when no such merge belongs to this tenant.
    pub fn unmerge(&self, actor: &Actor, merge: &MergeId) -> Result<MergeRecord> {
        actor.validate()?;
        cases::merges::unmerge(self.store.as_ref(), &self.id, actor, merge)
    }

    /// The record of one merge.
    pub fn get_merge(&self, merge: &MergeId) -> Result<MergeRecord> {
        cases::merges::record(self.store.as_ref(), &self.id, merge)
    }

    /// Every merge customer `id` took part in, as the primary or as a merged record (undone
    /// ones included), newest first. For a merged id this says which customer it went into.
    ///
    /// # Errors
    /// NotFound if the customer never existed in this tenant (or was deleted and never merged).
    pub fn merges_of(&self, id: &CustomerId) -> Result<Vec<MergeRecord>> {
        cases::merges::history(self.store.as_ref(), &self.id, id)
    }

    /// What anonymising customer `id` would erase and keep, and why, without writing anything.
    ///
    /// # Errors
    /// NotFound; Conflict if it is anonymised already or was merged into another customer.
    pub fn plan_anonymise(&self, id: &CustomerId) -> Result<AnonymisationReport> {
        cases::privacy::plan(self.store.as_ref(), &self.id, id)
    }

    /// Anonymises customer `id`, irreversibly (GDPR Art. 17): every personal field is erased
    /// (names, emails, phones, address, birth date, language, notes, consents, secondary
    /// contacts, lists, custom fields) and the record becomes "Anonymised customer <no.>". Its
    /// bookings and invoice amounts stay, linked to the anonymised record (Art. 17(3)(b)). The
    /// snapshots merge records keep of it are scrubbed too (those merges can no longer be
    /// undone), its emails and phones are remembered only as keyed hashes (see
    /// [`suppressed_fields`](Self::suppressed_fields)), and the change feed gets a
    /// `CustomerAnonymised` event naming the erased fields (the feed never holds values).
    ///
    /// Then the old values leave the files too: SQLite zeroes deleted content
    /// (`secure_delete`) and the write-ahead log is checkpointed and truncated; the search
    /// index segments that held the customer are rewritten without it.
    ///
    /// `reason` (non-blank, at most 200 characters, no personal data: it is kept) says why.
    ///
    /// # Errors
    /// PermissionDenied unless the actor has the organisation role (nothing is written);
    /// NotFound; Conflict if already anonymised or merged into another customer (anonymise that
    /// one); Validation on `reason`. Search or Conflict after the anonymisation was committed if
    /// the index or the log could not be rewritten: the data is erased from the records, the
    /// next search rebuilds the index, and the next checkpoint empties the log.
    ///
    /// Cost: the index segments holding the customer (or other replaced documents) are
    /// rewritten whole; after a rebuild a segment holds about 100,000 customers, so at 1M
    /// customers an anonymisation takes about 2 s (searches go on meanwhile; index updates
    /// wait). For many customers use
    /// [`anonymise_inactive`](Self::anonymise_inactive), which rewrites once per run.
    pub fn anonymise(
        &self,
        actor: &Actor,
        id: &CustomerId,
        reason: &str,
    ) -> Result<AnonymisationReport> {
        actor.validate()?;
        privacy::require_organisation(actor, "anonymise")?;
        let reason = privacy::reason(reason)?;
        let report = cases::privacy::anonymise(self.store.as_ref(), &self.id, actor, id, &reason)?;
        self.erase_traces()?;
        Ok(report)
    }

    /// Retention: anonymises every customer with no change, and no booking departing, recorded
    /// or changed, since `before`, in batches of one transaction each, calling
    /// `progress(done, total)` after each. With `dry_run` nothing is written and the report
    /// lists who would be anonymised. Each customer is anonymised as by
    /// [`anonymise`](Self::anonymise); the index and the log are cleaned once at the end.
    ///
    /// # Errors
    /// PermissionDenied unless the actor has the organisation role (even for a dry run). If a
    /// batch fails, the batches before it stay done (run it again: they are no longer
    /// candidates).
    pub fn anonymise_inactive(
        &self,
        actor: &Actor,
        before: DateTime<Utc>,
        dry_run: bool,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<RetentionReport> {
        actor.validate()?;
        privacy::require_organisation(actor, "anonymise_inactive")?;
        let mut candidates = Vec::new();
        let mut after = 0;
        loop {
            let page =
                cases::privacy::inactive(self.store.as_ref(), &self.id, &before, after, SCAN_PAGE)?;
            let Some(&(last, _)) = page.last() else { break };
            after = last;
            candidates.extend(page.into_iter().map(|(_, id)| id));
        }
        let total = candidates.len() as u64;
        if dry_run {
            progress(total, total);
            return Ok(RetentionReport {
                before,
                dry_run,
                customers: candidates,
            });
        }
        let reason = format!(
            "retention: no booking or change since {}",
            before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let mut done = Vec::with_capacity(candidates.len());
        progress(0, total);
        for (i, batch) in candidates.chunks(RETENTION_BATCH).enumerate() {
            match cases::privacy::anonymise_inactive(
                self.store.as_ref(),
                &self.id,
                actor,
                batch,
                &before,
                &reason,
            ) {
                Ok(ids) => done.extend(ids),
                Err(err) => {
                    // The batches before are committed: their traces go all the same.
                    if !done.is_empty() {
                        let _ = self.erase_traces();
                    }
                    return Err(err);
                }
            }
            progress(
                ((i + 1) * RETENTION_BATCH).min(candidates.len()) as u64,
                total,
            );
        }
        if !done.is_empty() {
            self.erase_traces()?;
        }
        Ok(RetentionReport {
            before,
            dry_run,
            customers: done,
        })
    }

    /// The contact fields of `fields` (`email`, `mobile`, `secondary_emails[0]`...) that belong
    /// to a customer who was anonymised: the person asked to be forgotten. For an import or a
    /// booking capture to flag; nothing is written. Only the emails and phones are looked at
    /// (names may be left empty).
    ///
    /// # Errors
    /// Validation naming the field if a contact is malformed.
    pub fn suppressed_fields(&self, mut fields: NewCustomer) -> Result<Vec<String>> {
        // Only the contacts count: names may be left out.
        for name in [&mut fields.first_name, &mut fields.last_name] {
            if name.trim().is_empty() {
                "-".clone_into(name);
            }
        }
        let valid = fields.validate(&self.rules()?)?;
        cases::privacy::suppressed(self.store.as_ref(), &self.id, &valid)
    }

    /// Every personal datum held on customer `id` (GDPR Art. 15 and 20): profile, secondary
    /// contacts, consents with when they were given, bookings, invoices, lists, documents'
    /// metadata, merge history and change history, as one [`PersonalDataExport`]. Its JSON
    /// (`serde_json::to_string`) follows `schemas/personal-data-export.schema.json`. A merged
    /// id exports the customer it was merged into. Each export is recorded in the privacy log
    /// ([`privacy_log`](Self::privacy_log)) with the customer no., `actor` and its request
    /// ([`Actor::with_request`]).
    ///
    /// # Errors
    /// Validation on the actor; NotFound.
    pub fn export_personal_data(
        &self,
        actor: &Actor,
        id: &CustomerId,
    ) -> Result<PersonalDataExport> {
        actor.validate()?;
        cases::privacy::export(self.store.as_ref(), &self.id, actor, id)
    }

    /// Up to `limit` (1 to [`MAX_PAGE`](crate::limits::MAX_PAGE)) entries of the tenant's
    /// privacy log after position `after` (0: from the start), in the order they were written:
    /// each personal-data export, anonymisation (the retention pass's too) and deletion, with
    /// who, when, the customer no. and the request the actor acted on, and no personal value.
    ///
    /// # Errors
    /// Validation on `limit`.
    pub fn privacy_log(&self, after: i64, limit: u32) -> Result<Vec<PrivacyLogEntry>> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        cases::privacy::log(self.store.as_ref(), &self.id, after, limit)
    }

    /// Attaches a file (an ID copy, a signed form) to customer `id`: stored in the database with
    /// the customer, fingerprinted (SHA-256), at most 10 MiB and 100 per customer. Deleting or
    /// anonymising the customer erases its documents; a merge moves them to the primary (and
    /// `unmerge` back). A `DocumentAttached` event follows.
    ///
    /// # Errors
    /// Validation on `name` (blank, a path), `content_type` (not `type/subtype`), `content`
    /// (empty or too large) or `documents` (too many); NotFound; Conflict if the customer is
    /// anonymised or was merged into another.
    pub fn attach_document(
        &self,
        actor: &Actor,
        id: &CustomerId,
        document: NewDocument,
    ) -> Result<Document> {
        actor.validate()?;
        cases::documents::attach(self.store.as_ref(), &self.id, actor, id, document)
    }

    /// The documents attached to customer `id`, oldest first, without their bytes.
    pub fn documents(&self, id: &CustomerId) -> Result<Vec<Document>> {
        cases::documents::of_customer(self.store.as_ref(), &self.id, id)
    }

    /// One document, without its bytes.
    pub fn get_document(&self, id: &DocumentId) -> Result<Document> {
        cases::documents::get(self.store.as_ref(), &self.id, id)
    }

    /// The bytes of a document.
    pub fn document_content(&self, id: &DocumentId) -> Result<Vec<u8>> {
        cases::documents::content(self.store.as_ref(), &self.id, id)
    }

    /// One document and its bytes, read together (one snapshot).
    pub fn get_document_file(&self, id: &DocumentId) -> Result<(Document, Vec<u8>)> {
        cases::documents::file(self.store.as_ref(), &self.id, id)
    }

    /// Deletes a document (a `DocumentDeleted` event follows).
    pub fn delete_document(&self, actor: &Actor, id: &DocumentId) -> Result<()> {
        actor.validate()?;
        cases::documents::delete(self.store.as_ref(), &self.id, actor, id)
    }

    /// The tenant's customer lists, by name, with how many customers are on each. A list is
    /// made by [`create_list`](Self::create_list), or when a customer is first put on it.
    pub fn lists(&self) -> Result<Vec<ListInfo>> {
        cases::lists::all(self.store.as_ref(), &self.id)
    }

    /// Makes an empty customer list; `false` if it existed already.
    ///
    /// # Errors
    /// Validation on `list` (blank or longer than 200 characters).
    pub fn create_list(&self, actor: &Actor, name: &str) -> Result<bool> {
        actor.validate()?;
        let name = list_name(name)?;
        cases::lists::create(self.store.as_ref(), &self.id, actor, &name)
    }

    /// Deletes a customer list, taking every customer off it (a `CustomerUpdated` event each);
    /// returns how many were on it.
    ///
    /// # Errors
    /// NotFound if the tenant has no such list; Validation on `name` holding control characters.
    pub fn delete_list(&self, actor: &Actor, name: &str) -> Result<u64> {
        let name = crate::model::lookup("list", name)?;
        actor.validate()?;
        cases::lists::delete(self.store.as_ref(), &self.id, actor, name.trim())
    }

    /// Puts customers on a list (it must exist), in one transaction; returns how many were not
    /// on it yet. Each changed customer gets a new version and a `CustomerUpdated` event; the
    /// list filter of [`search`](Self::search) (`CustomerQuery::list`) finds them at once.
    ///
    /// # Errors
    /// NotFound (list or customer; nothing is written), Conflict (a customer anonymised or
    /// merged), Validation (a customer would be on too many lists).
    pub fn add_to_list(&self, actor: &Actor, name: &str, customers: &[CustomerId]) -> Result<u64> {
        let name = crate::model::lookup("list", name)?;
        actor.validate()?;
        check_list_change(customers)?;
        cases::lists::change_members(
            self.store.as_ref(),
            &self.id,
            actor,
            name.trim(),
            customers,
            true,
        )
    }

    /// Takes customers off a list, in one transaction; returns how many were on it.
    pub fn remove_from_list(
        &self,
        actor: &Actor,
        name: &str,
        customers: &[CustomerId],
    ) -> Result<u64> {
        let name = crate::model::lookup("list", name)?;
        actor.validate()?;
        check_list_change(customers)?;
        cases::lists::change_members(
            self.store.as_ref(),
            &self.id,
            actor,
            name.trim(),
            customers,
            false,
        )
    }

    /// Records that customer `id` asked for a brochure, or returns its request still
    /// pending (one at a time). A `BrochureRequested` event follows.
    ///
    /// # Errors
    /// NotFound; Conflict if the customer is anonymised or merged into another.
    pub fn request_brochure(&self, actor: &Actor, id: &CustomerId) -> Result<BrochureRequest> {
        actor.validate()?;
        cases::lists::request_brochure(self.store.as_ref(), &self.id, actor, id)
    }

    /// Records that the brochure of request `id` was sent, at `at` (now if `None`).
    ///
    /// # Errors
    /// NotFound; Conflict if it was marked sent already; Validation on `sent_at` before the
    /// request.
    pub fn mark_brochure_sent(
        &self,
        actor: &Actor,
        id: &BrochureRequestId,
        at: Option<DateTime<Utc>>,
    ) -> Result<BrochureRequest> {
        actor.validate()?;
        let at = at.unwrap_or_else(Utc::now);
        crate::model::check_utc("sent_at", Some(at))?;
        cases::lists::mark_sent(self.store.as_ref(), &self.id, actor, id, at)
    }

    /// Up to `limit` (1 to 1,000) brochure requests not sent yet, oldest first, after request
    /// `after` (the last of the previous page).
    pub fn pending_brochure_requests(
        &self,
        after: Option<&BrochureRequestId>,
        limit: u32,
    ) -> Result<Vec<BrochureRequest>> {
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        cases::lists::pending(self.store.as_ref(), &self.id, after, limit)
    }

    /// Every brochure request of customer `id`, oldest first.
    pub fn brochure_requests(&self, id: &CustomerId) -> Result<Vec<BrochureRequest>> {
        cases::lists::of_customer(self.store.as_ref(), &self.id, id)
    }

    /// Writes the tenant's customers (or those `options.query` finds, in its order) to `out` as
    /// CSV: UTF-8 (with a byte order mark if asked, for Excel), a header of the chosen columns,
    /// one row per customer. A cell starting with `=`, `+`, `-` or `@` is prefixed with `'`, so
    /// that a spreadsheet never runs it as a formula. Streamed a page at a time: memory stays
    /// flat whatever the tenant's size. `progress(done, total)` follows the rows. Returns how
    /// many customers were written.
    ///
    /// # Errors
    /// Validation on `columns` (empty or repeated) or the query; Io if `out` fails.
    pub fn export_csv(
        &self,
        options: &ExportOptions,
        out: impl std::io::Write,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        self.write_csv(options, Rows::of(options), out, progress)
    }

    fn write_csv(
        &self,
        options: &ExportOptions,
        rows: Rows<'_>,
        out: impl std::io::Write,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        options.validate()?;
        let mut sheet = CsvSheet::new(out, &options.columns, options.bom)?;
        let n = self.export_rows(options, rows, progress, |cells| sheet.row(cells))?;
        sheet.finish()?;
        Ok(n)
    }

    /// Writes the same as [`export_csv`](Self::export_csv) as an Excel workbook (`.xlsx`) of one
    /// sheet, every cell a string (never a formula), through `rust_xlsxwriter` in its constant
    /// memory mode. At most 1,048,575 customers (a worksheet's rows).
    pub fn export_xlsx(
        &self,
        options: &ExportOptions,
        out: impl std::io::Write + std::io::Seek + Send,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        self.write_xlsx(options, Rows::of(options), out, progress)
    }

    fn write_xlsx(
        &self,
        options: &ExportOptions,
        rows: Rows<'_>,
        out: impl std::io::Write + std::io::Seek + Send,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        options.validate()?;
        let mut sheet = XlsxSheet::new(&options.columns)?;
        let n = self.export_rows(options, rows, progress, |cells| sheet.row(cells))?;
        sheet.finish(out)?;
        Ok(n)
    }

    /// Writes the same as [`export_csv`](Self::export_csv) as a PDF list to print: A4
    /// landscape pages of the chosen columns (widths by what they hold), the header on each
    /// page, cells cut to their column with an ellipsis, page numbers. Fonts are embedded as
    /// subsets: DejaVu Sans, then `options.fonts`; a character no font has prints as `?` (the
    /// CSV and XLSX exports keep every character). At most
    /// [`MAX_PDF_ROWS`](crate::MAX_PDF_ROWS) customers.
    ///
    /// # Errors
    /// As [`export_csv`](Self::export_csv); Validation on more customers than a PDF list
    /// holds; Io on a font file.
    pub fn export_pdf(
        &self,
        options: &ExportOptions,
        out: impl std::io::Write,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        self.write_pdf(options, Rows::of(options), out, progress)
    }

    fn write_pdf(
        &self,
        options: &ExportOptions,
        rows: Rows<'_>,
        mut out: impl std::io::Write,
        progress: impl FnMut(u64, u64),
    ) -> Result<u64> {
        options.validate()?;
        let mut sheet = exchange::PdfSheet::new(&options.columns, &options.fonts, "Customers")?;
        let n = self.export_rows(options, rows, progress, |cells| sheet.row(cells))?;
        let pdf = sheet.finish()?;
        out.write_all(&pdf).map_err(|e| Error::Io {
            message: "cannot write the PDF".into(),
            source: e,
        })?;
        Ok(n)
    }

    /// Writes the export to the file `path` in `format`, beside it first and renamed onto it
    /// once complete and synced: on error, or when `progress(done, total)` returned `false`, the
    /// file at `path` is left as it was and nothing is left beside it. Returns how many
    /// customers were written, or `None` when `progress` refused it (the pass over the
    /// customers runs to its end all the same; what it wrote is discarded).
    ///
    /// # Errors
    /// As [`export_csv`](Self::export_csv); Io when the file cannot be written or renamed.
    pub fn export_file(
        &self,
        path: impl AsRef<std::path::Path>,
        format: crate::ExportFormat,
        options: &ExportOptions,
        progress: impl FnMut(u64, u64) -> bool,
    ) -> Result<Option<u64>> {
        self.write_file(path.as_ref(), format, options, Rows::of(options), progress)
    }

    /// [`export_file`](Self::export_file) of `rows`.
    pub(crate) fn write_file(
        &self,
        path: &std::path::Path,
        format: crate::ExportFormat,
        options: &ExportOptions,
        rows: Rows<'_>,
        mut progress: impl FnMut(u64, u64) -> bool,
    ) -> Result<Option<u64>> {
        let stopped = std::cell::Cell::new(false);
        let mut on_progress = |done, total| {
            if !stopped.get() && !progress(done, total) {
                stopped.set(true);
            }
        };
        crate::exchange::replace_file(path, |file| {
            let n = match format {
                crate::ExportFormat::Xlsx => {
                    self.write_xlsx(options, rows, &mut *file, &mut on_progress)?
                }
                crate::ExportFormat::Pdf => {
                    self.write_pdf(options, rows, &mut *file, &mut on_progress)?
                }
                crate::ExportFormat::Csv => {
                    let mut out = std::io::BufWriter::new(&mut *file);
                    let n = self.write_csv(options, rows, &mut out, &mut on_progress)?;
                    std::io::Write::flush(&mut out).map_err(|e| Error::Io {
                        message: "cannot write the file".into(),
                        source: e,
                    })?;
                    n
                }
            };
            Ok((!stopped.get()).then_some(n))
        })
    }

    /// The customers `ids` that exist, in that order.
    fn in_order(&self, ids: &[CustomerId]) -> Result<Vec<Customer>> {
        let mut by_id: std::collections::HashMap<CustomerId, Customer> =
            cases::customers::of_ids(self.store.as_ref(), &self.id, ids)?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Calls `row` with the cells of each exported customer, a page at a time.
    fn export_rows(
        &self,
        options: &ExportOptions,
        rows: Rows<'_>,
        mut progress: impl FnMut(u64, u64),
        mut row: impl FnMut(Vec<String>) -> Result<()>,
    ) -> Result<u64> {
        let mut done = 0u64;
        let mut write_page = |customers: Vec<Customer>, total: u64| -> Result<()> {
            let ids: Vec<CustomerId> = customers.iter().map(|c| c.id).collect();
            let rows: std::collections::HashMap<CustomerId, CustomerRow> =
                cases::customers::rows(self.store.as_ref(), &self.id, &ids)?
                    .into_iter()
                    .map(|r| (r.id, r))
                    .collect();
            let totals = match options.columns.iter().any(|c| c.is_money()) {
                true => cases::bookings::invoice_totals(self.store.as_ref(), &self.id, &ids)?,
                false => std::collections::HashMap::new(),
            };
            for c in &customers {
                let facts = rows.get(&c.id);
                let money = totals.get(&c.id);
                row(options
                    .columns
                    .iter()
                    .map(|col| exchange::cell(*col, c, facts, money))
                    .collect())?;
            }
            done += customers.len() as u64;
            progress(done.min(total), total);
            Ok(())
        };
        self.each_page(rows, |ids, total| write_page(self.in_order(&ids)?, total))?;
        Ok(done)
    }

    /// Calls `page(ids, total)` with the customers of `rows`, a page at a time, in their order.
    pub(crate) fn each_page(
        &self,
        rows: Rows<'_>,
        mut page: impl FnMut(Vec<CustomerId>, u64) -> Result<()>,
    ) -> Result<()> {
        match rows {
            Rows::Tenant => {
                let total = self
                    .list_customers(&CustomerListQuery::new(CustomerSort::CreatedAt).limit(1))?
                    .total;
                let mut after = 0;
                loop {
                    let numbered = cases::customers::ids_by_no(
                        self.store.as_ref(),
                        &self.id,
                        after,
                        EXPORT_PAGE,
                    )?;
                    let Some(&(last, _)) = numbered.last() else {
                        break;
                    };
                    after = last;
                    page(numbered.into_iter().map(|(_, id)| id).collect(), total)?;
                }
            }
            Rows::Query(query, now) => {
                self.each_hit_page_at(query, now, page)?;
            }
            Rows::Ids(ids) => {
                for chunk in ids.chunks(EXPORT_PAGE as usize) {
                    page(chunk.to_vec(), ids.len() as u64)?;
                }
            }
        }
        Ok(())
    }

    /// `query` with its relative periods ([`CustomerQuery::within`]) read on the tenant's local
    /// day at `now`; as it is when it has none (the settings are then not read).
    fn resolved<'q>(
        &self,
        query: &'q CustomerQuery,
        now: DateTime<Utc>,
    ) -> Result<std::borrow::Cow<'q, CustomerQuery>> {
        if !query.is_relative() {
            return Ok(std::borrow::Cow::Borrowed(query));
        }
        let tz = self.settings()?.tz();
        let today = crate::model::period::local_day(now, tz);
        query.resolved(today, tz).map(std::borrow::Cow::Owned)
    }

    /// Calls `page(ids, total)` with every hit of `query` (its own page ignored), its relative
    /// periods read at `now`, a page at a time, in its order, after bringing the index up to
    /// date. Returns the total. A customer comes once, even if a write committed meanwhile
    /// shifts the hits between pages.
    fn each_hit_page_at(
        &self,
        query: &CustomerQuery,
        now: DateTime<Utc>,
        mut page: impl FnMut(Vec<CustomerId>, u64) -> Result<()>,
    ) -> Result<u64> {
        // The text and filters are the caller's: checked once, here.
        query.typed_words()?;
        let query = self.resolved(query, now)?;
        let query = query.as_ref();
        sync::catch_up(self.store.as_ref(), &self.index, &self.id)?;
        const PAGE: usize = MAX_PAGE as usize;
        // One page; when there are more hits, every hit in one pass of the index (one sort of
        // them all, rather than a deeper search for each page), from one snapshot.
        let (first, total) = search::ids_at(&self.index, &self.id, query, 0, PAGE)?;
        let (ids, total) = if (first.len() as u64) < total {
            let all = usize::try_from(total).unwrap_or(usize::MAX);
            search::ids_at(&self.index, &self.id, query, 0, all)?
        } else {
            (first, total)
        };
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        for chunk in ids.chunks(PAGE) {
            let chunk: Vec<CustomerId> = chunk
                .iter()
                .copied()
                .filter(|id| seen.insert(*id))
                .collect();
            page(chunk, total)?;
        }
        Ok(total)
    }

    /// After a delete or an anonymisation: the index forgets the old values (its segments
    /// holding them are rewritten) and the write-ahead log is emptied into the file.
    ///
    /// If the index cannot be rewritten it is marked for a rebuild (the next search rebuilds it
    /// from SQLite, old values gone) and the error is returned; the log is emptied either way.
    fn erase_traces(&self) -> Result<()> {
        let index = sync::purge(self.store.as_ref(), &self.index, &self.id);
        if index.is_err() {
            self.index.mark_stale();
        }
        let log = match self.store.flush_erased() {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::conflict(
                "the write-ahead log could not be truncated: another connection keeps reading it; \
                 erased data stays in it until the next checkpoint",
            )),
            Err(e) => Err(e),
        };
        index.and(log)
    }

    /// Up to `limit` (1 to 10,000) change events of this tenant with a sequence number above
    /// `after`, in order. Start from 0; continue from the last `seq` seen: no event committed
    /// is ever skipped (see [`ChangeEvent::seq`]); when some were compacted away, the call
    /// fails rather than skip them.
    ///
    /// A reader that must not lose events to [`Crm::compact_feeds`] registers its position
    /// with [`set_feed_cursor`](Self::set_feed_cursor) as it goes.
    ///
    /// # Errors
    /// Validation on `limit`; [`Error::FeedCompacted`] if events after `after` were compacted
    /// away. The reader then starts over: it reads [`feed_bounds`](Self::feed_bounds)`().head`
    /// first (and sets its cursor there), takes its copy afresh from the records, and reads
    /// on after that head, so that nothing written meanwhile is missed.
    pub fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<ChangeEvent>> {
        if limit == 0 || limit > MAX_CHANGES {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_CHANGES}"),
            ));
        }
        cases::feed::changes_since(self.store.as_ref(), &self.id, after, limit)
    }

    /// What this tenant's change feed holds: the events after `compacted` up to `head`.
    pub fn feed_bounds(&self) -> Result<FeedBounds> {
        cases::feed::bounds(self.store.as_ref(), &self.id)
    }

    /// Registers the position of a reader of this tenant's change feed, or moves it: `seq` is
    /// the last event the reader named `name` (1 to 100 characters, e.g. `warehouse-sync`) has
    /// taken in. [`Crm::compact_feeds`] keeps every event after the slowest cursor, however
    /// old, so a reader that registers is never compacted past. A cursor no longer read holds
    /// the feed back until [`remove_feed_cursor`](Self::remove_feed_cursor) drops it
    /// ([`feed_cursors`](Self::feed_cursors) shows when each was last set). Cursors are the
    /// host's bookkeeping, not records: setting or removing one takes no actor and adds no
    /// change event.
    ///
    /// # Errors
    /// Validation on `name` (empty, too long, control characters, or a 101st cursor) or on
    /// `seq` (negative or past the feed's head); [`Error::FeedCompacted`] if events after `seq`
    /// were already compacted away.
    pub fn set_feed_cursor(&self, name: &str, seq: i64) -> Result<()> {
        cases::feed::set_cursor(self.store.as_ref(), &self.id, name, seq)
    }

    /// This tenant's feed cursors, by name.
    pub fn feed_cursors(&self) -> Result<Vec<FeedCursor>> {
        cases::feed::cursors(self.store.as_ref(), &self.id)
    }

    /// Drops the feed cursor `name`: compaction no longer waits for it. Whether there was one.
    pub fn remove_feed_cursor(&self, name: &str) -> Result<bool> {
        cases::feed::remove_cursor(self.store.as_ref(), &self.id, name)
    }
}

/// At most [`MAX_LIST_CHANGE`] customers put on or taken off a list in one call.
fn check_list_change(customers: &[CustomerId]) -> Result<()> {
    if customers.len() > MAX_LIST_CHANGE {
        return Err(Error::validation(
            "customers",
            format!("more than {MAX_LIST_CHANGE} in one call"),
        ));
    }
    Ok(())
}

/// Prefixes the field of a validation error with the position of the record in its batch.
fn at_position(i: usize, err: Error) -> Error {
    match err {
        Error::Validation { field, reason } => Error::Validation {
            field: format!("[{i}].{field}"),
            reason,
        },
        other => other,
    }
}

/// Customers read per statement by a whole-tenant pass.
const SCAN_PAGE: u32 = 5_000;

/// Customers read per statement by an export.
const EXPORT_PAGE: u32 = 1_000;

/// The customers an export or an outreach goes over.
#[derive(Clone, Copy)]
pub(crate) enum Rows<'a> {
    /// Every customer of the tenant, by customer no.
    Tenant,
    /// Those a query finds, in its order, its relative periods read at the instant given.
    Query(&'a CustomerQuery, DateTime<Utc>),
    /// These, in this order.
    Ids(&'a [CustomerId]),
}

impl<'a> Rows<'a> {
    /// The customers of an export's options: its query's, or the whole tenant.
    fn of(options: &'a ExportOptions) -> Self {
        options
            .query
            .as_ref()
            .map_or(Self::Tenant, |q| Self::Query(q, Utc::now()))
    }
}

/// Customers anonymised per transaction by a retention pass.
const RETENTION_BATCH: usize = 500;

/// Results read from each search for duplicate candidates.
const CANDIDATES_PER_QUERY: usize = 200;

/// How many records of a batch of customers are checked at a time: a larger batch is checked on
/// a thread of its own, a chunk ahead of its writes.
const VALIDATION_CHUNK: usize = 1_000;

#[cfg(test)]
mod tests {
    #[test]
    fn handles_are_send_and_sync() {
        fn is<T: Send + Sync + Clone>() {}
        is::<super::Crm>();
        is::<super::Tenant>();
    }
}
