//! Sending a template by email over the host's SMTP server (cargo feature `smtp`).

use chrono::Utc;
use lettre::Transport;

use super::{Rows, Tenant};
use crate::email::{FailedEmail, SendReport, SentEmail, SmtpSettings};
use crate::error::{Error, Result};
use crate::model::limits::MAX_TEXT_CHARS;
use crate::model::{Actor, Audience, Channel, ConsentPurpose, NewCommunication, TemplateKind};

impl Tenant {
    /// Sends email template `template` to the customers of `audience` who may be written to by
    /// email, exactly as [`outreach`](Self::outreach) chooses them (consent, an address, not
    /// anonymised, not an address of a person who asked to be forgotten; the others are
    /// counted in [`SendReport::skipped`]), each rendered for its customer
    /// ([`preview`](Self::preview)), over the SMTP server of `smtp`.
    ///
    /// Each message the server accepts is logged at once in the communication log (its subject,
    /// its `Message-ID` as the reference; a `CommunicationRecorded` event). A message that
    /// cannot be rendered for its customer, or that the server refuses, is reported in
    /// [`SendReport::failed`] and the others go on. Nothing is sent when the server cannot be
    /// reached at all.
    ///
    /// # Errors
    /// Validation on the settings (naming `host`, `from`...), on a template that is not an
    /// email one (`template`), on an audience over
    /// [`MAX_AUDIENCE`](crate::limits::MAX_AUDIENCE); NotFound (the template); Io when the
    /// server cannot be reached or refuses the session (its answer in the message).
    pub fn send_email(
        &self,
        actor: &Actor,
        template: &str,
        audience: &Audience,
        smtp: &SmtpSettings,
    ) -> Result<SendReport> {
        actor.validate()?;
        let transport = smtp.transport()?;
        let variants = self.template_variants(template)?;
        if let Some(v) = variants.iter().find(|v| v.kind != TemplateKind::Email) {
            return Err(Error::validation(
                "template",
                format!("{template:?} is a {} template, not an email one", v.kind),
            ));
        }
        let now = Utc::now();
        let (ids, _) = self.audience_ids(audience, now, crate::model::limits::MAX_AUDIENCE)?;
        let outreach =
            self.outreach_of(Rows::Ids(&ids), Channel::Email, ConsentPurpose::Marketing)?;
        let reachable = transport.test_connection().map_err(|e| Error::Io {
            message: format!("the SMTP server cannot be reached: {e}"),
            source: std::io::Error::other(e.to_string()),
        })?;
        if !reachable {
            return Err(Error::Io {
                message: "the SMTP server did not answer".into(),
                source: std::io::Error::other("no answer"),
            });
        }
        let mut report = SendReport {
            sent: Vec::new(),
            failed: Vec::new(),
            skipped: outreach.skipped,
        };
        // Rendered a chunk at a time (memory bounded by the chunk) from the template as it was
        // read once; a chunk that cannot be rendered fails its recipients, not the call: what
        // was sent before is reported.
        let mut renderer = self.renderer(template)?;
        for chunk in outreach
            .recipients
            .chunks(crate::model::limits::MAX_PAGE as usize)
        {
            let ids: Vec<_> = chunk.iter().map(|r| r.customer_id).collect();
            let rendered: std::collections::HashMap<_, std::result::Result<_, String>> =
                match self.render_with(&mut renderer, &ids, now) {
                    Ok(all) => all
                        .into_iter()
                        .map(|(id, r)| (id, r.map_err(|e| e.to_string())))
                        .collect(),
                    Err(e) => ids.iter().map(|id| (*id, Err(e.to_string()))).collect(),
                };
            for recipient in chunk {
                let fail = |reason: String| FailedEmail {
                    customer_id: recipient.customer_id,
                    address: recipient.address.clone(),
                    reason,
                };
                let message = match rendered.get(&recipient.customer_id) {
                    Some(Ok(message)) => message,
                    Some(Err(reason)) => {
                        report.failed.push(fail(reason.clone()));
                        continue;
                    }
                    None => {
                        report.failed.push(fail("the customer is gone".into()));
                        continue;
                    }
                };
                let name = crate::model::full_name(&recipient.first_name, &recipient.last_name);
                let message_id = smtp.message_id();
                let email = match smtp.message(message, &name, &recipient.address, &message_id) {
                    Ok(email) => email,
                    Err(e) => {
                        report.failed.push(fail(e.to_string()));
                        continue;
                    }
                };
                if let Err(e) = transport.send(&email) {
                    report
                        .failed
                        .push(fail(format!("the server refused it: {e}")));
                    continue;
                }
                let subject = message.subject.clone().unwrap_or_default();
                let mut entry = NewCommunication::new(
                    recipient.customer_id,
                    Channel::Email,
                    fit(&subject, &message.template),
                );
                entry.reference = Some(message_id.clone());
                entry.sent_at = Some(Utc::now());
                // Sent: a log that fails is reported with it, never as "not sent".
                let log_error = self
                    .record_communications(actor, vec![entry])
                    .err()
                    .map(|e| e.to_string());
                report.sent.push(SentEmail {
                    customer_id: recipient.customer_id,
                    address: recipient.address.clone(),
                    subject,
                    message_id,
                    log_error,
                });
            }
        }
        Ok(report)
    }
}

/// The subject as the log keeps it: at most its bound, the template's name when blank.
fn fit(subject: &str, template: &str) -> String {
    let text = if subject.trim().is_empty() {
        template
    } else {
        subject
    };
    text.chars().take(MAX_TEXT_CHARS).collect()
}
