//! Printing letters and address labels on the facade.

use chrono::Utc;

use super::Tenant;
use crate::error::{Error, Result};
use crate::letters::{self, Letter, LetterOptions, LetterRun, LetterSkip};
use crate::model::{Actor, Audience, TemplateKind};
use crate::pdf::{A4, Doc, Fonts};
use crate::template::locale;

/// Most letters printed in one call.
pub(crate) const MAX_LETTERS: usize = 10_000;

impl Tenant {
    /// Prints letter template `options.template` for each customer of `audience` as one PDF,
    /// laid out for a window envelope (DIN 5008 form B: the address field 45 mm from the top
    /// and 20 mm from the left; fold marks), with the same customers' address labels as a
    /// second PDF (A4 sheets of 3 × 7 labels of 63.5 × 38.1 mm). Each letter is the variant of
    /// its customer's language, with its salutation and today's date in that language. Fonts
    /// are embedded as subsets: DejaVu Sans (Latin, Greek, Cyrillic) and the fallbacks of
    /// `options.fonts` (a CJK font for `王`); the text reads back from the PDF.
    ///
    /// A customer without a street and a city, anonymised, whose render fails, or with a
    /// character no font has, is skipped with the reason (the others print). With
    /// `options.mark_sent` and [`Audience::PendingBrochures`], the requests of the customers
    /// printed are marked sent in the same call.
    ///
    /// # Errors
    /// Validation on the template (not a letter one), `fonts` (not a font, too many),
    /// `mark_sent` without pending brochures, more than 10,000 letters; NotFound (the
    /// template); Io (a font file).
    pub fn print_letters(
        &self,
        actor: &Actor,
        audience: &Audience,
        options: &LetterOptions,
    ) -> Result<LetterRun> {
        actor.validate()?;
        if options.mark_sent && !matches!(audience, Audience::PendingBrochures) {
            return Err(Error::validation(
                "mark_sent",
                "marks pending brochure requests: give the pending brochures as the audience",
            ));
        }
        if options.sender.len() > 8 {
            return Err(Error::validation("sender", "more than 8 lines"));
        }
        for (i, line) in options.sender.iter().enumerate() {
            if line
                .chars()
                .nth(crate::model::limits::MAX_TEXT_CHARS)
                .is_some()
            {
                return Err(Error::validation(
                    format!("sender[{i}]"),
                    format!(
                        "longer than {} characters",
                        crate::model::limits::MAX_TEXT_CHARS
                    ),
                ));
            }
        }
        let home = match options.home_country.as_deref() {
            Some(c) if !c.trim().is_empty() => {
                let code = c.trim().to_ascii_uppercase();
                isocountry::CountryCode::for_alpha2(&code).map_err(|_| {
                    Error::validation("home_country", "not an ISO 3166-1 alpha-2 country code")
                })?;
                Some(code)
            }
            _ => None,
        };
        let variants = self.template_variants(&options.template)?;
        if let Some(v) = variants.iter().find(|v| v.kind != TemplateKind::Letter) {
            return Err(Error::validation(
                "template",
                format!(
                    "{:?} is a {} template, not a letter one",
                    options.template, v.kind
                ),
            ));
        }
        let fonts = Fonts::load(&options.fonts)?;
        let now = Utc::now();
        let (ids, requests) = self.audience_ids(audience, now, MAX_LETTERS)?;
        let tz = self.settings()?.tz();
        let today = crate::model::period::local_day(now, tz);
        let mut letters_doc = Doc::new(fonts.clone(), A4);
        let mut labels_doc = Doc::new(fonts, A4);
        let mut run = LetterRun {
            letters: Vec::new(),
            labels: Vec::new(),
            printed: Vec::new(),
            skipped: Vec::new(),
            requests: Vec::new(),
            marked_sent: 0,
        };
        for chunk in ids.chunks(crate::model::limits::MAX_PAGE as usize) {
            let rendered: std::collections::HashMap<_, _> = self
                .render_each(&options.template, chunk, now)?
                .into_iter()
                .collect();
            for customer in self.in_order(chunk)? {
                let skip = |reason: String| LetterSkip {
                    customer_id: customer.id,
                    reason,
                };
                if customer.is_anonymised() {
                    run.skipped.push(skip("the customer is anonymised".into()));
                    continue;
                }
                let Some(address) = letters::postal_lines(&customer, home.as_deref()) else {
                    run.skipped
                        .push(skip("no postal address (a street and a city)".into()));
                    continue;
                };
                let message = match rendered.get(&customer.id) {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => {
                        run.skipped.push(skip(e.to_string()));
                        continue;
                    }
                    None => continue,
                };
                let date = locale::long_date(today, locale::locale(customer.language.as_deref()));
                let letter = Letter {
                    sender: &options.sender,
                    address: &address,
                    date: &date,
                    subject: message.subject.as_deref(),
                    body: &message.text,
                };
                // Every character must have a glyph before anything of it is laid out.
                if let Err(e) = letter.texts().try_for_each(|t| letters_doc.covers(t)) {
                    run.skipped.push(skip(e.to_string()));
                    continue;
                }
                letters::lay_out(&mut letters_doc, &letter)?;
                letters::label(&mut labels_doc, run.printed.len(), &address)?;
                run.printed.push(customer.id);
            }
        }
        if letters_doc.page_count() == 0 {
            letters_doc.page();
            labels_doc.page();
        }
        run.letters = letters_doc.finish(&format!("Letters: {}", options.template))?;
        run.labels = labels_doc.finish(&format!("Labels: {}", options.template))?;
        let printed: std::collections::HashSet<_> = run.printed.iter().copied().collect();
        run.requests = requests
            .iter()
            .filter(|r| printed.contains(&r.customer_id))
            .map(|r| r.id)
            .collect();
        if options.mark_sent {
            run.marked_sent = self.mark_brochures_sent(actor, &run.requests)?;
        }
        Ok(run)
    }

    /// Marks brochure requests `ids` sent now, in one transaction (those marked already are left
    /// as they are): after a letter run whose files the host wrote itself
    /// ([`LetterRun::requests`]). Returns how many it marked.
    ///
    /// # Errors
    /// Validation on more than 100,000 ids; NotFound (nothing marked) for an id that is not one
    /// of the tenant's brochure requests.
    pub fn mark_brochures_sent(
        &self,
        actor: &Actor,
        ids: &[crate::model::BrochureRequestId],
    ) -> Result<u64> {
        actor.validate()?;
        if ids.len() > crate::model::limits::MAX_AUDIENCE {
            return Err(Error::validation(
                "requests",
                format!(
                    "more than {} in one call",
                    crate::model::limits::MAX_AUDIENCE
                ),
            ));
        }
        crate::cases::lists::mark_all_sent(self.store.as_ref(), &self.id, actor, ids, Utc::now())
    }
}
