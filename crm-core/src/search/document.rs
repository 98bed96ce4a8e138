//! The index schema and the document of one customer. The index holds only what it needs to
//! match, filter and sort; SQLite hydrates the results.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};

use super::terms;
use crate::model::{IndexedCustomer, fold};

/// Bumped when the schema or the terms change: an index of another version is rebuilt.
pub(super) const INDEX_VERSION: u32 = 17;

/// Fast-field name of the day of the latest booking.
pub(super) const RECENCY: &str = "recency";
/// The recency of a customer without bookings: before any day a booking can have, and close
/// enough to them that the column stays narrow.
pub(super) const NO_BOOKING_DAY: i64 = -100_000;

/// Fast-field names of the id's halves.
pub(super) const ID_HIGH: &str = "id_high";
pub(super) const ID_LOW: &str = "id_low";

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) tenant: Field,
    /// The customer id's 16 bytes, indexed to replace or delete its document.
    pub(super) id: Field,
    /// The id's high and low 64 bits as fast fields: a hit's id without touching the doc store.
    pub(super) id_high: Field,
    pub(super) id_low: Field,
    /// Edge n-grams and phone digits for type-ahead, scoped to the tenant (`agency/dup`).
    pub(super) gram: Field,
    /// Whole folded words, for typo tolerance, scoped to the tenant.
    pub(super) word: Field,
    /// Whole local parts of emails (`agency/jean.dupont`), scoped to the tenant, apart from the
    /// words so typo lookups on those stay quick.
    pub(super) local: Field,
    pub(super) customer_no: Field,
    pub(super) first_name: Field,
    pub(super) last_name: Field,
    pub(super) company: Field,
    pub(super) email: Field,
    pub(super) street: Field,
    pub(super) zip: Field,
    pub(super) city: Field,
    pub(super) region: Field,
    pub(super) country: Field,
    pub(super) contact: Field,
    pub(super) language: Field,
    pub(super) salesperson: Field,
    pub(super) list: Field,
    pub(super) transport: Field,
    pub(super) hotel: Field,
    pub(super) status: Field,
    /// The salespeople of its bookings.
    pub(super) booking_salesperson: Field,
    /// The payment statuses of its bookings' invoices.
    pub(super) payment: Field,
    /// Whether an invoice of its bookings still has something owed on it (`Invoice::owed`).
    pub(super) outstanding: Field,
    /// The facts of each booking taken together (see [`bookings`](super::bookings)).
    pub(super) booking: Field,
    /// The UTC days of its bookings' pickups, days since the epoch: a period is a few terms.
    pub(super) departure: Field,
    pub(super) has_email: Field,
    pub(super) has_mobile: Field,
    pub(super) created: Field,
    pub(super) last_booking: Field,
    /// The day of the latest booking (days since the epoch, [`NO_BOOKING_DAY`] without one): a
    /// narrow column for ranking by relevance, where the day is precise enough.
    pub(super) recency: Field,
    pub(super) sort_name: Field,
}

