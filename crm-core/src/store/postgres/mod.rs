//! The PostgreSQL implementation of the storage port (`PgStore`, `PgTx`): a pool of
//! connections of the sync `postgres` client (it runs its own small runtime: C and Python hosts
//! set nothing up; an async Rust host calls the library from a plain thread, e.g. tokio's
//! `spawn_blocking`).
//!
//! - A write transaction is `READ COMMITTED` and first locks the tenant's row: one tenant's
//!   writes are ordered, different tenants write in parallel, and every statement after the lock
//!   sees what the tenant's earlier writes committed. The change feed's sequence is a counter in
//!   that row, bumped under the lock: gap-free and in commit order.
//! - A read transaction is `REPEATABLE READ READ ONLY`: one snapshot.
//! - A serialization failure, a deadlock or a lock waited for longer than 10 s (SQLite's busy
//!   timeout) is a `Conflict` error (try again), never `Storage`.

mod bookings;
mod changes;
mod communications;
mod consent;
mod customers;
mod dedupe;
mod documents;
mod indexing;
mod list;
mod lists;
mod merges;
mod port;
mod privacy;
mod rows;
mod saved;
mod schedules;
mod schema;
mod templates;
#[cfg(feature = "postgres-tls")]
mod tls;
mod values;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, Row, Statement};

use super::port::{Store, Tx, WriteTx};
use crate::error::{Error, Result};
use crate::model::{CustomerId, CustomerRow, IndexedCustomer, TenantId};
use port::PgTx;

/// Connections the pool keeps at most (each one a PostgreSQL backend).
const POOL_SIZE: u32 = 16;
/// How long a statement waits for a lock (the tenant's row held by a long write, say) before
/// the call fails with a Conflict: SQLite's busy timeout.
const LOCK_TIMEOUT_MS: u64 = 10_000;
/// How long a call waits for a free connection before it fails.
const POOL_TIMEOUT: Duration = Duration::from_secs(30);

/// A PostgreSQL database holding every tenant's records.
pub(crate) struct PgStore {
    pool: r2d2::Pool<Manager>,
    /// The database's identity (made with its schema).
    identity: String,
    /// The last sequence of each tenant's feed at this handle's last commit of a write of it
    /// (or when the handle was opened).
    written: Mutex<HashMap<TenantId, i64>>,
}

impl PgStore {
    /// Connects to the database at `url` (a libpq-style connection string or URL) and brings
    /// its schema up to date. With TLS built in, connections are encrypted as the URL's
    /// `sslmode` says, the server's certificate verified against the system's authorities and
    /// those of the PEM file `ca_file`.
    pub(crate) fn connect(url: &str, ca_file: Option<&std::path::Path>) -> Result<Self> {
        // The parser's cause is not shown: it quotes a word of the string, which may be part
        // of a password.
        let mut config: postgres::Config = url.parse().map_err(|_| {
            Error::validation(
                "url",
                "not a PostgreSQL connection string (an unknown option, a malformed value, or an \
                 sslmode other than disable, prefer or require)",
            )
        })?;
        // A CA file given asks for TLS: a connection string without sslmode gets it, one that
        // says disable is a contradiction.
        if ca_file.is_some() && config.get_ssl_mode() == postgres::config::SslMode::Disable {
            return Err(Error::validation(
                "url",
                "sslmode=disable with a CA file: say sslmode=require, or give no CA file",
            ));
        }
        let security = Security::new(ca_file)?;
        // A lock held longer than SQLite's busy timeout (a tenant's long import, say) ends the
        // wait with a Conflict instead of holding a pooled connection indefinitely.
        let options = match config.get_options() {
            Some(given) => format!("{given} -c lock_timeout={}", LOCK_TIMEOUT_MS),
            None => format!("-c lock_timeout={}", LOCK_TIMEOUT_MS),
        };
        config.options(&options);
        let manager = Manager { config, security };
        let mut first = manager.open().map_err(|e| {
            let message = format!("cannot connect to PostgreSQL: {e}");
            Error::storage(message.clone(), std::io::Error::other(message))
        })?;
        let identity = schema::migrate(&mut first.client)?;
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(0))
            .connection_timeout(POOL_TIMEOUT)
            // A connection idle for a while is tested before it is handed out (one round trip),
            // so that those a server restart or a failover closed while idle are replaced; one
            // used less than 5 s ago is not (`Manager::is_valid`), and fails its call once.
            .test_on_check_out(true)
            .build_unchecked(manager);
        let store = Self {
            pool,
            identity,
            written: Mutex::new(HashMap::new()),
        };
        // What the feeds held when the handle was opened: its searches reflect at least that.
        let (heads, _) = store.feed_heads()?;
        *lock(&store.written) = heads.into_iter().collect();
        Ok(store)
    }

    fn connection(&self) -> Result<r2d2::PooledConnection<Manager>> {
        let mut conn = self.pool.get().map_err(|e| Error::Storage {
            message: format!("no PostgreSQL connection: {e}"),
            source: Box::new(e),
        })?;
        conn.taken = Instant::now();
        Ok(conn)
    }

    /// Runs `f` in a read-only transaction that sees one snapshot.
    fn read<T>(&self, f: impl FnOnce(&mut Db<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let Conn { client, cache, .. } = &mut *conn;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(pg)?;
        let mut db = Db::transaction(tx, cache);
        let out = f(&mut db)?;
        db.commit()?;
        Ok(out)
    }

    /// Runs `f`, which issues one statement (it sees one snapshot by itself), outside a
    /// transaction.
    fn single<T>(&self, f: impl FnOnce(&mut Db<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let Conn { client, cache, .. } = &mut *conn;
        f(&mut Db {
            session: Session::Single(client),
            cache,
        })
    }
}

/// A message of the server or the client without the values a server's detail may quote. A
/// client error (I/O, TLS) names its causes too: "error performing TLS handshake: invalid peer
/// certificate: UnknownIssuer".
fn message(err: &postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = err.to_string();
            let mut cause = std::error::Error::source(err);
            while let Some(c) = cause {
                text.push_str(": ");
                text.push_str(&c.to_string());
                cause = c.source();
            }
            text
        }
    }
}

