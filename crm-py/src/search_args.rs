//! The arguments of a customer search (`Tenant.search` and the `search` of an export), read
//! into a core query.

use chrono::NaiveDate;
use crm_core::{CustomerQuery, RelativePeriod, SearchFilter, SearchPeriod, SearchSort};
use pyo3::prelude::*;
use pyo3::types::PyMapping;

use crate::convert::{Text, count, int, optional_text, text, wrong_type};
use crate::tenant::page_limit;

/// A `(from, to)` pair of dates, either of them None.
type Period = Option<(Option<NaiveDate>, Option<NaiveDate>)>;

/// Reads a `(from, to)` pair of `date | None`.
fn period(field: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Period> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let (from, to): (Bound<'_, PyAny>, Bound<'_, PyAny>) = value
        .extract()
        .map_err(|_| wrong_type(field, "a (from, to) pair of date or None", value))?;
    let day = |end: &str, v: &Bound<'_, PyAny>| -> PyResult<Option<NaiveDate>> {
        if v.is_none() {
            return Ok(None);
        }
        if v.is_instance_of::<pyo3::types::PyDateTime>()
            || !v.is_instance_of::<pyo3::types::PyDate>()
        {
            return Err(wrong_type(&format!("{field}.{end}"), "date or None", v));
        }
        v.extract().map(Some)
    };
    Ok(Some((day("from", &from)?, day("to", &to)?)))
}

/// The keyword arguments of `Tenant.search`: the filters by the core's names.
pub(crate) struct SearchArgs<'py> {
    pub(crate) text: Option<Text>,
    pub(crate) customer_no: Option<i64>,
    /// The filters given, as text (`yes` or `no` for `has_email` and `has_mobile`).
    pub(crate) filters: Vec<(SearchFilter, String)>,
    /// The periods given (`departure_between`...), as Python values.
    pub(crate) periods: Vec<(SearchPeriod, Bound<'py, PyAny>)>,
    /// The relative periods given (`departure_in`...), as text.
    pub(crate) relative: Vec<(SearchPeriod, String)>,
    pub(crate) sort: Text,
    pub(crate) offset: i64,
    pub(crate) limit: i64,
}

/// The text form of a yes-or-no filter.
pub(crate) fn yes_no(yes: bool) -> String {
    if yes { "yes" } else { "no" }.to_owned()
}

/// Whether a filter takes a bool in Python (`yes` or `no` in the core).
fn is_flag(filter: SearchFilter) -> bool {
    matches!(
        filter,
        SearchFilter::HasEmail | SearchFilter::HasMobile | SearchFilter::HasOutstanding
    )
}

impl<'py> SearchArgs<'py> {
    /// The arguments given as a mapping with the keyword names of `Tenant.search` (`call` names
    /// the method in errors); keys left out take `search`'s defaults.
    pub(crate) fn from_mapping(call: &str, values: &Bound<'py, PyAny>) -> PyResult<Self> {
        let mut args = Self {
            text: None,
            customer_no: None,
            filters: Vec::new(),
            periods: Vec::new(),
            relative: Vec::new(),
            sort: Text::from("relevance"),
            offset: 0,
            limit: 20,
        };
        let mapping = values.cast::<PyMapping>().map_err(|_| {
            wrong_type(
                "search",
                "a dict of search() arguments or a SavedSearch",
                values,
            )
        })?;
        for item in mapping.items()?.try_iter()? {
            let (key, value): (Text, Bound<'py, PyAny>) = item?.extract()?;
            let key = key.0;
            let field = format!("search.{key}");
            let bad = |_: PyErr| wrong_type(&field, "the type search() takes", &value);
            let period = key
                .strip_suffix("_between")
                .and_then(crate::convert::exact::<SearchPeriod>);
            let relative = key
                .strip_suffix("_in")
                .and_then(crate::convert::exact::<SearchPeriod>);
            match key.as_str() {
                "text" => args.text = optional_text(&field, &value)?.map(Text),
                "customer_no" => {
                    args.customer_no = match value.is_none() {
                        true => None,
                        false => Some(int(&value).map_err(bad)?),
                    }
                }
                "sort" => args.sort = Text(text(&field, &value)?),
                "offset" => args.offset = int(&value).map_err(bad)?,
                "limit" => args.limit = int(&value).map_err(bad)?,
                _ if period.is_some() => {
                    if let Some(period) = period.filter(|_| !value.is_none()) {
                        args.periods.push((period, value.clone()));
                    }
                }
                _ if relative.is_some() => {
                    if let (Some(period), Some(text)) = (relative, optional_text(&field, &value)?) {
                        args.relative.push((period, text));
                    }
                }
                _ => {
                    let Some(filter) = crate::convert::exact::<SearchFilter>(&key) else {
                        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                            "{call}(): search: {key} is not an argument of search()"
                        )));
                    };
                    let given = if is_flag(filter) {
                        let yes: Option<bool> = value.extract().map_err(bad)?;
                        yes.map(yes_no)
                    } else {
                        optional_text(&field, &value)?
                    };
                    if let Some(given) = given {
                        args.filters.push((filter, given));
                    }
                }
            }
        }
        Ok(args)
    }
}

impl SearchArgs<'_> {
    /// The core query these arguments describe.
    pub(crate) fn query(self, py: Python<'_>) -> PyResult<CustomerQuery> {
        let SearchArgs {
            text,
            customer_no,
            mut filters,
            mut periods,
            mut relative,
            sort,
            offset,
            limit,
        } = self;
        let offset = count(py, "offset", offset)?;
        let limit = page_limit(py, limit)?;
        let mut query = match text {
            Some(text) => CustomerQuery::text(text.0),
            None => CustomerQuery::all(),
        };
        if let Some(no) = customer_no {
            query = query.customer_no(no);
        }
        // In the core's order, whatever the order given: one query, one saved form.
        let rank = |f: SearchFilter| SearchFilter::ALL.iter().position(|x| *x == f);
        filters.sort_by_key(|(f, _)| rank(*f));
        for (filter, value) in filters {
            query = query
                .filter(filter, &value)
                .map_err(|e| crate::errors::to_py(py, e.into()))?;
        }
        let rank = |p: SearchPeriod| SearchPeriod::ALL.iter().position(|x| *x == p);
        periods.sort_by_key(|(p, _)| rank(*p));
        for (which, value) in periods {
            let field = format!("{which}_between");
            if let Some((from, to)) = period(&field, Some(&value))? {
                query = query.period(which, from, to);
            }
        }
        relative.sort_by_key(|(p, _)| rank(*p));
        for (which, text) in relative {
            let period: RelativePeriod = text.parse().map_err(|e| match e {
                crm_core::Error::Validation { reason, .. } => {
                    crate::errors::validation(py, &format!("{which}_in"), &reason)
                }
                other => crate::errors::to_py(py, other.into()),
            })?;
            query = query.within(which, period);
        }
        let sort: SearchSort = crate::tenant::parse_name(py, &sort)?;
        Ok(query.sort(sort).offset(offset).limit(limit))
    }
}
