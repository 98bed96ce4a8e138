"""Message templates from Python: checked when saved, rendered per customer in its language."""

from datetime import UTC, datetime, timedelta

import pytest

import crm


def test_templates_render_each_customer_in_its_language(agency: crm.Tenant, other: crm.Tenant) -> None:
    helene = agency.create_customer(title="Mme", first_name="Hélène", last_name="Dupont & Fils", language="fr")
    john = agency.create_customer(title="Mr", first_name="John", last_name="Smith", language="en-US")
    pickup = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=10)
    agency.upsert_booking(
        reference="T-1", pickup_at=pickup, customer=john, invoices=[crm.Invoice("F-1", crm.Money(123450, "EUR"))]
    )
    saved = agency.save_template(
        "Departure",
        "email",
        "{{ customer.salutation }}\n{% if next_booking %}{{ next_booking.amount }}{% else %}-{% endif %}",
        subject="Your trip, {{ customer.first_name }}",
        html="<p>{{ customer.last_name }}</p>",
    )
    assert isinstance(saved, crm.Template) and saved.kind == "email" and saved.updated_by == "u-17"
    fr = agency.preview("Departure", helene)
    assert isinstance(fr, crm.RenderedMessage)
    assert fr.subject == "Your trip, Hélène"
    assert fr.text == "Chère Madame Dupont & Fils,\n-"
    assert fr.html == "<p>Dupont &amp; Fils</p>" and fr.sms is None
    en = agency.preview("Departure", john.id)
    assert en.text == "Dear Mr Smith,\n€1,234.50"
    assert "next_booking.departure" in crm.TEMPLATE_FIELDS and "customer.salutation" in crm.TEMPLATE_FIELDS

    agency.save_template("Departure", "email", "{{ customer.salutation }} (fr)", subject="Voyage", language="fr")
    assert agency.preview("Departure", helene).language == "fr"
    assert [t.language for t in agency.template_variants("Departure")] == [None, "fr"]
    agency.delete_template("Departure", language="fr")
    assert len(agency.templates()) == 1

    agency.save_template("Reminder", "sms", "Cześć {{ customer.first_name }}!")
    sms = agency.preview("Reminder", helene).sms
    assert isinstance(sms, crm.SmsInfo) and (sms.encoding, sms.segments) == ("ucs2", 1)

    assert other.templates() == []
    with pytest.raises(crm.NotFoundError):
        other.preview("Departure", helene)


def test_templates_are_checked_when_saved(agency: crm.Tenant) -> None:
    for kwargs, field in [
        ({"name": "A", "kind": "letter", "text": "{{ customer.shoe_size }}"}, "text"),
        ({"name": "A", "kind": "letter", "text": "{% for x in y %}{% endfor %}"}, "text"),
        ({"name": "A", "kind": "email", "text": "x"}, "subject"),
        ({"name": "A", "kind": "fax", "text": "x"}, "kind"),
        ({"name": "A", "kind": "sms", "text": "x", "html": "<p>"}, "html"),
    ]:
        with pytest.raises(crm.ValidationError) as err:
            agency.save_template(**kwargs)  # type: ignore[arg-type]
        assert err.value.field == field, kwargs
    assert agency.templates() == []
    customer = agency.create_customer(first_name="Anne", last_name="Martin")
    agency.save_template("Voucher", "letter", "Ref {{ next_booking.reference }}")
    with pytest.raises(crm.ValidationError) as err:
        agency.preview("Voucher", customer)
    assert err.value.field == "text"
