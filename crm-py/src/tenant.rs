//! `crm.Tenant`: every call on one agency's records, made as one actor.

use crm_core::{
    Actor, Channel, Cursor, CustomerListQuery, CustomerSort, ExportColumn, ExportFormat,
    ExportOptions, FindOptions, MatchConfig, NewCommunication, NewCustomer, NewDocument,
    SearchFilter, SearchPeriod, Tenant, TenantId,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::convert::{
    Text, aware, customer_id, customer_ids, int, int_or_none, optional_aware, optional_customer_id,
    quoted, size, wrong_type,
};
use crate::db::{Progress, PyCrm, Shared, run};
use crate::dedupe::{PyDuplicateCluster, PyDuplicateMatch, PyMatchConfig, PyNotDuplicate};
use crate::document::{PyDocument, document_id};
use crate::errors::{Failure, permission_denied, validation};
use crate::feed::{PyFeedBounds, PyFeedCursor};
use crate::fields;
use crate::import::{ImportArgs, PyImportReport};
use crate::lists::{PyBrochureRequest, PyListInfo, request_id};
use crate::merge::{self, PyMergePlan, PyMergeRecord, PyMerged};
use crate::outreach::{
    PyCommunication, PyOutreach, PySavedRun, PySavedSearch, PyStatement, search_id,
};
use crate::pages::{PyChangeEvent, PyCustomerPage, PySearchPage};
use crate::privacy::{PyAnonymisationReport, PyRetentionReport};
use crate::records::{
    PyActor, PyBooking, PyCaptured, PyCustomer, PyCustomerStats, PyPrivacyLogEntry,
    PyTenantSettings, apply_settings, setting_changes,
};
use crate::schedules::{PyDueSchedule, PyScheduleInfo, PyScheduleRun, PyScheduledRun};
use crate::search_args::{SearchArgs, yes_no};
use crate::templates::{PyRenderedMessage, PySendReport, PyTemplate};

/// One tenant (agency) of a database, seen by one actor. Made by `Crm.tenant(id, actor=...)`.
/// No call through it reads, changes or reveals another tenant's records.
#[pyclass(frozen, name = "Tenant", module = "crm")]
pub(crate) struct PyTenant {
    /// The `Crm` it came from, kept alive while the tenant is: collecting the `Crm` would close
    /// the database under it (`close()` still does, on purpose).
    owner: Py<PyCrm>,
    shared: Shared,
    id: TenantId,
    actor: Option<Actor>,
}

impl PyTenant {
    /// Writes an export to `path` through a file beside it, renamed at the end.
    fn export(
        &self,
        py: Python<'_>,
        path: std::path::PathBuf,
        options: ExportOptions,
        progress: Option<Py<PyAny>>,
        format: ExportFormat,
    ) -> PyResult<u64> {
        let mut progress = Progress::new(py, progress)?;
        let written = self.call(py, |t| {
            // A progress callback that raised stops the export: nothing replaces `path`.
            t.export_file(&path, format, &options, |done, total| {
                progress.report(done, total);
                !progress.failed()
            })
        })?;
        progress.finish()?;
        Ok(written.unwrap_or_default())
    }

    pub(crate) fn new(
        owner: Py<PyCrm>,
        shared: Shared,
        id: TenantId,
        actor: Option<Actor>,
    ) -> Self {
        Self {
            owner,
            shared,
            id,
            actor,
        }
    }

    /// The actor of a write, or `PermissionDeniedError` when the handle has none.
    fn actor(&self, py: Python<'_>) -> PyResult<Actor> {
        self.actor.clone().ok_or_else(|| {
            permission_denied(
                py,
                "this tenant handle has no actor: open it with Crm.tenant(id, actor=Actor(...))",
            )
        })
    }

    /// Runs `work` on this tenant with the GIL released.
    fn call<T, F>(&self, py: Python<'_>, work: F) -> PyResult<T>
    where
        T: Send,
        F: FnOnce(&Tenant) -> crm_core::Result<T> + Send,
    {
        let id = &self.id;
        run(py, &self.shared, |crm| {
            let tenant = crm.tenant(id.as_str())?;
            work(&tenant).map_err(Failure::from)
        })
    }
}

/// A page size for the core, whose range check (1 to MAX_PAGE) names the field; a negative or
/// huge one gets the same message here.
pub(crate) fn page_limit(py: Python<'_>, limit: i64) -> PyResult<u32> {
    u32::try_from(limit).map_err(|_| {
        validation(
            py,
            "limit",
            &format!("must be between 1 and {}", crm_core::limits::MAX_PAGE),
        )
    })
}

/// The options of an export: columns by name (all when None), and a search as a mapping of
/// `search()` arguments or a `SavedSearch`.
fn export_options(
    py: Python<'_>,
    columns: Option<Vec<Text>>,
    search: Option<&Bound<'_, PyAny>>,
) -> PyResult<ExportOptions> {
    let mut options = ExportOptions::all();
    if let Some(names) = columns {
        let parsed = names
            .iter()
            .map(|n| n.parse::<ExportColumn>())
            .collect::<crm_core::Result<Vec<_>>>()
            .map_err(|e| crate::errors::to_py(py, e.into()))?;
        options = options.columns(parsed);
    }
    if let Some(query) = search_query(py, "export", search)? {
        options = options.query(query);
    }
    Ok(options)
}

/// The query of `search`: a mapping of `search()` arguments, or a `SavedSearch` (its query,
/// relative periods still relative); None for None.
pub(crate) fn search_query(
    py: Python<'_>,
    call: &str,
    search: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<crm_core::CustomerQuery>> {
    match search.filter(|s| !s.is_none()) {
        Some(s) => match s.cast::<crate::outreach::PySavedSearch>() {
            Ok(saved) => Ok(Some(saved.get().0.query.clone())),
            Err(_) => SearchArgs::from_mapping(call, s)?.query(py).map(Some),
        },
        None => Ok(None),
    }
}

/// Whom a run goes to: a search (mapping or `SavedSearch`), customers, or everyone.
pub(crate) fn audience(
    py: Python<'_>,
    call: &str,
    search: Option<&Bound<'_, PyAny>>,
    customers: Option<&Bound<'_, PyAny>>,
) -> PyResult<crm_core::Audience> {
    match (
        search_query(py, call, search)?,
        customers.filter(|c| !c.is_none()),
    ) {
        (Some(_), Some(_)) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{call}(): give search or customers, not both"
        ))),
        (Some(query), None) => Ok(crm_core::Audience::Query(query)),
        (None, Some(list)) => Ok(crm_core::Audience::Customers(customer_ids(
            "customers",
            list,
        )?)),
        (None, None) => Ok(crm_core::Audience::Query(crm_core::CustomerQuery::all())),
    }
}

/// A log entry from `record_communication`'s arguments (also each entry of
/// `record_communications`).
fn communication(
    py: Python<'_>,
    customer: &Bound<'_, PyAny>,
    channel: &str,
    subject: String,
    reference: Option<String>,
    sent_at: Option<&Bound<'_, PyAny>>,
) -> PyResult<NewCommunication> {
    let id = customer_id("customer", customer)?;
    let mut entry = NewCommunication::new(id, parse_arg::<Channel>(py, channel)?, subject);
    entry.reference = reference;
    entry.sent_at = match sent_at {
        Some(at) => optional_aware("sent_at", at)?.map(|t| t.to_utc()),
        None => None,
    };
    Ok(entry)
}

/// A text argument parsed by the core (a channel...); a bad one is its `ValidationError`.
pub(crate) fn parse_arg<T: std::str::FromStr<Err = crm_core::Error>>(
    py: Python<'_>,
    text: &str,
) -> PyResult<T> {
    text.parse()
        .map_err(|e: crm_core::Error| crate::errors::to_py(py, e.into()))
}

/// [`parse_arg`] of a name taken exactly as written (no surrounding blanks).
pub(crate) fn parse_name<T: std::str::FromStr<Err = crm_core::Error> + std::fmt::Display>(
    py: Python<'_>,
    text: &str,
) -> PyResult<T> {
    match crate::convert::exact(text) {
        Some(value) => Ok(value),
        // The core's error for a name it does not know (the empty text is none).
        None => parse_arg(py, if text.trim() == text { text } else { "" }),
    }
}

/// A model as plain Python values (through its JSON form).
fn model_dict<'py>(py: Python<'py>, model: &crm_core::MatchModel) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(model)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// The threshold and weights given, or the defaults.
fn match_config(config: Option<Bound<'_, PyMatchConfig>>) -> MatchConfig {
    config.map_or_else(MatchConfig::default, |c| c.get().0.clone())
}

#[pymethods]
impl PyTenant {
    /// The tenant id.
    #[getter]
    fn id(&self) -> &str {
        self.id.as_str()
    }

    /// The actor recorded with every write made through this handle, or None.
    #[getter(actor)]
    fn get_actor(&self) -> Option<PyActor> {
        self.actor.clone().map(PyActor)
    }

    /// The same tenant seen by another actor.
    fn with_actor(&self, py: Python<'_>, actor: Bound<'_, PyActor>) -> Self {
        Self::new(
            self.owner.clone_ref(py),
            self.shared.clone(),
            self.id.clone(),
            Some(actor.get().0.clone()),
        )
    }

    /// The tenant's settings.
    fn settings(&self, py: Python<'_>) -> PyResult<PyTenantSettings> {
        self.call(py, Tenant::settings).map(PyTenantSettings)
    }

