//! Message templates of a tenant: email (subject, text and HTML body), SMS and letter, each by
//! name with a variant per language. What they may say is the `template` module's to check.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::string_enum::string_enum;
use super::text;
use crate::error::{Error, Result};
use crate::model::limits::{MAX_TEMPLATE_CHARS, MAX_TEXT_CHARS};

string_enum!(
    /// What a template is for.
    #[derive(Default)]
    TemplateKind, "kind" {
        /// An email: a subject, a text body and an optional HTML body.
        #[default]
        Email = "email",
        /// An SMS: a text only.
        Sms = "sms",
        /// A printed letter: an optional subject line and a text body.
        Letter = "letter",
    }
);

/// A template as given to [`Tenant::save_template`](crate::Tenant::save_template).
///
/// The texts use the Jinja syntax of a well-kept engine (MiniJinja): `{{ customer.salutation }}`,
/// `{% if next_booking %}...{% endif %}`, filters such as `{{ customer.last_name | upper }}`.
/// Which fields and filters they may use, and why loops are not taken, is
/// [`TEMPLATE_FIELDS`](crate::TEMPLATE_FIELDS)' documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct NewTemplate {
    /// Its name, 1 to 200 characters, unique per language within the tenant.
    pub name: String,
    /// Email, SMS or letter.
    pub kind: TemplateKind,
    /// The language of this variant (a BCP 47 tag such as `fr` or `de-CH`); `None` for the
    /// default variant, used for customers whose language has no variant of its own.
    pub language: Option<String>,
    /// The subject: required for an email, an optional heading for a letter, none for an SMS.
    pub subject: Option<String>,
    /// The text: an email's plain-text body, the SMS, or the letter's body.
    pub text: String,
    /// An email's HTML body (values are HTML-escaped in it); none for an SMS or a letter.
    pub html: Option<String>,
}

impl NewTemplate {
    /// A template of `kind` called `name` whose text is `text`.
    pub fn new(name: impl Into<String>, kind: TemplateKind, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind,
            language: None,
            subject: None,
            text: text.into(),
            html: None,
        }
    }

    /// The same template with a subject.
    pub fn subject(self, subject: impl Into<String>) -> Self {
        Self {
            subject: Some(subject.into()),
            ..self
        }
    }

    /// The same template with an HTML body.
    pub fn html(self, html: impl Into<String>) -> Self {
        Self {
            html: Some(html.into()),
            ..self
        }
    }

    /// The same template as the variant of a language.
    pub fn language(self, language: impl Into<String>) -> Self {
        Self {
            language: Some(language.into()),
            ..self
        }
    }

    /// Checks lengths and which parts the kind takes; trims the name; normalises the language.
    pub(crate) fn validate(mut self) -> Result<Self> {
        self.name = text::required("name", &self.name, MAX_TEXT_CHARS, false)?;
        self.language = variant_language(self.language.as_deref())?;
        let long = |field: &str, value: &str| {
            if value.chars().nth(MAX_TEMPLATE_CHARS).is_some() {
                return Err(Error::validation(
                    field,
                    format!("longer than {MAX_TEMPLATE_CHARS} characters"),
                ));
            }
            Ok(())
        };
        if self.text.trim().is_empty() {
            return Err(Error::validation("text", "must not be empty"));
        }
        long("text", &self.text)?;
        if let Some(html) = &self.html {
            long("html", html)?;
        }
        self.subject = text::optional("subject", self.subject, MAX_TEXT_CHARS, false)?;
        match self.kind {
            TemplateKind::Email if self.subject.is_none() => {
                return Err(Error::validation("subject", "an email needs a subject"));
            }
            TemplateKind::Sms if self.subject.is_some() => {
                return Err(Error::validation("subject", "an SMS has no subject"));
            }
            TemplateKind::Sms | TemplateKind::Letter if self.html.is_some() => {
                return Err(Error::validation("html", "only an email has an HTML body"));
            }
            _ => {}
        }
        Ok(self)
    }
}

/// The language of a template variant, checked and in the canonical case of BCP 47 tags
/// (`fr-CH`, `zh-Hant-TW`), so that a variant is found whatever case it is named in; `None` for
/// none or blank.
pub(crate) fn variant_language(language: Option<&str>) -> Result<Option<String>> {
    let Some(tag) = language.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    let Some(tag) = super::customer::language(tag)? else {
        return Ok(None);
    };
    let parts: Vec<String> = tag
        .split('-')
        .enumerate()
        .map(|(i, p)| match (i, p.len()) {
            (0, _) => p.to_ascii_lowercase(),
            (_, 2) => p.to_ascii_uppercase(),
            (_, 4) if p.chars().all(|c| c.is_ascii_alphabetic()) => {
                let lower = p.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            _ => p.to_ascii_lowercase(),
        })
        .collect();
    Ok(Some(parts.join("-")))
}

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Template {
    /// Its name.
    pub name: String,
    /// Email, SMS or letter.
    pub kind: TemplateKind,
    /// The language of this variant, `None` for the default one.
    pub language: Option<String>,
    /// The subject, if any.
    pub subject: Option<String>,
    /// The text body.
    pub text: String,
    /// The HTML body, if any.
    pub html: Option<String>,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
    /// Who saved it (user id).
    pub updated_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_takes_its_parts() {
        let email = NewTemplate::new(" Welcome ", TemplateKind::Email, "Hello");
        assert_eq!(
            email.clone().validate().unwrap_err().field(),
            Some("subject")
        );
        assert_eq!(email.subject("Hi").validate().unwrap().name, "Welcome");
        let sms = NewTemplate::new("Reminder", TemplateKind::Sms, "Hi").subject("x");
        assert_eq!(sms.validate().unwrap_err().field(), Some("subject"));
        let letter = NewTemplate::new("Brochure", TemplateKind::Letter, "Dear").html("<p>");
        assert_eq!(letter.validate().unwrap_err().field(), Some("html"));
        let empty = NewTemplate::new("Empty", TemplateKind::Letter, "  ");
        assert_eq!(empty.validate().unwrap_err().field(), Some("text"));
        let long = NewTemplate::new(
            "Long",
            TemplateKind::Letter,
            "x".repeat(MAX_TEMPLATE_CHARS + 1),
        );
        assert_eq!(long.validate().unwrap_err().field(), Some("text"));
        let fr = NewTemplate::new("Brochure", TemplateKind::Letter, "x").language(" fr-ch ");
        assert_eq!(fr.validate().unwrap().language.as_deref(), Some("fr-CH"));
        assert_eq!(
            variant_language(Some("ZH-hant-tw")).unwrap().as_deref(),
            Some("zh-Hant-TW")
        );
    }
}