/// A PostgreSQL error as the core reports it: a serialization failure or a deadlock is a
/// Conflict (the caller may try again); anything else Storage, with the server's message and
/// code but never the detail (which may quote values), in the message and in the cause alike.
/// Written `.map_err(pg)` at each call.
pub(super) fn pg(err: postgres::Error) -> Error {
    if let Some(code) = err.code() {
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            return Error::Conflict {
                reason: "a concurrent transaction changed the same records; try again".into(),
            };
        }
        if *code == SqlState::LOCK_NOT_AVAILABLE {
            return Error::Conflict {
                reason: "another write of the tenant held it too long; try again".into(),
            };
        }
    }
    // The cause kept is the same text: the client's error would show the detail.
    let message = message(&err);
    Error::storage(
        format!("postgres: {message}"),
        std::io::Error::other(message),
    )
}

/// A connection of the pool and its prepared statements.
pub(super) struct Conn {
    client: Client,
    cache: HashMap<String, Statement>,
    /// When the connection was last taken from the pool.
    taken: Instant,
}

/// A connection taken from the pool again within this time is not tested first.
const TESTED_AFTER_IDLE: Duration = Duration::from_secs(5);

/// Makes the pool's connections.
struct Manager {
    config: postgres::Config,
    security: Security,
}

/// How connections are made: with TLS when the connection string says `sslmode=require`, in
/// clear otherwise (`prefer`, the default, is clear as it always was here: this library does
/// no TLS it does not verify, and libpq's `prefer` does not verify).
enum Security {
    /// Without TLS (the feature `postgres-tls` is off): `sslmode=require` fails to connect.
    #[cfg(not(feature = "postgres-tls"))]
    Plain,
    /// With rustls, for `sslmode=require` (and for `prefer` when a CA file was given): the
    /// certificate and the host name are verified. `true` when a CA file was given.
    #[cfg(feature = "postgres-tls")]
    Tls(tokio_postgres_rustls::MakeRustlsConnect, bool),
}

impl Security {
    #[cfg(not(feature = "postgres-tls"))]
    fn new(ca_file: Option<&std::path::Path>) -> Result<Self> {
        match ca_file {
            Some(_) => Err(Error::validation(
                "ca_file",
                "this build has no TLS (crm-core's feature postgres-tls is off)",
            )),
            None => Ok(Self::Plain),
        }
    }

