//! The versioned JSON forms of whole records: `{"format": 1, "<kind>": ...}` out, and batches
//! `{"format": 1, "<kind>": [...]}` in. Field names and value forms are those of the Rust
//! types' serde form (times RFC 3339, ids as UUID text, enums as snake_case text).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::status::Failure;

/// The version of every JSON form this library reads and writes.
pub(crate) const FORMAT: u64 = 1;

/// `{"format": 1, key: value, ...extra}` as text.
pub(crate) fn envelope(key: &str, value: impl Serialize) -> Result<String, Failure> {
    let mut map = Map::new();
    map.insert("format".into(), FORMAT.into());
    map.insert(key.into(), to_value(value)?);
    serde_json::to_string(&Value::Object(map)).map_err(internal)
}

/// A record as JSON text.
pub(crate) fn to_text(value: impl Serialize) -> Result<String, Failure> {
    serde_json::to_string(&value).map_err(internal)
}

/// A record as a JSON value.
pub(crate) fn to_value(value: impl Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(internal)
}

fn internal(err: serde_json::Error) -> Failure {
    crm_core::Error::Internal(format!("json: {err}")).into()
}

/// A validation failure on the JSON text. serde's own messages can quote the input (personal
/// data), so only the kind of error and its position are given.
fn refused(what: &str, err: &serde_json::Error) -> Failure {
    validation(
        what,
        format!(
            "{} (line {}, column {})",
            described(err),
            err.line(),
            err.column()
        ),
    )
}

/// What kind of problem a JSON error is, without the input it quotes.
fn described(err: &serde_json::Error) -> &'static str {
    match err.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not valid JSON",
        _ => "a wrong type, an unknown field, or a required field missing",
    }
}

/// A validation failure naming `field`.
pub(crate) fn validation(field: &str, reason: impl Into<String>) -> Failure {
    crm_core::Error::Validation {
        field: field.into(),
        reason: reason.into(),
    }
    .into()
}

/// The items of a batch `{"format": 1, key: [...]}`, each completed by `fill` before it is read
/// as a `T`. An item's problem names its position (`[3]`).
pub(crate) fn batch<T: DeserializeOwned>(
    json: &str,
    key: &str,
    fill: impl Fn(&mut Map<String, Value>),
) -> Result<Vec<T>, Failure> {
    let root: Value = serde_json::from_str(json).map_err(|e| refused("json", &e))?;
    let Value::Object(mut root) = root else {
        return Err(validation("json", "must be an object"));
    };
    match root.get("format").and_then(Value::as_u64) {
        Some(FORMAT) => {}
        _ => return Err(validation("format", format!("must be {FORMAT}"))),
    }
    let Some(Value::Array(items)) = root.remove(key) else {
        return Err(validation(key, "must be an array"));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Object(mut item) = item else {
                return Err(validation(&format!("[{i}]"), "must be an object"));
            };
            fill(&mut item);
            serde_path_to_error::deserialize(Value::Object(item)).map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." {
                    format!("[{i}]")
                } else {
                    format!("[{i}].{path}")
                };
                validation(&field, described(e.inner()))
            })
        })
        .collect()
}

/// One object read as a `T`, its problem naming the key (`smtp.port`), or `what` for the whole.
pub(crate) fn parse<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, Failure> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path == "?" {
            what.to_owned()
        } else {
            format!("{what}.{path}")
        };
        validation(&field, described(e.inner()))
    })?;
    de.end().map_err(|e| refused(what, &e))?;
    Ok(value)
}
