//! The salutation of a letter or message: a customer's title read in the customer's language
//! (`Mr`, `Mme`, `Herr`, `Dr` and their kin), with the last name: `Dear Ms Martin,`,
//! `Chère Madame Martin,`, `Sehr geehrter Herr Müller,`. A title the library does not know is
//! written as typed; without a title, the full name; without a name, the customer.

/// A form of address a typed title stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Mr,
    Mrs,
    Ms,
    Miss,
    Doctor,
    Professor,
}

/// The form a typed title stands for, case, dots and spaces ignored.
fn form(title: &str) -> Option<Form> {
    let key: String = title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "mr" | "mister" | "m" | "monsieur" | "herr" | "hr" | "sr" | "senor" | "señor" | "sig"
        | "signor" | "signore" | "sgr" | "dhr" | "heer" | "meneer" | "pan" => Form::Mr,
        "mrs" | "mme" | "madame" | "frau" | "fr" | "sra" | "senora" | "señora" | "sigra"
        | "signora" | "mevr" | "mevrouw" | "pani" => Form::Mrs,
        "ms" => Form::Ms,
        "miss" | "mlle" | "mademoiselle" | "srta" | "senorita" | "señorita" | "signa"
        | "signorina" => Form::Miss,
        "dr" | "doctor" | "docteur" | "doktor" | "dott" | "dottore" | "dottoressa" => Form::Doctor,
        "prof" | "professor" | "professeur" | "professore" => Form::Professor,
        _ => return None,
    })
}

