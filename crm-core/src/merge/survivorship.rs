//! Field survivorship: which value of which record the merged customer keeps.

use std::collections::{BTreeMap, HashSet};

use super::MergeField;
use crate::error::{Error, Result};
use crate::model::limits::MAX_NOTES_CHARS;
use crate::model::{Customer, CustomerId, NameRule, Phone, email_key};

/// The merged customer and where each of its field values came from.
#[derive(Debug, Clone)]
pub(crate) struct Survived {
    pub(crate) customer: Customer,
    pub(crate) sources: BTreeMap<MergeField, CustomerId>,
}

/// Merges `others` into `primary`:
/// - a chosen field takes the chosen record's value, even an empty one;
/// - any other field keeps the primary's value, or if that is empty the value of the most
///   recently updated other record that has one;
/// - a consent (email, SMS) unless chosen comes from the record the main email (mobile) comes
///   from: it was given with that address; without one, the primary's stays;
/// - notes, unless chosen, are those of every record joined (the primary's first, repeats
///   dropped);
/// - every email and phone not kept in a main field is kept as a secondary contact (once);
/// - lists are united; custom fields too, the primary's value winning for a name in both.
///
/// Id, customer no., creation time and version stay the primary's.
///
/// # Errors
/// Validation when the result would break a bound (too many secondary contacts, lists or custom
/// fields, notes too long) or the tenant's name rule (a name chosen from a record without one),
/// naming the field.
pub(crate) fn survive(
    primary: &Customer,
    others: &[Customer],
    choices: &BTreeMap<MergeField, CustomerId>,
    names: NameRule,
) -> Result<Survived> {
    let all: Vec<&Customer> = std::iter::once(primary).chain(others).collect();
    let mut recent: Vec<&Customer> = others.iter().collect();
    recent.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
    // Who supplies each field: the chosen record, else the primary, else the most recent other.
    let supplier = |field: MergeField| -> Option<&Customer> {
        if let Some(id) = choices.get(&field) {
            return all.iter().copied().find(|c| c.id == *id);
        }
        std::iter::once(primary)
            .chain(recent.iter().copied())
            .find(|c| has(field, c))
    };

    let mut out = primary.clone();
    let mut sources = BTreeMap::new();
    for field in MergeField::ALL {
        let follows = match field {
            MergeField::Notes => Some(MergeField::Notes),
            MergeField::ConsentEmail => Some(MergeField::Email),
            MergeField::ConsentSms => Some(MergeField::Mobile),
            _ => None,
        };
        if let (Some(by), false) = (follows, choices.contains_key(&field)) {
            if by != field {
                // A consent was given with an address: it goes with the record whose address
                // the merged customer keeps (none if it keeps none).
                let from = sources
                    .get(&by)
                    .and_then(|id| all.iter().find(|c| c.id == *id));
                match from {
                    Some(from) => {
                        copy(field, from, &mut out);
                        if has(field, from) {
                            sources.insert(field, from.id);
                        }
                    }
                    None if !has(field, primary) => {}
                    None => {
                        sources.insert(field, primary.id);
                    }
                }
            }
            continue;
        }
        if let Some(from) = supplier(field) {
            copy(field, from, &mut out);
            if has(field, from) {
                sources.insert(field, from.id);
            }
        }
    }
    if !choices.contains_key(&MergeField::Notes) {
        let (notes, first) = joined_notes(&all)?;
        out.notes = notes;
        sources.extend(first.map(|id| (MergeField::Notes, id)));
    }

    let main_email = out.email.as_deref().map(email_key);
    let mut seen: HashSet<String> = main_email.into_iter().collect();
    out.secondary_emails = all
        .iter()
        .flat_map(|c| c.email.iter().chain(&c.secondary_emails))
        .filter(|e| seen.insert(email_key(e)))
        .cloned()
        .collect();
    let mut seen: HashSet<String> = [&out.phone, &out.mobile, &out.fax, &out.emergency_phone]
        .into_iter()
        .flatten()
        .map(Phone::key)
        .collect();
    out.secondary_phones = all
        .iter()
        .flat_map(|c| c.phones())
        .filter(|p| seen.insert(p.key()))
        .cloned()
        .collect();
    for c in &all {
        out.lists.extend(c.lists.iter().cloned());
    }
    for c in std::iter::once(&primary).chain(&recent) {
        for (k, v) in &c.custom_fields {
            out.custom_fields
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
    }
    out.check_counts().map_err(|e| match e {
        Error::Validation { field, reason } => Error::Validation {
            field,
            reason: format!("the merged customer would have {reason}"),
        },
        other => other,
    })?;
    names.check(&out.first_name, &out.last_name)?;
    Ok(Survived {
        customer: out,
        sources,
    })
}

/// Whether `c` has a value for `field`.
fn has(field: MergeField, c: &Customer) -> bool {
    use MergeField as F;
    match field {
        F::Title => c.title.is_some(),
        F::FirstName => !c.first_name.is_empty(),
        F::LastName => !c.last_name.is_empty(),
        F::Company => c.company.is_some(),
        F::Email => c.email.is_some(),
        F::Phone => c.phone.is_some(),
        F::Mobile => c.mobile.is_some(),
        F::Fax => c.fax.is_some(),
        F::EmergencyPhone => c.emergency_phone.is_some(),
        F::Address => c.address != Default::default(),
        F::ContactPerson => c.contact_person.is_some(),
        F::BirthDate => c.birth_date.is_some(),
        F::Language => c.language.is_some(),
        F::Notes => c.notes.is_some(),
        F::ConsentEmail => c.consent.email.is_some(),
        F::ConsentSms => c.consent.sms.is_some(),
        F::Salesperson => c.salesperson.is_some(),
    }
}

/// Copies the value of `field` from `from` into `to`.
fn copy(field: MergeField, from: &Customer, to: &mut Customer) {
    use MergeField as F;
    match field {
        F::Title => to.title.clone_from(&from.title),
        F::FirstName => to.first_name.clone_from(&from.first_name),
        F::LastName => to.last_name.clone_from(&from.last_name),
        F::Company => to.company.clone_from(&from.company),
        F::Email => to.email.clone_from(&from.email),
        F::Phone => to.phone.clone_from(&from.phone),
        F::Mobile => to.mobile.clone_from(&from.mobile),
        F::Fax => to.fax.clone_from(&from.fax),
        F::EmergencyPhone => to.emergency_phone.clone_from(&from.emergency_phone),
        F::Address => to.address.clone_from(&from.address),
        F::ContactPerson => to.contact_person.clone_from(&from.contact_person),
        F::BirthDate => to.birth_date = from.birth_date,
        F::Language => to.language.clone_from(&from.language),
        F::Notes => to.notes.clone_from(&from.notes),
        F::ConsentEmail => to.consent.email = from.consent.email,
        F::ConsentSms => to.consent.sms = from.consent.sms,
        F::Salesperson => to.salesperson.clone_from(&from.salesperson),
    }
}

/// The notes of every record, the primary's first, each text once, separated by a blank line;
/// and the first record that had any.
fn joined_notes(all: &[&Customer]) -> Result<(Option<String>, Option<CustomerId>)> {
    let mut parts: Vec<&str> = Vec::new();
    let mut first = None;
    for c in all {
        if let Some(n) = c.notes.as_deref().filter(|n| !parts.contains(n)) {
            first.get_or_insert(c.id);
            parts.push(n);
        }
    }
    if parts.is_empty() {
        return Ok((None, None));
    }
    let joined = parts.join("\n\n");
    if joined.chars().count() > MAX_NOTES_CHARS {
        return Err(Error::validation(
            "notes",
            format!(
                "the joined notes would be longer than {MAX_NOTES_CHARS} characters: choose one \
                 record's notes"
            ),
        ));
    }
    Ok((Some(joined), first))
}
