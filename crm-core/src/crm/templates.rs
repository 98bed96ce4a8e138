//! Message templates on the facade: save, list, remove, and render for a customer (`preview`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Tenant;
use crate::cases;
use crate::error::{Error, Result};
use crate::model::{Actor, CustomerId, NewTemplate, Template};
use crate::template::{self, Compiled, RenderedMessage};

impl Tenant {
    /// Saves a template variant (a new one, or over the one of its name and language). It is
    /// checked first: its parts use only what [`TEMPLATE_FIELDS`](crate::TEMPLATE_FIELDS)
    /// allows, in valid syntax, and render for a sample customer. A name keeps one kind across
    /// its languages.
    ///
    /// # Errors
    /// Validation naming the part (`name`, `subject`, `text`, `html`, `language`, `kind`) and
    /// the reason: an unknown field (`customer.shoe_size`), a syntax error with its line, a
    /// loop or an operator outside the subset, a part the kind does not take.
    pub fn save_template(&self, actor: &Actor, template: NewTemplate) -> Result<Template> {
        actor.validate()?;
        let template = template.validate()?;
        template::check(&template)?;
        cases::templates::save(self.store.as_ref(), &self.id, actor, template)
    }

    /// Every template of the tenant, by name then language (the default variant first).
    pub fn templates(&self) -> Result<Vec<Template>> {
        cases::templates::all(self.store.as_ref(), &self.id)
    }

    /// The variants of template `name`, the default first.
    ///
    /// # Errors
    /// NotFound when the tenant has no template of that name.
    pub fn template_variants(&self, name: &str) -> Result<Vec<Template>> {
        cases::templates::variants(self.store.as_ref(), &self.id, name)
    }

    /// Removes the variant of template `name` in `language` (`None`: the default one).
    ///
    /// # Errors
    /// NotFound when there is no such variant.
    pub fn delete_template(&self, actor: &Actor, name: &str, language: Option<&str>) -> Result<()> {
        actor.validate()?;
        let language = crate::model::variant_language(language)?;
        cases::templates::delete(self.store.as_ref(), &self.id, name, language.as_deref())
    }

    /// Template `name` rendered for customer `id` (a merged id renders its primary): the
    /// variant of the customer's language (else of its primary language, else the default),
    /// with the customer's fields, salutation and bookings, dates and money written for its
    /// language, today's date in the tenant's time zone. An SMS reports its encoding and how
    /// many parts it takes. Writes nothing.
    ///
    /// # Errors
    /// NotFound (the template, a variant for the customer, the customer); Conflict if the
    /// customer is anonymised; Validation naming the part when the template shows a booking
    /// the customer does not have.
    pub fn preview(&self, name: &str, id: &CustomerId) -> Result<RenderedMessage> {
        let customer = self.get_customer(id)?;
        let mut rendered = self.render_each(name, &[customer.id], Utc::now())?;
        rendered
            .pop()
            .map(|(_, r)| r)
            .unwrap_or_else(|| Err(Error::not_found("customer", id)))
    }

    /// Template `name` rendered for each of `ids` that exists (in that order), each its own
    /// result: a customer whose render fails does not stop the others.
    pub(crate) fn render_each(
        &self,
        name: &str,
        ids: &[CustomerId],
        now: DateTime<Utc>,
    ) -> Result<Vec<(CustomerId, Result<RenderedMessage>)>> {
        let mut renderer = self.renderer(name)?;
        self.render_with(&mut renderer, ids, now)
    }

    /// The variants of template `name` read once, compiled as customers need them: a long run
    /// renders every customer from the same template, whatever changes meanwhile.
    pub(crate) fn renderer(&self, name: &str) -> Result<Renderer> {
        Ok(Renderer {
            name: name.to_owned(),
            variants: self.template_variants(name)?,
            tz: self.settings()?.tz(),
            compiled: HashMap::new(),
        })
    }

    /// The renders of `ids` (those that exist, in that order) with `renderer`.
    pub(crate) fn render_with(
        &self,
        renderer: &mut Renderer,
        ids: &[CustomerId],
        now: DateTime<Utc>,
    ) -> Result<Vec<(CustomerId, Result<RenderedMessage>)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(crate::model::limits::MAX_PAGE as usize) {
            for customer in self.in_order(chunk)? {
                let result = (|| {
                    if customer.is_anonymised() {
                        return Err(Error::conflict("the customer is anonymised"));
                    }
                    let Some(variant) =
                        template::variant(&renderer.variants, customer.language.as_deref())
                    else {
                        return Err(Error::not_found(
                            "template variant",
                            format!("{} for the customer's language", renderer.name),
                        ));
                    };
                    let engine = match renderer.compiled.entry(variant.language.clone()) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(Compiled::new(variant.clone())?)
                        }
                    };
                    let bookings = self.booking_history(&customer.id)?;
                    let ctx = template::context(&customer, &bookings, now, renderer.tz);
                    engine.render(customer.id, &ctx)
                })();
                out.push((customer.id, result));
            }
        }
        Ok(out)
    }
}

/// A template's variants and their compiled forms, for many renders.
pub(crate) struct Renderer {
    name: String,
    variants: Vec<Template>,
    tz: chrono_tz::Tz,
    compiled: HashMap<Option<String>, Compiled>,
}
