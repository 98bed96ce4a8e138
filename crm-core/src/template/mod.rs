//! Message templates rendered per customer with MiniJinja: which fields a template may show,
//! the checks made when one is saved (syntax, a bounded subset, only known fields, a trial
//! render), the values of one customer (salutation, dates and money in the customer's language)
//! and the render itself (HTML escaped in an email's HTML body, SMS encoding and parts).

mod guard;
pub(crate) mod locale;
mod salutation;
pub(crate) mod sms;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::limits::MAX_RENDERED_BYTES;
use crate::model::{
    Booking, BookingStatus, Customer, CustomerId, NewTemplate, Template, TemplateKind,
};
pub use sms::{SmsEncoding, SmsInfo};

/// Every field a template may show (`customer.first_name`, `next_booking.departure`, `today`),
/// and what else it may use.
///
/// - `customer.<field>`: `customer_no`, `title`, `first_name`, `last_name`, `full_name`,
///   `salutation` (`Dear Ms Martin,`, `Chère Madame Martin,`, `Sehr geehrter Herr Müller,`:
///   the title read in the customer's language), `company`, `email`, `phone`, `mobile`,
///   `street`, `zip`, `city`, `region`, `country`, `language`, `birth_date` (short form).
/// - `next_booking.<field>` (the first booking departing from today on, cancelled ones left
///   out) and `latest_booking.<field>` (the last one departed before today): `reference`,
///   `status`, `route` (`Lyon → Paris`), `route_from`, `route_to`, `departure` (`14 July 2026`,
///   `14 juillet 2026`), `departure_date` (`14/07/2026`), `departure_time` (`08:30`, local to
///   the pickup place), `return_date`, `transport`, `hotel`, `salesperson`, `amount` (`€120.50`,
///   `120,50 €`: its invoices' total), `invoice_number` (their numbers, `F-1, F-2`). Either booking is `none` when the
///   customer has none: test it first (`{% if next_booking %}`), or its render fails for that
///   customer.
/// - `today`: the day of the render in the tenant's time zone, written out.
///
/// A field the customer has no value for is an empty text: `{{ customer.company |
/// default("-", true) }}` shows a dash instead. Dates and money are written for the
/// customer's language (its locale's conventions; British English when it has none).
///
/// Filters: `upper`, `lower`, `title`, `capitalize`, `trim`, `default`, `escape`; tests:
/// `defined`, `undefined`, `none`. Statements: `if`, `elif`, `else`, `endif`. No loops,
/// assignments, macros, includes or arithmetic (`*`, `+`, `~`, `-`, `/`, `%`, subscripts): a
/// render is then bounded by the template's length, whatever the template says.
pub const TEMPLATE_FIELDS: &[&str] = &[
    "customer.customer_no",
    "customer.title",
    "customer.first_name",
    "customer.last_name",
    "customer.full_name",
    "customer.salutation",
    "customer.company",
    "customer.email",
    "customer.phone",
    "customer.mobile",
    "customer.street",
    "customer.zip",
    "customer.city",
    "customer.region",
    "customer.country",
    "customer.language",
    "customer.birth_date",
    "next_booking.reference",
    "next_booking.status",
    "next_booking.route",
    "next_booking.route_from",
    "next_booking.route_to",
    "next_booking.departure",
    "next_booking.departure_date",
    "next_booking.departure_time",
    "next_booking.return_date",
    "next_booking.transport",
    "next_booking.hotel",
    "next_booking.salesperson",
    "next_booking.amount",
    "next_booking.invoice_number",
    "latest_booking.reference",
    "latest_booking.status",
    "latest_booking.route",
    "latest_booking.route_from",
    "latest_booking.route_to",
    "latest_booking.departure",
    "latest_booking.departure_date",
    "latest_booking.departure_time",
    "latest_booking.return_date",
    "latest_booking.transport",
    "latest_booking.hotel",
    "latest_booking.salesperson",
    "latest_booking.amount",
    "latest_booking.invoice_number",
    "today",
];

