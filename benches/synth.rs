//! The seeded synthetic data generator shared by the demo, the tests and the benchmarks.
//!
//! Same seed, same data: names with accents from several countries, phones typed in each
//! country's national and international formats, addresses, and bookings with realistic dates
//! (the past three years, a few months ahead), routes, statuses and invoices.

pub mod linkage;
pub mod measure;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use crm_core::{
    Actor, Address, BookingStatus, Consent, Customer, Invoice, Money, NewBooking, NewCustomer,
    PaymentStatus, Tenant,
};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A country the generator draws people from.
struct Country {
    code: &'static str,
    currency: &'static str,
    first: &'static [&'static str],
    last: &'static [&'static str],
    cities: &'static [(&'static str, &'static str)],
    streets: &'static [&'static str],
    /// Mobile number patterns, `#` a random digit; the first is international.
    phones: &'static [&'static str],
    language: &'static str,
}

const COUNTRIES: &[Country] = &[
    Country {
        code: "FR",
        currency: "EUR",
        first: &[
            "Hélène",
            "Zoé",
            "François",
            "Amélie",
            "Jérôme",
            "Cécile",
            "Noël",
            "Benoît",
            "Léa",
            "Gaëlle",
            "Théo",
            "Chloé",
            "Jean",
            "Marie",
            "Loïc",
        ],
        last: &[
            "Dupont",
            "Lefèvre",
            "Bérenger",
            "Moreau",
            "Girard",
            "Rousseau",
            "Fontaine",
            "Chevalier",
            "Lemaître",
            "Faure",
            "Mercier",
            "Noël",
            "Gauthier",
        ],
        cities: &[
            ("Lyon", "69003"),
            ("Paris", "75011"),
            ("Marseille", "13001"),
            ("Nice", "06000"),
            ("Bordeaux", "33000"),
            ("Annecy", "74000"),
        ],
        streets: &[
            "rue de la République",
            "avenue Jean Jaurès",
            "boulevard Saint-Michel",
            "place Bellecour",
            "chemin des Écoliers",
        ],
        phones: &[
            "+33 6 1# ## ## ##",
            "06 2# ## ## ##",
            "06.4#.##.##.##",
            "064#######",
            "0033 6 5# ## ## ##",
            "07 8# ## ## ##",
        ],
        language: "fr",
    },
    Country {
        code: "DE",
        currency: "EUR",
        first: &[
            "Jürgen",
            "Müller",
            "Björn",
            "Jörg",
            "Sören",
            "Käthe",
            "Anna",
            "Lukas",
            "Günther",
            "Sophie",
            "Maximilian",
        ],
        last: &[
            "Müller",
            "Schröder",
            "Groß",
            "Köhler",
            "Weiß",
            "Schäfer",
            "Bäcker",
            "Hoffmann",
            "Krüger",
            "Schmidt",
        ],
        cities: &[
            ("München", "80331"),
            ("Köln", "50667"),
            ("Berlin", "10115"),
            ("Düsseldorf", "40213"),
        ],
        streets: &[
            "Hauptstraße",
            "Königsallee",
            "Schloßstraße",
            "Bahnhofstraße",
        ],
        phones: &[
            "+49 151 ########",
            "+49 (0)151 ########",
            "0049 151 ########",
            "+49151########",
        ],
        language: "de",
    },
    Country {
        code: "ES",
        currency: "EUR",
        first: &[
            "José", "María", "Iñigo", "Begoña", "Jesús", "Lucía", "Martín", "Ángela", "Raúl",
        ],
        last: &[
            "Núñez",
            "García",
            "Muñoz",
            "Peña",
            "Ibáñez",
            "Fernández",
            "Gómez",
            "Martínez",
            "Álvarez",
        ],
        cities: &[
            ("Madrid", "28013"),
            ("Barcelona", "08002"),
            ("Sevilla", "41001"),
            ("Málaga", "29001"),
        ],
        streets: &[
            "Calle Mayor",
            "Avenida de la Constitución",
            "Paseo de Gracia",
            "Calle de Alcalá",
        ],
        phones: &["+34 6## ### ###", "+34 6########", "0034 6## ## ## ##"],
        language: "es",
    },
    Country {
        code: "IT",
        currency: "EUR",
        first: &[
            "Niccolò",
            "Giulia",
            "Luca",
            "Francesca",
            "Andrea",
            "Chiara",
            "Lorenzo",
            "Martina",
        ],
        last: &[
            "Rossi", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "De Luca", "Ricci",
        ],
        cities: &[
            ("Roma", "00184"),
            ("Milano", "20121"),
            ("Firenze", "50122"),
            ("Napoli", "80132"),
        ],
        streets: &[
            "Via Roma",
            "Corso Vittorio Emanuele",
            "Via Garibaldi",
            "Piazza del Duomo",
        ],
        phones: &["+39 347 ### ####", "+39 333 #######", "0039 340 ### ####"],
        language: "it",
    },
    Country {
        code: "GB",
        currency: "GBP",
        first: &[
            "Oliver", "Amelia", "Harry", "Isla", "George", "Siobhán", "Seán", "Emily", "Jack",
        ],
        last: &[
            "Smith", "O'Brien", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans",
        ],
        cities: &[
            ("London", "SW1A 1AA"),
            ("Manchester", "M1 1AE"),
            ("Edinburgh", "EH1 1YZ"),
        ],
        streets: &[
            "High Street",
            "Station Road",
            "Church Lane",
            "Victoria Road",
        ],
        phones: &["+44 7400 ######", "+44 (0)7500 ######", "0044 7800 ######"],
        language: "en-GB",
    },
    Country {
        code: "CH",
        currency: "CHF",
        first: &[
            "Urs", "Reto", "Céline", "Mélanie", "Ueli", "Régine", "Nadia",
        ],
        last: &[
            "Meier", "Zürcher", "Gächter", "Brändli", "Favre", "Bühler", "Rochat",
        ],
        cities: &[("Genève", "1201"), ("Zürich", "8001"), ("Lausanne", "1003")],
        streets: &["Rue du Rhône", "Bahnhofstrasse", "Avenue de la Gare"],
        phones: &["+41 79 ### ## ##", "+41 78 ### ## ##", "0041 76 ### ## ##"],
        language: "fr-CH",
    },
    Country {
        code: "PL",
        currency: "PLN",
        first: &[
            "Łukasz",
            "Małgorzata",
            "Paweł",
            "Agnieszka",
            "Michał",
            "Żaneta",
            "Wojciech",
        ],
        last: &[
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kamiński",
            "Łęcki",
            "Zieliński",
            "Dąbrowski",
        ],
        cities: &[
            ("Kraków", "31-001"),
            ("Warszawa", "00-001"),
            ("Gdańsk", "80-001"),
        ],
        streets: &[
            "ulica Floriańska",
            "ulica Marszałkowska",
            "aleja Grunwaldzka",
        ],
        phones: &["+48 512 ### ###", "+48 601 ### ###", "0048 512######"],
        language: "pl",
    },
    Country {
        code: "CN",
        currency: "CNY",
        first: &["伟", "芳", "娜", "秀英", "敏", "静", "磊"],
        last: &["王", "李", "张", "刘", "陈", "杨", "赵"],
        cities: &[("上海", "200000"), ("北京", "100000"), ("广州", "510000")],
        streets: &["南京路", "长安街", "中山路"],
        phones: &["+86 139 #### ####", "+86 138########"],
        language: "zh",
    },
    Country {
        code: "US",
        currency: "USD",
        first: &[
            "James", "Mary", "Michael", "Jennifer", "David", "Linda", "Renée", "José",
        ],
        last: &[
            "Johnson",
            "Miller",
            "Garcia",
            "Rodriguez",
            "Anderson",
            "Thompson",
            "Nguyen",
        ],
        cities: &[
            ("New York", "10001"),
            ("San Francisco", "94103"),
            ("Boston", "02108"),
        ],
        streets: &["Main Street", "Broadway", "Market Street", "5th Avenue"],
        phones: &["+1 212-7##-####", "+1 (415) 7##-####", "+1 617 7## ####"],
        language: "en-US",
    },
];

