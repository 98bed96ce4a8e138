//! Conversions shared by the classes: Python values in (times, ids, strings) and plain
//! dictionaries out (`to_dict`).

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use crm_core::CustomerId;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyList, PyString, PyTuple};

use crate::errors::validation;
use crate::records::PyCustomer;

/// A `TypeError` naming the field and the type expected.
pub(crate) fn wrong_type(field: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let got = got
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!("{field}: expected {expected}, got {got}"))
}

/// The reason a `str` that is not valid Unicode (it holds a lone surrogate, as `'\\ud800'`) is
/// refused: it cannot be stored as UTF-8 without changing what was typed.
const NOT_UNICODE: &str = "is not valid Unicode text: it holds a lone surrogate";

/// The text of a Python `str`, or `ValidationError` on `field` when it is not valid Unicode;
/// `None` when `value` is not a `str` at all.
fn str_of(field: &str, value: &Bound<'_, PyAny>) -> Option<PyResult<String>> {
    let s = value.cast::<PyString>().ok()?;
    Some(
        s.to_str()
            .map(str::to_owned)
            .map_err(|_| validation(value.py(), field, NOT_UNICODE)),
    )
}

/// A `str` argument.
pub(crate) fn text(field: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    str_of(field, value).unwrap_or_else(|| Err(wrong_type(field, "str", value)))
}

/// A `str | None` argument.
pub(crate) fn optional_text(field: &str, value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if value.is_none() {
        return Ok(None);
    }
    str_of(field, value)
        .unwrap_or_else(|| Err(wrong_type(field, "str or None", value)))
        .map(Some)
}

/// A `str` argument taken as a function parameter: a `str` that is not valid Unicode is a
/// `ValidationError` (the note Python adds names the parameter), anything else not a `str` a
/// `TypeError`.
pub(crate) struct Text(pub(crate) String);

