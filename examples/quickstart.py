"""Quickstart of the Python package: create customers, link bookings, search, show a history.

Run it after installing the package (``pip install ./crm-py``):

    python examples/quickstart.py [path/to/agency.db]

Without a path the database lives in memory.
"""

import sys
from datetime import datetime, timedelta, timezone

import crm

PARIS_SUMMER = timezone(timedelta(hours=2))


def main(path: str | None) -> None:
    with crm.Crm.open(path) if path else crm.Crm.in_memory() as db:
        agency = db.tenant("agency-42", actor=crm.Actor("u-17", "agent"))
        agency.set_settings(default_region="FR")

        helene = agency.create_customer(
            first_name="Hélène",
            last_name="Dupont",
            email="Helene.Dupont@example.fr",
            mobile="06 12 34 56 78",
            address=crm.Address(city="Lyon", country="FR"),
        )
        agency.create_customers(
            [
                {"first_name": "Jürgen", "last_name": "Müller", "email": "jm@example.de"},
                {"first_name": "Ana", "last_name": "Núñez", "mobile": "+34 612 345 678"},
            ]
        )
        print(f"created {helene!r}, mobile {helene.mobile.e164 if helene.mobile else '-'}")

        for day, (origin, destination) in enumerate(
            [("Lyon Part-Dieu", "Aéroport LYS"), ("Aéroport LYS", "Lyon Part-Dieu")]
        ):
            agency.upsert_booking(
                reference=f"BK-100{day}",
                customer=helene,
                pickup_at=datetime(2026, 7, 14 + day * 7, 8, 30, tzinfo=PARIS_SUMMER),
                route_from=origin,
                route_to=destination,
                invoices=[crm.Invoice(f"INV-{day}", crm.Money(4_500, "EUR"), "paid")],
            )

        for typed in ["hel", "mull", "nunez", "0612", "5678"]:
            page = agency.search(typed)
            names = ", ".join(f"{row.first_name} {row.last_name}" for row in page)
            print(f"search {typed!r}: {page.total} found: {names}")

        print(f"history of {helene.full_name}, newest first:")
        for booking in agency.booking_history(helene):
            print(f"  {booking.pickup_at:%Y-%m-%d %H:%M} {booking.route} ({booking.status})")
        stats = agency.customer_stats(helene)
        spent = ", ".join(f"{m.minor / 100:.2f} {m.currency}" for m in stats.total_spent)
        print(f"  {stats.bookings} bookings, spent {spent}")

        events = agency.changes_since(0)
        print(f"change feed: {len(events)} events, last {events[-1].kind}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