    #[cfg(feature = "postgres-tls")]
    fn new(ca_file: Option<&std::path::Path>) -> Result<Self> {
        tls::connector(ca_file).map(|tls| Self::Tls(tls, ca_file.is_some()))
    }

    fn connect(&self, config: &postgres::Config) -> std::result::Result<Client, postgres::Error> {
        match self {
            #[cfg(not(feature = "postgres-tls"))]
            Self::Plain => config.connect(postgres::NoTls),
            #[cfg(feature = "postgres-tls")]
            Self::Tls(tls, with_ca) => match config.get_ssl_mode() {
                postgres::config::SslMode::Require => config.connect(tls.clone()),
                postgres::config::SslMode::Prefer if *with_ca => {
                    // Required, not preferred: tokio-postgres would fall back to clear.
                    let mut required = config.clone();
                    required.ssl_mode(postgres::config::SslMode::Require);
                    required.connect(tls.clone())
                }
                _ => config.connect(postgres::NoTls),
            },
        }
    }
}

/// A connection that could not be made, as the pool reports it: its message names the causes
/// (the pool keeps only the message).
#[derive(Debug)]
struct ConnectError(postgres::Error);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&message(&self.0))
    }
}

impl std::error::Error for ConnectError {}

impl Manager {
    fn open(&self) -> std::result::Result<Conn, ConnectError> {
        let client = self.security.connect(&self.config).map_err(ConnectError)?;
        Ok(Conn {
            client,
            cache: HashMap::new(),
            taken: Instant::now(),
        })
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = ConnectError;

    fn connect(&self) -> std::result::Result<Conn, ConnectError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut Conn) -> std::result::Result<(), ConnectError> {
        if conn.taken.elapsed() < TESTED_AFTER_IDLE {
            return Ok(());
        }
        conn.client.simple_query("").map(drop).map_err(ConnectError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

/// The parameters of a statement.
pub(super) type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// Where statements run: in a transaction, or each on its own (a single-statement read, which
/// sees one snapshot by itself, saves the round trips of `BEGIN` and `COMMIT`).
enum Session<'a> {
    Tx(postgres::Transaction<'a>),
    Single(&'a mut Client),
}

/// An open session (a transaction, or single statements) and the statements its connection
/// prepared: each statement is prepared once per connection.
pub(super) struct Db<'a> {
    session: Session<'a>,
    cache: &'a mut HashMap<String, Statement>,
}

/// Runs one call of the client on whichever session is open.
macro_rules! on_session {
    ($db:expr, $c:ident => $call:expr) => {
        match &mut $db.session {
            Session::Tx($c) => $call,
            Session::Single($c) => $call,
        }
    };
}

impl<'a> Db<'a> {
    fn transaction(
        tx: postgres::Transaction<'a>,
        cache: &'a mut HashMap<String, Statement>,
    ) -> Self {
        Self {
            session: Session::Tx(tx),
            cache,
        }
    }

    fn commit(self) -> Result<()> {
        match self.session {
            Session::Tx(tx) => tx.commit().map_err(pg),
            Session::Single(_) => Ok(()),
        }
    }

    fn rollback(self) -> Result<()> {
        match self.session {
            Session::Tx(tx) => tx.rollback().map_err(pg),
            Session::Single(_) => Ok(()),
        }
    }

    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.cache.get(sql) {
            return Ok(statement.clone());
        }
        let statement = on_session!(self, c => c.prepare(sql)).map_err(pg)?;
        self.cache.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// The rows `sql` returns.
    pub(super) fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let statement = self.statement(sql)?;
        on_session!(self, c => c.query(&statement, params)).map_err(pg)
    }

    /// The one row `sql` returns, if any (an error if more).
    pub(super) fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        let statement = self.statement(sql)?;
        on_session!(self, c => c.query_opt(&statement, params)).map_err(pg)
    }

    /// The one row `sql` returns (an error if none or more).
    pub(super) fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row> {
        let statement = self.statement(sql)?;
        on_session!(self, c => c.query_one(&statement, params)).map_err(pg)
    }

    /// Runs `sql`; the number of rows it changed.
    pub(super) fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64> {
        let statement = self.statement(sql)?;
        on_session!(self, c => c.execute(&statement, params)).map_err(pg)
    }

    /// Whether `sql` returns a row.
    pub(super) fn exists(&mut self, sql: &str, params: Params<'_>) -> Result<bool> {
        Ok(self.query_opt(sql, params)?.is_some())
    }
}

/// Locks the tenant's row for this transaction, making it first; returns its feed's last
/// sequence.
fn lock_tenant(db: &mut Db<'_>, tenant: &TenantId) -> Result<i64> {
    const LOCK: &str = "SELECT change_seq FROM tenants WHERE tenant_id = $1 FOR UPDATE";
    if let Some(row) = db.query_opt(LOCK, &[&tenant.as_str()])? {
        return values::get(&row, 0);
    }
    db.execute(
        "INSERT INTO tenants (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING",
        &[&tenant.as_str()],
    )?;
    let row = db.query_one(LOCK, &[&tenant.as_str()])?;
    values::get(&row, 0)
}

/// A poisoned lock only means another thread panicked while holding it; the map is sound.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store for PgStore {
    fn read_tx(&self, tenant: &TenantId, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        self.read(|db| {
            // A read appends no event: the feed head a write starts from is not needed.
            let tx = PgTx::new(db, tenant, 0);
            f(&tx)
        })
    }