impl<'a, 'py> FromPyObject<'a, 'py> for Text {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let value = obj.to_owned();
        // The parameter's name is in the note Python adds to the exception.
        match str_of("argument", &value) {
            Some(text) => text.map(Self),
            None => Err(wrong_type("argument", "str", &value)),
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// A Python `int` of any size (or an object with `__index__`) as an `i64`, for a number the
/// core checks: one past the range of `i64` becomes its extreme, so the core's own check (or the
/// binding's conversion to a narrower type) refuses it with the bound it has, never an
/// `OverflowError`. Used as `#[pyo3(from_py_with = int)]`.
pub(crate) fn int(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    match value.extract::<i64>() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(value.py()) => {
            // An object with `__index__` compares through the int it stands for.
            let index = value.py().import("operator")?.getattr("index")?;
            Ok(if index.call1((value,))?.lt(0)? {
                i64::MIN
            } else {
                i64::MAX
            })
        }
        Err(_) => Err(wrong_type("argument", "int", value)),
    }
}

/// A path (`str` or `os.PathLike`, as `open()` takes it): a `str` path that is not valid
/// Unicode is a `ValidationError` on `field`, anything else not a path a `TypeError`. Used as
/// `#[pyo3(from_py_with = path)]`.
pub(crate) fn path(value: &Bound<'_, PyAny>) -> PyResult<std::path::PathBuf> {
    let py = value.py();
    let fspath = py.import("os")?.getattr("fspath")?;
    let Ok(raw) = fspath.call1((value,)) else {
        return Err(wrong_type("path", "str or os.PathLike", value));
    };
    if let Some(text) = str_of("path", &raw) {
        return text.map(std::path::PathBuf::from);
    }
    raw.extract::<std::path::PathBuf>()
        .map_err(|_| wrong_type("path", "str or os.PathLike", value))
}

/// A path or `None`, as [`path`] reads a path. Used as `#[pyo3(from_py_with = opt_path)]`.
pub(crate) fn opt_path(value: &Bound<'_, PyAny>) -> PyResult<Option<std::path::PathBuf>> {
    if value.is_none() {
        return Ok(None);
    }
    path(value).map(Some)
}

/// An `int | None`, as [`int`] reads an `int`. Used as `#[pyo3(from_py_with = int_or_none)]`.
pub(crate) fn int_or_none(value: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if value.is_none() {
        return Ok(None);
    }
    int(value).map(Some)
}

/// `value` as an unsigned count or position the core bounds: a `ValidationError` on `field`
/// when negative.
pub(crate) fn count(py: Python<'_>, field: &str, value: i64) -> PyResult<u64> {
    u64::try_from(value).map_err(|_| validation(py, field, "must not be negative"))
}

/// [`count`] as a `usize`, one too large becoming `usize::MAX` (which the core refuses).
pub(crate) fn size(py: Python<'_>, field: &str, value: i64) -> PyResult<usize> {
    count(py, field, value).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// An iterable of `str` (a lone `str` is refused: it would be read as its characters).
pub(crate) fn texts(field: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if value.is_instance_of::<pyo3::types::PyString>() {
        return Err(wrong_type(field, "an iterable of str", value));
    }
    let items = value
        .try_iter()
        .map_err(|_| wrong_type(field, "an iterable of str", value))?;
    items
        .enumerate()
        .map(|(i, item)| text(&format!("{field}[{i}]"), &item?))
        .collect()
}

/// A timezone-aware `datetime`, kept with its UTC offset (a `zoneinfo` zone becomes the offset
/// it has at that instant). A naive datetime is a `ValidationError`: its instant is unknown.
pub(crate) fn aware(field: &str, value: &Bound<'_, PyAny>) -> PyResult<DateTime<FixedOffset>> {
    let py = value.py();
    let is_datetime = value.is_instance_of::<pyo3::types::PyDateTime>();
    if !is_datetime {
        return Err(wrong_type(field, "datetime", value));
    }
    let offset = value.call_method0("utcoffset")?;
    if offset.is_none() {
        return Err(validation(
            py,
            field,
            "needs a time zone (an aware datetime)",
        ));
    }
    let seconds: f64 = offset.call_method0("total_seconds")?.extract()?;
    if seconds.fract() != 0.0 {
        return Err(validation(
            py,
            field,
            "has a UTC offset with a fraction of a second",
        ));
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("tzinfo", py.None())?;
    let naive: NaiveDateTime = value.call_method("replace", (), Some(&kwargs))?.extract()?;
    #[allow(clippy::cast_possible_truncation)] // UTC offsets are less than a day
    FixedOffset::east_opt(seconds.round() as i32)
        .and_then(|zone| zone.from_local_datetime(&naive).single())
        .ok_or_else(|| validation(py, field, "has a UTC offset out of range"))
}

/// An aware `datetime` or `None`.
pub(crate) fn optional_aware(
    field: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Option<DateTime<FixedOffset>>> {
    if value.is_none() {
        return Ok(None);
    }
    aware(field, value).map(Some)
}

/// A customer given as a `Customer` or as its id (`str`).
pub(crate) fn customer_id(field: &str, value: &Bound<'_, PyAny>) -> PyResult<CustomerId> {
    if let Ok(customer) = value.cast::<PyCustomer>() {
        return Ok(customer.get().0.id);
    }
    let id =
        str_of(field, value).unwrap_or_else(|| Err(wrong_type(field, "Customer or str", value)))?;
    id.parse()
        .map_err(|_| validation(value.py(), field, "not a valid id (UUID)"))
}

/// Customers given as an iterable of `Customer` or ids (not a single one).
pub(crate) fn customer_ids(field: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<CustomerId>> {
    if value.is_instance_of::<pyo3::types::PyString>() || value.cast::<PyCustomer>().is_ok() {
        return Err(wrong_type(field, "a list of Customer or str", value));
    }
    value
        .try_iter()
        .map_err(|_| wrong_type(field, "a list of Customer or str", value))?
        .enumerate()
        .map(|(i, item)| customer_id(&format!("{field}[{i}]"), &item?))
        .collect()
}

/// An id given as text (`field` names the argument, `expected` what it takes, in a
/// `TypeError`); a malformed one is the core's `ValidationError`.
pub(crate) fn parsed_id<T: std::str::FromStr<Err = crm_core::Error>>(
    field: &str,
    expected: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<T> {
    let id = str_of(field, value).unwrap_or_else(|| Err(wrong_type(field, expected, value)))?;
    id.parse()
        .map_err(|e: crm_core::Error| crate::errors::to_py(value.py(), e.into()))
}

/// A customer as `Customer`, id, or `None`.
pub(crate) fn optional_customer_id(
    field: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Option<CustomerId>> {
    if value.is_none() {
        return Ok(None);
    }
    customer_id(field, value).map(Some)
}

/// A record as a plain `dict` with the core's fields: the keys of `value`'s serialised form, in
/// its order, each read as the attribute of the same name, or as the attributes `renames` gives
/// for it (`("undone", &["undone_at", "undone_by"])`; none leaves it out). A field the core adds
/// is a key here at once, and an `AttributeError` until this face gives it a getter.
pub(crate) fn core_dict<'py, T: serde::Serialize + 'static>(
    record: &Bound<'py, PyAny>,
    value: &T,
    renames: &[(&str, &[&str])],
) -> PyResult<Bound<'py, PyDict>> {
    let fields = field_names(value)?;
    let mut names: Vec<&str> = Vec::with_capacity(fields.len());
    for key in fields.iter() {
        match renames.iter().find(|(core, _)| core == key) {
            Some((_, python)) => names.extend_from_slice(python),
            None => names.push(key),
        }
    }
    record_dict(record, &names)
}

/// The field names of a record's type, in order: read once per type from one value serialised
/// (a record holding thousands of rows is not serialised at each `to_dict`).
fn field_names<T: serde::Serialize + 'static>(value: &T) -> PyResult<std::sync::Arc<[String]>> {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    static NAMES: LazyLock<Mutex<HashMap<TypeId, Arc<[String]>>>> = LazyLock::new(Default::default);
    let mut names = NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = names.get(&TypeId::of::<T>()) {
        return Ok(Arc::clone(found));
    }
    // serde's message may quote a value (personal data): it is dropped.
    let bad = |_| PyTypeError::new_err("a record that is not a struct of fields");
    let json = serde_json::to_string(value).map_err(bad)?;
    let FieldNames(fields) = serde_json::from_str(&json).map_err(bad)?;
    let fields: Arc<[String]> = fields.into();
    names.insert(TypeId::of::<T>(), Arc::clone(&fields));
    Ok(fields)
}

/// The keys of a serialised struct, in the order it writes them (its fields' order).
struct FieldNames(Vec<String>);

impl<'de> serde::Deserialize<'de> for FieldNames {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = FieldNames;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a struct")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FieldNames, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(FieldNames(keys))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// The attributes `names` of a record as a plain `dict`: nested records become dicts, tuples
/// lists, frozensets sorted lists; times stay `datetime`/`date`.
pub(crate) fn record_dict<'py>(
    record: &Bound<'py, PyAny>,
    names: &[&str],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(record.py());
    for name in names {
        dict.set_item(*name, plain(record.getattr(*name)?)?)?;
    }
    Ok(dict)
}

fn plain(value: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    let py = value.py();
    if value.is_instance_of::<PyTuple>() {
        let items = value
            .try_iter()?
            .map(|item| plain(item?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(PyList::new(py, items)?.into_any());
    }
    if value.is_instance_of::<PyFrozenSet>() {
        let list = PyList::new(py, value.try_iter()?.collect::<PyResult<Vec<_>>>()?)?;
        list.sort()?;
        return Ok(list.into_any());
    }
    let module = value.get_type().getattr("__module__")?;
    if module.extract::<String>().is_ok_and(|m| m == "crm") && value.hasattr("to_dict")? {
        return value.call_method0("to_dict");
    }
    Ok(value)
}

/// `value` written as a Python `str` literal (`'EUR'`), for reprs; `None` for no value.
pub(crate) fn quoted(py: Python<'_>, value: Option<&str>) -> String {
    let Some(value) = value else {
        return "None".to_owned();
    };
    PyString::new(py, value)
        .repr()
        .map_or_else(|_| format!("{value:?}"), |r| r.to_string())
}

/// The core's value named exactly `text` (the core's parsers also take surrounding blanks; a
/// Python name is taken as written).
pub(crate) fn exact<T: std::str::FromStr + std::fmt::Display>(text: &str) -> Option<T> {
    text.parse::<T>().ok().filter(|v| v.to_string() == text)
}
