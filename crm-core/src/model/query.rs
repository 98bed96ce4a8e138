//! A customer search as a caller builds it: typed text, the filters of the "find customer"
//! form, the order and the page; and the page of results it gets. The search module runs it.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::page::CustomerRow;
use super::period::{RelativePeriod, day_start_in};
use super::{BookingStatus, PaymentStatus};
use crate::error::{Error, Result};
use crate::model::limits::{
    MAX_EMAIL_CHARS, MAX_FILTERS, MAX_NAME_CHARS, MAX_PAGE, MAX_PHONE_CHARS, MAX_SEARCH_DEPTH,
    MAX_TEXT_CHARS,
};

crate::model::string_enum::string_enum!(
    /// How search results are ordered; its text names (`relevance`, `name`, `last_booking`,
    /// `created_at`) are the ones the C and Python faces take.
    #[derive(Default)]
    SearchSort, "sort" {
        /// Typed words matching whole words first, then as prefixes, then with typos; within
        /// each, latest bookers first by the day of their latest booking. Without text: latest
        /// bookers first.
        #[default]
        Relevance = "relevance",
        /// Last name then first name, folded.
        Name = "name",
        /// Latest booking first.
        LastBooking = "last_booking",
        /// Newest customer first.
        CreatedAt = "created_at",
    }
);

/// One filter of the "find customer" form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TextFilter {
    CustomerNo(i64),
    FirstName(String),
    LastName(String),
    Company(String),
    Email(String),
    Phone(String),
    /// The `phone` field only.
    MainPhone(String),
    Mobile(String),
    Fax(String),
    EmergencyPhone(String),
    /// One number exactly, in E.164 form: the library's own duplicate lookups (one term, where
    /// a typed number of more than six digits is a range of terms).
    E164(String),
    Zip(String),
    /// Zips that start with it.
    ZipPrefix(String),
    City(String),
    Street(String),
    ContactPerson(String),
    Country(String),
    Region(String),
    Language(String),
    Salesperson(String),
    List(String),
    Transport(String),
    Hotel(String),
    /// The salesperson of a booking.
    BookingSalesperson(String),
    Status(BookingStatus),
    /// Has an invoice in this payment status.
    Payment(PaymentStatus),
    /// Has (or has not) an invoice still owed.
    HasOutstanding(bool),
    HasEmail(bool),
    HasMobile(bool),
    /// Local days since 1970-01-01, `[from, to)`.
    Departure(Option<i64>, Option<i64>),
    /// Microseconds since the epoch, `[from, to)`.
    Created(Option<i64>, Option<i64>),
    /// Local days since 1970-01-01, `[from, to)`.
    LastBooking(Option<i64>, Option<i64>),
    /// A period relative to the day the query runs, read in the tenant's time zone: replaced by
    /// the absolute filter it stands for before the search ([`CustomerQuery::resolved`]).
    Relative(SearchPeriod, RelativePeriod),
}