/// The Netherlands, for the eight countries of [`Synth::traveller`] (kept out of
/// [`COUNTRIES`], so the data of [`Synth::customer`] stays what it was).
const NETHERLANDS: Country = Country {
    code: "NL",
    currency: "EUR",
    first: &["Daan", "Sanne", "Bram", "Fenna", "Joël", "Lotte", "Sjoerd"],
    last: &[
        "de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "de Boer",
    ],
    cities: &[
        ("Amsterdam", "1012 AB"),
        ("Rotterdam", "3011 AA"),
        ("Utrecht", "3511 AD"),
    ],
    streets: &["Damrak", "Coolsingel", "Oudegracht"],
    phones: &["+31 6 #### ####", "+31 6########", "0031 6 ########"],
    language: "nl",
};

/// The eight countries of [`Synth::traveller`], by code, with the national forms their people
/// type their numbers in: mobiles, then a landline.
const NATIONAL: &[(&str, &[&str])] = &[
    (
        "FR",
        &["06 1# ## ## ##", "07 8# ## ## ##", "04 7# ## ## ##"],
    ),
    ("DE", &["0151 2#######", "0170 #######", "030 2######"]),
    ("ES", &["612 ## ## ##", "699 ### ###", "91 ### ## ##"]),
    ("GB", &["07400 ######", "07700 1#####", "020 7### ####"]),
    ("US", &["(212) 7##-####", "(415) 7##-####", "617-7##-####"]),
    ("IT", &["347 ### ####", "333 #######", "06 #### ####"]),
    ("NL", &["06 1#######", "06-2#######", "020 ### ####"]),
    ("CH", &["079 ### ## ##", "078 ### ## ##", "044 ### ## ##"]),
];

