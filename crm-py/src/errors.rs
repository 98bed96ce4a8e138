//! The exception tree: `crm.CrmError` and one subclass per error kind of the core, some of them
//! also subclasses of the built-in exception a Python caller would expect (`ValidationError` is a
//! `ValueError`, `NotFoundError` a `LookupError`...).

use crm_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// Why a call failed before it reached Python again.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The core refused or failed.
    Core(Error),
    /// The `Crm` handle was closed.
    Closed,
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Self::Core(err)
    }
}

/// One exception class: its name, the built-in it also derives from, its `kind` and its doc.
struct Spec {
    name: &'static str,
    builtin: Option<&'static str>,
    kind: &'static str,
    doc: &'static str,
    /// Attributes of its own (`None` on the class, set on each instance).
    attributes: &'static [&'static str],
}

/// Every class under `CrmError`, in the order of [`Class`].
const SPECS: &[Spec] = &[
    Spec {
        name: "ValidationError",
        builtin: Some("ValueError"),
        kind: "validation",
        doc: "Bad input: `field` names the field, `reason` the rule it broke. Nothing was written.",
        attributes: &[],
    },
    Spec {
        name: "NotFoundError",
        builtin: Some("LookupError"),
        kind: "not_found",
        doc: "No such record for this tenant (records of other tenants are never revealed).",
        attributes: &[],
    },
    Spec {
        name: "ConflictError",
        builtin: None,
        kind: "conflict",
        doc: "The write lost a race or would break an invariant, e.g. a stale version.",
        attributes: &[],
    },
    Spec {
        name: "PermissionDeniedError",
        builtin: Some("PermissionError"),
        kind: "permission_denied",
        doc: "The actor lacks the right to make this call, or the tenant handle has no actor.",
        attributes: &[],
    },
    Spec {
        name: "StorageError",
        builtin: None,
        kind: "storage",
        doc: "The SQLite store failed (busy past the timeout, disk full, schema too new...).",
        attributes: &[],
    },
    Spec {
        name: "SearchError",
        builtin: None,
        kind: "search",
        doc: "The search index failed; it is rebuilt from SQLite on the next open or reindex().",
        attributes: &[],
    },
    Spec {
        name: "IoError",
        builtin: Some("OSError"),
        kind: "io",
        doc: "A file could not be read or written.",
        attributes: &[],
    },
    Spec {
        name: "InternalError",
        builtin: None,
        kind: "internal",
        doc: "A bug in this library: please report it.",
        attributes: &[],
    },
    Spec {
        name: "FeedCompactedError",
        builtin: None,
        kind: "feed_compacted",
        doc: "The change feed was read (or a cursor set) after a sequence whose following events \
              were compacted away. Start over: read `feed_bounds().head` first, take the records \
              afresh, then read on after that head. `after` is where the read started, \
              `compacted` the last sequence compacted away.",
        attributes: &["after", "compacted"],
    },
    Spec {
        name: "ClosedError",
        builtin: Some("ValueError"),
        kind: "closed",
        doc: "The Crm handle was closed: open the database again.",
        attributes: &[],
    },
];

/// Index into the classes made from [`SPECS`].
#[derive(Clone, Copy)]
enum Class {
    Validation = 0,
    NotFound,
    Conflict,
    PermissionDenied,
    Storage,
    Search,
    Io,
    Internal,
    FeedCompacted,
    Closed,
}

/// The classes, made once per interpreter: the base first, then [`SPECS`] in order.
static CLASSES: PyOnceLock<(Py<PyType>, Vec<Py<PyType>>)> = PyOnceLock::new();

/// Makes a class with `type(name, bases, namespace)` so that it can have two bases.
fn make_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: Bound<'py, PyTuple>,
    kind: &str,
    doc: &str,
    attributes: &[&str],
) -> PyResult<Py<PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "crm")?;
    namespace.set_item("__doc__", doc)?;
    namespace.set_item("kind", kind)?;
    namespace.set_item("field", py.None())?;
    namespace.set_item("reason", py.None())?;
    for attribute in attributes {
        namespace.set_item(*attribute, py.None())?;
    }
    let class = py
        .get_type::<PyType>()
        .call1((name, bases, namespace))?
        .cast_into::<PyType>()?;
    Ok(class.unbind())
}