/// The salutation for a customer with `title`, `first` and `last` names, in `language` (the
/// primary subtag: `en`, `fr`, `de`, `es`, `it`, `nl`; others write English).
pub(crate) fn salutation(language: &str, title: Option<&str>, first: &str, last: &str) -> String {
    let full = crate::model::full_name(first, last);
    // The name after a title: the last name, or the one name there is.
    let surname = if last.is_empty() { first } else { last };
    let title = title.map(str::trim).filter(|t| !t.is_empty());
    let known = title.and_then(form);
    match language {
        "fr" => match (known, title) {
            (Some(Form::Mr), _) => format!("Cher Monsieur {surname},"),
            (Some(Form::Mrs | Form::Ms), _) => format!("Chère Madame {surname},"),
            (Some(Form::Miss), _) => format!("Chère Mademoiselle {surname},"),
            (Some(Form::Doctor), _) => format!("Docteur {surname},"),
            (Some(Form::Professor), _) => format!("Professeur {surname},"),
            (None, Some(t)) if !surname.is_empty() => format!("Bonjour {t} {surname},"),
            _ if !full.is_empty() => format!("Bonjour {full},"),
            _ => "Madame, Monsieur,".to_owned(),
        },
        "de" => match (known, title) {
            (Some(Form::Mr), _) => format!("Sehr geehrter Herr {surname},"),
            (Some(Form::Mrs | Form::Ms | Form::Miss), _) => format!("Sehr geehrte Frau {surname},"),
            (Some(Form::Doctor), _) => format!("Guten Tag Dr. {surname},"),
            (Some(Form::Professor), _) => format!("Guten Tag Prof. {surname},"),
            (None, Some(t)) if !surname.is_empty() => format!("Guten Tag {t} {surname},"),
            _ if !full.is_empty() => format!("Guten Tag {full},"),
            _ => "Sehr geehrte Damen und Herren,".to_owned(),
        },
        "es" => match (known, title) {
            (Some(Form::Mr), _) => format!("Estimado Sr. {surname}:"),
            (Some(Form::Mrs | Form::Ms), _) => format!("Estimada Sra. {surname}:"),
            (Some(Form::Miss), _) => format!("Estimada Srta. {surname}:"),
            (Some(Form::Doctor), _) => format!("Dr. {surname}:"),
            (Some(Form::Professor), _) => format!("Prof. {surname}:"),
            (None, Some(t)) if !surname.is_empty() => format!("Hola {t} {surname}:"),
            _ if !full.is_empty() => format!("Hola {full}:"),
            _ => "Estimado cliente:".to_owned(),
        },
        "it" => match (known, title) {
            (Some(Form::Mr), _) => format!("Gentile Sig. {surname},"),
            (Some(Form::Mrs | Form::Ms), _) => format!("Gentile Sig.ra {surname},"),
            (Some(Form::Miss), _) => format!("Gentile Sig.na {surname},"),
            (Some(Form::Doctor), _) => format!("Gentile Dott. {surname},"),
            (Some(Form::Professor), _) => format!("Gentile Prof. {surname},"),
            (None, Some(t)) if !surname.is_empty() => format!("Gentile {t} {surname},"),
            _ if !full.is_empty() => format!("Gentile {full},"),
            _ => "Gentile cliente,".to_owned(),
        },
        "nl" => match (known, title) {
            (Some(Form::Mr), _) => format!("Geachte heer {surname},"),
            (Some(Form::Mrs | Form::Ms | Form::Miss), _) => format!("Geachte mevrouw {surname},"),
            (Some(Form::Doctor), _) => format!("Geachte dr. {surname},"),
            (Some(Form::Professor), _) => format!("Geachte prof. {surname},"),
            (None, Some(t)) if !surname.is_empty() => format!("Geachte {t} {surname},"),
            _ if !full.is_empty() => format!("Beste {full},"),
            _ => "Geachte klant,".to_owned(),
        },
        _ => match (known, title) {
            (Some(Form::Mr), _) => format!("Dear Mr {surname},"),
            (Some(Form::Mrs), _) => format!("Dear Mrs {surname},"),
            (Some(Form::Ms), _) => format!("Dear Ms {surname},"),
            (Some(Form::Miss), _) => format!("Dear Miss {surname},"),
            (Some(Form::Doctor), _) => format!("Dear Dr {surname},"),
            (Some(Form::Professor), _) => format!("Dear Professor {surname},"),
            (None, Some(t)) if !surname.is_empty() => format!("Dear {t} {surname},"),
            _ if !full.is_empty() => format!("Dear {full},"),
            _ => "Dear customer,".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_reads_in_the_customers_language() {
        assert_eq!(
            salutation("en", Some("Mrs."), "Jane", "Smith"),
            "Dear Mrs Smith,"
        );
        assert_eq!(
            salutation("en", Some("Herr"), "Jörg", "Müller"),
            "Dear Mr Müller,"
        );
        assert_eq!(
            salutation("fr", Some("Mme"), "Hélène", "Dupont"),
            "Chère Madame Dupont,"
        );
        assert_eq!(
            salutation("fr", Some("M."), "Jean", "Dupont"),
            "Cher Monsieur Dupont,"
        );
        assert_eq!(
            salutation("de", Some("Mr"), "John", "Smith"),
            "Sehr geehrter Herr Smith,"
        );
        assert_eq!(
            salutation("de", Some("Frau"), "Anna", "Schmidt"),
            "Sehr geehrte Frau Schmidt,"
        );
        assert_eq!(
            salutation("de", Some("Dr."), "Anna", "Schmidt"),
            "Guten Tag Dr. Schmidt,"
        );
        assert_eq!(
            salutation("es", Some("Sra."), "Ana", "García"),
            "Estimada Sra. García:"
        );
        assert_eq!(
            salutation("it", Some("Sig."), "Luca", "Rossi"),
            "Gentile Sig. Rossi,"
        );
        assert_eq!(
            salutation("nl", Some("mevr."), "Anke", "de Vries"),
            "Geachte mevrouw de Vries,"
        );
    }

    #[test]
    fn without_a_known_title_the_name_or_the_customer() {
        assert_eq!(
            salutation("en", Some("Rev."), "John", "Smith"),
            "Dear Rev. Smith,"
        );
        assert_eq!(salutation("en", None, "John", "Smith"), "Dear John Smith,");
        assert_eq!(salutation("en", Some("  "), "", "Smith"), "Dear Smith,");
        assert_eq!(salutation("en", None, "", ""), "Dear customer,");
        assert_eq!(salutation("fr", None, "", ""), "Madame, Monsieur,");
        assert_eq!(salutation("de", None, "Anna", ""), "Guten Tag Anna,");
        assert_eq!(salutation("en", Some("Mr"), "Zoé", ""), "Dear Mr Zoé,");
        assert_eq!(
            salutation("pl", Some("Pan"), "Łukasz", "Nowak"),
            "Dear Mr Nowak,"
        );
    }
}
