//! Tenants (agencies): their ids and settings.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::contact;
use super::limits::MAX_ID_CHARS;
use crate::error::{Error, Result};

/// The id of a tenant (an agency): 1 to 128 ASCII letters, digits, `-`, `_`, `.` or `:`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    /// Checks and wraps a tenant id.
    pub fn new(id: &str) -> Result<Self> {
        let ok = !id.is_empty()
            && id.len() <= MAX_ID_CHARS
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if !ok {
            return Err(Error::validation(
                "tenant",
                "must be 1 to 128 ASCII letters, digits, '-', '_', '.' or ':'",
            ));
        }
        Ok(Self(id.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

super::string_enum::string_enum!(
    /// Which names a customer record needs: a tenant's rule, checked on every write (create,
    /// update, capture, import, merge).
    ///
    /// A name the rule lets a record go without is empty (`""`). Such a customer shows by the
    /// name it has ([`Customer::full_name`](crate::Customer::full_name)) and sorts by it: a
    /// customer with a first name only sorts among the last names.
    #[derive(Default)]
    NameRule, "name_rule" {
        /// First and last name both (the default).
        #[default]
        Both = "both",
        /// A first name or a last name, or both: old address books hold records with one.
        Either = "either",
        /// A last name; the first name is optional.
        LastName = "last_name",
    }
);

impl NameRule {
    /// Checks that the names meet the rule; the error names the missing field.
    pub(crate) fn check(self, first_name: &str, last_name: &str) -> Result<()> {
        let (first, last) = (!first_name.is_empty(), !last_name.is_empty());
        match self {
            Self::Both if !first => Err(Error::validation("first_name", "must not be empty")),
            Self::Both | Self::LastName if !last => {
                Err(Error::validation("last_name", "must not be empty"))
            }
            Self::Either if !first && !last => Err(Error::validation(
                "last_name",
                "must not be empty when the first name is (the tenant needs one of them)",
            )),
            _ => Ok(()),
        }
    }
}

super::string_enum::string_enum!(
    /// Whether two customers of a tenant may share an email (main or secondary): a tenant's
    /// policy, checked on every write that gives a customer an email it did not hold (create,
    /// update, capture, import). A merge keeps only emails its records had, so it never makes
    /// a new sharing; an undone merge brings its records back and only warns.
    #[derive(Default)]
    EmailUniqueness, "email_uniqueness" {
        /// Any number of customers may share an email (the default): duplicates are normal.
        #[default]
        Allow = "allow",
        /// The write is made, and a `customer_email_shared` event in the change feed names each
        /// customer it left sharing an email with another.
        Warn = "warn",
        /// The email is the customer's identifier: a write that would give a customer an email
        /// another customer has (main or secondary) is refused, naming `email` or
        /// `secondary_emails` and the other customer's number (or its batch).
        Refuse = "refuse",
    }
);

super::string_enum::string_enum!(
    /// Who may make a call a tenant's policy guards ([`TenantSettings::hard_delete`],
    /// [`TenantSettings::merge`]).
    #[derive(Default)]
    Permission, "permission" {
        /// Any actor (the default).
        #[default]
        Anyone = "anyone",
        /// Actors with the organisation role only.
        Organisation = "organisation",
        /// No one: a tenant that never deletes (anonymise instead) or never merges.
        Nobody = "nobody",
    }
);

impl Permission {
    /// PermissionDenied, naming `call` and the setting, unless `actor` may make it.
    pub(crate) fn check(self, actor: &super::Actor, setting: &str, call: &str) -> Result<()> {
        let reason = match self {
            Self::Anyone => return Ok(()),
            Self::Organisation if actor.role == super::Role::Organisation => return Ok(()),
            Self::Organisation => format!(
                "{call} needs the organisation role in this tenant (its {setting} policy; the actor is {})",
                actor.role
            ),
            Self::Nobody => format!("the tenant's {setting} policy allows no one to {call}"),
        };
        Err(Error::PermissionDenied { reason })
    }
}

super::string_enum::string_enum!(
    /// A policy of [`TenantSettings`] by the name the C and Python faces set it by.
    Policy, "policy" {
        /// [`TenantSettings::email_uniqueness`]: an [`EmailUniqueness`] name.
        EmailUniqueness = "email_uniqueness",
        /// [`TenantSettings::hard_delete`]: a [`Permission`] name.
        HardDelete = "hard_delete",
        /// [`TenantSettings::merge`]: a [`Permission`] name.
        Merge = "merge",
    }
);

/// Per-tenant settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TenantSettings {
    /// Region (ISO 3166-1 alpha-2, e.g. `FR`) used to read phone numbers typed without a
    /// `+country` prefix for customers without an address country. With none, such a number is
    /// kept as typed and unverified.
    pub default_region: Option<String>,
    /// Which names a customer needs (default: first and last).
    #[serde(default)]
    pub name_rule: NameRule,
    /// The tenant's time zone, an IANA name (`Europe/Paris`): the day relative periods
    /// ([`RelativePeriod`](crate::RelativePeriod)) and schedules are read in. `None`: UTC.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Whether customers may share an email (default: allowed).
    #[serde(default)]
    pub email_uniqueness: EmailUniqueness,
    /// Who may delete a customer for good (default: anyone). Anonymising is not deleting: it
    /// keeps its own rule (the organisation role).
    #[serde(default)]
    pub hard_delete: Permission,
    /// Who may merge customers and undo a merge (default: anyone).
    #[serde(default)]
    pub merge: Permission,
}

impl TenantSettings {
    /// Settings with the given default phone region.
    pub fn with_region(region: &str) -> Self {
        Self {
            default_region: Some(region.to_owned()),
            ..Self::default()
        }
    }

    /// The same settings in another time zone (an IANA name such as `Europe/Paris`; checked
    /// when the settings are saved).
    pub fn with_time_zone(self, time_zone: &str) -> Self {
        Self {
            time_zone: Some(time_zone.to_owned()),
            ..self
        }
    }

    /// The same settings with another name rule.
    pub fn with_name_rule(self, name_rule: NameRule) -> Self {
        Self { name_rule, ..self }
    }

    /// The same settings with another email policy.
    pub fn with_email_uniqueness(self, email_uniqueness: EmailUniqueness) -> Self {
        Self {
            email_uniqueness,
            ..self
        }
    }

    /// The same settings with another rule of who may delete customers.
    pub fn with_hard_delete(self, hard_delete: Permission) -> Self {
        Self {
            hard_delete,
            ..self
        }
    }

    /// The same settings with another rule of who may merge customers.
    pub fn with_merge(self, merge: Permission) -> Self {
        Self { merge, ..self }
    }

    /// The same settings with `policy` set from its name (`"refuse"`, `"organisation"`...).
    ///
    /// # Errors
    /// Validation naming the policy when the value is not one of its names.
    pub fn with_policy(self, policy: Policy, value: &str) -> Result<Self> {
        let named = |e: Error| match e {
            Error::Validation { reason, .. } => Error::validation(policy.as_str(), reason),
            other => other,
        };
        Ok(match policy {
            Policy::EmailUniqueness => self.with_email_uniqueness(value.parse().map_err(named)?),
            Policy::HardDelete => self.with_hard_delete(value.parse().map_err(named)?),
            Policy::Merge => self.with_merge(value.parse().map_err(named)?),
        })
    }

    /// The name of `policy`'s value (`"allow"`, `"anyone"`...).
    pub fn policy(&self, policy: Policy) -> &'static str {
        match policy {
            Policy::EmailUniqueness => self.email_uniqueness.as_str(),
            Policy::HardDelete => self.hard_delete.as_str(),
            Policy::Merge => self.merge.as_str(),
        }
    }

    /// Checks the settings and returns them normalised (region uppercase).
    pub(crate) fn validate(self) -> Result<Self> {
        let default_region = match self.default_region {
            Some(r) if !r.trim().is_empty() => {
                contact::region("default_region", &r)?;
                Some(r.trim().to_ascii_uppercase())
            }
            _ => None,
        };
        let time_zone = match self.time_zone {
            Some(tz) if !tz.trim().is_empty() => Some(
                super::period::time_zone("time_zone", &tz)?
                    .name()
                    .to_owned(),
            ),
            _ => None,
        };
        Ok(Self {
            default_region,
            time_zone,
            ..self
        })
    }

    /// The time zone the tenant's days are read in (UTC when none is set; a stored name this
    /// build does not know reads as UTC too).
    pub(crate) fn tz(&self) -> chrono_tz::Tz {
        self.time_zone
            .as_deref()
            .and_then(|name| name.parse().ok())
            .unwrap_or(chrono_tz::UTC)
    }

    pub(crate) fn region(&self) -> Option<phonenumber::country::Id> {
        self.default_region
            .as_deref()
            .and_then(|r| contact::region("default_region", r).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_checked() {
        assert!(TenantId::new("agency-42").is_ok());
        for bad in ["", "a b", "é", &"x".repeat(129)] {
            assert_eq!(TenantId::new(bad).unwrap_err().field(), Some("tenant"));
        }
    }

    #[test]
    fn region_is_checked_and_uppercased() {
        let s = TenantSettings::with_region("fr").validate().unwrap();
        assert_eq!(s.default_region.as_deref(), Some("FR"));
        assert!(TenantSettings::with_region("QQ").validate().is_err());
    }

    #[test]
    fn policies_are_set_by_name_and_refused_by_name() {
        let s = TenantSettings::default()
            .with_policy(Policy::EmailUniqueness, "refuse")
            .unwrap()
            .with_policy(Policy::HardDelete, "nobody")
            .unwrap();
        assert_eq!(s.email_uniqueness, EmailUniqueness::Refuse);
        assert_eq!(s.policy(Policy::HardDelete), "nobody");
        assert_eq!(s.policy(Policy::Merge), "anyone");
        let err = s.with_policy(Policy::Merge, "everyone").unwrap_err();
        assert_eq!(err.field(), Some("merge"));
    }

    #[test]
    fn time_zone_is_checked_and_named_canonically() {
        let s = TenantSettings::default()
            .with_time_zone(" Europe/Paris ")
            .validate()
            .unwrap();
        assert_eq!(s.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(s.tz(), chrono_tz::Europe::Paris);
        let err = TenantSettings::default()
            .with_time_zone("Paris")
            .validate()
            .unwrap_err();
        assert_eq!(err.field(), Some("time_zone"));
        assert_eq!(TenantSettings::default().tz(), chrono_tz::UTC);
    }
}