fn classes(py: Python<'_>) -> PyResult<&(Py<PyType>, Vec<Py<PyType>>)> {
    CLASSES.get_or_try_init(py, || {
        let builtins = py.import("builtins")?;
        let exception = builtins.getattr("Exception")?;
        let base = make_class(
            py,
            "CrmError",
            PyTuple::new(py, [exception])?,
            "error",
            "Base class of every error this package raises. `kind` names the class of error; \
             `field` and `reason` are set on validation errors.",
            &[],
        )?;
        let mut made = Vec::with_capacity(SPECS.len());
        for spec in SPECS {
            let mut bases = vec![base.bind(py).clone().into_any()];
            if let Some(builtin) = spec.builtin {
                bases.push(builtins.getattr(builtin)?);
            }
            made.push(make_class(
                py,
                spec.name,
                PyTuple::new(py, bases)?,
                spec.kind,
                spec.doc,
                spec.attributes,
            )?);
        }
        Ok((base, made))
    })
}

/// Adds `CrmError` and its subclasses to the module.
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let (base, made) = classes(py)?;
    module.add("CrmError", base.bind(py))?;
    for (spec, class) in SPECS.iter().zip(made) {
        module.add(spec.name, class.bind(py))?;
    }
    Ok(())
}

/// An exception of `class` with `message`, and `field`/`reason` when given.
fn raise(py: Python<'_>, class: Class, message: &str, detail: Option<(&str, &str)>) -> PyErr {
    let made = || -> PyResult<PyErr> {
        let (_, made) = classes(py)?;
        let instance = made[class as usize].bind(py).call1((message,))?;
        if let Some((field, reason)) = detail {
            instance.setattr("field", field)?;
            instance.setattr("reason", reason)?;
        }
        Ok(PyErr::from_value(instance))
    };
    made().unwrap_or_else(|err| err)
}

/// A `ValidationError` on `field` for `reason`.
pub(crate) fn validation(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    raise(
        py,
        Class::Validation,
        &format!("{field}: {reason}"),
        Some((field, reason)),
    )
}

/// A `PermissionDeniedError` with this message.
pub(crate) fn permission_denied(py: Python<'_>, message: &str) -> PyErr {
    raise(py, Class::PermissionDenied, message, None)
}

/// The Python exception for a failure: one class per error kind.
pub(crate) fn to_py(py: Python<'_>, failure: Failure) -> PyErr {
    let err = match failure {
        Failure::Closed => return raise(py, Class::Closed, "the database is closed", None),
        Failure::Core(err) => err,
    };
    if let Error::Validation { field, reason } = &err {
        return validation(py, field, reason);
    }
    if let Error::FeedCompacted { after, compacted } = &err {
        let error = raise(py, Class::FeedCompacted, &err.to_string(), None);
        // The positions, as the Rust error carries them: where the read started and the last
        // sequence compacted away.
        let value = error.value(py);
        if let Err(e) = value
            .setattr("after", after)
            .and_then(|()| value.setattr("compacted", compacted))
        {
            return e;
        }
        return error;
    }
    let class = match err.kind() {
        ErrorKind::Validation => Class::Validation,
        ErrorKind::NotFound => Class::NotFound,
        ErrorKind::Conflict => Class::Conflict,
        ErrorKind::PermissionDenied => Class::PermissionDenied,
        ErrorKind::FeedCompacted => Class::FeedCompacted,
        ErrorKind::Storage => Class::Storage,
        ErrorKind::Search => Class::Search,
        ErrorKind::Io => Class::Io,
        // ErrorKind is non-exhaustive: a kind added later is an internal error until mapped.
        _ => Class::Internal,
    };
    raise(py, class, &err.to_string(), None)
}
