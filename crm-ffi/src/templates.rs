//! Message templates: save a variant, list them, remove one, and render one for a customer
//! (`crm_tenant_preview_json`).

use std::ffi::c_char;

use crm_core::{NewTemplate, TemplateKind};

use crate::customer::id_in;
use crate::db::{crm_tenant, tenant};
use crate::ffi;
use crate::json;
use crate::status::crm_status;

/// Saves a template variant: `name`, `kind` (`"email"`, `"sms"` or `"letter"`), `language`
/// (a BCP 47 tag, or NULL for the default variant), `subject` (an email's, required; a
/// letter's heading; NULL for none), `text` (the body), `html` (an email's HTML body, or NULL).
/// The texts use the Jinja syntax with the fields of `TEMPLATE_FIELDS` (`{{
/// customer.salutation }}`, `{% if next_booking %}...{% endif %}`); a template is checked when
/// saved: an unknown field, a syntax error, a loop or an operator is refused. Errors:
/// `CRM_ERR_VALIDATION` naming the part (`name`, `kind`, `language`, `subject`, `text`,
/// `html`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_save_template(
    tenant: *const crm_tenant,
    name: *const c_char,
    kind: *const c_char,
    language: *const c_char,
    subject: *const c_char,
    text: *const c_char,
    html: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let kind: TemplateKind = ffi::text_in(kind, "kind")?.parse()?;
        let mut template = NewTemplate::new(
            ffi::text_in(name, "name")?,
            kind,
            ffi::text_in(text, "text")?,
        );
        if let Some(language) = ffi::optional_text_in(language, "language")? {
            template = template.language(language);
        }
        if let Some(subject) = ffi::optional_text_in(subject, "subject")? {
            template = template.subject(subject);
        }
        if let Some(html) = ffi::optional_text_in(html, "html")? {
            template = template.html(html);
        }
        t.tenant.save_template(&t.actor, template)?;
        Ok(())
    })
}

/// Every template of the tenant as JSON `{"format": 1, "templates": [{"name", "kind",
/// "language", "subject", "text", "html", "updated_at", "updated_by"}...]}`, by name then
/// language. On success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_templates_json(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let text = json::envelope("templates", t.tenant.templates()?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Removes the variant of template `name` in `language` (NULL: the default one). Errors:
/// `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_delete_template(
    tenant: *const crm_tenant,
    name: *const c_char,
    language: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let name = ffi::text_in(name, "name")?;
        let language = ffi::optional_text_in(language, "language")?;
        t.tenant.delete_template(&t.actor, name, language)?;
        Ok(())
    })
}

/// Template `name` rendered for customer `customer_id` (the variant of its language, else the
/// default), as JSON `{"format": 1, "message": {"template", "kind", "language", "customer_id",
/// "subject", "text", "html", "sms": null or {"encoding": "gsm7" or "ucs2", "units",
/// "segments"}}}`. Writes nothing. On success `*out` is a string freed with `crm_string_free`.
/// Errors: `CRM_ERR_NOT_FOUND` (template, variant, customer), `CRM_ERR_CONFLICT` (anonymised),
/// `CRM_ERR_VALIDATION` naming the part when it shows a booking the customer does not have.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_preview_json(
    tenant: *const crm_tenant,
    name: *const c_char,
    customer_id: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let name = ffi::text_in(name, "name")?;
        let id = id_in(customer_id, "customer_id")?;
        let text = json::envelope("message", t.tenant.preview(name, &id)?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Sends email template `template` to the customers `query` finds (NULL: every customer) who
/// may be written to by email (consent, an address, not anonymised, not an address of a person
/// who asked to be forgotten: as `crm_tenant_outreach`), each rendered for its customer, over
/// the SMTP server of `smtp_json`: `{"host", "port", "security": "starttls" (default), "tls" or
/// "none", "username", "password", "from": "Agency <a@agency.example>", "reply_to", "ca_file",
/// "timeout_secs"}`. Each message the server accepts is logged in the communication log with
/// its Message-ID; a message that cannot be rendered or that the server refuses is reported and
/// the others go on. What it did, as JSON `{"format": 1, "report": {"sent": [{"customer_id",
/// "address", "subject", "message_id", "log_error": null or why it could not be logged (it
/// was sent: do not send it again)}...], "failed": [{"customer_id", "address",
/// "reason"}...], "skipped": {...}}}`. On success `*out` is a string freed with
/// `crm_string_free`. Errors: `CRM_ERR_VALIDATION` (the settings, naming the key; a template
/// that is not an email one), `CRM_ERR_NOT_FOUND` (the template), `CRM_ERR_IO` (the server
/// cannot be reached: nothing sent).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_send_email_json(
    tenant: *const crm_tenant,
    template: *const c_char,
    query: *const crate::search::crm_search_query,
    smtp_json: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let template = ffi::text_in(template, "template")?;
        let smtp: crm_core::SmtpSettings = json::parse("smtp", ffi::text_in(smtp_json, "smtp")?)?;
        let query = if query.is_null() {
            crm_core::CustomerQuery::all()
        } else {
            ffi::get::<crate::search::QueryHandle>(query, "query")?
                .0
                .clone()
        };
        let report =
            t.tenant
                .send_email(&t.actor, template, &crm_core::Audience::Query(query), &smtp)?;
        out.write(ffi::string_out(json::envelope("report", report)?));
        Ok(())
    })
}

