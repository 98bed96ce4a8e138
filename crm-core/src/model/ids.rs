//! Record ids: UUID v7 newtypes, time-ordered, parsed from their hyphenated text form.

/// Declares a UUID v7 id type: `new`, `from_uuid`, `as_uuid`, `Display` and a `FromStr` whose
/// error is a Validation error on `$field`.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            pub(crate) fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            pub(crate) fn from_uuid(uuid: uuid::Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID behind this id.
            pub fn as_uuid(&self) -> &uuid::Uuid {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::Error;

            #[doc = concat!("Parses the hyphenated UUID form; anything else is a Validation error on `", $field, "`.")]
            fn from_str(s: &str) -> $crate::error::Result<Self> {
                uuid::Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| $crate::error::Error::validation($field, "not a valid id (UUID)"))
            }
        }
    };
}

pub(crate) use uuid_id;