/// A customer search: typed text and filters, combined with AND, one page of results.
///
/// ```
/// use crm_core::{CustomerQuery, SearchSort};
/// let q = CustomerQuery::text("hel dup").city("Lyon").limit(20);
/// let everyone_in_france = CustomerQuery::all().country("FR").sort(SearchSort::Name);
/// ```
///
/// Text: every word matches as a prefix of a word of the first or last name, company, customer
/// no. or email (`jean`, `dupont`, `example`, `fr` of `jean.dupont@example.fr`), case and accents
/// folded, in any order; an email typed past its `@` needs its whole local part
/// (`jean.dupont@exa`). Digits alone (`06 12`, `+33612`, `0033 6 12`) match any phone field as
/// typed in national or international form, its last four or more digits, or the start of a
/// customer no. Words of 5 or more characters tolerate one typo, 9 or more two (the first
/// [`MAX_TYPO_WORDS`](crate::limits::MAX_TYPO_WORDS) such words, up to
/// [`MAX_TYPO_WORD_CHARS`](crate::limits::MAX_TYPO_WORD_CHARS) characters each).
///
/// Bounds, checked before a search does any work: text of at
/// most [`MAX_SEARCH_CHARS`](crate::limits::MAX_SEARCH_CHARS) characters and
/// [`MAX_SEARCH_WORDS`](crate::limits::MAX_SEARCH_WORDS) words, at most
/// [`MAX_FILTERS`](crate::limits::MAX_FILTERS) filters each no longer than its field, and
/// `offset + limit` at most [`MAX_SEARCH_DEPTH`](crate::limits::MAX_SEARCH_DEPTH).
///
/// By [`SearchSort::Relevance`], customers whose words the typed words are (whole) come first,
/// then those they start, then typo matches; within each, latest bookers first (by day).
///
/// Name filters (first and last name, company, street, city, contact person) match when each of
/// their words starts a word of the field; the others match the whole value, case and accents
/// folded. A blank value adds no filter (the empty fields of a form). Dates are inclusive days in
/// UTC.
///
/// Booking filters given together (departure period, transport, hotel, booking status, booking
/// salesperson) must hold for one booking: "departing in July at hotel X" finds customers with
/// a July booking at hotel X, not one with a July train and an October stay at X. The first
/// filter of each kind joins that booking; a further filter of a kind already given matches any
/// booking of the customer.
///
/// A query serialises (serde) to a JSON object, as a saved search stores it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomerQuery {
    pub(crate) text: String,
    pub(crate) filters: Vec<TextFilter>,
    pub(crate) sort: SearchSort,
    pub(crate) offset: u64,
    pub(crate) limit: u32,
}

impl TextFilter {
    /// The filter's name as the query method that adds it, its text value if it has one, and
    /// the longest value that can match (the bound of the field it looks in).
    pub(crate) fn text(&self) -> Option<(&'static str, &str, usize)> {
        Some(match self {
            Self::FirstName(v) => ("first_name", v, MAX_NAME_CHARS),
            Self::LastName(v) => ("last_name", v, MAX_NAME_CHARS),
            Self::Company(v) => ("company", v, MAX_TEXT_CHARS),
            Self::Email(v) => ("email", v, MAX_EMAIL_CHARS),
            Self::Phone(v) | Self::E164(v) => ("phone", v, MAX_PHONE_CHARS),
            Self::MainPhone(v) => ("main_phone", v, MAX_PHONE_CHARS),
            Self::Mobile(v) => ("mobile", v, MAX_PHONE_CHARS),
            Self::Fax(v) => ("fax", v, MAX_PHONE_CHARS),
            Self::EmergencyPhone(v) => ("emergency_phone", v, MAX_PHONE_CHARS),
            Self::Zip(v) => ("zip", v, MAX_TEXT_CHARS),
            Self::ZipPrefix(v) => ("zip_prefix", v, MAX_TEXT_CHARS),
            Self::City(v) => ("city", v, MAX_TEXT_CHARS),
            Self::Street(v) => ("address", v, MAX_TEXT_CHARS),
            Self::ContactPerson(v) => ("contact_person", v, MAX_TEXT_CHARS),
            Self::Country(v) => ("country", v, MAX_TEXT_CHARS),
            Self::Region(v) => ("region", v, MAX_TEXT_CHARS),
            Self::Language(v) => ("language", v, MAX_TEXT_CHARS),
            Self::Salesperson(v) => ("salesperson", v, MAX_TEXT_CHARS),
            Self::List(v) => ("list", v, MAX_TEXT_CHARS),
            Self::Transport(v) => ("transport", v, MAX_TEXT_CHARS),
            Self::Hotel(v) => ("hotel", v, MAX_TEXT_CHARS),
            Self::BookingSalesperson(v) => ("booking_salesperson", v, MAX_TEXT_CHARS),
            Self::CustomerNo(_)
            | Self::Status(_)
            | Self::Payment(_)
            | Self::HasOutstanding(_)
            | Self::HasEmail(_)
            | Self::HasMobile(_)
            | Self::Departure(..)
            | Self::Created(..)
            | Self::LastBooking(..)
            | Self::Relative(..) => return None,
        })
    }
}

pub(crate) fn day_start(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map_or(i64::MIN, |t| t.and_utc().timestamp_micros())
}

/// Days since 1970-01-01 of a date.
pub(crate) fn day_number(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce()) - i64::from(UNIX_EPOCH_DAY_FROM_CE)
}

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const UNIX_EPOCH_DAY_FROM_CE: i32 = 719_163;

