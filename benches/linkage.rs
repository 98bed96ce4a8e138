//! A labelled record-linkage corpus in the manner of the benchmark generators (FEBRL, GeCo):
//! people drawn from name and place frequency tables, each entered one to six times with
//! corruptions applied independently to every copy (typos, swapped names, nicknames, changed
//! surnames, missing fields, birth-date typos, email case and provider aliases, phones in other
//! formats or without their area code), and true non-duplicates that look alike: household
//! members sharing a home, a landline and sometimes an email, and namesakes.
//!
//! The tenant's region is Australia; a fifth of the people live abroad and give international
//! numbers.

use chrono::{Datelike, Duration, NaiveDate};
use crm_core::{Address, NewCustomer};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// First names, by sex; drawn with falling frequency (the first ones most common).
const FEMALE: &[&str] = &[
    "Olivia",
    "Charlotte",
    "Mia",
    "Amelia",
    "Isla",
    "Ava",
    "Grace",
    "Chloe",
    "Sophie",
    "Emily",
    "Ella",
    "Ruby",
    "Zoe",
    "Lily",
    "Harper",
    "Matilda",
    "Evie",
    "Sienna",
    "Ivy",
    "Willow",
    "Jessica",
    "Sarah",
    "Emma",
    "Hannah",
    "Laura",
    "Rebecca",
    "Megan",
    "Natalie",
    "Rachel",
    "Katherine",
    "Elizabeth",
    "Margaret",
    "Jennifer",
    "Susan",
    "Patricia",
    "Christine",
    "Nicole",
    "Michelle",
    "Melissa",
    "Amanda",
    "Kylie",
    "Leanne",
    "Tanya",
    "Bronwyn",
    "Domenique",
    "Mikhayla",
    "Tahlia",
    "Jacinta",
    "Brooke",
    "Caitlin",
    "Georgia",
    "Madison",
    "Alyssa",
    "Jade",
    "Hélène",
    "Zoé",
    "Łucja",
    "Anaïs",
    "Renée",
    "Bérénice",
    "Søren",
    "Ingrid",
    "Aoife",
    "Siobhán",
    "Giulia",
    "Francesca",
    "María",
    "Lucía",
    "Begoña",
    "Małgorzata",
    "Agnieszka",
    "Yuki",
    "Mei",
    "Priya",
    "Ananya",
    "Fatima",
    "Aisha",
    "Leila",
    "Noor",
    "Tamsin",
    "Imogen",
    "Phoebe",
    "Clementine",
    "Ottilie",
    "Florence",
    "Beatrice",
    "Harriet",
    "Penelope",
    "Adeline",
    "Eloise",
];
const MALE: &[&str] = &[
    "Oliver",
    "Jack",
    "William",
    "Noah",
    "Leo",
    "Henry",
    "Thomas",
    "Lucas",
    "James",
    "Charlie",
    "Hudson",
    "Ethan",
    "Mason",
    "Liam",
    "Harrison",
    "Samuel",
    "Archie",
    "Max",
    "Levi",
    "Hunter",
    "Michael",
    "David",
    "Andrew",
    "Daniel",
    "Matthew",
    "Robert",
    "Richard",
    "Christopher",
    "Anthony",
    "Joseph",
    "Benjamin",
    "Nicholas",
    "Alexander",
    "Patrick",
    "Edward",
    "Joshua",
    "Ryan",
    "Nathan",
    "Bradley",
    "Shane",
    "Darren",
    "Craig",
    "Brendan",
    "Lachlan",
    "Angus",
    "Fletcher",
    "Declan",
    "Callum",
    "Rhys",
    "Jayden",
    "François",
    "Jérôme",
    "Benoît",
    "Jürgen",
    "Björn",
    "Søren",
    "Łukasz",
    "Paweł",
    "Giuseppe",
    "Francesco",
    "José",
    "Jesús",
    "Iñigo",
    "Raúl",
    "Hiroshi",
    "Kenji",
    "Wei",
    "Arjun",
    "Rohan",
    "Omar",
    "Yusuf",
    "Tariq",
    "Seamus",
    "Ciarán",
    "Eoin",
    "Dmitri",
    "Mikhail",
    "Nikolai",
    "Tobias",
    "Felix",
    "Rupert",
    "Hugo",
    "Jasper",
    "Barnaby",
    "Ambrose",
    "Percival",
    "Tristan",
    "Lysander",
];