impl Fields {
    pub(super) fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        // Raw terms, doc ids only: no frequencies, no positions, and no field norms (nothing is
        // scored).
        let keyword = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        // Sort keys and ranges are read from columns, never looked up as terms.
        let sortable = TextOptions::default().set_fast("raw");
        let fields = Self {
            tenant: b.add_text_field("tenant", keyword.clone()),
            id: b.add_bytes_field("id", INDEXED),
            id_high: b.add_u64_field(ID_HIGH, FAST),
            id_low: b.add_u64_field(ID_LOW, FAST),
            gram: b.add_text_field("gram", keyword.clone()),
            word: b.add_text_field("word", keyword.clone()),
            local: b.add_text_field("local", keyword.clone()),
            customer_no: b.add_i64_field("customer_no", INDEXED),
            first_name: b.add_text_field("first_name", keyword.clone()),
            last_name: b.add_text_field("last_name", keyword.clone()),
            company: b.add_text_field("company", keyword.clone()),
            email: b.add_text_field("email", keyword.clone()),
            street: b.add_text_field("street", keyword.clone()),
            zip: b.add_text_field("zip", keyword.clone()),
            city: b.add_text_field("city", keyword.clone()),
            region: b.add_text_field("region", keyword.clone()),
            country: b.add_text_field("country", keyword.clone()),
            contact: b.add_text_field("contact", keyword.clone()),
            language: b.add_text_field("language", keyword.clone()),
            salesperson: b.add_text_field("salesperson", keyword.clone()),
            list: b.add_text_field("list", keyword.clone()),
            transport: b.add_text_field("transport", keyword.clone()),
            hotel: b.add_text_field("hotel", keyword.clone()),
            status: b.add_text_field("status", keyword.clone()),
            booking_salesperson: b.add_text_field("booking_salesperson", keyword.clone()),
            payment: b.add_text_field("payment", keyword.clone()),
            booking: b.add_text_field("booking", keyword),
            departure: b.add_i64_field("departure", INDEXED),
            has_email: b.add_bool_field("has_email", INDEXED),
            has_mobile: b.add_bool_field("has_mobile", INDEXED),
            outstanding: b.add_bool_field("outstanding", INDEXED),
            created: b.add_i64_field("created", FAST),
            last_booking: b.add_i64_field("last_booking", FAST),
            recency: b.add_i64_field(RECENCY, FAST),
            sort_name: b.add_text_field("sort_name", sortable),
        };
        (b.build(), fields)
    }

    /// The document of one customer.
    pub(super) fn document(&self, c: &IndexedCustomer) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        let customer = &c.customer;
        doc.add_text(self.tenant, &c.tenant);
        let id = customer.id.as_uuid();
        doc.add_bytes(self.id, id.as_bytes().as_slice());
        let (high, low) = id.as_u64_pair();
        doc.add_u64(self.id_high, high);
        doc.add_u64(self.id_low, low);
        // Scoped terms are spelt in one buffer and copied into the document.
        let mut scoped = String::with_capacity(c.tenant.len() + 32);
        scoped.push_str(&c.tenant);
        scoped.push('/');
        let scope = scoped.len();
        let mut add_scoped = |doc: &mut TantivyDocument, field: Field, term: &str| {
            scoped.truncate(scope);
            scoped.push_str(term);
            doc.add_text(field, &scoped);
        };
        terms::each_gram(customer, &mut |gram| add_scoped(&mut doc, self.gram, gram));
        for word in terms::customer_words(customer) {
            add_scoped(&mut doc, self.word, &word);
        }
        for local in terms::local_parts(customer) {
            add_scoped(&mut doc, self.local, &local);
        }
        doc.add_i64(self.customer_no, customer.customer_no);
        let words = |doc: &mut TantivyDocument, field: Field, text: Option<&String>| {
            if let Some(text) = text {
                terms::each_word(&fold(text), &mut |w| doc.add_text(field, w));
            }
        };
        words(&mut doc, self.first_name, Some(&customer.first_name));
        words(&mut doc, self.last_name, Some(&customer.last_name));
        words(&mut doc, self.company, customer.company.as_ref());
        words(&mut doc, self.street, customer.address.street.as_ref());
        words(&mut doc, self.city, customer.address.city.as_ref());
        words(&mut doc, self.contact, customer.contact_person.as_ref());
        for email in customer.email.iter().chain(&customer.secondary_emails) {
            doc.add_text(self.email, fold(email.trim()));
        }
        let exact = |doc: &mut TantivyDocument, field: Field, text: Option<&String>| {
            if let Some(t) = text {
                doc.add_text(field, normalise_value(t));
            }
        };
        exact(&mut doc, self.zip, customer.address.zip.as_ref());
        exact(&mut doc, self.region, customer.address.region.as_ref());
        exact(&mut doc, self.country, customer.address.country.as_ref());
        exact(&mut doc, self.language, customer.language.as_ref());
        exact(&mut doc, self.salesperson, customer.salesperson.as_ref());
        for list in &customer.lists {
            doc.add_text(self.list, normalise_value(list));
        }
        let mut facts = std::collections::BTreeSet::new();
        for b in &c.bookings {
            for (field, value) in [
                (self.transport, b.transport.as_deref()),
                (self.hotel, b.hotel.as_deref()),
                (self.status, Some(b.status.as_str())),
                (self.booking_salesperson, b.salesperson.as_deref()),
            ] {
                if let Some(value) = value {
                    facts.insert((field, normalise_value(value)));
                }
            }
            for payment in &b.payments {
                facts.insert((self.payment, normalise_value(payment.as_str())));
            }
        }
        for (field, value) in facts {
            doc.add_text(field, value);
        }
        for term in super::bookings::terms(&c.bookings) {
            doc.add_text(self.booking, term);
        }
        let mut days: Vec<i64> = c.bookings.iter().map(|b| b.day).collect();
        days.sort_unstable();
        days.dedup();
        for day in days {
            doc.add_i64(self.departure, day);
        }
        let owes = c.bookings.iter().any(|b| b.owes);
        doc.add_bool(self.outstanding, owes);
        doc.add_bool(self.has_email, customer.email.is_some());
        doc.add_bool(self.has_mobile, customer.mobile.is_some());
        doc.add_i64(self.created, customer.created_at.timestamp_micros());
        doc.add_i64(self.last_booking, c.last_booking);
        doc.add_i64(self.recency, c.last_booking_day.unwrap_or(NO_BOOKING_DAY));
        doc.add_text(self.sort_name, customer.sort_name());
        doc
    }
}

/// How a whole value (zip, country, salesperson, transport...) is compared: folded, trimmed,
/// inner whitespace collapsed.
pub(super) fn normalise_value(value: &str) -> String {
    fold(value).split_whitespace().collect::<Vec<_>>().join(" ")
}
