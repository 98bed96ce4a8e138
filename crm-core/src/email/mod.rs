//! Sending email over SMTP (cargo feature `smtp`, on by default): the host's server settings,
//! a rendered message made into a MIME message (text, or text and HTML alternatives), and the
//! report of a send, recipient by recipient.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{CustomerId, OutreachSkips};
use crate::template::RenderedMessage;

crate::model::string_enum::string_enum!(
    /// How the connection to the SMTP server is secured.
    #[derive(Default)]
    SmtpSecurity, "security" {
        /// Plain SMTP, then `STARTTLS`, required (the server must offer it): port 587.
        #[default]
        StartTls = "starttls",
        /// TLS from the first byte (SMTPS): port 465.
        Tls = "tls",
        /// No encryption at all: only for a relay on the same host or network.
        None = "none",
    }
);

/// The host's SMTP server and sender, for [`Tenant::send_email`](crate::Tenant::send_email).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SmtpSettings {
    /// The server's host name (checked against its certificate).
    pub host: String,
    /// Its port (587 for STARTTLS, 465 for TLS, 25 for a relay).
    pub port: u16,
    /// STARTTLS (default), TLS, or none.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// The user name, if the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// The password, with the user name.
    #[serde(default)]
    pub password: Option<String>,
    /// The sender: `Agency <bookings@agency.example>` or a bare address.
    pub from: String,
    /// Where replies go, if not to the sender.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// A PEM file of certificates to trust besides the system's (a private authority).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// How long to wait for the server at each step, in seconds (default 30, at most 300).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    30
}

impl SmtpSettings {
    /// A server at `host:port` over STARTTLS, sending as `from`.
    pub fn new(host: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port,
            security: SmtpSecurity::StartTls,
            username: None,
            password: None,
            from: from.into(),
            reply_to: None,
            ca_file: None,
            timeout_secs: default_timeout(),
        }
    }

    /// The same settings with another security.
    pub fn security(self, security: SmtpSecurity) -> Self {
        Self { security, ..self }
    }

    /// The same settings with a user name and password.
    pub fn credentials(self, username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: Some(username.into()),
            password: Some(password.into()),
            ..self
        }
    }

    /// The same settings trusting the certificates of a PEM file too.
    pub fn ca_file(self, path: impl Into<PathBuf>) -> Self {
        Self {
            ca_file: Some(path.into()),
            ..self
        }
    }

    fn sender(&self) -> Result<Mailbox> {
        self.from
            .parse()
            .map_err(|_| Error::validation("from", "not an email address (Name <a@b.example>)"))
    }

    /// The transport these settings describe.
    ///
    /// # Errors
    /// Validation naming the setting (`host`, `from`, `reply_to`, `timeout_secs`,
    /// `ca_file`, `password`); Io when the CA file cannot be read.
    pub(crate) fn transport(&self) -> Result<SmtpTransport> {
        if self.host.trim().is_empty() || self.host.len() > 253 {
            return Err(Error::validation("host", "must be a host name"));
        }
        if !(1..=300).contains(&self.timeout_secs) {
            return Err(Error::validation(
                "timeout_secs",
                "must be between 1 and 300",
            ));
        }
        self.sender()?;
        if let Some(r) = &self.reply_to {
            r.parse::<Mailbox>()
                .map_err(|_| Error::validation("reply_to", "not an email address"))?;
        }
        let host = self.host.trim().to_owned();
        let tls = || -> Result<TlsParameters> {
            let mut params = TlsParameters::builder(host.clone());
            if let Some(path) = &self.ca_file {
                let pem =
                    crate::exchange::read_bounded(path, 1024 * 1024).map_err(|e| match e {
                        Some(e) => Error::Io {
                            message: "cannot read the CA file".into(),
                            source: e,
                        },
                        None => Error::validation("ca_file", "not a file of at most 1 MiB"),
                    })?;
                let cert = Certificate::from_pem(&pem)
                    .map_err(|_| Error::validation("ca_file", "not a PEM certificate"))?;
                params = params.add_root_certificate(cert);
            }
            params
                .build_rustls()
                .map_err(|e| Error::validation("host", format!("TLS: {e}")))
        };
        let tls = match self.security {
            SmtpSecurity::StartTls => Tls::Required(tls()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls()?),
            _ => Tls::None,
        };
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(self.timeout_secs)));
        match (&self.username, &self.password) {
            (Some(u), Some(p)) => {
                builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
            }
            (None, None) => {}
            _ => {
                return Err(Error::validation(
                    "password",
                    "a user name and a password go together",
                ));
            }
        }
        Ok(builder.build())
    }

    /// The MIME message of `rendered` to `address` (`name` shown), with `message_id`.
    pub(crate) fn message(
        &self,
        rendered: &RenderedMessage,
        name: &str,
        address: &str,
        message_id: &str,
    ) -> Result<Message> {
        let to = Mailbox::new(
            Some(name.to_owned()).filter(|n| !n.is_empty()),
            address
                .parse()
                .map_err(|_| Error::validation("email", "not an address a message can go to"))?,
        );
        let mut builder = Message::builder()
            .from(self.sender()?)
            .to(to)
            .subject(rendered.subject.clone().unwrap_or_default())
            .message_id(Some(message_id.to_owned()));
        if let Some(r) = &self.reply_to {
            builder = builder.reply_to(
                r.parse()
                    .map_err(|_| Error::validation("reply_to", "not an email address"))?,
            );
        }
        let text = SinglePart::builder()
            .header(header::ContentType::TEXT_PLAIN)
            .body(rendered.text.clone());
        let message = match &rendered.html {
            Some(html) => builder.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(header::ContentType::TEXT_HTML)
                        .body(html.clone()),
                ),
            ),
            None => builder.singlepart(text),
        };
        message.map_err(|e| Error::validation("email", e.to_string()))
    }

    /// A new message id at the sender's domain (`<uuid@agency.example>`), within the bound
    /// of a log entry's reference (at `localhost` for a domain too long for it).
    pub(crate) fn message_id(&self) -> String {
        let domain = self
            .sender()
            .map(|m| m.email.domain().to_owned())
            .unwrap_or_else(|_| "localhost".into());
        let id = format!("<{}@{domain}>", uuid::Uuid::now_v7());
        if id.len() <= crate::model::limits::MAX_ID_CHARS {
            return id;
        }
        format!("<{}@localhost>", uuid::Uuid::now_v7())
    }
}

/// An email sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SentEmail {
    /// The customer.
    pub customer_id: CustomerId,
    /// Where it went.
    pub address: String,
    /// Its subject.
    pub subject: String,
    /// Its `Message-ID`, also the reference of its entry in the communication log.
    pub message_id: String,
    /// Why it could not be logged in the communication log, if it could not (it was sent all
    /// the same: do not send it again).
    pub log_error: Option<String>,
}

/// An email that could not be sent, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedEmail {
    /// The customer.
    pub customer_id: CustomerId,
    /// Where it was to go.
    pub address: String,
    /// Why: the template's render for this customer, or the server's answer.
    pub reason: String,
}

/// What a [`send_email`](crate::Tenant::send_email) did, recipient by recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendReport {
    /// The messages the server accepted (each logged in the communication log).
    pub sent: Vec<SentEmail>,
    /// The messages that failed (nothing logged for them).
    pub failed: Vec<FailedEmail>,
    /// Who was not written to, by reason, as [`outreach`](crate::Tenant::outreach) counts.
    pub skipped: OutreachSkips,
}
