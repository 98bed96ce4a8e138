"""Mini-CRM: embeddable customer records for travel and transport booking systems.

Open a database with ``Crm.open(path)`` (or ``Crm.in_memory()``), take a tenant handle with
``db.tenant("agency-1", actor=Actor("u-17"))`` and work through it: customers, bookings, search,
change feed. Every call that reaches SQLite or the search index releases the GIL.

Money is integer minor units with an ISO 4217 currency (``Money(1250, "EUR")`` is 12.50 EUR).
Times are timezone-aware ``datetime`` objects; birth dates are ``date`` objects.
"""

from ._crm import (
    Actor,
    Address,
    Booking,
    Captured,
    ChangeEvent,
    ClosedError,
    ConflictError,
    Consent,
    Crm,
    CrmError,
    Customer,
    CustomerPage,
    CustomerRow,
    CustomerStats,
    InternalError,
    Invoice,
    IoError,
    Money,
    NotFoundError,
    PermissionDeniedError,
    Phone,
    SearchError,
    SearchPage,
    StorageError,
    Tenant,
    TenantSettings,
    ValidationError,
    __version__,
)

__all__ = [
    "Actor",
    "Address",
    "Booking",
    "Captured",
    "ChangeEvent",
    "ClosedError",
    "ConflictError",
    "Consent",
    "Crm",
    "CrmError",
    "Customer",
    "CustomerPage",
    "CustomerRow",
    "CustomerStats",
    "InternalError",
    "Invoice",
    "IoError",
    "Money",
    "NotFoundError",
    "PermissionDeniedError",
    "Phone",
    "SearchError",
    "SearchPage",
    "StorageError",
    "Tenant",
    "TenantSettings",
    "ValidationError",
    "__version__",
]