/// The values one customer's render sees.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Context {
    customer: CustomerFields,
    next_booking: Option<BookingFields>,
    latest_booking: Option<BookingFields>,
    today: String,
}

#[derive(Debug, Clone, Serialize)]
struct CustomerFields {
    customer_no: i64,
    title: String,
    first_name: String,
    last_name: String,
    full_name: String,
    salutation: String,
    company: String,
    email: String,
    phone: String,
    mobile: String,
    street: String,
    zip: String,
    city: String,
    region: String,
    country: String,
    language: String,
    birth_date: String,
}

#[derive(Debug, Clone, Serialize)]
struct BookingFields {
    reference: String,
    status: String,
    route: String,
    route_from: String,
    route_to: String,
    departure: String,
    departure_date: String,
    departure_time: String,
    return_date: String,
    transport: String,
    hotel: String,
    salesperson: String,
    amount: String,
    invoice_number: String,
}

fn or_empty(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// The values of `customer` and its bookings for a render at `now` in the tenant's `tz`.
pub(crate) fn context(
    customer: &Customer,
    bookings: &[Booking],
    now: DateTime<Utc>,
    tz: Tz,
) -> Context {
    let loc = locale::locale(customer.language.as_deref());
    let today = crate::model::period::local_day(now, tz);
    let phone =
        |p: &Option<crate::model::Phone>| p.as_ref().map(|p| p.typed.clone()).unwrap_or_default();
    let live = bookings
        .iter()
        .filter(|b| b.status != BookingStatus::Cancelled);
    let next = live
        .clone()
        .filter(|b| b.pickup_at.date_naive() >= today)
        .min_by_key(|b| b.pickup_at);
    let latest = live
        .filter(|b| b.pickup_at.date_naive() < today)
        .max_by_key(|b| b.pickup_at);
    let booking = |b: &Booking| BookingFields {
        reference: b.reference.clone(),
        status: b.status.to_string(),
        route: b.route(),
        route_from: b.route_from.clone(),
        route_to: b.route_to.clone(),
        departure: locale::long_date(b.pickup_at.date_naive(), loc),
        departure_date: locale::short_date(b.pickup_at.date_naive(), loc),
        departure_time: locale::time(b.pickup_at.time(), loc),
        return_date: b
            .return_at
            .map(|r| locale::long_date(r.date_naive(), loc))
            .unwrap_or_default(),
        transport: or_empty(&b.transport),
        hotel: or_empty(&b.hotel),
        salesperson: or_empty(&b.salesperson),
        amount: crate::model::booking_total(&b.invoices)
            .map(|total| locale::money(&total, loc))
            .unwrap_or_default(),
        invoice_number: b
            .invoices
            .iter()
            .map(|i| i.number.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    Context {
        customer: CustomerFields {
            customer_no: customer.customer_no,
            title: or_empty(&customer.title),
            first_name: customer.first_name.clone(),
            last_name: customer.last_name.clone(),
            full_name: customer.full_name(),
            salutation: salutation::salutation(
                &locale::language(loc),
                customer.title.as_deref(),
                &customer.first_name,
                &customer.last_name,
            ),
            company: or_empty(&customer.company),
            email: or_empty(&customer.email),
            phone: phone(&customer.phone),
            mobile: phone(&customer.mobile),
            street: or_empty(&customer.address.street),
            zip: or_empty(&customer.address.zip),
            city: or_empty(&customer.address.city),
            region: or_empty(&customer.address.region),
            country: or_empty(&customer.address.country),
            language: or_empty(&customer.language),
            birth_date: customer
                .birth_date
                .map(|d| locale::short_date(d, loc))
                .unwrap_or_default(),
        },
        next_booking: next.map(booking),
        latest_booking: latest.map(booking),
        today: locale::long_date(today, loc),
    }
}

/// The variant of a template for a customer of `language`: the variant of that tag, else of
/// its primary language (`fr` for `fr-CH`), else the default one.
pub(crate) fn variant<'a>(
    variants: &'a [Template],
    language: Option<&str>,
) -> Option<&'a Template> {
    let same = |v: &Template, tag: &str| {
        v.language
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case(tag))
    };
    if let Some(tag) = language {
        let primary = tag.split('-').next().unwrap_or(tag);
        if let Some(v) = variants
            .iter()
            .find(|v| same(v, tag))
            .or_else(|| variants.iter().find(|v| same(v, primary)))
        {
            return Some(v);
        }
    }
    variants.iter().find(|v| v.language.is_none())
}