/// A day period `[from, to]` as day numbers `[from, to + 1)`.
fn day_numbers(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (Option<i64>, Option<i64>) {
    (from.map(day_number), to.map(|d| day_number(d) + 1))
}

fn days(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (Option<i64>, Option<i64>) {
    (
        from.map(day_start),
        to.and_then(|d| d.succ_opt()).map(day_start),
    )
}

macro_rules! text_filters {
    ($($(#[$doc:meta])* $method:ident => $variant:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $method(mut self, value: impl Into<String>) -> Self {
                let value = value.into();
                if !value.trim().is_empty() {
                    self.filters.push(TextFilter::$variant(value));
                }
                self
            }
        )*
    };
}

crate::model::string_enum::string_enum!(
    /// A filter of the "find customer" form that takes one value, by the name the C and Python
    /// faces use for it: [`CustomerQuery::filter`] sets it from its text.
    SearchFilter, "filter" {
        /// [`CustomerQuery::first_name`].
        FirstName = "first_name",
        /// [`CustomerQuery::last_name`].
        LastName = "last_name",
        /// [`CustomerQuery::company`].
        Company = "company",
        /// [`CustomerQuery::email`].
        Email = "email",
        /// [`CustomerQuery::phone`].
        Phone = "phone",
        /// [`CustomerQuery::main_phone`].
        MainPhone = "main_phone",
        /// [`CustomerQuery::mobile`].
        Mobile = "mobile",
        /// [`CustomerQuery::fax`].
        Fax = "fax",
        /// [`CustomerQuery::emergency_phone`].
        EmergencyPhone = "emergency_phone",
        /// [`CustomerQuery::zip`].
        Zip = "zip",
        /// [`CustomerQuery::zip_prefix`].
        ZipPrefix = "zip_prefix",
        /// [`CustomerQuery::city`].
        City = "city",
        /// [`CustomerQuery::address`].
        Address = "address",
        /// [`CustomerQuery::contact_person`].
        ContactPerson = "contact_person",
        /// [`CustomerQuery::country`].
        Country = "country",
        /// [`CustomerQuery::region`].
        Region = "region",
        /// [`CustomerQuery::language`].
        Language = "language",
        /// [`CustomerQuery::salesperson`].
        Salesperson = "salesperson",
        /// [`CustomerQuery::list`].
        List = "list",
        /// [`CustomerQuery::transport`].
        Transport = "transport",
        /// [`CustomerQuery::hotel`].
        Hotel = "hotel",
        /// [`CustomerQuery::booking_salesperson`].
        BookingSalesperson = "booking_salesperson",
        /// [`CustomerQuery::booking_status`]: a [`BookingStatus`] name.
        BookingStatus = "booking_status",
        /// [`CustomerQuery::has_email`]: `yes` or `no`.
        HasEmail = "has_email",
        /// [`CustomerQuery::has_mobile`]: `yes` or `no`.
        HasMobile = "has_mobile",
        /// [`CustomerQuery::payment_status`]: a [`PaymentStatus`] name.
        PaymentStatus = "payment_status",
        /// [`CustomerQuery::has_outstanding`]: `yes` or `no`.
        HasOutstanding = "has_outstanding",
    }
);

crate::model::string_enum::string_enum!(
    /// A period filter of the "find customer" form, by the name the C and Python faces use for
    /// it (Python adds `_between`): [`CustomerQuery::period`] sets it.
    SearchPeriod, "period" {
        /// [`CustomerQuery::departure_between`].
        Departure = "departure",
        /// [`CustomerQuery::created_between`].
        Created = "created",
        /// [`CustomerQuery::last_booking_between`].
        LastBooking = "last_booking",
    }
);

impl CustomerQuery {
    /// Every customer of the tenant (add filters to narrow it), 20 per page.
    pub fn all() -> Self {
        Self {
            limit: 20,
            ..Self::default()
        }
    }

    /// Customers matching the typed text (see the type's docs), best match first, 20 per page.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::all()
        }
    }

    /// Only the customer with this customer no.
    pub fn customer_no(mut self, no: i64) -> Self {
        self.filters.push(TextFilter::CustomerNo(no));
        self
    }

    /// Customers with this phone number (E.164, as stored) in any phone field.
    pub(crate) fn e164(mut self, e164: &str) -> Self {
        self.filters.push(TextFilter::E164(e164.to_owned()));
        self
    }

    text_filters! {
        /// First name (word prefixes).
        first_name => FirstName,
        /// Last name (word prefixes).
        last_name => LastName,
        /// Company (word prefixes).
        company => Company,
        /// Main or secondary email, whole address, case-insensitive.
        email => Email,
        /// Any phone field (secondary phones too): digits as typed in national or international
        /// form, or the last digits.
        phone => Phone,
        /// The `phone` field only, matched as [`phone`](Self::phone) matches.
        main_phone => MainPhone,
        /// The `mobile` field only, matched as [`phone`](Self::phone) matches.
        mobile => Mobile,
        /// The `fax` field only, matched as [`phone`](Self::phone) matches.
        fax => Fax,
        /// The `emergency_phone` field only, matched as [`phone`](Self::phone) matches.
        emergency_phone => EmergencyPhone,
        /// Postal code, whole.
        zip => Zip,
        /// Postal codes that start with this (`75` for Paris), case and spacing folded as
        /// [`zip`](Self::zip) is.
        zip_prefix => ZipPrefix,
        /// City (word prefixes).
        city => City,
        /// Street and number (word prefixes).
        address => Street,
        /// Contact person (word prefixes).
        contact_person => ContactPerson,
        /// Country, ISO 3166-1 alpha-2.
        country => Country,
        /// Region.
        region => Region,
        /// Language tag.
        language => Language,
        /// Salesperson.
        salesperson => Salesperson,
        /// Member of this customer list.
        list => List,
        /// Has a booking with this transport (see the type's docs for booking filters given
        /// together).
        transport => Transport,
        /// Has a booking at this hotel.
        hotel => Hotel,
        /// Has a booking made by this salesperson (the booking's, not the customer's).
        booking_salesperson => BookingSalesperson,
    }

    /// Sets `filter` from its text, as a form sends it: a status name for
    /// [`SearchFilter::BookingStatus`] and [`SearchFilter::PaymentStatus`], `yes` or `no` for
    /// [`SearchFilter::HasEmail`], [`SearchFilter::HasMobile`] and
    /// [`SearchFilter::HasOutstanding`], the text itself for the others (blank: no filter).
    ///
    /// # Errors
    /// Validation naming the filter when its text is not one of those it takes; the query is
    /// then dropped (build it again).
    pub fn filter(self, filter: SearchFilter, value: &str) -> Result<Self> {
        let yes = || match value.trim() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(Error::validation(filter.as_str(), "must be yes or no")),
        };
        Ok(match filter {
            SearchFilter::FirstName => self.first_name(value),
            SearchFilter::LastName => self.last_name(value),
            SearchFilter::Company => self.company(value),
            SearchFilter::Email => self.email(value),
            SearchFilter::Phone => self.phone(value),
            SearchFilter::MainPhone => self.main_phone(value),
            SearchFilter::Mobile => self.mobile(value),
            SearchFilter::Fax => self.fax(value),
            SearchFilter::EmergencyPhone => self.emergency_phone(value),
            SearchFilter::Zip => self.zip(value),
            SearchFilter::ZipPrefix => self.zip_prefix(value),
            SearchFilter::City => self.city(value),
            SearchFilter::Address => self.address(value),
            SearchFilter::ContactPerson => self.contact_person(value),
            SearchFilter::Country => self.country(value),
            SearchFilter::Region => self.region(value),
            SearchFilter::Language => self.language(value),
            SearchFilter::Salesperson => self.salesperson(value),
            SearchFilter::List => self.list(value),
            SearchFilter::Transport => self.transport(value),
            SearchFilter::Hotel => self.hotel(value),
            SearchFilter::BookingSalesperson => self.booking_salesperson(value),
            SearchFilter::BookingStatus => {
                // The status's own refusal, named for the filter.
                let status = value.parse::<BookingStatus>().map_err(|e| match e {
                    Error::Validation { reason, .. } => Error::validation(filter.as_str(), reason),
                    other => other,
                })?;
                self.booking_status(status)
            }
            SearchFilter::HasEmail => self.has_email(yes()?),
            SearchFilter::HasMobile => self.has_mobile(yes()?),
            SearchFilter::PaymentStatus => {
                let status = value.parse::<PaymentStatus>().map_err(|e| match e {
                    Error::Validation { reason, .. } => Error::validation(filter.as_str(), reason),
                    other => other,
                })?;
                self.payment_status(status)
            }
            SearchFilter::HasOutstanding => self.has_outstanding(yes()?),
        })
    }

    /// Sets the period filter `period` over days `from` to `to` (either end open).
    pub fn period(
        self,
        period: SearchPeriod,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Self {
        match period {
            SearchPeriod::Departure => self.departure_between(from, to),
            SearchPeriod::Created => self.created_between(from, to),
            SearchPeriod::LastBooking => self.last_booking_between(from, to),
        }
    }

    /// Sets the period filter `period` to days relative to the day the query runs, in the
    /// tenant's time zone: `within(SearchPeriod::Departure, "next 7 days".parse()?)`. A saved
    /// search keeps it relative; each run reads it from its own day. The days are those of
    /// the absolute filter ([`departure_between`](Self::departure_between) and
    /// [`last_booking_between`](Self::last_booking_between): local days at the pickup place;
    /// [`created_between`](Self::created_between): days in the tenant's time zone here).
    ///
    /// ```
    /// use crm_core::{CustomerQuery, PeriodUnit, RelativePeriod, SearchPeriod};
    /// let lapsed = CustomerQuery::all()
    ///     .within(SearchPeriod::LastBooking, "more than 12 months ago".parse()?);
    /// let soon = CustomerQuery::all()
    ///     .within(SearchPeriod::Departure, RelativePeriod::Next(7, PeriodUnit::Day));
    /// # Ok::<(), crm_core::Error>(())
    /// ```
    pub fn within(mut self, period: SearchPeriod, relative: RelativePeriod) -> Self {
        self.filters.push(TextFilter::Relative(period, relative));
        self
    }

    /// Has a booking with this status.
    pub fn booking_status(mut self, status: BookingStatus) -> Self {
        self.filters.push(TextFilter::Status(status));
        self
    }

    /// Has an invoice in this payment status (on any booking: unlike the booking filters of
    /// the type's docs, it is not held to the booking they match).
    pub fn payment_status(mut self, status: PaymentStatus) -> Self {
        self.filters.push(TextFilter::Payment(status));
        self
    }

    /// Has (or has not) an invoice with something still owed on it: unpaid or part paid, of a
    /// booking not cancelled, and its amount not all paid ([`Invoice::owed`](crate::Invoice::owed)
    /// above 0: an unpaid credit note owes nothing), on any booking (not held to the booking the booking
    /// filters match).
    pub fn has_outstanding(mut self, yes: bool) -> Self {
        self.filters.push(TextFilter::HasOutstanding(yes));
        self
    }

    /// Has (or has not) a main email.
    pub fn has_email(mut self, yes: bool) -> Self {
        self.filters.push(TextFilter::HasEmail(yes));
        self
    }

    /// Has (or has not) a mobile number.
    pub fn has_mobile(mut self, yes: bool) -> Self {
        self.filters.push(TextFilter::HasMobile(yes));
        self
    }

    /// Has a booking departing (pickup) on a day in `[from, to]`; either end may be open. The
    /// day is the local date at the pickup place (the date of `pickup_at` in its own offset).
    pub fn departure_between(mut self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        let (from, to) = day_numbers(from, to);
        self.filters.push(TextFilter::Departure(from, to));
        self
    }

    /// Created on a day in `[from, to]` (UTC days); either end may be open.
    pub fn created_between(mut self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        let (from, to) = days(from, to);
        self.filters.push(TextFilter::Created(from, to));
        self
    }

    /// Latest booking on a day in `[from, to]` (the local date at its pickup place); either end
    /// may be open. Customers who never booked never match.
    pub fn last_booking_between(mut self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        let (from, to) = day_numbers(from, to);
        self.filters.push(TextFilter::LastBooking(from, to));
        self
    }

    /// Orders the results.
    pub fn sort(mut self, sort: SearchSort) -> Self {
        self.sort = sort;
        self
    }

    /// Skips this many results (for later pages). `offset + limit` is at most
    /// [`MAX_SEARCH_DEPTH`](crate::limits::MAX_SEARCH_DEPTH) (checked when it runs): page
    /// deeper through the customer list's cursor or an export.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Results per page, 1 to [`MAX_PAGE`](crate::limits::MAX_PAGE) (checked when it runs).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
}

