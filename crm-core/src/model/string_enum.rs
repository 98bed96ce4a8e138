//! Enums with a stable `snake_case` text form, parsed with a Validation error naming the field.

/// Declares such an enum: `ALL`, `as_str`, `Display`, `FromStr`, serde.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The stable text form (`snake_case`), as stored and as accepted by `FromStr`.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::Error;

            /// Parses the text form; anything else is a Validation error naming the field.
            fn from_str(s: &str) -> $crate::error::Result<Self> {
                match s.trim() {
                    $($text => Ok(Self::$variant),)*
                    _ => {
                        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        Err($crate::error::Error::validation(
                            $field,
                            format!("not one of: {}", names.join(" ")),
                        ))
                    }
                }
            }
        }
    };
}

pub(crate) use string_enum;