/// A template rendered for one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RenderedMessage {
    /// The template's name.
    pub template: String,
    /// Email, SMS or letter.
    pub kind: TemplateKind,
    /// The language of the variant used (`None`: the default one).
    pub language: Option<String>,
    /// The customer.
    pub customer_id: CustomerId,
    /// The subject, if the template has one.
    pub subject: Option<String>,
    /// The text body.
    pub text: String,
    /// The HTML body (an email's, values escaped), if the template has one.
    pub html: Option<String>,
    /// How the text goes as an SMS (an SMS template only).
    pub sms: Option<SmsInfo>,
}

/// The engine: MiniJinja without its default filters and globals, strict about undefined
/// names, escaping HTML in the part named `html`, with fuel as a last bound on a render.
fn environment() -> Environment<'static> {
    let mut env = Environment::empty();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| match name {
        "html" => AutoEscape::Html,
        _ => AutoEscape::None,
    });
    env.set_fuel(Some(100_000));
    env.set_recursion_limit(16);
    use minijinja::filters;
    env.add_filter("upper", filters::upper);
    env.add_filter("lower", filters::lower);
    env.add_filter("title", filters::title);
    env.add_filter("capitalize", filters::capitalize);
    env.add_filter("trim", filters::trim);
    env.add_filter("default", filters::default);
    env.add_filter("d", filters::default);
    env.add_filter("escape", filters::escape);
    env.add_filter("e", filters::escape);
    use minijinja::tests;
    env.add_test("defined", tests::is_defined);
    env.add_test("undefined", tests::is_undefined);
    env.add_test("none", tests::is_none);
    env
}

/// A template's parts compiled: (part name, source).
pub(crate) struct Compiled {
    env: Environment<'static>,
    template: Template,
}

/// The parts of a template by the name their errors carry.
fn parts(t: &NewTemplate) -> Vec<(&'static str, String)> {
    let mut parts = vec![("text", t.text.clone())];
    if let Some(s) = &t.subject {
        parts.push(("subject", s.clone()));
    }
    if let Some(h) = &t.html {
        parts.push(("html", h.clone()));
    }
    parts
}

/// Checks a template before it is saved: each part within the subset ([`TEMPLATE_FIELDS`]),
/// of valid syntax, using only known names, and rendering for a sample customer.
///
/// # Errors
/// Validation naming the part (`subject`, `text`, `html`) and the reason.
pub(crate) fn check(t: &NewTemplate) -> Result<()> {
    let mut env = environment();
    for (part, source) in parts(t) {
        guard::check(part, &source)?;
        env.add_template_owned(part, source)
            .map_err(|e| Error::validation(part, engine_message(&e)))?;
        let compiled = env
            .get_template(part)
            .map_err(|e| Error::validation(part, engine_message(&e)))?;
        let mut names: Vec<String> = compiled.undeclared_variables(true).into_iter().collect();
        names.sort();
        for name in names {
            check_name(part, &name)?;
        }
    }
    for (part, _) in parts(t) {
        render_part(&env, part, &sample())?;
    }
    Ok(())
}

/// A name a template uses: a field of [`TEMPLATE_FIELDS`] or an object holding some
/// (`customer`, `next_booking`).
fn check_name(part: &str, name: &str) -> Result<()> {
    let known = TEMPLATE_FIELDS.iter().any(|f| {
        *f == name
            || f.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
    });
    if known {
        return Ok(());
    }
    Err(Error::validation(
        part,
        format!("`{name}` is not a field a template may use (see TEMPLATE_FIELDS)"),
    ))
}

