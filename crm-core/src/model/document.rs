//! Documents attached to a customer (ID copies, signed forms): checked, fingerprinted, stored in
//! the database beside the customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::customer::CustomerId;
use super::limits::{MAX_DOCUMENT_BYTES, MAX_DOCUMENT_NAME_CHARS};
use super::text;
use crate::error::{Error, Result};

super::ids::uuid_id!(
    /// The id of a document: a UUID v7.
    DocumentId,
    "document_id"
);

/// A file to attach to a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// The file name (`passport.pdf`): no path, at most 255 characters.
    pub name: String,
    /// Its media type (`application/pdf`, `image/jpeg`).
    pub content_type: String,
    /// The bytes, 1 to [`MAX_DOCUMENT_BYTES`].
    pub content: Vec<u8>,
}

/// A document attached to a customer, without its bytes (read them with
/// [`Tenant::document_content`](crate::Tenant::document_content)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Document {
    /// Its id.
    pub id: DocumentId,
    /// The customer it is attached to.
    pub customer_id: CustomerId,
    /// The file name.
    pub name: String,
    /// The media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex: the same bytes always give the same fingerprint.
    pub sha256: String,
    /// When it was attached.
    pub added_at: DateTime<Utc>,
}

impl NewDocument {
    /// A file named `name` of media type `content_type`.
    pub fn new(name: impl Into<String>, content_type: impl Into<String>, content: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            content_type: content_type.into(),
            content,
        }
    }

    /// Checks the name, type and size; returns the stored record (less the customer) and the bytes.
    pub(crate) fn validate(self, customer: CustomerId) -> Result<(Document, Vec<u8>)> {
        let name = text::required("name", &self.name, MAX_DOCUMENT_NAME_CHARS, false)?;
        if name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(Error::validation(
                "name",
                "must be a file name, without a path",
            ));
        }
        let content_type = self.content_type.trim().to_ascii_lowercase();
        if !is_media_type(&content_type) {
            return Err(Error::validation(
                "content_type",
                "not a media type (type/subtype, e.g. application/pdf)",
            ));
        }
        if self.content.is_empty() {
            return Err(Error::validation("content", "is empty"));
        }
        if self.content.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::validation(
                "content",
                format!("larger than {MAX_DOCUMENT_BYTES} bytes"),
            ));
        }
        let sha256 = Sha256::digest(&self.content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok((
            Document {
                id: DocumentId::new(),
                customer_id: customer,
                name,
                content_type,
                size: self.content.len() as u64,
                sha256,
                added_at: Utc::now(),
            },
            self.content,
        ))
    }
}

/// `type/subtype` of RFC 6838 token characters, with optional parameters after `;`.
fn is_media_type(value: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    matches!(essence.split_once('/'), Some((t, s)) if token(t) && token(s))
        && value.len() <= 255
        && !value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> CustomerId {
        CustomerId::new()
    }

    #[test]
    fn fingerprint_and_checks() {
        let (doc, bytes) = NewDocument::new(" passport.pdf ", "Application/PDF", b"abc".to_vec())
            .validate(id())
            .unwrap();
        assert_eq!(doc.name, "passport.pdf");
        assert_eq!(doc.content_type, "application/pdf");
        assert_eq!(doc.size, 3);
        assert_eq!(
            doc.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(bytes, b"abc");
        let field = |d: NewDocument| d.validate(id()).unwrap_err().field().map(str::to_owned);
        assert_eq!(
            field(NewDocument::new("../x", "text/plain", b"a".to_vec())).as_deref(),
            Some("name")
        );
        assert_eq!(
            field(NewDocument::new("", "text/plain", b"a".to_vec())).as_deref(),
            Some("name")
        );
        assert_eq!(
            field(NewDocument::new("a", "pdf", b"a".to_vec())).as_deref(),
            Some("content_type")
        );
        assert_eq!(
            field(NewDocument::new("a", "text/plain", Vec::new())).as_deref(),
            Some("content")
        );
        assert_eq!(
            field(NewDocument::new(
                "a",
                "text/plain",
                vec![0; MAX_DOCUMENT_BYTES + 1]
            ))
            .as_deref(),
            Some("content")
        );
        assert!(
            NewDocument::new("a", "text/plain; charset=utf-8", b"a".to_vec())
                .validate(id())
                .is_ok()
        );
    }
}