    fn write_tx(
        &self,
        tenant: &TenantId,
        f: &mut dyn FnMut(&dyn WriteTx) -> Result<bool>,
    ) -> Result<()> {
        let mut conn = self.connection()?;
        let Conn { client, cache, .. } = &mut *conn;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .map_err(pg)?;
        let mut db = Db::transaction(tx, cache);
        let locked = lock_tenant(&mut db, tenant)?;
        let (commit, appended) = {
            let tx = PgTx::new(&mut db, tenant, locked);
            let commit = f(&tx)?;
            (commit, if commit { tx.finish()? } else { None })
        };
        if !commit {
            return db.rollback();
        }
        // Under the tenant's lock: the feed's last sequence is the last event appended here.
        let head = appended.unwrap_or(locked);
        db.commit()?;
        let mut written = lock(&self.written);
        let last = written.entry(tenant.clone()).or_insert(0);
        *last = (*last).max(head);
        Ok(())
    }

    fn identity(&self) -> &str {
        &self.identity
    }

    fn feed_head(&self, tenant: &TenantId) -> Result<(i64, u64)> {
        self.single(|db| {
            let row = db.query_opt(
                "SELECT change_seq, customer_count FROM tenants WHERE tenant_id = $1",
                &[&tenant.as_str()],
            )?;
            row.map_or(Ok((0, 0)), |row| {
                Ok((values::get(&row, 0)?, values::count(&row, 1)?))
            })
        })
    }

    fn customer_rows(&self, tenant: &TenantId, ids: &[CustomerId]) -> Result<Vec<CustomerRow>> {
        self.single(|db| indexing::rows(db, tenant, ids))
    }

    fn feed_heads(&self) -> Result<(Vec<(TenantId, i64)>, u64)> {
        self.read(indexing::feed_heads)
    }

    fn last_written(&self, tenant: &TenantId) -> i64 {
        lock(&self.written).get(tenant).copied().unwrap_or(0)
    }

    fn scan_index_documents(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<Vec<IndexedCustomer>> {
        self.read(|db| indexing::scan(db, after, limit))
    }

    /// Vacuums the tables whose rows hold personal values and that an erasure rewrites, so
    /// that no row version, live or dead, nor any index entry of them holds an erased value
    /// (once no transaction older than the erasure is still open: a vacuum keeps the versions
    /// such a transaction may read). What PostgreSQL keeps besides (the bytes of removed
    /// versions in the pages' free space until overwritten, the WAL, replicas, backups) is
    /// the operator's: see the README.
    fn flush_erased(&self) -> Result<bool> {
        let mut conn = self.connection()?;
        // Index entries too, however few pages changed (by default a vacuum skips the indexes
        // when under 2% of a table's pages have dead rows). A vacuum of the same table by
        // another server is waited for: no lock timeout for it.
        conn.client
            .batch_execute("SET lock_timeout = 0")
            .map_err(pg)?;
        let vacuumed = conn
            .client
            .batch_execute(
                "VACUUM (INDEX_CLEANUP ON) customers, customer_contacts, customer_lists, lists, \
                 merges, merge_members, documents, communications, consent_records",
            )
            .map_err(pg);
        let reset = conn.client.batch_execute("RESET lock_timeout").map_err(pg);
        vacuumed?;
        reset?;
        Ok(true)
    }
}