/// A sample context: every field set, both bookings present.
fn sample() -> Context {
    let booking = || BookingFields {
        reference: "BK-1".into(),
        status: "confirmed".into(),
        route: "A → B".into(),
        route_from: "A".into(),
        route_to: "B".into(),
        departure: "14 July 2026".into(),
        departure_date: "14/07/2026".into(),
        departure_time: "08:30".into(),
        return_date: "21 July 2026".into(),
        transport: "train".into(),
        hotel: "Hotel".into(),
        salesperson: "Anne".into(),
        amount: "€1.00".into(),
        invoice_number: "F-1".into(),
    };
    Context {
        customer: CustomerFields {
            customer_no: 1,
            title: "Ms".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            full_name: "Jane Doe".into(),
            salutation: "Dear Ms Doe,".into(),
            company: "Co".into(),
            email: "jane@example.com".into(),
            phone: "1".into(),
            mobile: "2".into(),
            street: "1 Street".into(),
            zip: "1000".into(),
            city: "City".into(),
            region: "Region".into(),
            country: "FR".into(),
            language: "en".into(),
            birth_date: "01/01/1980".into(),
        },
        next_booking: Some(booking()),
        latest_booking: Some(booking()),
        today: "1 January 2026".into(),
    }
}

/// Renders `part` into a buffer that refuses more than [`MAX_RENDERED_BYTES`]: a render stops
/// there, whatever the template says.
fn render_part(env: &Environment<'static>, part: &str, ctx: &Context) -> Result<String> {
    struct Bounded(Vec<u8>);
    impl std::io::Write for Bounded {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() + buf.len() > MAX_RENDERED_BYTES {
                return Err(std::io::Error::other("too long"));
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Bounded(Vec::new());
    let rendered = env
        .get_template(part)
        .and_then(|t| t.render_captured_to(ctx, &mut out).map(drop));
    if let Err(e) = rendered {
        if e.kind() == minijinja::ErrorKind::WriteFailure {
            return Err(Error::validation(
                part,
                format!("renders to more than {MAX_RENDERED_BYTES} bytes"),
            ));
        }
        return Err(Error::validation(part, engine_message(&e)));
    }
    String::from_utf8(out.0).map_err(|_| Error::Internal("a render is not UTF-8".into()))
}

/// The engine's message, without the template's name in it (the part is named apart).
fn engine_message(e: &minijinja::Error) -> String {
    let mut message = e.to_string();
    if let Some(line) = e.line() {
        message = format!(
            "line {line}: {}",
            e.detail().unwrap_or(e.kind().to_string().as_str())
        );
    }
    message
}

impl Compiled {
    /// Compiles a stored template (checked when it was saved).
    pub(crate) fn new(template: Template) -> Result<Self> {
        let mut env = environment();
        let as_new = NewTemplate {
            name: template.name.clone(),
            kind: template.kind,
            language: template.language.clone(),
            subject: template.subject.clone(),
            text: template.text.clone(),
            html: template.html.clone(),
        };
        for (part, source) in parts(&as_new) {
            env.add_template_owned(part, source)
                .map_err(|e| Error::validation(part, engine_message(&e)))?;
        }
        Ok(Self { env, template })
    }

    fn part(&self, part: &str, ctx: &Context) -> Result<String> {
        render_part(&self.env, part, ctx)
    }

    /// Renders the template for one customer.
    ///
    /// # Errors
    /// Validation naming the part, when a name has no value for this customer (a booking it
    /// does not have).
    pub(crate) fn render(&self, customer_id: CustomerId, ctx: &Context) -> Result<RenderedMessage> {
        let t = &self.template;
        let text = self.part("text", ctx)?;
        let subject = t
            .subject
            .as_ref()
            .map(|_| self.part("subject", ctx))
            .transpose()?;
        let html = t
            .html
            .as_ref()
            .map(|_| self.part("html", ctx))
            .transpose()?;
        let sms = (t.kind == TemplateKind::Sms).then(|| sms::info(&text));
        Ok(RenderedMessage {
            template: t.name.clone(),
            kind: t.kind,
            language: t.language.clone(),
            customer_id,
            subject: subject.map(|s| s.trim().to_owned()),
            text,
            html,
            sms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(t: NewTemplate) -> Result<()> {
        check(&t.validate()?)
    }

    #[test]
    fn known_fields_pass_and_unknown_ones_are_named() {
        let ok = NewTemplate::new(
            "Welcome",
            TemplateKind::Email,
            "{{ customer.salutation }}\n{% if next_booking %}{{ next_booking.departure }}{% endif %}\n{{ today }}",
        )
        .subject("Hello {{ customer.first_name | upper }}")
        .html("<p>{{ customer.full_name }}</p>");
        checked(ok).unwrap();
        for (text, needle) in [
            ("{{ customer.shoe_size }}", "customer.shoe_size"),
            ("{{ agency }}", "agency"),
            ("{{ next_booking.reference.x }}", "next_booking.reference.x"),
            ("{{ customer.first_name | reverse }}", "reverse is unknown"),
            ("{{ customer.first_name ", "line 1"),
            ("{% if customer %}", "line 1"),
        ] {
            let err = checked(NewTemplate::new("Bad", TemplateKind::Letter, text)).unwrap_err();
            assert_eq!(err.field(), Some("text"), "{text}");
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
        let err = checked(
            NewTemplate::new("Bad", TemplateKind::Email, "ok").subject("{{ customer.nope }}"),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("subject"));
    }

    #[test]
    fn the_field_list_is_the_context() {
        let json = serde_json::to_value(sample()).unwrap();
        let mut paths = Vec::new();
        for (key, value) in json.as_object().unwrap() {
            match value.as_object() {
                Some(fields) => paths.extend(fields.keys().map(|f| format!("{key}.{f}"))),
                None => paths.push(key.clone()),
            }
        }
        paths.sort();
        let mut listed: Vec<String> = TEMPLATE_FIELDS.iter().map(|f| f.to_string()).collect();
        listed.sort();
        assert_eq!(paths, listed);
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let t = NewTemplate::new("E", TemplateKind::Email, "{{ customer.last_name }}")
            .subject("{{ customer.last_name }}")
            .html("<b>{{ customer.last_name }}</b>")
            .validate()
            .unwrap();
        check(&t).unwrap();
        let stored = Template {
            name: t.name,
            kind: t.kind,
            language: None,
            subject: t.subject,
            text: t.text,
            html: t.html,
            updated_at: Utc::now(),
            updated_by: "u".into(),
        };
        let compiled = Compiled::new(stored).unwrap();
        let mut ctx = sample();
        ctx.customer.last_name = "<script>O'Brien & Co</script>".into();
        let out = compiled.render(CustomerId::new(), &ctx).unwrap();
        assert_eq!(out.text, "<script>O'Brien & Co</script>");
        assert_eq!(
            out.html.as_deref(),
            Some("<b>&lt;script&gt;O&#x27;Brien &amp; Co&lt;&#x2f;script&gt;</b>")
        );
        // Whatever gets past the checks, a render stops at its bound.
        let huge = Template {
            text: "{{ customer.first_name * 2000000 }}".into(),
            subject: None,
            html: None,
            kind: TemplateKind::Letter,
            ..compiled.template.clone()
        };
        let err = Compiled::new(huge)
            .unwrap()
            .render(CustomerId::new(), &sample())
            .unwrap_err();
        assert!(err.to_string().contains("renders to more than"), "{err}");
        // A booking the customer does not have fails its render, naming the part.
        let t = Template {
            text: "{{ next_booking.reference }}".into(),
            subject: None,
            html: None,
            kind: TemplateKind::Sms,
            ..compiled.template.clone()
        };
        let compiled = Compiled::new(t).unwrap();
        let mut ctx = sample();
        ctx.next_booking = None;
        assert_eq!(
            compiled
                .render(CustomerId::new(), &ctx)
                .unwrap_err()
                .field(),
            Some("text")
        );
    }
}