/// Syllables of made-up surnames, so that a large load holds thousands of distinct names.
const SYLLABLES: &[&str] = &[
    "ber", "man", "del", "ros", "kin", "var", "tel", "son", "mar", "lin", "dor", "ga", "ri", "lo",
    "ne", "sa", "vi", "to", "hal", "wen", "qui", "bru", "sch", "mo",
];

const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.fr",
    "orange.fr",
    "web.de",
    "outlook.com",
    "hotmail.co.uk",
    "free.fr",
    "gmx.de",
    "icloud.com",
    "qq.com",
];
const PLACES: &[&str] = &[
    "Aéroport Lyon-Saint Exupéry",
    "Gare de Lyon Part-Dieu",
    "Paris CDG T2E",
    "Gare du Nord",
    "Nice Côte d'Azur T1",
    "Genève Aéroport",
    "Zürich HB",
    "München Flughafen",
    "Hôtel Le Méridien",
    "Val Thorens",
    "Courchevel 1850",
    "Chamonix Centre",
    "Barcelona El Prat",
    "Roma Fiumicino",
    "London Heathrow T5",
];
const TRANSPORTS: &[&str] = &[
    "Sedan",
    "Van",
    "Minibus",
    "Coach",
    "TGV",
    "Eurostar",
    "Flight",
    "Helicopter",
];
const HOTELS: &[&str] = &[
    "Hôtel du Parc",
    "Le Méridien",
    "Ibis Styles",
    "Novotel Centre",
    "Chalet des Neiges",
    "Hotel Adlon",
    "Park Hyatt",
];
const SALESPEOPLE: &[&str] = &["alice", "bruno", "chloé", "dmitri", "eva"];

/// A deterministic source of synthetic customers and bookings.
pub struct Synth {
    rng: ChaCha8Rng,
    next_ref: u64,
    prefix: String,
    today: NaiveDate,
}