/// Prints letter template `options_json`'s `template` for the customers `query` finds (NULL:
/// the customers with a brochure request not sent yet) as one PDF written to `letters_path`,
/// laid out for a window envelope (DIN 5008 form B), and their address labels (A4, 3 × 7) to
/// `labels_path` (or NULL). `options_json`: `{"template", "sender": ["Agency", "street",
/// "zip city"], "home_country": "FR", "fonts": ["/path/to/cjk.ttf"], "mark_sent": true}`
/// (`mark_sent`: with NULL `query`, the requests of those printed are marked sent). Fonts are
/// embedded as subsets (DejaVu Sans built in; `fonts` for other scripts). Customers without a
/// postal address, or with a character no font has, are skipped with the reason. What it did,
/// as JSON `{"format": 1, "letters": {"printed": [ids...], "skipped": [{"customer_id",
/// "reason"}...], "requests": [the pending requests printed...], "marked_sent", "mark_error":
/// null or why marking failed (the files are written all the same)}}`; the requests are
/// marked only once both files are written. Each file is written beside its path and renamed onto it.
/// On success `*out` is a string freed with `crm_string_free`. Errors: `CRM_ERR_VALIDATION`
/// (options naming the key, a template that is not a letter one), `CRM_ERR_NOT_FOUND`,
/// `CRM_ERR_IO` (a font or a file).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_print_letters(
    tenant: *const crm_tenant,
    options_json: *const c_char,
    query: *const crate::search::crm_search_query,
    letters_path: *const c_char,
    labels_path: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let mut options: crm_core::LetterOptions =
            json::parse("options", ffi::text_in(options_json, "options")?)?;
        // The requests are marked once both files are written, not before.
        let mark_sent = std::mem::take(&mut options.mark_sent);
        let letters_path = ffi::text_in(letters_path, "letters_path")?;
        let labels_path = ffi::optional_text_in(labels_path, "labels_path")?;
        let audience = if query.is_null() {
            crm_core::Audience::PendingBrochures
        } else {
            crm_core::Audience::Query(
                ffi::get::<crate::search::QueryHandle>(query, "query")?
                    .0
                    .clone(),
            )
        };
        if mark_sent && !matches!(audience, crm_core::Audience::PendingBrochures) {
            return Err(json::validation(
                "mark_sent",
                "marks pending brochure requests: give no query",
            ));
        }
        let mut run = t.tenant.print_letters(&t.actor, &audience, &options)?;
        write_file(letters_path, &run.letters)?;
        if let Some(path) = labels_path {
            write_file(path, &run.labels)?;
        }
        // The files are written: a failure to mark is reported with them, not instead of them.
        let mut mark_error = None;
        if mark_sent {
            match t.tenant.mark_brochures_sent(&t.actor, &run.requests) {
                Ok(n) => run.marked_sent = n,
                Err(e) => mark_error = Some(e.to_string()),
            }
        }
        let report = serde_json::json!({
            "printed": run.printed,
            "skipped": run.skipped,
            "requests": run.requests,
            "marked_sent": run.marked_sent,
            "mark_error": mark_error,
        });
        out.write(ffi::string_out(json::envelope("letters", report)?));
        Ok(())
    })
}

/// Writes `bytes` to `path`, beside it first and renamed onto it.
fn write_file(path: &str, bytes: &[u8]) -> Result<(), crate::status::Failure> {
    crm_core::replace_file(std::path::Path::new(path), |file| {
        std::io::Write::write_all(file, bytes).map_err(|e| crm_core::Error::Io {
            message: "cannot write the file".into(),
            source: e,
        })?;
        Ok(Some(()))
    })?;
    Ok(())
}