impl CustomerQuery {
    /// Whether a filter is relative to the day the query runs.
    pub(crate) fn is_relative(&self) -> bool {
        self.filters
            .iter()
            .any(|f| matches!(f, TextFilter::Relative(..)))
    }

    /// The query with its relative periods replaced by the days they stand for on `today` (the
    /// tenant's local day) in `tz`.
    ///
    /// # Errors
    /// Validation naming `period` when one reaches past the calendar's range.
    pub(crate) fn resolved(&self, today: NaiveDate, tz: Tz) -> Result<Self> {
        let mut query = self.clone();
        for filter in &mut query.filters {
            let TextFilter::Relative(period, relative) = *filter else {
                continue;
            };
            let (from, to) = relative.days(today)?;
            *filter = match period {
                SearchPeriod::Departure => {
                    let (from, to) = day_numbers(from, to);
                    TextFilter::Departure(from, to)
                }
                SearchPeriod::LastBooking => {
                    let (from, to) = day_numbers(from, to);
                    TextFilter::LastBooking(from, to)
                }
                _ => {
                    let start = |d: NaiveDate| {
                        day_start_in(d, tz)
                            .map(|t| t.timestamp_micros())
                            .ok_or_else(|| {
                                Error::validation("period", "reaches past the calendar's range")
                            })
                    };
                    let to = match to.map(|d| d.succ_opt()) {
                        Some(None) => {
                            return Err(Error::validation(
                                "period",
                                "reaches past the calendar's range",
                            ));
                        }
                        Some(Some(next)) => Some(start(next)?),
                        None => None,
                    };
                    TextFilter::Created(from.map(start).transpose()?, to)
                }
            };
        }
        Ok(query)
    }