impl Synth {
    /// A generator for one seed. References are prefixed with `prefix` (one per tenant).
    pub fn new(seed: u64, prefix: &str) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            next_ref: 1,
            prefix: prefix.to_owned(),
            today: NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date"),
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.rng).expect("non-empty list")
    }

    fn digits(&mut self, pattern: &str) -> String {
        pattern
            .chars()
            .map(|c| {
                if c == '#' {
                    char::from(b'0' + self.rng.random_range(0..10u8))
                } else {
                    c
                }
            })
            .collect()
    }

    /// A customer of a tenant whose default phone region is `FR`: mostly French, the rest from
    /// eight other countries, phones as people type them.
    pub fn customer(&mut self) -> NewCustomer {
        let country = if self.rng.random_bool(0.55) {
            &COUNTRIES[0]
        } else {
            self.pick_country()
        };
        self.customer_of(country)
    }

    fn customer_of(&mut self, country: &'static Country) -> NewCustomer {
        let first = self.pick(country.first);
        let last = self.pick(country.last);
        let (city, zip) = self.pick(country.cities);
        let email = self.rng.random_bool(0.85).then(|| self.email(first, last));
        let mobile = self.rng.random_bool(0.8).then(|| {
            // National formats only read right in the tenant's own region.
            let pattern = if country.code == "FR" {
                self.pick(country.phones)
            } else {
                country.phones[self.rng.random_range(0..country.phones.len())]
            };
            self.digits(pattern)
        });
        let phone = (country.code == "FR" && self.rng.random_bool(0.2))
            .then(|| self.digits("04 7# ## ## ##"));
        let street = self.pick(country.streets);
        let birth = self.rng.random_bool(0.4).then(|| {
            NaiveDate::from_ymd_opt(1940, 1, 1).expect("valid date")
                + Duration::days(self.rng.random_range(0..(365 * 65)))
        });
        let consent_at = Utc
            .with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
            .single()
            .expect("valid time")
            + Duration::minutes(self.rng.random_range(0..(60 * 24 * 600)));
        NewCustomer {
            first_name: first.into(),
            last_name: last.into(),
            company: self.rng.random_bool(0.1).then(|| {
                format!(
                    "{last} {}",
                    self.pick(&["SARL", "GmbH", "S.L.", "Ltd", "SA"])
                )
            }),
            email,
            phone,
            mobile,
            address: Address {
                street: Some(format!("{} {street}", self.rng.random_range(1..200))),
                zip: Some(zip.into()),
                city: Some(city.into()),
                region: None,
                country: Some(country.code.into()),
            },
            birth_date: birth,
            language: Some(country.language.into()),
            notes: self
                .rng
                .random_bool(0.1)
                .then(|| "Préfère un siège côté fenêtre.\nAllergique aux arachides.".to_string()),
            consent: Consent {
                email: self.rng.random_bool(0.5).then_some(consent_at),
                sms: self.rng.random_bool(0.3).then_some(consent_at),
            },
            salesperson: Some(self.pick(SALESPEOPLE).into()),
            ..Default::default()
        }
    }

    /// A customer of one of eight countries (France, Germany, Spain, the UK, the US, Italy, the
    /// Netherlands, Switzerland) in equal shares, with the address country set and phones typed
    /// in the country's national format, as an address book of a multi-country agency holds
    /// them; surnames are drawn from thousands.
    pub fn traveller(&mut self) -> NewCustomer {
        let (code, national) = NATIONAL[self.rng.random_range(0..NATIONAL.len())];
        let country = COUNTRIES
            .iter()
            .find(|c| c.code == code)
            .unwrap_or(&NETHERLANDS);
        let mut c = self.customer_of(country);
        let last = if self.rng.random_bool(0.3) {
            self.pick(country.last).to_owned()
        } else {
            let n = self.rng.random_range(2..4);
            let mut name: String = (0..n).map(|_| self.pick(SYLLABLES)).collect();
            name[..1].make_ascii_uppercase();
            name
        };
        c.email = c.email.is_some().then(|| self.email(&c.first_name, &last));
        c.last_name = last;
        let mobile = national[self.rng.random_range(0..2)];
        c.mobile = c.mobile.is_some().then(|| self.digits(mobile));
        c.phone = self.rng.random_bool(0.3).then(|| self.digits(national[2]));
        c
    }

    fn pick_country(&mut self) -> &'static Country {
        &COUNTRIES[self.rng.random_range(1..COUNTRIES.len())]
    }

    fn email(&mut self, first: &str, last: &str) -> String {
        let ascii = |s: &str| -> String {
            crm_core::fold(s)
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect()
        };
        let (f, l) = (ascii(first), ascii(last));
        let local = match (f.is_empty() || l.is_empty(), self.rng.random_range(0..4)) {
            (true, _) => format!("client{}", self.rng.random_range(100..99_999)),
            (false, 0) => format!("{f}.{l}"),
            (false, 1) => format!("{}{l}{}", &f[..1], self.rng.random_range(1..99)),
            (false, 2) => format!("{f}_{l}{}", self.rng.random_range(1950..2005)),
            (false, _) => format!("{l}.{f}{}", self.rng.random_range(1..999)),
        };
        let email = format!("{local}@{}", self.pick(DOMAINS));
        if self.rng.random_bool(0.1) {
            capitalise(&email)
        } else {
            email
        }
    }

    /// How many bookings a customer has: 0 to `max`, most have few.
    pub fn booking_count(&mut self, max: u32) -> u32 {
        let x: f64 = self.rng.random();
        (x * x * f64::from(max + 1)) as u32
    }

    /// A booking for `customer`, with the next reference of this generator.
    pub fn booking(&mut self, customer: &Customer) -> NewBooking {
        let mut booking = self.booking_in(customer.address.country.as_deref());
        booking.customer_id = Some(customer.id);
        booking
    }

    /// A booking of a customer of `country` (its currency), linked to no one, with the next
    /// reference of this generator.
    pub fn booking_in(&mut self, country: Option<&str>) -> NewBooking {
        let reference = format!("{}-{:07}", self.prefix, self.next_ref);
        self.next_ref += 1;
        let days_ago = self.rng.random_range(-120..(3 * 365));
        let offset =
            FixedOffset::east_opt(3600 * self.rng.random_range(0..3)).expect("valid offset");
        let day = self.today - Duration::days(days_ago);
        let pickup: DateTime<FixedOffset> = offset
            .from_local_datetime(
                &day.and_hms_opt(
                    self.rng.random_range(5..22),
                    5 * self.rng.random_range(0..12),
                    0,
                )
                .expect("valid time"),
            )
            .single()
            .expect("fixed offsets are unambiguous");
        let status = match (days_ago > 0, self.rng.random_range(0..20)) {
            (_, 0) => BookingStatus::Cancelled,
            (true, 1) => BookingStatus::NoShow,
            (true, _) => BookingStatus::Completed,
            (false, 2..=4) => BookingStatus::Quote,
            (false, 5..=7) => BookingStatus::Pending,
            (false, _) => BookingStatus::Confirmed,
        };
        let from = self.pick(PLACES);
        let mut to = self.pick(PLACES);
        if to == from {
            to = PLACES[0];
        }
        let currency = COUNTRIES
            .iter()
            .find(|c| Some(c.code) == country)
            .map_or("EUR", |c| c.currency);
        let invoiced = !matches!(status, BookingStatus::Quote | BookingStatus::Pending);
        let payment = self.pick(&[
            PaymentStatus::Paid,
            PaymentStatus::Paid,
            PaymentStatus::Unpaid,
            PaymentStatus::PartiallyPaid,
        ]);
        let return_at = self
            .rng
            .random_bool(0.3)
            .then(|| pickup + Duration::days(self.rng.random_range(2..15)));
        NewBooking {
            reference: reference.clone(),
            customer_id: None,
            status,
            pickup_at: pickup,
            return_at,
            route_from: from.into(),
            route_to: to.into(),
            transport: Some(self.pick(TRANSPORTS).into()),
            hotel: self.rng.random_bool(0.4).then(|| self.pick(HOTELS).into()),
            salesperson: Some(self.pick(SALESPEOPLE).into()),
            invoices: invoiced
                .then(|| {
                    Invoice::new(
                        format!("F{reference}"),
                        Money {
                            minor: self.rng.random_range(4_500..250_000),
                            currency: currency.into(),
                        },
                        if status == BookingStatus::Cancelled {
                            PaymentStatus::Refunded
                        } else {
                            payment
                        },
                    )
                })
                .into_iter()
                .collect(),
        }
    }

    /// Fills `tenant` with `customers` customers (in batches of one transaction each) and 0 to
    /// `max_bookings` bookings each. Returns the customers created and the number of bookings.
    pub fn populate(
        &mut self,
        tenant: &Tenant,
        actor: &Actor,
        customers: usize,
        max_bookings: u32,
    ) -> crm_core::Result<(Vec<Customer>, usize)> {
        const BATCH: usize = 5_000;
        let mut created = Vec::with_capacity(customers);
        let mut bookings = 0;
        while created.len() < customers {
            let n = BATCH.min(customers - created.len());
            let batch: Vec<NewCustomer> = (0..n).map(|_| self.customer()).collect();
            let stored = tenant.create_customers(actor, batch)?;
            let mut trips = Vec::new();
            for c in &stored {
                for _ in 0..self.booking_count(max_bookings) {
                    trips.push(self.booking(c));
                }
            }
            bookings += trips.len();
            tenant.upsert_bookings(actor, trips)?;
            created.extend(stored);
        }
        Ok((created, bookings))
    }
}

fn capitalise(email: &str) -> String {
    let mut out = String::with_capacity(email.len());
    let mut up = true;
    for c in email.chars() {
        out.extend(if up {
            c.to_uppercase().collect::<Vec<_>>()
        } else {
            vec![c]
        });
        up = matches!(c, '.' | '@' | '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::{Crm, Role, TenantSettings};

    #[test]
    fn same_seed_same_data_and_everything_validates() {
        let a: Vec<_> = {
            let mut s = Synth::new(7, "T");
            (0..50).map(|_| s.customer()).collect()
        };
        let b: Vec<_> = {
            let mut s = Synth::new(7, "T");
            (0..50).map(|_| s.customer()).collect()
        };
        assert_eq!(a, b);

        let crm = Crm::open_in_memory().unwrap();
        let t = crm.tenant("t").unwrap();
        let actor = Actor::new("seed", Role::System);
        t.set_settings(&actor, TenantSettings::with_region("FR"))
            .unwrap();
        let (customers, bookings) = Synth::new(1, "T").populate(&t, &actor, 600, 20).unwrap();
        assert_eq!(customers.len(), 600);
        assert!(bookings > 600, "{bookings}");
        assert!(customers.iter().any(|c| !c.first_name.is_ascii()));
    }
}