/// Surname parts: a surname is a stem and an ending, so that thousands exist with a few very
/// common ones (the first stems and endings are drawn most).
const STEMS: &[&str] = &[
    "Smith", "John", "Will", "Brown", "Jon", "Tay", "Wil", "Thom", "Whit", "Mart", "Ander", "Har",
    "Rob", "Walk", "Young", "King", "Wright", "Green", "Hall", "Wood", "Clark", "Hugh", "Mitch",
    "Camp", "Kel", "Ryan", "Ed", "Mac", "Mc", "O'Br", "O'Connor", "Fitz", "Pater", "Han", "Hanna",
    "Gall", "Fer", "Gar", "Mül", "Schmi", "Schnei", "Dup", "Lef", "Nguy", "Tran", "Le", "Pham",
    "Wong", "Chen", "Li", "Zhang", "Sing", "Pat", "Kow", "Nowak", "Kov", "Petr", "Ivan", "Popo",
    "Rossi", "Bian", "Esposit", "Rom", "Col", "Ric", "Mor", "Fern", "Rodr", "Gonz", "Lop", "Sanch",
    "Per", "Nún", "Ibá", "Ols", "Lars", "Niels", "Jens", "Bergs", "Lind", "Holm", "Eriks", "Kar",
    "Ahm", "Hass", "Kha", "Abd", "Mahm", "Ali", "Doy", "Murph", "Kenn", "Sulliv", "Quinl", "Bren",
    "Dunn", "Hig", "Whitt", "Ashw", "Brad", "Crawf", "Dalg", "Fairb", "Gilch", "Hamm", "Inn",
    "Jard", "Kirkp", "Lock", "Mont", "Norw",
];
const ENDINGS: &[&str] = &[
    "", "son", "s", "er", "ley", "ton", "ford", "ham", "by", "well", "wood", "en", "ins", "ell",
    "an", "ing", "ard", "ock", "ett", "ow", "ay", "er", "ini", "elli", "ez", "sen", "ström", "ić",
    "ov", "ova", "ski", "ska", "ler", "mann", "ault", "ier", "ois", "agan", "igan", "aghan", "ey",
    "ie", "ry", "worth", "combe", "field", "hurst", "more", "stone", "wick",
];

/// Suburbs with their postcodes and area code.
const SUBURBS: &[(&str, &str, &str)] = &[
    ("Melbourne", "3000", "3"),
    ("Carlton", "3053", "3"),
    ("Fitzroy", "3065", "3"),
    ("St Kilda", "3182", "3"),
    ("Brunswick", "3056", "3"),
    ("Geelong", "3220", "3"),
    ("Ballarat", "3350", "3"),
    ("Bendigo", "3550", "3"),
    ("Sydney", "2000", "2"),
    ("Parramatta", "2150", "2"),
    ("Newtown", "2042", "2"),
    ("Bondi", "2026", "2"),
    ("Manly", "2095", "2"),
    ("Newcastle", "2300", "2"),
    ("Wollongong", "2500", "2"),
    ("Canberra", "2600", "2"),
    ("Brisbane", "4000", "7"),
    ("Fortitude Valley", "4006", "7"),
    ("Southport", "4215", "7"),
    ("Toowoomba", "4350", "7"),
    ("Cairns", "4870", "7"),
    ("Perth", "6000", "8"),
    ("Fremantle", "6160", "8"),
    ("Adelaide", "5000", "8"),
    ("Glenelg", "5045", "8"),
    ("Hobart", "7000", "3"),
    ("Launceston", "7250", "3"),
    ("Darwin", "0800", "8"),
];
const STREETS: &[&str] = &[
    "Collins",
    "Bourke",
    "Flinders",
    "Elizabeth",
    "Swanston",
    "Lygon",
    "Chapel",
    "Acland",
    "George",
    "Pitt",
    "Oxford",
    "Crown",
    "King",
    "Queen",
    "Victoria",
    "Albert",
    "Church",
    "Station",
    "High",
    "Park",
    "Railway",
    "Beach",
    "Ocean",
    "Hill",
    "Forest",
    "River",
    "Wattle",
    "Banksia",
    "Acacia",
    "Jacaranda",
    "Waratah",
    "Gum",
    "Kookaburra",
    "Lorikeet",
    "Murray",
    "Darling",
    "Sturt",
    "Hume",
    "Macquarie",
    "Bligh",
    "Phillip",
    "Hunter",
];
const STREET_TYPES: &[(&str, &str)] = &[
    ("Street", "St"),
    ("Road", "Rd"),
    ("Avenue", "Ave"),
    ("Parade", "Pde"),
    ("Crescent", "Cres"),
    ("Drive", "Dr"),
    ("Place", "Pl"),
    ("Court", "Ct"),
];
const PROVIDERS: &[&str] = &[
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "bigpond.com",
    "yahoo.com.au",
    "icloud.com",
    "optusnet.com.au",
    "iinet.net.au",
];