    /// `limit` in 1 to [`MAX_PAGE`], `offset + limit` at most [`MAX_SEARCH_DEPTH`].
    pub(crate) fn check_page(&self) -> Result<()> {
        if self.limit == 0 || self.limit > MAX_PAGE {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        if self.offset.saturating_add(u64::from(self.limit)) > MAX_SEARCH_DEPTH {
            return Err(Error::validation(
                "offset",
                format!(
                    "offset + limit must be at most {MAX_SEARCH_DEPTH}: page deeper through the \
                     customer list's cursor, or narrow the search"
                ),
            ));
        }
        Ok(())
    }

    /// At most [`MAX_FILTERS`] filters, each text value within the bound of its field.
    pub(crate) fn check_filters(&self) -> Result<()> {
        if self.filters.len() > MAX_FILTERS {
            return Err(Error::validation(
                "filters",
                format!("more than {MAX_FILTERS}"),
            ));
        }
        for filter in &self.filters {
            if let TextFilter::Relative(period, relative) = filter {
                relative.validate().map_err(|e| match e {
                    Error::Validation { reason, .. } => {
                        Error::validation(format!("{period}_in"), reason)
                    }
                    other => other,
                })?;
            }
        }
        for (name, value, max) in self.filters.iter().filter_map(TextFilter::text) {
            if value.chars().nth(max).is_some() {
                return Err(Error::validation(
                    name,
                    format!("longer than {max} characters"),
                ));
            }
        }
        Ok(())
    }
}

/// One page of search results, with the total number of matches.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SearchPage {
    /// The customer-list rows of this page.
    pub items: Vec<CustomerRow>,
    /// How many customers match in all.
    pub total: u64,
    /// How many changes (writes of other handles or processes) the search index had not taken
    /// in yet when this search ran: 0 when it was current. A search always reflects every write
    /// of its own handle; others' are taken in a bounded slice per search, so under a heavy
    /// write load a search answers at once from a slightly older index rather than waiting.
    pub behind: u64,
}
