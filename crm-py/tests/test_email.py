"""Sending email from Python to a real SMTP server started by the test (aiosmtpd)."""

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

import crm

CONSENT = datetime(2026, 1, 1, tzinfo=UTC)


class Inbox:
    """Keeps what the server accepts; refuses addresses that start with `bounce`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, dict[str, Any]]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, {"host": "127.0.0.1", "port": port, "security": "none", "from": "Agence <bookings@agence.example>"}
    finally:
        controller.stop()


def make(t: crm.Tenant, first: str, email: str, consent: bool = True) -> crm.Customer:
    return t.create_customer(
        title="Mme",
        first_name=first,
        last_name="Voyageur",
        email=email,
        language="fr",
        address=crm.Address(city="Lyon"),
        consent=crm.Consent(email=CONSENT if consent else None),
    )


def test_send_email_personalises_logs_and_reports(
    agency: crm.Tenant, other: crm.Tenant, smtp: tuple[Inbox, dict[str, Any]]
) -> None:
    inbox, settings = smtp
    anne = make(agency, "Anne", "anne@example.com")
    make(agency, "Bea", "bea@example.com", consent=False)
    carl = make(agency, "Carl", "bounce.carl@example.com")
    pickup = datetime.now(UTC) + timedelta(days=5)
    agency.upsert_booking(reference="T-1", pickup_at=pickup, customer=anne)
    agency.save_template(
        "Rappel",
        "email",
        "{{ customer.salutation }}\nRéf. {% if next_booking %}{{ next_booking.reference }}{% endif %}",
        subject="Votre voyage {{ customer.first_name }}",
        html="<p>{{ customer.salutation }}</p>",
    )
    saved = agency.save_search("Lyon", {"city": "Lyon"})
    report = agency.send_email("Rappel", smtp=settings, search=saved)
    assert isinstance(report, crm.SendReport)
    assert [s.address for s in report.sent] == ["anne@example.com"]
    assert [f.address for f in report.failed] == ["bounce.carl@example.com"]
    assert "550" in report.failed[0].reason
    assert report.skipped["no_consent"] == 1

    (message,) = inbox.messages
    assert message["Subject"] == "Votre voyage Anne"
    assert message["Message-ID"] == report.sent[0].message_id
    text, html = (part.get_content() for part in message.iter_parts())
    assert text.replace("\r\n", "\n").startswith("Chère Madame Voyageur,\nRéf. T-1")
    assert html == "<p>Chère Madame Voyageur,</p>"

    (entry,) = agency.communications(anne)
    assert (entry.channel, entry.subject, entry.reference) == ("email", "Votre voyage Anne", report.sent[0].message_id)
    assert agency.communications(carl) == []

    # Only the customers given; another tenant reaches none of them.
    report = agency.send_email("Rappel", smtp=settings, customers=[anne])
    assert len(report.sent) == 1 and len(inbox.messages) == 2
    other.save_template("Rappel", "email", "x", subject="y")
    assert other.send_email("Rappel", smtp=settings, customers=[anne.id]).sent == ()


def test_send_email_refuses_bad_settings(agency: crm.Tenant, smtp: tuple[Inbox, dict[str, Any]]) -> None:
    _, settings = smtp
    agency.save_template("Rappel", "email", "x", subject="y")
    agency.save_template("Sms", "sms", "x")
    with pytest.raises(crm.ValidationError) as err:
        agency.send_email("Rappel", smtp={**settings, "from": "nobody"})
    assert err.value.field == "from"
    with pytest.raises(crm.ValidationError) as err:
        agency.send_email("Rappel", smtp={"host": "127.0.0.1", "from": "a@b.example"})
    assert err.value.field == "smtp.port"
    with pytest.raises(TypeError, match="colour"):
        agency.send_email("Rappel", smtp={**settings, "colour": 1})
    with pytest.raises(crm.ValidationError) as err:
        agency.send_email("Sms", smtp=settings)
    assert err.value.field == "template"
    with pytest.raises(crm.IoError):
        agency.send_email("Rappel", smtp={**settings, "port": 1})