/// Countries of people living abroad: dialling code and a mobile pattern (`#` a digit).
const ABROAD: &[(&str, &str)] = &[
    ("NZ", "+64 21 ### ####"),
    ("GB", "+44 7700 9## ###"),
    ("FR", "+33 6 ## ## ## ##"),
    ("DE", "+49 151 ########"),
    ("US", "+1 415 555 ####"),
];

/// Nickname pairs the corruption may use.
const NICKNAMES: &[(&str, &str)] = &[
    ("William", "Bill"),
    ("Robert", "Bob"),
    ("Michael", "Mike"),
    ("Elizabeth", "Liz"),
    ("Katherine", "Kate"),
    ("Margaret", "Maggie"),
    ("Richard", "Rick"),
    ("Thomas", "Tom"),
    ("James", "Jim"),
    ("Daniel", "Dan"),
    ("Andrew", "Andy"),
    ("Christopher", "Chris"),
    ("Alexander", "Alex"),
    ("Jennifer", "Jenny"),
    ("Patricia", "Pat"),
    ("Samuel", "Sam"),
    ("Benjamin", "Ben"),
    ("Nicholas", "Nick"),
    ("Joseph", "Joe"),
    ("Edward", "Ted"),
];

/// A labelled record: the customer as typed, and the person it is.
pub type Labelled = (NewCustomer, usize);

/// Index into a list drawn with falling frequency: item `i` weighs `1 / (i + 1)^s`.
fn zipf(rng: &mut ChaCha8Rng, n: usize, s: f64) -> usize {
    // Inverse transform on the continuous approximation, clamped to the list.
    let u: f64 = rng.random();
    let x = if (s - 1.0).abs() < 1e-9 {
        ((n as f64 + 1.0).ln() * u).exp() - 1.0
    } else {
        let top = (n as f64 + 1.0).powf(1.0 - s);
        ((top - 1.0) * u + 1.0).powf(1.0 / (1.0 - s)) - 1.0
    };
    (x as usize).min(n - 1)
}

fn digits(rng: &mut ChaCha8Rng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| match c {
            '#' => char::from(b'0' + rng.random_range(0..10u8)),
            c => c,
        })
        .collect()
}

/// A person before any record of them is typed.
#[derive(Clone)]
struct Person {
    first: String,
    last: String,
    female: bool,
    birth: NaiveDate,
    email: Option<String>,
    mobile: Option<String>,
    /// Landline: area code and subscriber digits.
    landline: Option<(String, String)>,
    address: Address,
    abroad: bool,
}

/// The generator: a seed, and the emails given so far (one per person, as real ones are).
pub struct Linkage {
    rng: ChaCha8Rng,
    emails: std::collections::HashSet<String>,
}