    /// Changes the tenant's settings given; a setting left out keeps its value.
    ///
    /// Args:
    ///     default_region: ISO 3166-1 alpha-2 region for phones typed without a country code,
    ///         for customers without an address country; None for none (such a number is then
    ///         kept as typed, unverified).
    ///     name_rule: which names a customer needs: `"both"` (first and last, the default),
    ///         `"either"` (one of them) or `"last_name"`.
    ///     time_zone: an IANA name such as `"Europe/Paris"`, the day relative periods
    ///         (`departure_in`...) and schedules are read in; None for UTC.
    ///     email_uniqueness: whether customers may share an email (main or secondary):
    ///         `"allow"` (the default), `"warn"` (the write is made and a
    ///         `customer_email_shared` change names the customer) or `"refuse"` (a write giving
    ///         a customer another's email raises ValidationError on `email` or
    ///         `secondary_emails`), on every path: create, update, capture, import (a row fails
    ///         alone). A merge never makes a new sharing; an undone merge brings its records
    ///         back as they were, with a `customer_email_shared` change for each that shares.
    ///     hard_delete, merge: who may delete customers, who may merge and undo merges:
    ///         `"anyone"` (the default), `"organisation"` (the organisation role) or `"nobody"`;
    ///         a call the policy forbids raises PermissionDeniedError.
    ///
    ///     Changing a policy needs the organisation role; the change is made in one
    ///     transaction on the settings as stored.
    ///
    /// Raises:
    ///     ValidationError: the region, the name rule, the time zone or a policy is unknown.
    ///     TypeError: another keyword.
    ///     PermissionDeniedError: the handle has no actor, or it changes a policy without the
    ///         organisation role.
    #[pyo3(
        signature = (**settings),
        text_signature = "(self, *, default_region=..., name_rule=..., time_zone=..., \
            email_uniqueness=..., hard_delete=..., merge=...)"
    )]
    fn set_settings(&self, py: Python<'_>, settings: Option<Bound<'_, PyDict>>) -> PyResult<()> {
        let actor = self.actor(py)?;
        let changes = setting_changes(py, settings.as_ref())?;
        self.call(py, |t| {
            t.update_settings(&actor, |current| apply_settings(current, changes))
        })
    }

    /// Searches the customers: type-ahead `text` (every word a prefix, accents and case
    /// folded, over names, company, customer no., emails and phones; typos tolerated from 5
    /// letters) and the filters of the "find customer" form, all combined with AND.
    ///
    /// Booking filters given together (`departure_between`/`departure_in`, `transport`,
    /// `hotel`, `booking_status`, `booking_salesperson`) must hold for one booking: "departing
    /// in July at hotel X" is a July booking at X. `phone` matches any phone field;
    /// `main_phone`, `mobile`, `fax` and `emergency_phone` one field each. `zip` matches the
    /// whole code, `zip_prefix` its start (`"75"`). `payment_status` finds customers with an
    /// invoice in that status, `has_outstanding` those with (or without) an invoice with
    /// something still owed on it (unpaid or part paid, its booking not cancelled, its amount
    /// not all paid).
    ///
    /// Args:
    ///     text: what was typed, or None for filters only: at most 1,000 characters and 16
    ///         words.
    ///     sort: "relevance", "name", "last_booking" or "created_at".
    ///     offset: rows to skip. limit: rows per page, 1 to 1000; offset + limit at most
    ///         10,000 (deeper: `list_customers` and its cursor, or an export).
    ///     departure_between, created_between, last_booking_between: (from, to) dates, either
    ///         end None for open.
    ///     departure_in, created_in, last_booking_in: a period relative to the day the search
    ///         runs, in the tenant's time zone: "today", "this month", "last month" (the
    ///         calendar one before), "next week", "last 7 days" (today and before), "next 2
    ///         weeks" (today and after), "more than 12 months ago", "more than 30 days ahead".
    ///         A saved search keeps it relative.
    ///
    /// Returns:
    ///     A SearchPage: iterable rows, `total`, and `behind`: how many changes of other
    ///     handles or processes the index had not taken in yet (0: current; this `Crm`'s own
    ///     writes are always reflected).
    ///
    /// Raises:
    ///     ValidationError: naming the argument: limit or offset out of range, text too long or
    ///         of too many words, a filter longer than its field, unknown sort or booking
    ///         status, a str that is not valid Unicode.
    #[pyo3(signature = (
        text=None, *, customer_no=None, first_name=None, last_name=None, company=None,
        email=None, phone=None, main_phone=None, mobile=None, fax=None, emergency_phone=None,
        zip=None, zip_prefix=None, city=None, address=None, contact_person=None,
        country=None, region=None, language=None, salesperson=None, list=None, transport=None,
        hotel=None, booking_salesperson=None, booking_status=None, has_email=None,
        has_mobile=None, payment_status=None, has_outstanding=None,
        departure_between=None, created_between=None, last_booking_between=None,
        departure_in=None, created_in=None, last_booking_in=None,
        sort=Text::from("relevance"), offset=0, limit=20
    ), text_signature = "($self, text=None, *, customer_no=None, first_name=None, \
        last_name=None, company=None, email=None, phone=None, main_phone=None, mobile=None, \
        fax=None, emergency_phone=None, zip=None, zip_prefix=None, city=None, \
        address=None, contact_person=None, country=None, region=None, language=None, \
        salesperson=None, list=None, transport=None, hotel=None, booking_salesperson=None, \
        booking_status=None, \
        has_email=None, has_mobile=None, payment_status=None, has_outstanding=None, \
        departure_between=None, created_between=None, \
        last_booking_between=None, departure_in=None, created_in=None, \
        last_booking_in=None, sort='relevance', offset=0, limit=20)")]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        text: Option<Text>,
        #[pyo3(from_py_with = int_or_none)] customer_no: Option<i64>,
        first_name: Option<Text>,
        last_name: Option<Text>,
        company: Option<Text>,
        email: Option<Text>,
        phone: Option<Text>,
        main_phone: Option<Text>,
        mobile: Option<Text>,
        fax: Option<Text>,
        emergency_phone: Option<Text>,
        zip: Option<Text>,
        zip_prefix: Option<Text>,
        city: Option<Text>,
        address: Option<Text>,
        contact_person: Option<Text>,
        country: Option<Text>,
        region: Option<Text>,
        language: Option<Text>,
        salesperson: Option<Text>,
        list: Option<Text>,
        transport: Option<Text>,
        hotel: Option<Text>,
        booking_salesperson: Option<Text>,
        booking_status: Option<Text>,
        has_email: Option<bool>,
        has_mobile: Option<bool>,
        payment_status: Option<Text>,
        has_outstanding: Option<bool>,
        departure_between: Option<Bound<'_, PyAny>>,
        created_between: Option<Bound<'_, PyAny>>,
        last_booking_between: Option<Bound<'_, PyAny>>,
        departure_in: Option<Text>,
        created_in: Option<Text>,
        last_booking_in: Option<Text>,
        sort: Text,
        #[pyo3(from_py_with = int)] offset: i64,
        #[pyo3(from_py_with = int)] limit: i64,
    ) -> PyResult<PySearchPage> {
        // The keywords above are the core's filter names (a test checks them against
        // `NAMES["search_filter"]` and `NAMES["search_period"]`).
        let texts = [
            (SearchFilter::FirstName, first_name),
            (SearchFilter::LastName, last_name),
            (SearchFilter::Company, company),
            (SearchFilter::Email, email),
            (SearchFilter::Phone, phone),
            (SearchFilter::MainPhone, main_phone),
            (SearchFilter::Mobile, mobile),
            (SearchFilter::Fax, fax),
            (SearchFilter::EmergencyPhone, emergency_phone),
            (SearchFilter::Zip, zip),
            (SearchFilter::ZipPrefix, zip_prefix),
            (SearchFilter::City, city),
            (SearchFilter::Address, address),
            (SearchFilter::ContactPerson, contact_person),
            (SearchFilter::Country, country),
            (SearchFilter::Region, region),
            (SearchFilter::Language, language),
            (SearchFilter::Salesperson, salesperson),
            (SearchFilter::List, list),
            (SearchFilter::Transport, transport),
            (SearchFilter::Hotel, hotel),
            (SearchFilter::BookingSalesperson, booking_salesperson),
            (SearchFilter::BookingStatus, booking_status),
            (SearchFilter::PaymentStatus, payment_status),
        ];
        let flags = [
            (SearchFilter::HasEmail, has_email),
            (SearchFilter::HasMobile, has_mobile),
            (SearchFilter::HasOutstanding, has_outstanding),
        ];
        let filters = texts
            .into_iter()
            .filter_map(|(f, v)| v.map(|v| (f, v.0)))
            .chain(
                flags
                    .into_iter()
                    .filter_map(|(f, yes)| yes.map(|yes| (f, yes_no(yes)))),
            )
            .collect();
        let periods = [
            (SearchPeriod::Departure, departure_between),
            (SearchPeriod::Created, created_between),
            (SearchPeriod::LastBooking, last_booking_between),
        ]
        .into_iter()
        .filter_map(|(p, v)| v.filter(|v| !v.is_none()).map(|v| (p, v)))
        .collect();
        let relative = [
            (SearchPeriod::Departure, departure_in),
            (SearchPeriod::Created, created_in),
            (SearchPeriod::LastBooking, last_booking_in),
        ]
        .into_iter()
        .filter_map(|(p, v)| v.map(|v| (p, v.0)))
        .collect();
        let args = SearchArgs {
            text,
            customer_no,
            filters,
            periods,
            relative,
            sort,
            offset,
            limit,
        };
        let query = args.query(py)?;
        self.call(py, |t| t.search(&query)).map(PySearchPage)
    }

    /// Checks customer fields as `create_customer` would, without saving anything.
    ///
    /// Raises:
    ///     ValidationError: naming the field and the rule.
    #[pyo3(signature = (**fields))]
    fn validate_customer(&self, py: Python<'_>, fields: Option<Bound<'_, PyDict>>) -> PyResult<()> {
        let fields = fields::customer(
            "validate_customer",
            "",
            NewCustomer::default(),
            fields.as_ref().map(|f| f.as_any()),
        )?;
        self.call(py, |t| t.validate_customer(fields))
    }

    /// Creates a customer from keyword arguments (the names the tenant's name rule needs:
    /// first_name and last_name by default) and returns it as stored, with its id and
    /// customer no.
    ///
    /// Raises:
    ///     ValidationError: naming the field; nothing is written.
    ///     TypeError: an unknown keyword or a value of the wrong type.
    #[pyo3(signature = (**fields))]
    fn create_customer(
        &self,
        py: Python<'_>,
        fields: Option<Bound<'_, PyDict>>,
    ) -> PyResult<PyCustomer> {
        let actor = self.actor(py)?;
        let fields = fields::customer(
            "create_customer",
            "",
            NewCustomer::default(),
            fields.as_ref().map(|f| f.as_any()),
        )?;
        self.call(py, |t| t.create_customer(&actor, fields))
            .map(PyCustomer)
    }

    /// Creates many customers in one transaction, from mappings with the keywords of
    /// `create_customer`. All or nothing: the error's field starts with the record's position
    /// (`[12].email`).
    fn create_customers(
        &self,
        py: Python<'_>,
        records: Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyCustomer>> {
        let actor = self.actor(py)?;
        let mut batch = Vec::new();
        for (i, record) in records.try_iter()?.enumerate() {
            batch.push(fields::customer(
                "create_customers",
                &format!("[{i}]."),
                NewCustomer::default(),
                Some(&record?),
            )?);
        }
        let created = self.call(py, |t| t.create_customers(&actor, batch))?;
        Ok(created.into_iter().map(PyCustomer).collect())
    }

    /// One customer by id. The id of a customer merged into another answers that one (whose
    /// `id` then differs; `merges_of(id)` says which merge).
    ///
    /// Raises:
    ///     NotFoundError: no such customer in this tenant.
    fn get_customer(&self, py: Python<'_>, id: Bound<'_, PyAny>) -> PyResult<PyCustomer> {
        let id = customer_id("id", &id)?;
        self.call(py, |t| t.get_customer(&id)).map(PyCustomer)
    }

    /// One customer by customer no.
    ///
    /// Raises:
    ///     NotFoundError: no such customer in this tenant.
    fn get_customer_by_no(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = int)] customer_no: i64,
    ) -> PyResult<PyCustomer> {
        self.call(py, |t| t.get_customer_by_no(customer_no))
            .map(PyCustomer)
    }

    /// The customers whose main or secondary email is `email`, ignoring case, oldest first.
    fn find_customers_by_email(&self, py: Python<'_>, email: Text) -> PyResult<Vec<PyCustomer>> {
        let found = self.call(py, |t| t.find_customers_by_email(&email))?;
        Ok(found.into_iter().map(PyCustomer).collect())
    }

    /// Changes the fields given as keywords (None clears an optional field; fields left out
    /// keep the values of `customer`), provided the customer is still at `customer.version`.
    ///
    /// Raises:
    ///     ConflictError: the customer changed since `customer` was read.
    ///     NotFoundError: it was deleted. ValidationError: naming the field.
    #[pyo3(signature = (customer, **changes))]
    fn update_customer(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
        changes: Option<Bound<'_, PyDict>>,
    ) -> PyResult<PyCustomer> {
        let actor = self.actor(py)?;
        let customer = customer
            .cast::<PyCustomer>()
            .map_err(|_| wrong_type("customer", "Customer", &customer))?
            .get();
        let (id, version) = (customer.0.id, customer.0.version);
        let fields = fields::customer(
            "update_customer",
            "",
            customer.0.edit(),
            changes.as_ref().map(|c| c.as_any()),
        )?;
        self.call(py, |t| t.update_customer(&actor, &id, version, fields))
            .map(PyCustomer)
    }

    /// Deletes a customer (given as `Customer` or id). Its bookings remain, detached. Then its
    /// values leave the files, as for `anonymise`: the SQLite log is checkpointed and the
    /// search index segments that held it are rewritten (about 2 s at 1M customers).
    ///
    /// Returns:
    ///     How many bookings were detached.
    ///
    /// Raises:
    ///     NotFoundError: no such customer. ConflictError: merged into another, or (after the
    ///         delete was committed) the log could not be emptied. SearchError: (after the delete
    ///         was committed) the index could not be rewritten; the next search rebuilds it.
    fn delete_customer(&self, py: Python<'_>, customer: Bound<'_, PyAny>) -> PyResult<u64> {
        let actor = self.actor(py)?;
        let id = customer_id("customer", &customer)?;
        self.call(py, |t| t.delete_customer(&actor, &id))
    }

    /// One page of the customer list with the total count.
    ///
    /// Args:
    ///     sort: "name" (A to Z), "last_booking" or "created_at" (newest first).
    ///     reverse: the other way round.
    ///     limit: rows per page, 1 to 1000.
    ///     after: the `next` cursor of the previous page.
    #[pyo3(
        signature = (*, sort=Text::from("name"), reverse=false, limit=50, after=None),
        text_signature = "($self, *, sort='name', reverse=False, limit=50, after=None)"
    )]
    fn list_customers(
        &self,
        py: Python<'_>,
        sort: Text,
        reverse: bool,
        #[pyo3(from_py_with = int)] limit: i64,
        after: Option<Text>,
    ) -> PyResult<PyCustomerPage> {
        let limit = page_limit(py, limit)?;
        let sort: CustomerSort = parse_name(py, &sort)?;
        let mut query = CustomerListQuery::new(sort).limit(limit);
        if reverse {
            query = query.reversed();
        }
        if let Some(after) = after {
            let cursor =
                Cursor::parse(&after).map_err(|err| crate::errors::to_py(py, err.into()))?;
            query = query.after(cursor);
        }
        self.call(py, |t| t.list_customers(&query))
            .map(PyCustomerPage)
    }

    /// Records a booking, or replaces the one with the same reference.
    ///
    /// Keywords: reference and pickup_at (an aware datetime) required; customer (Customer, id,
    /// or None to keep the current link), status, return_at, route_from, route_to, transport,
    /// hotel, salesperson, invoices (a list of `Invoice`).
    ///
    /// Returns:
    ///     (booking as stored, whether it was created).
    #[pyo3(signature = (**booking))]
    fn upsert_booking<'py>(
        &self,
        py: Python<'py>,
        booking: Option<Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let actor = self.actor(py)?;
        let booking = booking.unwrap_or_else(|| PyDict::new(py));
        let booking = fields::booking("upsert_booking", "", booking.as_any())?;
        let upserted = self.call(py, |t| t.upsert_booking(&actor, booking))?;
        (PyBooking(upserted.booking), upserted.created).into_pyobject(py)
    }

    /// Records or replaces many bookings in one transaction, from mappings with the keywords of
    /// `upsert_booking`. All or nothing.
    ///
    /// Returns:
    ///     How many bookings were written.
    fn upsert_bookings(&self, py: Python<'_>, records: Bound<'_, PyAny>) -> PyResult<usize> {
        let actor = self.actor(py)?;
        let mut batch = Vec::new();
        for (i, record) in records.try_iter()?.enumerate() {
            batch.push(fields::booking(
                "upsert_bookings",
                &format!("[{i}]."),
                &record?,
            )?);
        }
        self.call(py, |t| t.upsert_bookings(&actor, batch))
    }

    /// One booking by reference.
    ///
    /// Raises:
    ///     NotFoundError: no such booking in this tenant.
    fn get_booking(&self, py: Python<'_>, reference: Text) -> PyResult<PyBooking> {
        self.call(py, |t| t.get_booking(&reference)).map(PyBooking)
    }

    /// Links a booking to a customer (Customer or id), relinks it, or unlinks it (None).
    fn link_booking(
        &self,
        py: Python<'_>,
        reference: Text,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<PyBooking> {
        let actor = self.actor(py)?;
        let customer = optional_customer_id("customer", &customer)?;
        self.call(py, |t| {
            t.link_booking(&actor, &reference, customer.as_ref())
        })
        .map(PyBooking)
    }

    /// A customer's bookings, newest pickup first.
    fn booking_history(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyBooking>> {
        let id = customer_id("customer", &customer)?;
        let history = self.call(py, |t| t.booking_history(&id))?;
        Ok(history.into_iter().map(PyBooking).collect())
    }

    /// A customer's booking count, latest booking and total spent per currency.
    fn customer_stats(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<PyCustomerStats> {
        let id = customer_id("customer", &customer)?;
        self.call(py, |t| t.customer_stats(&id))
            .map(PyCustomerStats)
    }

    /// A customer's invoices, the latest issued first (undated ones last), with what is owed
    /// on each and the totals paid and outstanding per currency. A merged id answers for the
    /// customer it went into.
    ///
    /// Returns:
    ///     A dict `{"invoices": [{"booking_reference": str, "booking_status": str,
    ///     "invoice": Invoice, "owed": int}...], "paid": [Money], "outstanding": [Money]}`.
    ///
    /// Raises:
    ///     NotFoundError: no such customer in this tenant.
    fn invoices<'py>(
        &self,
        py: Python<'py>,
        customer: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let id = customer_id("customer", &customer)?;
        let list = self.call(py, |t| t.invoices(&id))?;
        let out = PyDict::new(py);
        let invoices = list
            .invoices
            .into_iter()
            .map(|i| {
                let row = PyDict::new(py);
                row.set_item("booking_reference", i.booking_reference)?;
                row.set_item("booking_status", i.booking_status.as_str())?;
                row.set_item("invoice", crate::records::PyInvoice(i.invoice))?;
                row.set_item("owed", i.owed)?;
                Ok(row)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let money = |all: Vec<crm_core::Money>| -> Vec<crate::records::PyMoney> {
            all.into_iter().map(crate::records::PyMoney).collect()
        };
        out.set_item("invoices", invoices)?;
        out.set_item("paid", money(list.paid))?;
        out.set_item("outstanding", money(list.outstanding))?;
        Ok(out)
    }

    /// What a customer spent over time: the invoiced amounts of its bookings (cancelled ones
    /// left out, as in `customer_stats`) summed per month (`by="month"`, periods `"2026-07"`)
    /// or year (`by="year"`, `"2026"`) of departure and per currency, oldest period first.
    ///
    /// Returns:
    ///     A list of dicts `{"period": str, "amount": Money, "bookings": int}`.
    ///
    /// Raises:
    ///     ValidationError: `by` is not `"month"` or `"year"`.
    ///     NotFoundError: no such customer in this tenant.
    #[pyo3(
        signature = (customer, *, by=Text::from("month")),
        text_signature = "($self, customer, *, by='month')"
    )]
    fn spending<'py>(
        &self,
        py: Python<'py>,
        customer: Bound<'py, PyAny>,
        by: Text,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let id = customer_id("customer", &customer)?;
        let by: crm_core::SpendingPeriod = by
            .parse()
            .map_err(|err: crm_core::Error| crate::errors::to_py(py, err.into()))?;
        let rows = self.call(py, |t| t.spending(&id, by))?;
        rows.into_iter()
            .map(|s| {
                let row = PyDict::new(py);
                row.set_item("period", s.period)?;
                row.set_item("amount", crate::records::PyMoney(s.amount))?;
                row.set_item("bookings", s.bookings)?;
                Ok(row)
            })
            .collect()
    }

    /// Capture at booking time: the contact typed into a booking updates the one customer
    /// record (the one the booking is linked to, else the oldest with that email) or creates
    /// it; then the booking is recorded, linked to it. One transaction.
    ///
    /// Args:
    ///     contact: a mapping with the keywords of `create_customer`.
    ///     booking: a mapping with the keywords of `upsert_booking` (its customer is ignored).
    fn capture_booking(
        &self,
        py: Python<'_>,
        contact: Bound<'_, PyAny>,
        booking: Bound<'_, PyAny>,
    ) -> PyResult<PyCaptured> {
        let actor = self.actor(py)?;
        let contact = fields::customer(
            "capture_booking",
            "contact.",
            NewCustomer::default(),
            Some(&contact),
        )?;
        let booking = fields::booking("capture_booking", "booking.", &booking)?;
        self.call(py, |t| t.capture_booking(&actor, contact, booking))
            .map(PyCaptured)
    }

    /// Stored customers likely the same person as the one these keyword arguments describe
    /// (those of `create_customer`), best first with what each field contributed: for a create
    /// form to warn before saving. Nothing is written. Scored with the tenant's learned model
    /// (see `match_model`).
    ///
    /// Raises:
    ///     ValidationError: fields a create would refuse.
    #[pyo3(signature = (*, config=None, **fields))]
    fn possible_duplicates(
        &self,
        py: Python<'_>,
        config: Option<Bound<'_, PyMatchConfig>>,
        fields: Option<Bound<'_, PyDict>>,
    ) -> PyResult<Vec<PyDuplicateMatch>> {
        let config = match_config(config);
        let fields = fields::customer(
            "possible_duplicates",
            "",
            NewCustomer::default(),
            fields.as_ref().map(|f| f.as_any()),
        )?;
        let found = self.call(py, |t| t.possible_duplicates(fields, &config))?;
        Ok(found.into_iter().map(PyDuplicateMatch).collect())
    }

    /// Customers likely the same person as `customer` (a Customer or an id), best first.
    ///
    /// Raises:
    ///     NotFoundError: no such customer in this tenant.
    #[pyo3(signature = (customer, *, config=None))]
    fn duplicates_of(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
        config: Option<Bound<'_, PyMatchConfig>>,
    ) -> PyResult<Vec<PyDuplicateMatch>> {
        let id = customer_id("customer", &customer)?;
        let config = match_config(config);
        let found = self.call(py, |t| t.duplicates_of(&id, &config))?;
        Ok(found.into_iter().map(PyDuplicateMatch).collect())
    }

    /// Every cluster of likely duplicates among the tenant's customers, best first. The
    /// tenant's model is learned from its customers first (no labels) and kept for
    /// `duplicates_of`, `possible_duplicates` and imports.
    ///
    /// Args:
    ///     config: threshold and weights set by hand (MatchConfig()).
    ///     window: in a large block of customers sharing a key, how many neighbours each is
    ///         compared with, 1 to 1000 (default 24); one that would compare more than 600
    ///         pairs per customer raises ValidationError.
    ///     progress: called with (done, total) as the pass goes; it must not call the database.
    ///     learn: learn the model first (default); False scores with the model kept.
    ///     since: an aware datetime (typically when the last run started): only the clusters
    ///         with a pair new since then, a pair being new when one of its customers was
    ///         created or changed at or after it. The clusters returned are whole.
    #[pyo3(signature = (*, config=None, window=24, progress=None, learn=true, since=None))]
    fn find_duplicates(
        &self,
        py: Python<'_>,
        config: Option<Bound<'_, PyMatchConfig>>,
        #[pyo3(from_py_with = int)] window: i64,
        progress: Option<Py<PyAny>>,
        learn: bool,
        since: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyDuplicateCluster>> {
        let since = match &since {
            Some(value) => optional_aware("since", value)?.map(|at| at.to_utc()),
            None => None,
        };
        let mut progress = Progress::new(py, progress)?;
        let mut options = FindOptions::with_config(match_config(config));
        options.window = size(py, "window", window)?;
        options.learn = learn;
        options.since = since;
        let clusters = self.call(py, |t| {
            t.find_duplicates(&options, |done, total| progress.report(done, total))
        })?;
        progress.finish()?;
        Ok(clusters.into_iter().map(PyDuplicateCluster).collect())
    }

    /// Records that customers `a` and `b` (Customers or ids) are not one person, as a person
    /// reviewing a cluster decides: `find_duplicates` and `duplicates_of` never report the pair
    /// again, nor put the two in one cluster through others, until `unmark_not_duplicate`. A
    /// `not_duplicate_marked` event goes to the change feed; the decision is in each one's
    /// personal-data export, goes when either is deleted, and holds for the customer either is
    /// later merged into while that merge stands. Marking a pair decided already writes nothing
    /// and returns the decision that stands.
    ///
    /// Raises:
    ///     ValidationError: `b` is the same customer as `a`, or one of the two (named) has
    ///         1,000 decisions already. NotFoundError. ConflictError: one was merged into
    ///         another customer (named in the message), or is anonymised (no one's duplicate).
    fn mark_not_duplicate(
        &self,
        py: Python<'_>,
        a: Bound<'_, PyAny>,
        b: Bound<'_, PyAny>,
    ) -> PyResult<PyNotDuplicate> {
        let actor = self.actor(py)?;
        let (a, b) = (customer_id("a", &a)?, customer_id("b", &b)?);
        self.call(py, |t| t.mark_not_duplicate(&actor, &a, &b))
            .map(PyNotDuplicate)
    }

    /// Takes back the decision that customers `a` and `b` (each with the records merged into
    /// it) are not one person; whether there was one. A `not_duplicate_unmarked` event goes to
    /// the change feed for each decision taken back.
    ///
    /// Raises:
    ///     ValidationError: `b` is the same id as `a`. NotFoundError: either customer is unknown
    ///         here.
    fn unmark_not_duplicate(
        &self,
        py: Python<'_>,
        a: Bound<'_, PyAny>,
        b: Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let actor = self.actor(py)?;
        let (a, b) = (customer_id("a", &a)?, customer_id("b", &b)?);
        self.call(py, |t| t.unmark_not_duplicate(&actor, &a, &b))
    }

    /// The not-a-duplicate decisions about `customer` (a merged id answers the customer it went
    /// into) and the records merged into it, oldest first.
    ///
    /// Raises:
    ///     NotFoundError: no such customer in this tenant.
    fn not_duplicates(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyNotDuplicate>> {
        let id = customer_id("customer", &customer)?;
        let found = self.call(py, |t| t.not_duplicates(&id))?;
        Ok(found.into_iter().map(PyNotDuplicate).collect())
    }

    /// The tenant's duplicate-detection model as a `dict`: `prior` (the chance two customers
    /// taken at random are one person), `levels` (`field`, `level`, `given`: the contact the
    /// pairs share or None, `m` and `u`) and `learning` (when, from how many customers and
    /// pairs; None for the built-in model of a tenant not learned from, or of fewer than 1,000
    /// customers).
    fn match_model<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let model = self.call(py, |t| t.match_model())?;
        model_dict(py, &model)
    }

    /// Learns the tenant's duplicate-detection model from its customers and keeps it; returns
    /// it as `match_model` does.
    fn learn_match_model<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let model = self.call(py, |t| t.learn_match_model())?;
        model_dict(py, &model)
    }

    /// What merging `others` into `primary` would do, computed without writing: the customer
    /// as it would be, where each field comes from, the records that would disappear and the
    /// bookings that would move. Arguments and errors as for `merge`.
    #[pyo3(signature = (primary, others, *, choices=None, expected_versions=None))]
    fn plan_merge(
        &self,
        py: Python<'_>,
        primary: Bound<'_, PyAny>,
        others: Bound<'_, PyAny>,
        choices: Option<Bound<'_, PyAny>>,
        expected_versions: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyMergePlan> {
        let request = merge::request(
            &primary,
            &others,
            choices.as_ref(),
            expected_versions.as_ref(),
        )?;
        self.call(py, |t| t.plan_merge(&request)).map(PyMergePlan)
    }

    /// Merges `others` into `primary` in one transaction. Each field keeps the primary's value
    /// unless `choices` names the record to take it from; an empty field takes the most recently
    /// updated other record's value; notes are joined; every other email and phone is kept as a
    /// secondary contact; lists and custom fields are united. Every booking moves to the
    /// primary. The others disappear, but their ids and customer numbers resolve to the primary.
    ///
    /// Args:
    ///     primary: the Customer (or id) that stays.
    ///     others: the Customers (or ids) merged into it.
    ///     choices: field name ("email", "address", "notes"...) to the Customer (or id) whose
    ///         value to keep.
    ///     expected_versions: id to version (e.g. `plan.versions`): refuse if any changed.
    ///
    /// Returns:
    ///     Merged: the record of the merge (`.record.id` is what `unmerge` takes) and the
    ///     customer after it.
    ///
    /// Raises:
    ///     ValidationError: no others, the primary among them, a choice outside the merge, or a
    ///         result that breaks a bound (e.g. joined notes too long), naming the field.
    ///     NotFoundError: a customer that is not in this tenant.
    ///     ConflictError: a record already merged, or not at its expected version.
    #[pyo3(signature = (primary, others, *, choices=None, expected_versions=None))]
    fn merge(
        &self,
        py: Python<'_>,
        primary: Bound<'_, PyAny>,
        others: Bound<'_, PyAny>,
        choices: Option<Bound<'_, PyAny>>,
        expected_versions: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyMerged> {
        let actor = self.actor(py)?;
        let request = merge::request(
            &primary,
            &others,
            choices.as_ref(),
            expected_versions.as_ref(),
        )?;
        self.call(py, |t| t.merge(&actor, &request)).map(PyMerged)
    }

    /// Undoes a merge (a MergeRecord or its id): the merged records come back exactly as they
    /// were, their bookings move back, the primary takes back its fields.
    ///
    /// Raises:
    ///     ConflictError: something the merge wrote was touched since (the reason says what),
    ///         or it was already undone.
    ///     NotFoundError: no such merge in this tenant.
    fn unmerge(&self, py: Python<'_>, merge: Bound<'_, PyAny>) -> PyResult<PyMergeRecord> {
        let actor = self.actor(py)?;
        let id = merge::merge_id(&merge)?;
        self.call(py, |t| t.unmerge(&actor, &id)).map(PyMergeRecord)
    }

    /// The record of one merge (given by id).
    fn get_merge(&self, py: Python<'_>, merge: Bound<'_, PyAny>) -> PyResult<PyMergeRecord> {
        let id = merge::merge_id(&merge)?;
        self.call(py, |t| t.get_merge(&id)).map(PyMergeRecord)
    }

    /// Every merge a customer (or id, also of a merged customer) took part in, newest first.
    fn merges_of(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyMergeRecord>> {
        let id = customer_id("customer", &customer)?;
        let found = self.call(py, |t| t.merges_of(&id))?;
        Ok(found.into_iter().map(PyMergeRecord).collect())
    }

    /// What anonymising `customer` (a Customer or an id) would erase and keep, and why; writes
    /// nothing.
    ///
    /// Raises:
    ///     NotFoundError: no such customer. ConflictError: anonymised already, or merged.
    fn plan_anonymise(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<PyAnonymisationReport> {
        let id = customer_id("customer", &customer)?;
        self.call(py, |t| t.plan_anonymise(&id))
            .map(PyAnonymisationReport)
    }

    /// Anonymises `customer` irreversibly (GDPR Art. 17): every personal field is erased and it
    /// becomes "Anonymised customer <no.>"; its bookings and invoice amounts stay; merge
    /// snapshots of it are scrubbed; its emails and phones are kept only as keyed hashes
    /// (`suppressed_fields`); the old values leave the database file, its log and the index.
    ///
    /// Args:
    ///     reason: why (kept with the record: no personal data in it).
    ///
    /// Raises:
    ///     PermissionDeniedError: the actor's role is not "organisation" (nothing written).
    ///     ConflictError: anonymised already, or merged into another customer.
    ///     ValidationError: a blank reason.
    #[pyo3(signature = (customer, *, reason))]
    fn anonymise(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
        reason: Text,
    ) -> PyResult<PyAnonymisationReport> {
        let actor = self.actor(py)?;
        let id = customer_id("customer", &customer)?;
        self.call(py, |t| t.anonymise(&actor, &id, &reason))
            .map(PyAnonymisationReport)
    }

    /// Retention: anonymises every customer with no change and no booking departing, recorded
    /// or changed since `before` (an aware datetime), in batches. With `dry_run` nothing is
    /// written and the report lists who would be. `progress(done, total)` is called as it goes
    /// and must not call the database.
    ///
    /// Raises:
    ///     PermissionDeniedError: the actor's role is not "organisation" (even for a dry run).
    #[pyo3(signature = (before, *, dry_run=false, progress=None))]
    fn anonymise_inactive(
        &self,
        py: Python<'_>,
        before: Bound<'_, PyAny>,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<PyRetentionReport> {
        let actor = self.actor(py)?;
        let before = aware("before", &before)?.to_utc();
        let mut progress = Progress::new(py, progress)?;
        let report = self.call(py, |t| {
            t.anonymise_inactive(&actor, before, dry_run, |done, total| {
                progress.report(done, total)
            })
        })?;
        progress.finish()?;
        Ok(PyRetentionReport(report))
    }

    /// The contact fields given (`"email"`, `"mobile"`, `"secondary_phones[0]"`...) that belong
    /// to a customer who was anonymised: the person asked to be forgotten. For an import or a
    /// booking capture to flag; writes nothing.
    ///
    /// Raises:
    ///     ValidationError: fields a create would refuse.
    #[pyo3(signature = (**fields))]
    fn suppressed_fields(
        &self,
        py: Python<'_>,
        fields: Option<Bound<'_, PyDict>>,
    ) -> PyResult<Vec<String>> {
        let fields = fields::customer(
            "suppressed_fields",
            "",
            NewCustomer::default(),
            fields.as_ref().map(|f| f.as_any()),
        )?;
        self.call(py, |t| t.suppressed_fields(fields))
    }

    /// Every personal datum held on `customer` (GDPR Art. 15 and 20) as a `dict` following
    /// `schemas/personal-data-export.schema.json` (`"format": 6`): profile, secondary contacts,
    /// consent records, bookings, invoices, lists, documents, merges, not-a-duplicate decisions,
    /// changes. `json.dumps` it to hand it over. The export is recorded in the privacy log
    /// (`privacy_log`) with the handle's actor and its request (`Actor(..., request=...)`).
    ///
    /// Raises:
    ///     PermissionDeniedError: the handle has no actor (the log records who exported).
    ///     NotFoundError: no such customer in this tenant.
    fn export_personal_data<'py>(
        &self,
        py: Python<'py>,
        customer: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = customer_id("customer", &customer)?;
        let actor = self.actor(py)?;
        let text = self.call(py, |t| {
            let export = t.export_personal_data(&actor, &id)?;
            serde_json::to_string(&export)
                .map_err(|e| crm_core::Error::Internal(format!("export: {e}")))
        })?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// Attaches a file (an ID copy, a signed form) to `customer`: stored with the customer,
    /// fingerprinted (SHA-256), at most 10 MiB and 100 per customer; erased when the customer is
    /// deleted or anonymised, moved by a merge.
    ///
    /// Raises:
    ///     ValidationError: on `name` (blank, a path), `content_type` (not type/subtype),
    ///         `content` (empty, too large) or `documents` (too many).
    ///     ConflictError: the customer is anonymised or was merged into another.
    #[pyo3(signature = (customer, *, name, content_type, content))]
    fn attach_document(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
        name: Text,
        content_type: Text,
        content: Bound<'_, PyAny>,
    ) -> PyResult<PyDocument> {
        let actor = self.actor(py)?;
        let id = customer_id("customer", &customer)?;
        let content = content
            .cast::<PyBytes>()
            .map_err(|_| wrong_type("content", "bytes", &content))?
            .as_bytes()
            .to_vec();
        let new = NewDocument::new(name, content_type, content);
        self.call(py, |t| t.attach_document(&actor, &id, new))
            .map(PyDocument)
    }

    /// The documents of `customer`, oldest first, without their bytes.
    fn documents(&self, py: Python<'_>, customer: Bound<'_, PyAny>) -> PyResult<Vec<PyDocument>> {
        let id = customer_id("customer", &customer)?;
        let found = self.call(py, |t| t.documents(&id))?;
        Ok(found.into_iter().map(PyDocument).collect())
    }

    /// One document (by id), without its bytes.
    fn get_document(&self, py: Python<'_>, document: Bound<'_, PyAny>) -> PyResult<PyDocument> {
        let id = document_id(&document)?;
        self.call(py, |t| t.get_document(&id)).map(PyDocument)
    }

    /// The bytes of a document (a Document or its id).
    fn document_content<'py>(
        &self,
        py: Python<'py>,
        document: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let id = document_id(&document)?;
        let bytes = self.call(py, |t| t.document_content(&id))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Deletes a document (a Document or its id).
    fn delete_document(&self, py: Python<'_>, document: Bound<'_, PyAny>) -> PyResult<()> {
        let actor = self.actor(py)?;
        let id = document_id(&document)?;
        self.call(py, |t| t.delete_document(&actor, &id))
    }

    /// The tenant's customer lists, by name, with how many customers are on each. Find a
    /// list's members with `search(list=name)`.
    fn lists(&self, py: Python<'_>) -> PyResult<Vec<PyListInfo>> {
        let found = self.call(py, |t| t.lists())?;
        Ok(found.into_iter().map(PyListInfo).collect())
    }

    /// Makes an empty customer list; False if it existed already.
    ///
    /// Raises:
    ///     ValidationError: a blank or too long name (field "list").
    fn create_list(&self, py: Python<'_>, name: Text) -> PyResult<bool> {
        let actor = self.actor(py)?;
        self.call(py, |t| t.create_list(&actor, &name))
    }

    /// Deletes a list, taking every customer off it; returns how many were on it.
    ///
    /// Raises:
    ///     NotFoundError: no such list.
    fn delete_list(&self, py: Python<'_>, name: Text) -> PyResult<u64> {
        let actor = self.actor(py)?;
        self.call(py, |t| t.delete_list(&actor, &name))
    }

    /// Puts customers (Customers or ids) on a list, which must exist, in one transaction;
    /// returns how many were not on it yet.
    ///
    /// Raises:
    ///     NotFoundError: the list or a customer (nothing written). ConflictError: a customer
    ///         anonymised or merged.
    fn add_to_list(
        &self,
        py: Python<'_>,
        name: Text,
        customers: Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        let actor = self.actor(py)?;
        let ids = customer_ids("customers", &customers)?;
        self.call(py, |t| t.add_to_list(&actor, &name, &ids))
    }

    /// Takes customers off a list, in one transaction; returns how many were on it.
    fn remove_from_list(
        &self,
        py: Python<'_>,
        name: Text,
        customers: Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        let actor = self.actor(py)?;
        let ids = customer_ids("customers", &customers)?;
        self.call(py, |t| t.remove_from_list(&actor, &name, &ids))
    }

    /// Records that `customer` asked for a brochure, or returns its pending request.
    ///
    /// Raises:
    ///     ConflictError: the customer is anonymised or merged into another.
    fn request_brochure(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<PyBrochureRequest> {
        let actor = self.actor(py)?;
        let id = customer_id("customer", &customer)?;
        self.call(py, |t| t.request_brochure(&actor, &id))
            .map(PyBrochureRequest)
    }

    /// Records that the brochure of `request` (a BrochureRequest or its id) was sent, at `at`
    /// (an aware datetime; now if None).
    ///
    /// Raises:
    ///     ConflictError: marked sent already. ValidationError: `sent_at` before the request.
    #[pyo3(signature = (request, *, at=None))]
    fn mark_brochure_sent(
        &self,
        py: Python<'_>,
        request: Bound<'_, PyAny>,
        at: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyBrochureRequest> {
        let actor = self.actor(py)?;
        let id = request_id(&request)?;
        let at = at
            .map(|a| aware("at", &a).map(|t| t.to_utc()))
            .transpose()?;
        self.call(py, |t| t.mark_brochure_sent(&actor, &id, at))
            .map(PyBrochureRequest)
    }

    /// Up to `limit` (1 to 1000) brochure requests not sent yet, oldest first, after `after`
    /// (the last request of the previous page).
    #[pyo3(signature = (*, after=None, limit=100))]
    fn pending_brochure_requests(
        &self,
        py: Python<'_>,
        after: Option<Bound<'_, PyAny>>,
        #[pyo3(from_py_with = int)] limit: i64,
    ) -> PyResult<Vec<PyBrochureRequest>> {
        let after = after.as_ref().map(request_id).transpose()?;
        let limit = page_limit(py, limit)?;
        let found = self.call(py, |t| t.pending_brochure_requests(after.as_ref(), limit))?;
        Ok(found.into_iter().map(PyBrochureRequest).collect())
    }

    /// Every brochure request of `customer`, oldest first.
    fn brochure_requests(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyBrochureRequest>> {
        let id = customer_id("customer", &customer)?;
        let found = self.call(py, |t| t.brochure_requests(&id))?;
        Ok(found.into_iter().map(PyBrochureRequest).collect())
    }

    /// Writes the customers (all, by customer no.; or those `search` finds: a dict of
    /// `search()` arguments or a `SavedSearch`, every hit in its order) to the file `path` as CSV: UTF-8 (with a
    /// byte order mark if `bom`, for Excel), a header of `columns` (all when None: see
    /// `crm.EXPORT_COLUMNS`). Cells starting with `=`, `+`, `-` or `@` get a leading `'` so a
    /// spreadsheet never runs them. Written beside `path` and renamed onto it at the end:
    /// nothing half-written on error. `progress(done, total)` must not call the database.
    ///
    /// Returns:
    ///     How many customers were written.
    ///
    /// Raises:
    ///     ValidationError: an unknown or repeated column. IoError: the file.
    #[pyo3(signature = (path, *, columns=None, search=None, bom=false, progress=None))]
    fn export_csv(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert::path)] path: std::path::PathBuf,
        columns: Option<Vec<Text>>,
        search: Option<Bound<'_, PyAny>>,
        bom: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<u64> {
        let options = export_options(py, columns, search.as_ref())?.bom(bom);
        self.export(py, path, options, progress, ExportFormat::Csv)
    }

    /// The customers a search finds (`search`: a dict of `search()` arguments or a
    /// `SavedSearch`, every hit in its
    /// order; None for all) who may be written to on `channel` (`"email"` or `"sms"`) for
    /// `purpose`: an address for it (for SMS a mobile number), not anonymised, and not an
    /// address of a person who asked to be forgotten. Marketing (the default) also needs the
    /// customer's marketing consent on the channel and leaves opted-out addresses out; service
    /// messages (about the customer's own bookings) need no consent, reach an opted-out
    /// address, and leave out a customer whose latest service record on the channel withdraws
    /// them. The library sends nothing: the host sends, then logs with `record_communication`.
    ///
    /// Raises:
    ///     ValidationError: on `channel`, `purpose` or the search arguments.
    #[pyo3(
        signature = (channel, *, search=None, purpose=Text::from("marketing")),
        text_signature = "($self, channel, *, search=None, purpose='marketing')"
    )]
    fn outreach(
        &self,
        py: Python<'_>,
        channel: Text,
        search: Option<Bound<'_, PyAny>>,
        purpose: Text,
    ) -> PyResult<PyOutreach> {
        let channel = parse_arg::<Channel>(py, &channel)?;
        let purpose = parse_arg::<crm_core::ConsentPurpose>(py, &purpose)?;
        let query = search_query(py, "outreach", search.as_ref())?
            .unwrap_or_else(crm_core::CustomerQuery::all);
        self.call(py, |t| t.outreach_for(&query, channel, purpose))
            .map(PyOutreach)
    }

    /// Records a consent decision of `customer` on `channel` (`"email"`, `"sms"`) for
    /// `purpose` (`"marketing"`, `"service"`): `state` `"given"` or `"withdrawn"`, `at` when
    /// (an aware datetime; now if None), `source` where it came from (a label: `"booking
    /// form"`, `"phone call"`; an address in it is refused). Records are kept, none replaced:
    /// the latest recorded is the customer's consent. A marketing one also sets the customer's
    /// `consent` on its channel (a new version). A merged customer's id records on the one it
    /// went into.
    ///
    /// Raises:
    ///     ValidationError: on `channel`, `purpose`, `state`, `source` or `at` (in the future).
    ///     NotFoundError. ConflictError: the customer is anonymised.
    #[pyo3(signature = (customer, channel, purpose, state, *, source, at=None))]
    #[allow(clippy::too_many_arguments)] // the Python signature: each argument is one keyword
    fn record_consent(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
        channel: Text,
        purpose: Text,
        state: Text,
        source: Text,
        at: Option<Bound<'_, PyAny>>,
    ) -> PyResult<crate::records::PyConsentRecord> {
        let actor = self.actor(py)?;
        let id = customer_id("customer", &customer)?;
        let mut consent = crm_core::NewConsent::new(
            parse_arg::<Channel>(py, &channel)?,
            parse_arg::<crm_core::ConsentPurpose>(py, &purpose)?,
            parse_arg::<crm_core::ConsentState>(py, &state)?,
            source.0,
        );
        consent.at = match at {
            Some(at) => optional_aware("at", &at)?.map(|t| t.to_utc()),
            None => None,
        };
        self.call(py, |t| t.record_consent(&actor, &id, consent))
            .map(crate::records::PyConsentRecord)
    }

    /// The consent records of `customer` (of a merged customer: those of the one it went
    /// into, which holds the records of those merged into it), the latest recorded first.
    ///
    /// Raises:
    ///     NotFoundError.
    fn consents(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<Vec<crate::records::PyConsentRecord>> {
        let id = customer_id("customer", &customer)?;
        let all = self.call(py, |t| t.consents(&id))?;
        Ok(all
            .into_iter()
            .map(crate::records::PyConsentRecord)
            .collect())
    }

    /// Records that `address` (an email for `"email"`, a phone number read in the tenant's
    /// region for `"sms"`) must not be written to on `channel`: every customer record that
    /// holds it, now or later (a second record, a merge, an import, a capture), is left out of
    /// `outreach` and `send_email`, counted as `opted_out`. `source` says how the person asked
    /// (a label: `"unsubscribe link"`; an address in it is refused). The address is kept as a
    /// keyed hash; an `address_opted_out` change follows. A number of another country than
    /// the tenant's region is given with its country code.
    ///
    /// Returns:
    ///     Whether it was new.
    ///
    /// Raises:
    ///     ValidationError: on `channel`, `address` or `source`.
    #[pyo3(signature = (channel, address, *, source))]
    fn opt_out(
        &self,
        py: Python<'_>,
        channel: Text,
        address: Text,
        source: Text,
    ) -> PyResult<bool> {
        let actor = self.actor(py)?;
        let channel = parse_arg::<Channel>(py, &channel)?;
        self.call(py, |t| t.opt_out(&actor, channel, &address, &source))
    }

    /// Removes the opt-out of `address` on `channel` (the person opted in again); whether
    /// there was one.
    ///
    /// Raises:
    ///     ValidationError: on `channel` or `address`.
    fn opt_in(&self, py: Python<'_>, channel: Text, address: Text) -> PyResult<bool> {
        let actor = self.actor(py)?;
        let channel = parse_arg::<Channel>(py, &channel)?;
        self.call(py, |t| t.opt_in(&actor, channel, &address))
    }

    /// Whether `address` is opted out on `channel`.
    ///
    /// Raises:
    ///     ValidationError: on `channel` or `address`.
    fn is_opted_out(&self, py: Python<'_>, channel: Text, address: Text) -> PyResult<bool> {
        let channel = parse_arg::<Channel>(py, &channel)?;
        self.call(py, |t| t.is_opted_out(channel, &address))
    }

    /// Logs a message the host sent to `customer` on `channel` (`"email"` or `"sms"`), to the
    /// customer's current address on it: `subject` says what, `reference` is the host's message
    /// id, `sent_at` (aware datetime) when (now if None). Anonymise erases the address, subject
    /// and reference; a merge moves the entry to the primary.
    ///
    /// Raises:
    ///     ValidationError: on `subject`, `reference`, `sent_at`, or the customer has no
    ///         address on the channel.
    ///     NotFoundError, ConflictError: the customer is anonymised or merged into another.
    #[pyo3(signature = (customer, channel, subject, *, reference=None, sent_at=None))]
    fn record_communication(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
        channel: Text,
        subject: Text,
        reference: Option<Text>,
        sent_at: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyCommunication> {
        let actor = self.actor(py)?;
        let entry = communication(
            py,
            &customer,
            &channel,
            subject.0,
            reference.map(String::from),
            sent_at.as_ref(),
        )?;
        let mut logged = self.call(py, |t| t.record_communications(&actor, vec![entry]))?;
        logged
            .pop()
            .map(PyCommunication)
            .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("nothing was logged"))
    }

    /// Logs many sent messages in one transaction (all or nothing): each entry a dict with
    /// `customer`, `channel`, `subject` and optionally `reference` and `sent_at`, as
    /// `record_communication` takes them.
    ///
    /// Raises:
    ///     ValidationError: naming the entry (`[3].subject`). TypeError: an entry is not a
    ///         dict, or has an unknown key.
    fn record_communications(
        &self,
        py: Python<'_>,
        entries: Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyCommunication>> {
        let actor = self.actor(py)?;
        let mut batch = Vec::new();
        for (i, item) in entries.try_iter()?.enumerate() {
            let item = item?;
            let entry = item.cast::<PyDict>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!("entries[{i}]: expected a dict"))
            })?;
            for key in entry.keys() {
                let key = crate::convert::text(&format!("entries[{i}]"), &key)?;
                // The core's fields, `customer` for `customer_id` (it takes a Customer too).
                let known = crm_core::NewCommunication::FIELDS
                    .iter()
                    .any(|&f| key == if f == "customer_id" { "customer" } else { f });
                if !known {
                    return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "entries[{i}]: unknown key {key:?}"
                    )));
                }
            }
            let get = |key: &str| -> PyResult<Bound<'_, PyAny>> {
                entry.get_item(key)?.ok_or_else(|| {
                    pyo3::exceptions::PyTypeError::new_err(format!("entries[{i}]: missing {key:?}"))
                })
            };
            let field = |key: &str| format!("entries[{i}].{key}");
            let channel = crate::convert::text(&field("channel"), &get("channel")?)?;
            let reference = match entry.get_item("reference")? {
                Some(r) => crate::convert::optional_text(&field("reference"), &r)?,
                None => None,
            };
            batch.push(communication(
                py,
                &get("customer")?,
                &channel,
                crate::convert::text(&field("subject"), &get("subject")?)?,
                reference,
                entry.get_item("sent_at")?.as_ref(),
            )?);
        }
        let logged = self.call(py, |t| t.record_communications(&actor, batch))?;
        Ok(logged.into_iter().map(PyCommunication).collect())
    }

    /// The communication log of `customer`, newest first.
    fn communications(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyCommunication>> {
        let id = customer_id("customer", &customer)?;
        let log = self.call(py, |t| t.communications(&id))?;
        Ok(log.into_iter().map(PyCommunication).collect())
    }

    /// Saves a search (`search`: a dict of `search()` arguments, or a `SavedSearch` to copy) as
    /// `name`: a new saved search,
    /// or the one of that name with its query replaced (its run history then starts afresh).
    ///
    /// Raises:
    ///     ValidationError: on `name` or the search arguments.
    #[pyo3(signature = (name, search))]
    fn save_search(
        &self,
        py: Python<'_>,
        name: Text,
        search: Bound<'_, PyAny>,
    ) -> PyResult<PySavedSearch> {
        let actor = self.actor(py)?;
        let query = search_query(py, "save_search", Some(&search))?.ok_or_else(|| {
            crate::convert::wrong_type(
                "search",
                "a dict of search() arguments or a SavedSearch",
                &search,
            )
        })?;
        self.call(py, |t| t.save_search(&actor, &name, &query))
            .map(PySavedSearch)
    }

    /// The tenant's saved searches, by name.
    fn saved_searches(&self, py: Python<'_>) -> PyResult<Vec<PySavedSearch>> {
        let all = self.call(py, |t| t.saved_searches())?;
        Ok(all.into_iter().map(PySavedSearch).collect())
    }

    /// One saved search, by id.
    fn get_saved_search(
        &self,
        py: Python<'_>,
        search: Bound<'_, PyAny>,
    ) -> PyResult<PySavedSearch> {
        let id = search_id(&search)?;
        self.call(py, |t| t.get_saved_search(&id))
            .map(PySavedSearch)
    }

    /// The saved search called `name`.
    ///
    /// Raises:
    ///     NotFoundError: none of that name.
    fn find_saved_search(&self, py: Python<'_>, name: Text) -> PyResult<PySavedSearch> {
        self.call(py, |t| t.find_saved_search(&name))
            .map(PySavedSearch)
    }

    /// Deletes a saved search (a `SavedSearch` or its id).
    fn delete_saved_search(&self, py: Python<'_>, search: Bound<'_, PyAny>) -> PyResult<()> {
        let actor = self.actor(py)?;
        let id = search_id(&search)?;
        self.call(py, |t| t.delete_saved_search(&actor, &id))
    }

    /// Runs a saved search: every customer it finds now (`total`) and those that newly match
    /// (`new`): first matched after `since` (aware datetime), or with None those that did not
    /// match at the previous run (everyone on a first run). The run is recorded.
    #[pyo3(signature = (search, *, since=None))]
    fn run_saved(
        &self,
        py: Python<'_>,
        search: Bound<'_, PyAny>,
        since: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PySavedRun> {
        let actor = self.actor(py)?;
        let id = search_id(&search)?;
        let since = match since {
            Some(at) => optional_aware("since", &at)?.map(|t| t.to_utc()),
            None => None,
        };
        self.call(py, |t| t.run_saved(&actor, &id, since))
            .map(PySavedRun)
    }

    /// Saves a template variant (a new one, or over the one of its name and language).
    ///
    /// Args:
    ///     name: its name. kind: "email", "sms" or "letter". text: the body.
    ///     subject: an email's subject (required), a letter's heading.
    ///     html: an email's HTML body (values are escaped in it).
    ///     language: the BCP 47 tag of this variant, None for the default one.
    ///
    /// The texts use the Jinja syntax with the fields of `crm.TEMPLATE_FIELDS`
    /// (`{{ customer.salutation }}`, `{% if next_booking %}...{% endif %}`).
    ///
    /// Raises:
    ///     ValidationError: naming the part (`subject`, `text`, `html`...): an unknown field,
    ///         a syntax error, a loop or an operator (not taken), a part the kind lacks.
    #[pyo3(signature = (name, kind, text, *, subject=None, html=None, language=None))]
    #[allow(clippy::too_many_arguments)]
    fn save_template(
        &self,
        py: Python<'_>,
        name: Text,
        kind: Text,
        text: Text,
        subject: Option<Text>,
        html: Option<Text>,
        language: Option<Text>,
    ) -> PyResult<PyTemplate> {
        let actor = self.actor(py)?;
        let kind: crm_core::TemplateKind = parse_arg(py, &kind)?;
        let mut template = crm_core::NewTemplate::new(name.0, kind, text.0);
        if let Some(s) = subject {
            template = template.subject(s.0);
        }
        if let Some(h) = html {
            template = template.html(h.0);
        }
        if let Some(l) = language {
            template = template.language(l.0);
        }
        self.call(py, |t| t.save_template(&actor, template))
            .map(PyTemplate)
    }

    /// Every template of the tenant, by name then language.
    fn templates(&self, py: Python<'_>) -> PyResult<Vec<PyTemplate>> {
        Ok(self
            .call(py, |t| t.templates())?
            .into_iter()
            .map(PyTemplate)
            .collect())
    }

    /// The language variants of template `name`, the default first.
    ///
    /// Raises:
    ///     NotFoundError: no template of that name.
    fn template_variants(&self, py: Python<'_>, name: Text) -> PyResult<Vec<PyTemplate>> {
        Ok(self
            .call(py, |t| t.template_variants(&name))?
            .into_iter()
            .map(PyTemplate)
            .collect())
    }

    /// Removes the variant of template `name` in `language` (None: the default one).
    ///
    /// Raises:
    ///     NotFoundError: no such variant.
    #[pyo3(signature = (name, *, language=None))]
    fn delete_template(&self, py: Python<'_>, name: Text, language: Option<Text>) -> PyResult<()> {
        let actor = self.actor(py)?;
        self.call(py, |t| {
            t.delete_template(&actor, &name, language.as_ref().map(|l| l.0.as_str()))
        })
    }

    /// Template `template` (a name) rendered for `customer`: the variant of its language,
    /// its salutation, bookings, dates and money in its language. Writes nothing.
    ///
    /// Raises:
    ///     NotFoundError: the template, a variant for the customer, the customer.
    ///     ValidationError: naming the part, when it shows a booking the customer lacks.
    fn preview(
        &self,
        py: Python<'_>,
        template: Text,
        customer: Bound<'_, PyAny>,
    ) -> PyResult<PyRenderedMessage> {
        let id = customer_id("customer", &customer)?;
        self.call(py, |t| t.preview(&template, &id))
            .map(PyRenderedMessage)
    }

    /// Sends email template `template` to the customers of `search` (a dict of `search()`
    /// arguments or a `SavedSearch`) or of `customers` (Customers or ids); every customer when
    /// both are None. Only those who may be written to by email get it (consent, an address,
    /// not anonymised, not an address of a person who asked to be forgotten), each rendered
    /// for its customer, over the SMTP server of `smtp`: a dict with `host`, `port`, `from`
    /// (`"Agency <a@agency.example>"`), and optionally `security` (`"starttls"`, the default;
    /// `"tls"`; `"none"`), `username`, `password`, `reply_to`, `ca_file`, `timeout_secs`.
    ///
    /// Each message the server accepts is logged in the communication log with its
    /// Message-ID; one that cannot be rendered or that the server refuses is reported in
    /// `failed`, and the others go on.
    ///
    /// Raises:
    ///     ValidationError: the settings (naming the key), a template that is not an email one.
    ///     NotFoundError: the template. IoError: the server cannot be reached (nothing sent).
    #[pyo3(signature = (template, *, smtp, search=None, customers=None))]
    fn send_email(
        &self,
        py: Python<'_>,
        template: Text,
        smtp: Bound<'_, PyAny>,
        search: Option<Bound<'_, PyAny>>,
        customers: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PySendReport> {
        let actor = self.actor(py)?;
        let smtp = crate::templates::smtp_settings(py, &smtp)?;
        let audience = audience(py, "send_email", search.as_ref(), customers.as_ref())?;
        self.call(py, |t| t.send_email(&actor, &template, &audience, &smtp))
            .map(PySendReport)
    }

    /// Prints letter template `template` for the customers of `search` (a dict of `search()`
    /// arguments or a `SavedSearch`), of `customers`, or with `pending_brochures` those with a
    /// brochure request not sent yet: one PDF of letters laid out for a window envelope
    /// (DIN 5008 form B) and one of their address labels (A4, 3 × 7). `sender`: the agency's
    /// name and address lines; `home_country`: where the letters are posted from (addresses
    /// abroad end with the country); `fonts`: font files for characters DejaVu Sans lacks (a
    /// CJK font); `mark_sent`: with `pending_brochures`, mark the requests of those printed
    /// as sent in this call (or, to mark them only once the PDFs are safely written, leave it
    /// False and call `mark_brochures_sent(run.requests)` after). Customers without a postal
    /// address, or with a character no font has, are skipped with the reason.
    ///
    /// Raises:
    ///     ValidationError: a template that is not a letter one, `mark_sent` without
    ///         `pending_brochures`, `home_country`, `fonts`. NotFoundError: the template.
    ///     IoError: a font file.
    #[pyo3(signature = (template, *, sender=Vec::new(), search=None, customers=None, pending_brochures=false, home_country=None, fonts=None, mark_sent=false))]
    #[allow(clippy::too_many_arguments)]
    fn print_letters(
        &self,
        py: Python<'_>,
        template: Text,
        sender: Vec<Text>,
        search: Option<Bound<'_, PyAny>>,
        customers: Option<Bound<'_, PyAny>>,
        pending_brochures: bool,
        home_country: Option<Text>,
        fonts: Option<Vec<Bound<'_, PyAny>>>,
        mark_sent: bool,
    ) -> PyResult<crate::templates::PyLetterRun> {
        let actor = self.actor(py)?;
        let audience = if pending_brochures {
            if search.as_ref().is_some_and(|s| !s.is_none())
                || customers.as_ref().is_some_and(|c| !c.is_none())
            {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "print_letters(): give pending_brochures, search or customers, one of them",
                ));
            }
            crm_core::Audience::PendingBrochures
        } else {
            audience(py, "print_letters", search.as_ref(), customers.as_ref())?
        };
        let mut options =
            crm_core::LetterOptions::new(template.0, sender.into_iter().map(|s| s.0).collect());
        options.home_country = home_country.map(|h| h.0);
        options.fonts = fonts
            .unwrap_or_default()
            .iter()
            .map(crate::convert::path)
            .collect::<PyResult<_>>()?;
        options.mark_sent = mark_sent;
        self.call(py, |t| t.print_letters(&actor, &audience, &options))
            .map(crate::templates::PyLetterRun)
    }

    /// Marks brochure requests (`BrochureRequest`s or ids) sent now, in one transaction (those
    /// marked already are left as they are); returns how many it marked.
    fn mark_brochures_sent(
        &self,
        py: Python<'_>,
        requests: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let actor = self.actor(py)?;
        let ids = requests
            .iter()
            .map(request_id)
            .collect::<PyResult<Vec<_>>>()?;
        self.call(py, |t| t.mark_brochures_sent(&actor, &ids))
    }

    /// Sets the schedule of a saved search (a `SavedSearch` or its id); None removes it. From
    /// then on `run_due` runs it at each slot, the first being the first after this call.
    ///
    /// Args:
    ///     schedule: a dict: `every` ("day", "week" or "month"), `weekday` ("monday"... for a
    ///         weekly one), `day` (1 to 31 for a monthly one; in a shorter month its last day),
    ///         `at` ("08:00" or a `datetime.time`, local to the tenant's time zone), `action`
    ///         ("export" with `format` "csv", "xlsx" or "pdf", `columns` (all when left out)
    ///         and `bom`; or "outreach" with `channel` "email" or "sms" and optionally
    ///         `template`, rendered for each recipient), `only_new` (only the customers new
    ///         since the previous run; default False).
    ///
    /// Returns:
    ///     The ScheduleInfo, or None when removed.
    ///
    /// Raises:
    ///     ValidationError: naming the key. NotFoundError: not a search of this tenant.
    #[pyo3(signature = (search, schedule))]
    fn set_schedule(
        &self,
        py: Python<'_>,
        search: Bound<'_, PyAny>,
        schedule: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Option<PyScheduleInfo>> {
        let actor = self.actor(py)?;
        let id = search_id(&search)?;
        let schedule = schedule
            .filter(|s| !s.is_none())
            .map(|s| crate::schedules::schedule_from(py, &s))
            .transpose()?;
        Ok(self
            .call(py, |t| t.set_schedule(&actor, &id, schedule.as_ref()))?
            .map(PyScheduleInfo))
    }

    /// The schedule of a saved search (a `SavedSearch` or its id), or None.
    fn schedule(
        &self,
        py: Python<'_>,
        search: Bound<'_, PyAny>,
    ) -> PyResult<Option<PyScheduleInfo>> {
        let id = search_id(&search)?;
        Ok(self.call(py, |t| t.schedule(&id))?.map(PyScheduleInfo))
    }

    /// Every scheduled search of the tenant, by name, each with its latest run and next slot.
    fn schedules(&self, py: Python<'_>) -> PyResult<Vec<PyScheduleInfo>> {
        let all = self.call(py, |t| t.schedules())?;
        Ok(all.into_iter().map(PyScheduleInfo).collect())
    }

    /// The scheduled searches due at `now` (an aware datetime): their latest slot by then came
    /// after the schedule was set and has not run. Writes nothing.
    fn due_schedules(&self, py: Python<'_>, now: Bound<'_, PyAny>) -> PyResult<Vec<PyDueSchedule>> {
        let now = aware("now", &now)?.to_utc();
        let due = self.call(py, |t| t.due_schedules(now))?;
        Ok(due.into_iter().map(PyDueSchedule).collect())
    }

    /// Runs each schedule due at `now` (an aware datetime) once: an export writes its file into
    /// the folder `out_dir`, an outreach returns its recipients. Call it from the host's own
    /// timer; a second call for the same slot runs nothing. A run that fails is reported in
    /// its `error` (the next call runs it again) without stopping the others.
    ///
    /// Raises:
    ///     ValidationError: `out_dir` is not a folder.
    fn run_due(
        &self,
        py: Python<'_>,
        now: Bound<'_, PyAny>,
        #[pyo3(from_py_with = crate::convert::path)] out_dir: std::path::PathBuf,
    ) -> PyResult<Vec<PyScheduledRun>> {
        let actor = self.actor(py)?;
        let now = aware("now", &now)?.to_utc();
        let runs = self.call(py, |t| t.run_due(&actor, now, &out_dir))?;
        Ok(runs.into_iter().map(PyScheduledRun).collect())
    }

    /// Up to `limit` (1 to 1000) recorded runs of a saved search's schedule, latest first.
    #[pyo3(signature = (search, *, limit=100))]
    fn schedule_runs(
        &self,
        py: Python<'_>,
        search: Bound<'_, PyAny>,
        #[pyo3(from_py_with = int)] limit: i64,
    ) -> PyResult<Vec<PyScheduleRun>> {
        let id = search_id(&search)?;
        let limit = page_limit(py, limit)?;
        let runs = self.call(py, |t| t.schedule_runs(&id, limit))?;
        Ok(runs.into_iter().map(PyScheduleRun).collect())
    }

    /// The statement of `customer`: its bookings departing on the local days `start` to `end`
    /// (dates, inclusive), oldest first, with invoice totals per currency (cancelled bookings
    /// left out). `Statement.to_pdf()` renders it.
    ///
    /// Raises:
    ///     ValidationError: `end` before `start`. NotFoundError.
    fn statement(
        &self,
        py: Python<'_>,
        customer: Bound<'_, PyAny>,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
    ) -> PyResult<PyStatement> {
        let id = customer_id("customer", &customer)?;
        self.call(py, |t| t.statement(&id, start, end))
            .map(PyStatement)
    }

    /// The statements of many customers over the local days `start` to `end`: those `search`
    /// finds (a dict of `search()` arguments or a `SavedSearch`), `customers`, or everyone;
    /// anonymised customers left out; at most 10,000.
    ///
    /// Raises:
    ///     ValidationError: `end` before `start`, more than 10,000 customers.
    #[pyo3(signature = (start, end, *, search=None, customers=None))]
    fn statements(
        &self,
        py: Python<'_>,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
        search: Option<Bound<'_, PyAny>>,
        customers: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Vec<PyStatement>> {
        let audience = audience(py, "statements", search.as_ref(), customers.as_ref())?;
        Ok(self
            .call(py, |t| t.statements(&audience, start, end))?
            .into_iter()
            .map(PyStatement)
            .collect())
    }

    /// Imports customers from CSV: `source` is a path or the file's bytes. Headers are mapped
    /// by `mapping` ({header: target}, a target being a field name as in `crm.EXPORT_COLUMNS`,
    /// `"custom:<key>"` or `"ignore"`), then by `preset` (`"crm"`, `"google_contacts"`,
    /// `"outlook"`, `"hubspot"`; None picks the one that recognises most headers). A row
    /// updates the customer `match_on` finds (`"email"` when None, `"customer_no"`,
    /// `"custom:<key>"` or `"none"`) with its non-empty cells, else creates one. Bad rows are reported and skipped;
    /// with `all_or_nothing` nothing is written unless every row imports; with `dry_run`
    /// nothing is written at all. `lenient` leaves bad optional cells out with a warning.
    /// `flag_duplicates` (None or True: the default threshold; False; or a MatchConfig) flags rows
    /// that create a likely duplicate of a stored customer or of an earlier row. The rows that
    /// create customers are written a batch at a time, and the search index takes the import in
    /// once at the end: searchable when the call returns. `encoding` is a WHATWG label (default: byte order mark, else UTF-8);
    /// `delimiter` is guessed when None. `progress(bytes_read, size)` (size 0 for bytes) must
    /// not call the database; if it raises, the import stops after that batch (the batches
    /// committed before stay; all-or-nothing and dry runs write nothing) and the exception is
    /// raised.
    ///
    /// Raises:
    ///     ValidationError: bad options, or a file with no header, a repeated header, two
    ///         columns for one field, no column for a name the tenant's name rule needs
    ///         (nothing imported).
    ///     IoError: the file cannot be read.
    #[pyo3(signature = (
        source, *, mapping=None, preset=None, match_on=None, dry_run=false,
        all_or_nothing=false, batch_size=5000, lenient=false,
        flag_duplicates=None,
        encoding=None, delimiter=None, progress=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn import_csv<'py>(
        &self,
        py: Python<'py>,
        source: Bound<'py, PyAny>,
        mapping: Option<Bound<'py, PyDict>>,
        preset: Option<Text>,
        match_on: Option<Text>,
        dry_run: bool,
        all_or_nothing: bool,
        #[pyo3(from_py_with = int)] batch_size: i64,
        lenient: bool,
        flag_duplicates: Option<Bound<'py, PyAny>>,
        encoding: Option<Text>,
        delimiter: Option<Text>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<PyImportReport> {
        let actor = self.actor(py)?;
        let options = ImportArgs {
            mapping,
            preset: preset.map(String::from),
            match_on: match_on.map_or_else(|| "email".to_owned(), String::from),
            dry_run,
            all_or_nothing,
            batch_size: size(py, "batch_size", batch_size)?,
            lenient,
            flag_duplicates,
            encoding: encoding.map(String::from),
            delimiter: delimiter.map(String::from),
        }
        .options(py)?;
        let bytes: Option<Vec<u8>> = match source.cast::<PyBytes>() {
            Ok(b) => Some(b.as_bytes().to_vec()),
            Err(_) => None,
        };
        let path: Option<std::path::PathBuf> = match &bytes {
            Some(_) => None,
            None => Some(crate::convert::path(&source).map_err(|e| {
                if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) {
                    wrong_type("source", "a path (str or os.PathLike) or bytes", &source)
                } else {
                    e
                }
            })?),
        };
        let mut progress = Progress::new(py, progress)?;
        let report = self.call(py, |t| {
            // A callback that raised stops the import after its batch.
            let on_progress = |done, total| {
                progress.report(done, total);
                !progress.failed()
            };
            match (&bytes, &path) {
                (Some(b), _) => t.import_csv(&actor, &b[..], &options, on_progress),
                (None, Some(p)) => t.import_csv_file(&actor, p, &options, on_progress),
                (None, None) => Err(crm_core::Error::Internal("no source".into())),
            }
        })?;
        progress.finish()?;
        Ok(PyImportReport(report))
    }

    /// Writes the same as `export_csv` as a PDF list to print: A4 landscape pages of the
    /// columns, the header on each, page numbers, at most 20,000 customers. `fonts`: font files
    /// for characters DejaVu Sans lacks (a CJK font); a character no font has prints as `?`.
    ///
    /// Raises:
    ///     ValidationError: an unknown or repeated column, more customers than a PDF list
    ///         holds. IoError: the file or a font.
    #[pyo3(signature = (path, *, columns=None, search=None, fonts=None, progress=None))]
    fn export_pdf(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert::path)] path: std::path::PathBuf,
        columns: Option<Vec<Text>>,
        search: Option<Bound<'_, PyAny>>,
        fonts: Option<Vec<Bound<'_, PyAny>>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<u64> {
        let fonts = fonts
            .unwrap_or_default()
            .iter()
            .map(crate::convert::path)
            .collect::<PyResult<Vec<_>>>()?;
        let options = export_options(py, columns, search.as_ref())?.fonts(fonts);
        self.export(py, path, options, progress, ExportFormat::Pdf)
    }

    /// Writes the same as `export_csv` as an Excel workbook (`.xlsx`), every cell a string.
    #[pyo3(signature = (path, *, columns=None, search=None, progress=None))]
    fn export_xlsx(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert::path)] path: std::path::PathBuf,
        columns: Option<Vec<Text>>,
        search: Option<Bound<'_, PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<u64> {
        let options = export_options(py, columns, search.as_ref())?;
        self.export(py, path, options, progress, ExportFormat::Xlsx)
    }

    /// Up to `limit` (1 to 10,000) change events of this tenant after sequence `after`, in
    /// order. Start from 0; continue from the last `seq` seen. A reader that must not lose
    /// events to `Crm.compact_feeds()` registers its position with `set_feed_cursor`.
    ///
    /// Raises:
    ///     ValidationError: `limit` out of range.
    ///     FeedCompactedError: events after `after` were compacted away. Start over: read
    ///         `feed_bounds().head` first, take the records afresh, then read on after it.
    #[pyo3(signature = (after=0, limit=1000))]
    fn changes_since(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = int)] after: i64,
        #[pyo3(from_py_with = int)] limit: i64,
    ) -> PyResult<Vec<PyChangeEvent>> {
        let limit = u32::try_from(limit).map_err(|_| {
            validation(
                py,
                "limit",
                &format!("must be between 1 and {}", crm_core::limits::MAX_CHANGES),
            )
        })?;
        let events = self.call(py, |t| t.changes_since(after, limit))?;
        Ok(events.into_iter().map(PyChangeEvent).collect())
    }

    /// Up to `limit` (1 to 1,000) entries of the tenant's privacy log after position `after`
    /// (0: from the start), in the order they were written: each personal-data export,
    /// anonymisation (the retention pass's too) and deletion, with who, when, the customer no.
    /// and the request the actor acted on (`Actor(..., request=...)`), and no personal value.
    ///
    /// Raises:
    ///     ValidationError: `limit` out of range.
    #[pyo3(signature = (after=0, limit=100))]
    fn privacy_log(
        &self,
        py: Python<'_>,
        #[pyo3(from_py_with = int)] after: i64,
        #[pyo3(from_py_with = int)] limit: i64,
    ) -> PyResult<Vec<PyPrivacyLogEntry>> {
        let limit = u32::try_from(limit).map_err(|_| {
            validation(
                py,
                "limit",
                &format!("must be between 1 and {}", crm_core::limits::MAX_PAGE),
            )
        })?;
        let entries = self.call(py, |t| t.privacy_log(after, limit))?;
        Ok(entries.into_iter().map(PyPrivacyLogEntry).collect())
    }

    /// What this tenant's change feed holds: the events after `compacted` up to `head`.
    fn feed_bounds(&self, py: Python<'_>) -> PyResult<PyFeedBounds> {
        Ok(PyFeedBounds(self.call(py, |t| t.feed_bounds())?))
    }

    /// Registers the position of a reader of this tenant's change feed, or moves it: `seq` is
    /// the last event the reader `name` (1 to 100 characters) has taken in.
    /// `Crm.compact_feeds()` keeps every event after the slowest cursor, however old; a cursor
    /// no longer read holds the feed back until `remove_feed_cursor` drops it. Cursors are the
    /// host's bookkeeping: no actor needed, no change event.
    ///
    /// Raises:
    ///     ValidationError: `name` empty, too long or a 101st cursor; `seq` negative or past
    ///         the feed's head.
    ///     FeedCompactedError: events after `seq` were already compacted away.
    fn set_feed_cursor(
        &self,
        py: Python<'_>,
        name: &str,
        #[pyo3(from_py_with = int)] seq: i64,
    ) -> PyResult<()> {
        self.call(py, |t| t.set_feed_cursor(name, seq))
    }

    /// This tenant's feed cursors, by name.
    fn feed_cursors(&self, py: Python<'_>) -> PyResult<Vec<PyFeedCursor>> {
        let cursors = self.call(py, |t| t.feed_cursors())?;
        Ok(cursors.into_iter().map(PyFeedCursor).collect())
    }

    /// Drops the feed cursor `name` (compaction no longer waits for it); whether there was one.
    fn remove_feed_cursor(&self, py: Python<'_>, name: &str) -> PyResult<bool> {
        self.call(py, |t| t.remove_feed_cursor(name))
    }

    /// The tenant id only: a host's user ids may be emails (personal data).
    fn __repr__(&self, py: Python<'_>) -> String {
        format!("Tenant({})", quoted(py, Some(self.id.as_str())))
    }
}