impl Linkage {
    /// A generator for one seed.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            emails: std::collections::HashSet::new(),
        }
    }

    fn surname(&mut self) -> String {
        let stem = STEMS[zipf(&mut self.rng, STEMS.len(), 1.1)];
        let ending = ENDINGS[zipf(&mut self.rng, ENDINGS.len(), 0.9)];
        format!("{stem}{ending}")
    }

    fn first_name(&mut self, female: bool) -> String {
        let names = if female { FEMALE } else { MALE };
        names[zipf(&mut self.rng, names.len(), 0.8)].to_owned()
    }

    fn email_for(&mut self, first: &str, last: &str) -> String {
        let clean = |s: &str| {
            crm_core::fold(s)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        };
        let (f, l) = (clean(first), clean(last));
        let provider = PROVIDERS[zipf(&mut self.rng, PROVIDERS.len(), 1.0)];
        loop {
            let local = match self.rng.random_range(0..4) {
                0 => format!("{f}.{l}"),
                1 => format!("{f}{l}{}", self.rng.random_range(1..100)),
                2 => format!("{}{l}", &f[..1.min(f.len())]),
                _ => format!("{f}.{l}{}", self.rng.random_range(1..100)),
            };
            let email = format!("{local}@{provider}");
            if self.emails.insert(email.clone()) {
                return email;
            }
        }
    }

    fn address(&mut self) -> (Address, String) {
        let (suburb, postcode, area) = SUBURBS[zipf(&mut self.rng, SUBURBS.len(), 0.7)];
        let street = STREETS[self.rng.random_range(0..STREETS.len())];
        let (kind, _) = STREET_TYPES[zipf(&mut self.rng, STREET_TYPES.len(), 1.0)];
        let number = self.rng.random_range(1..250);
        let unit = if self.rng.random_bool(0.15) {
            format!("{}/", self.rng.random_range(1..30))
        } else {
            String::new()
        };
        (
            Address {
                street: Some(format!("{unit}{number} {street} {kind}")),
                zip: Some(postcode.into()),
                city: Some(suburb.into()),
                region: None,
                country: Some("AU".into()),
            },
            area.to_owned(),
        )
    }

    fn person(&mut self) -> Person {
        let female = self.rng.random_bool(0.5);
        let first = self.first_name(female);
        let last = self.surname();
        let birth = NaiveDate::from_ymd_opt(1935, 1, 1).expect("valid date")
            + Duration::days(self.rng.random_range(0..(365 * 70)));
        let abroad = self.rng.random_bool(0.2);
        let (mut address, area) = self.address();
        let mobile = self.rng.random_bool(0.8).then(|| {
            if abroad {
                let (_, pattern) = ABROAD[self.rng.random_range(0..ABROAD.len())];
                digits(&mut self.rng, pattern)
            } else {
                digits(&mut self.rng, "04## ### ###")
            }
        });
        if abroad {
            address.country = Some(ABROAD[self.rng.random_range(0..ABROAD.len())].0.into());
        }
        let landline = (!abroad && self.rng.random_bool(0.35)).then(|| {
            let subscriber = match area.as_str() {
                "2" => digits(&mut self.rng, "9### ####"),
                "3" => digits(&mut self.rng, "9### ####"),
                "7" => digits(&mut self.rng, "3### ####"),
                _ => digits(&mut self.rng, "9### ####"),
            };
            (area, subscriber)
        });
        let email = self
            .rng
            .random_bool(0.85)
            .then(|| self.email_for(&first, &last));
        Person {
            first,
            last,
            female,
            birth,
            email,
            mobile,
            landline,
            address,
            abroad,
        }
    }

    /// The record of a person as first typed: complete but for what they never gave.
    fn record(&mut self, p: &Person) -> NewCustomer {
        NewCustomer {
            first_name: p.first.clone(),
            last_name: p.last.clone(),
            email: p.email.clone(),
            mobile: p.mobile.clone(),
            phone: p
                .landline
                .as_ref()
                .map(|(area, number)| format!("(0{area}) {number}")),
            address: p.address.clone(),
            birth_date: self.rng.random_bool(0.9).then_some(p.birth),
            ..Default::default()
        }
    }

    /// A typo: a letter dropped, doubled, replaced by a neighbour on the keyboard, or two
    /// swapped.
    fn typo(&mut self, word: &str) -> String {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 3 {
            return word.to_owned();
        }
        let i = self.rng.random_range(1..chars.len() - 1);
        let mut out = chars.clone();
        match self.rng.random_range(0..4) {
            0 => out.swap(i, i + 1),
            1 => {
                out.remove(i);
            }
            2 => out.insert(i, chars[i]),
            _ => {
                const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
                let c = chars[i].to_ascii_lowercase();
                if let Some(row) = ROWS.iter().find(|r| r.contains(c)) {
                    let at = row.find(c).unwrap_or(0);
                    let next = if at + 1 < row.len() { at + 1 } else { at - 1 };
                    out[i] = char::from(row.as_bytes()[next]);
                }
            }
        }
        out.into_iter().collect()
    }

    /// A phone typed another way: spaces gone, international form, or (a landline) without its
    /// area code; or one digit wrong.
    fn retype_phone(&mut self, typed: &str, landline: Option<&(String, String)>) -> String {
        match (self.rng.random_range(0..4), landline) {
            (0, Some((_, subscriber))) => subscriber.clone(),
            (1, _) => {
                let digits: String = typed
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect();
                match digits.strip_prefix('0') {
                    Some(national) => format!("+61 {national}"),
                    None => digits,
                }
            }
            (2, _) => {
                // One digit wrong, not the first.
                let mut chars: Vec<char> = typed.chars().collect();
                let places: Vec<usize> = (0..chars.len())
                    .filter(|&i| chars[i].is_ascii_digit())
                    .skip(3)
                    .collect();
                if let Some(&i) = places.choose(&mut self.rng) {
                    let d = chars[i].to_digit(10).unwrap_or(0);
                    chars[i] = char::from_digit((d + 1 + self.rng.random_range(0..8)) % 10, 10)
                        .unwrap_or('0');
                }
                chars.into_iter().collect()
            }
            _ => typed.chars().filter(|c| !c.is_whitespace()).collect(),
        }
    }

    fn retype_birth(&mut self, d: NaiveDate) -> NaiveDate {
        match self.rng.random_range(0..4) {
            0 if d.day() <= 12 && d.day() != d.month() => {
                NaiveDate::from_ymd_opt(d.year(), d.day(), d.month()).unwrap_or(d)
            }
            1 => {
                // One digit of the year, the decade's or the year's own (`1975` typed `1985`
                // or `1976`; never `1990` for `2000`, which changes three).
                let y = d.year();
                let (unit, decade) = (y % 10, y / 10 % 10);
                let up = self.rng.random_bool(0.5);
                let typed = if self.rng.random_bool(0.5) {
                    let next = if (up && unit < 9) || unit == 0 { 1 } else { -1 };
                    y + next
                } else {
                    let next = if (up && decade < 9) || decade == 0 {
                        10
                    } else {
                        -10
                    };
                    y + next
                };
                NaiveDate::from_ymd_opt(typed, d.month(), d.day()).unwrap_or(d)
            }
            2 => {
                let m = d.month() % 10;
                let month = if d.month() < 10 && m < 9 {
                    d.month() + 1
                } else {
                    d.month() - 1
                };
                NaiveDate::from_ymd_opt(d.year(), month, d.day()).unwrap_or(d)
            }
            _ => {
                let day = d.day();
                let units = day % 10;
                let other = if units < 8 { day + 1 } else { day - 1 };
                let other = if self.rng.random_bool(0.5) && day + 10 <= 28 {
                    day + 10
                } else {
                    other
                };
                NaiveDate::from_ymd_opt(d.year(), d.month(), other).unwrap_or(d)
            }
        }
    }

    fn retype_email(&mut self, email: &str) -> String {
        let (local, domain) = email.split_once('@').unwrap_or((email, ""));
        match self.rng.random_range(0..5) {
            0 => email.to_uppercase(),
            1 => {
                let mut cs = local.chars();
                let capital: String = cs
                    .next()
                    .map(|c| c.to_uppercase().chain(cs).collect())
                    .unwrap_or_default();
                format!("{capital}@{domain}")
            }
            2 if matches!(
                domain,
                "gmail.com" | "outlook.com" | "hotmail.com" | "icloud.com"
            ) =>
            {
                format!("{local}+travel@{domain}")
            }
            3 => {
                let other = PROVIDERS[self.rng.random_range(0..PROVIDERS.len())];
                format!("{local}@{other}")
            }
            _ => {
                let typed = self.typo(local);
                // A typo that makes no address is one the form would have refused.
                if typed.contains("..") || typed.starts_with('.') || typed.ends_with('.') {
                    email.to_owned()
                } else {
                    format!("{typed}@{domain}")
                }
            }
        }
    }

    fn retype_address(&mut self, a: &Address) -> Address {
        let mut a = a.clone();
        match self.rng.random_range(0..4) {
            0 => {
                // The street type abbreviated, or spelt out.
                a.street = a.street.map(|s| {
                    let mut s = s;
                    for (long, short) in STREET_TYPES {
                        if s.ends_with(long) {
                            s = format!("{}{short}", &s[..s.len() - long.len()]);
                            break;
                        }
                    }
                    s
                });
            }
            1 => a.street = a.street.map(|s| self.typo(&s)),
            2 => a.zip = a.zip.map(|z| self.typo(&z)),
            _ => a.city = a.city.map(|c| self.typo(&c)),
        }
        a
    }

    /// A duplicate of `p`'s record as another channel typed it: one to three corruptions.
    fn duplicate(&mut self, p: &Person) -> NewCustomer {
        let mut c = self.record(p);
        let changes = self.rng.random_range(1..=3);
        // Whether the names sit in each other's field: a change to the first name or the
        // surname goes to the field holding it.
        let mut swapped = false;
        for _ in 0..changes {
            let (first, last) = if swapped {
                (&mut c.last_name, &mut c.first_name)
            } else {
                (&mut c.first_name, &mut c.last_name)
            };
            match self.rng.random_range(0..20) {
                0..=2 => *first = self.typo(first),
                3..=5 => *last = self.typo(last),
                6 => {
                    std::mem::swap(first, last);
                    swapped = !swapped;
                }
                7 => {
                    if let Some((_, short)) = NICKNAMES.iter().find(|(long, _)| *long == p.first) {
                        *first = (*short).to_owned();
                    }
                }
                8 => *last = self.surname(),
                9 => c.email = None,
                10 => {
                    c.mobile = None;
                    c.phone = None;
                }
                11 => c.address = Address::default(),
                12 => c.birth_date = None,
                13 => c.birth_date = Some(self.retype_birth(p.birth)),
                14 | 15 => c.email = c.email.map(|e| self.retype_email(&e)),
                16 | 17 => {
                    if let Some(m) = c.mobile.clone() {
                        c.mobile = Some(self.retype_phone(&m, None));
                    } else if let Some(ph) = c.phone.clone() {
                        c.phone = Some(self.retype_phone(&ph, p.landline.as_ref()));
                    }
                }
                _ => c.address = self.retype_address(&c.address),
            }
        }
        if p.abroad && c.mobile.as_deref().is_some_and(|m| !m.starts_with('+')) {
            // A foreign number only reads in international form.
            c.mobile = p.mobile.clone();
        }
        c
    }

    /// Another person of `p`'s household: their surname (mostly), home, landline, sometimes
    /// their email; another first name and birth date.
    fn housemate(&mut self, p: &Person) -> Person {
        let mut q = self.person();
        if self.rng.random_bool(0.8) {
            q.last = p.last.clone();
        }
        while crm_core::fold(&q.first) == crm_core::fold(&p.first) {
            q.first = self.first_name(q.female);
        }
        q.address = p.address.clone();
        q.landline = p.landline.clone();
        q.abroad = p.abroad;
        if q.landline.is_none() && self.rng.random_bool(0.5) {
            q.mobile = p.mobile.clone();
        }
        if self.rng.random_bool(0.25) {
            q.email = p.email.clone();
        }
        // A partner about the same age, or a child a generation younger.
        let years = if self.rng.random_bool(0.5) {
            self.rng.random_range(-6..=6)
        } else {
            self.rng.random_range(20..=40)
        };
        q.birth = p.birth + Duration::days(365 * years + self.rng.random_range(-180..180));
        let latest = NaiveDate::from_ymd_opt(2008, 12, 31).expect("valid date");
        q.birth = q.birth.min(latest);
        q
    }

    /// Another person with `p`'s name: everything else their own.
    fn namesake(&mut self, p: &Person) -> Person {
        let mut q = self.person();
        q.first = p.first.clone();
        q.last = p.last.clone();
        q.female = p.female;
        q
    }

    /// `people` people and their records, shuffled: each typed one to six times, plus the
    /// households and namesakes they bring (people of their own).
    pub fn corpus(&mut self, people: usize) -> Vec<Labelled> {
        let mut records: Vec<Labelled> = Vec::new();
        let mut label = 0;
        let mut persons: Vec<Person> = Vec::new();
        while persons.len() < people {
            let p = self.person();
            let roll: f64 = self.rng.random();
            persons.push(p.clone());
            if roll < 0.12 && persons.len() < people {
                let q = self.housemate(&p);
                persons.push(q);
            } else if roll < 0.17 && persons.len() < people {
                let q = self.namesake(&p);
                persons.push(q);
            }
        }
        for p in &persons {
            let copies = [
                0usize, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5,
            ][self.rng.random_range(0..20)];
            let first = self.record(p);
            records.push((first, label));
            for _ in 0..copies {
                let d = self.duplicate(p);
                records.push((d, label));
            }
            label += 1;
        }
        for i in (1..records.len()).rev() {
            let j = self.rng.random_range(0..=i);
            records.swap(i, j);
        }
        records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corpus_has_several_records_per_person_and_is_seeded() {
        let a = Linkage::new(3).corpus(2_000);
        let b = Linkage::new(3).corpus(2_000);
        assert_eq!(a.len(), b.len());
        assert!(a.len() >= 4_500, "{} records", a.len());
        let people = a.iter().map(|r| r.1).max().unwrap_or(0) + 1;
        assert_eq!(people, 2_000);
        assert_ne!(Linkage::new(4).corpus(50).len(), 0);
    }
}
