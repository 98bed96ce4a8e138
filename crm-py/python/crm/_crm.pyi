"""Type stubs of the compiled module ``crm._crm`` (hand-written; checked by mypy.stubtest)."""

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Any, ClassVar, Literal, TypedDict, final

from typing_extensions import Required, Self, Unpack

__all__ = [
    "__version__",
    "Crm",
    "Tenant",
    "Actor",
    "Address",
    "Booking",
    "Captured",
    "Consent",
    "Customer",
    "CustomerStats",
    "Invoice",
    "Money",
    "Phone",
    "TenantSettings",
    "ChangeEvent",
    "CustomerPage",
    "CustomerRow",
    "SearchPage",
    "CrmError",
    "ValidationError",
    "NotFoundError",
    "ConflictError",
    "PermissionDeniedError",
    "StorageError",
    "SearchError",
    "IoError",
    "InternalError",
    "ClosedError",
    "MatchConfig",
    "DuplicateMatch",
    "DuplicatePair",
    "DuplicateCluster",
    "BookingMove",
    "MergePlan",
    "MergeRecord",
    "Merged",
    "AnonymisationReport",
    "RetentionReport",
]

__version__: str

_Role = Literal["agent", "organisation", "system"]
_BookingStatus = Literal["quote", "pending", "confirmed", "completed", "cancelled", "no_show"]
_PaymentStatus = Literal["unpaid", "partially_paid", "paid", "refunded"]
_SearchSort = Literal["relevance", "name", "last_booking", "created_at"]
_ListSort = Literal["name", "last_booking", "created_at"]
_ChangeKind = Literal[
    "customer_created",
    "customer_updated",
    "customer_deleted",
    "booking_created",
    "booking_updated",
    "booking_linked",
    "booking_unlinked",
    "tenant_settings_updated",
    "customer_merged",
    "customer_unmerged",
    "customer_anonymised",
]
_MergeField = Literal[
    "first_name",
    "last_name",
    "company",
    "email",
    "phone",
    "mobile",
    "fax",
    "emergency_phone",
    "address",
    "contact_person",
    "birth_date",
    "language",
    "notes",
    "consent_email",
    "consent_sms",
    "salesperson",
]
_Period = tuple[date | None, date | None]
_MatchReason = Literal[
    "same_email",
    "same_mailbox",
    "same_phone",
    "same_name_and_birth_date",
    "same_name",
    "similar_name",
    "nickname_name",
    "swapped_name",
    "same_street",
    "same_zip",
    "same_city",
    "different_birth_date",
    "different_name",
]

class _MatchRules(TypedDict, total=False):
    threshold: float
    same_email: float
    same_mailbox: float
    same_phone: float
    same_name_and_birth_date: float
    similar_name: float
    same_street: float
    same_zip: float
    same_city: float
    name_similarity: float
    contact_with_other_name: float
    different_birth_date: float

class _CustomerOptional(TypedDict, total=False):
    company: str | None
    email: str | None
    phone: str | None
    mobile: str | None
    fax: str | None
    emergency_phone: str | None
    secondary_emails: Iterable[str]
    secondary_phones: Iterable[str]
    address: Address | None
    contact_person: str | None
    birth_date: date | None
    language: str | None
    notes: str | None
    consent: Consent | None
    salesperson: str | None
    lists: Iterable[str]
    custom_fields: dict[str, str]

class _CustomerChanges(_CustomerOptional, total=False):
    first_name: str
    last_name: str

class _CustomerFields(_CustomerOptional, total=False):
    first_name: Required[str]
    last_name: Required[str]

class _BookingFields(TypedDict, total=False):
    reference: Required[str]
    pickup_at: Required[datetime]
    customer: Customer | str | None
    status: _BookingStatus
    return_at: datetime | None
    route_from: str
    route_to: str
    transport: str | None
    hotel: str | None
    salesperson: str | None
    invoice: Invoice | None

class CrmError(Exception):
    """Base class of every error this package raises."""

    kind: str
    field: str | None
    reason: str | None

class ValidationError(CrmError, ValueError):
    """Bad input: ``field`` names the field, ``reason`` the rule it broke."""

class NotFoundError(CrmError, LookupError):
    """No such record for this tenant."""

class ConflictError(CrmError):
    """The write lost a race or would break an invariant, e.g. a stale version."""

class PermissionDeniedError(CrmError, PermissionError):
    """The actor lacks the right, or the tenant handle has no actor."""

class StorageError(CrmError):
    """The SQLite store failed."""

class SearchError(CrmError):
    """The search index failed."""

class IoError(CrmError, OSError):
    """A file could not be read or written."""

class InternalError(CrmError):
    """A bug in this library."""

class ClosedError(CrmError, ValueError):
    """The Crm handle was closed."""

@final
class Actor:
    """Who makes a change: a user id of the host and a role."""

    def __new__(cls, user_id: str, role: _Role = "agent") -> Self: ...
    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> _Role: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Phone:
    """A phone number as typed and in E.164 form."""

    @property
    def typed(self) -> str: ...
    @property
    def e164(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Address:
    """A postal address; every part optional."""

    def __new__(
        cls,
        *,
        street: str | None = None,
        zip: str | None = None,
        city: str | None = None,
        region: str | None = None,
        country: str | None = None,
    ) -> Self: ...
    @property
    def street(self) -> str | None: ...
    @property
    def zip(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Consent:
    """When the customer agreed to receive email and SMS."""

    def __new__(cls, *, email: datetime | None = None, sms: datetime | None = None) -> Self: ...
    @property
    def email(self) -> datetime | None: ...
    @property
    def sms(self) -> datetime | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Money:
    """An amount in integer minor units (cents) of an ISO 4217 currency."""

    def __new__(cls, minor: int, currency: str) -> Self: ...
    @property
    def minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Invoice:
    """The invoice of a booking."""

    def __new__(cls, number: str, amount: Money, payment_status: _PaymentStatus = "unpaid") -> Self: ...
    @property
    def number(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def payment_status(self) -> _PaymentStatus: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Customer:
    """A customer as stored (frozen)."""

    @property
    def id(self) -> str: ...
    @property
    def customer_no(self) -> int: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def company(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> Phone | None: ...
    @property
    def mobile(self) -> Phone | None: ...
    @property
    def fax(self) -> Phone | None: ...
    @property
    def emergency_phone(self) -> Phone | None: ...
    @property
    def secondary_emails(self) -> tuple[str, ...]: ...
    @property
    def secondary_phones(self) -> tuple[Phone, ...]: ...
    @property
    def address(self) -> Address: ...
    @property
    def contact_person(self) -> str | None: ...
    @property
    def birth_date(self) -> date | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def notes(self) -> str | None: ...
    @property
    def consent(self) -> Consent: ...
    @property
    def salesperson(self) -> str | None: ...
    @property
    def lists(self) -> frozenset[str]: ...
    @property
    def custom_fields(self) -> dict[str, str]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...
    @property
    def anonymised_at(self) -> datetime | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Booking:
    """The summary kept of one booking."""

    @property
    def reference(self) -> str: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def status(self) -> _BookingStatus: ...
    @property
    def pickup_at(self) -> datetime: ...
    @property
    def return_at(self) -> datetime | None: ...
    @property
    def route_from(self) -> str: ...
    @property
    def route_to(self) -> str: ...
    @property
    def route(self) -> str: ...
    @property
    def transport(self) -> str | None: ...
    @property
    def hotel(self) -> str | None: ...
    @property
    def salesperson(self) -> str | None: ...
    @property
    def invoice(self) -> Invoice | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class CustomerStats:
    """A customer's booking count, latest booking and total spent per currency."""

    @property
    def bookings(self) -> int: ...
    @property
    def last_booking(self) -> datetime | None: ...
    @property
    def total_spent(self) -> tuple[Money, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Captured:
    """What capture_booking did."""

    @property
    def customer(self) -> Customer: ...
    @property
    def booking(self) -> Booking: ...
    @property
    def matched(self) -> Literal["created", "booking", "email"]: ...
    @property
    def changed_fields(self) -> tuple[str, ...]: ...
    @property
    def suppressed_fields(self) -> tuple[str, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class TenantSettings:
    """A tenant's settings."""

    @property
    def default_region(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class CustomerRow:
    """One row of the customer list."""

    @property
    def id(self) -> str: ...
    @property
    def customer_no(self) -> int: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def bookings(self) -> int: ...
    @property
    def last_booking(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class SearchPage:
    """One page of search results with the total number of matches."""

    @property
    def items(self) -> tuple[CustomerRow, ...]: ...
    @property
    def total(self) -> int: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[CustomerRow]: ...
    def __getitem__(self, key: int, /) -> CustomerRow: ...

@final
class CustomerPage:
    """One page of the customer list, with the total and the next cursor."""

    @property
    def items(self) -> tuple[CustomerRow, ...]: ...
    @property
    def total(self) -> int: ...
    @property
    def next(self) -> str | None: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[CustomerRow]: ...
    def __getitem__(self, key: int, /) -> CustomerRow: ...

@final
class ChangeEvent:
    """One entry of the change feed."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> _ChangeKind: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def previous_customer_id(self) -> str | None: ...
    @property
    def booking_ref(self) -> str | None: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def fields(self) -> tuple[str, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class MatchConfig:
    """The rules of duplicate matching and their weights, all in [0, 1]."""

    def __new__(cls, **rules: Unpack[_MatchRules]) -> Self: ...
    @property
    def threshold(self) -> float: ...
    @property
    def same_email(self) -> float: ...
    @property
    def same_mailbox(self) -> float: ...
    @property
    def same_phone(self) -> float: ...
    @property
    def same_name_and_birth_date(self) -> float: ...
    @property
    def similar_name(self) -> float: ...
    @property
    def same_street(self) -> float: ...
    @property
    def same_zip(self) -> float: ...
    @property
    def same_city(self) -> float: ...
    @property
    def name_similarity(self) -> float: ...
    @property
    def contact_with_other_name(self) -> float: ...
    @property
    def different_birth_date(self) -> float: ...
    def to_dict(self) -> dict[str, float]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class DuplicateMatch:
    """A customer that is likely the same person, with the score and the reasons."""

    @property
    def customer_id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> tuple[_MatchReason, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class DuplicatePair:
    """Two customers of a cluster that matched each other."""

    @property
    def a(self) -> str: ...
    @property
    def b(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> tuple[_MatchReason, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class DuplicateCluster:
    """Customers linked by matching pairs, oldest first."""

    @property
    def customers(self) -> tuple[str, ...]: ...
    @property
    def pairs(self) -> tuple[DuplicatePair, ...]: ...
    @property
    def score(self) -> float: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class BookingMove:
    """A booking a merge moves to the primary (and `unmerge` moves back)."""

    @property
    def reference(self) -> str: ...
    @property
    def from_customer(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class MergePlan:
    """What a merge would do, computed without writing."""

    @property
    def customer(self) -> Customer: ...
    @property
    def sources(self) -> dict[_MergeField, str]: ...
    @property
    def merged(self) -> tuple[Customer, ...]: ...
    @property
    def bookings(self) -> tuple[BookingMove, ...]: ...
    @property
    def versions(self) -> dict[str, int]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class MergeRecord:
    """A merge as recorded: who, when, and a snapshot of every record it changed."""

    @property
    def id(self) -> str: ...
    @property
    def primary_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def primary_before(self) -> Customer: ...
    @property
    def merged(self) -> tuple[Customer, ...]: ...
    @property
    def bookings(self) -> tuple[BookingMove, ...]: ...
    @property
    def undone_at(self) -> datetime | None: ...
    @property
    def undone_by(self) -> Actor | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Merged:
    """What `Tenant.merge` returns: the record of the merge and the customer after it."""

    @property
    def record(self) -> MergeRecord: ...
    @property
    def customer(self) -> Customer: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class AnonymisationReport:
    """What anonymising a customer erases and keeps, and why."""

    @property
    def customer_id(self) -> str: ...
    @property
    def customer_no(self) -> int: ...
    @property
    def erased(self) -> tuple[str, ...]: ...
    @property
    def kept(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def bookings(self) -> int: ...
    @property
    def merges(self) -> int: ...
    @property
    def suppressed_contacts(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class RetentionReport:
    """What `Tenant.anonymise_inactive` did, or would do in a dry run."""

    @property
    def before(self) -> datetime: ...
    @property
    def dry_run(self) -> bool: ...
    @property
    def customers(self) -> tuple[str, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Tenant:
    """One tenant (agency) of a database, seen by one actor."""

    @property
    def id(self) -> str: ...
    @property
    def actor(self) -> Actor | None: ...
    def with_actor(self, actor: Actor) -> Tenant: ...
    def settings(self) -> TenantSettings: ...
    def set_settings(self, *, default_region: str | None) -> None: ...
    def search(
        self,
        text: str | None = None,
        *,
        customer_no: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        company: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        zip: str | None = None,
        city: str | None = None,
        address: str | None = None,
        contact_person: str | None = None,
        country: str | None = None,
        region: str | None = None,
        language: str | None = None,
        salesperson: str | None = None,
        list: str | None = None,
        transport: str | None = None,
        hotel: str | None = None,
        booking_status: _BookingStatus | None = None,
        has_email: bool | None = None,
        has_mobile: bool | None = None,
        departure_between: _Period | None = None,
        created_between: _Period | None = None,
        last_booking_between: _Period | None = None,
        sort: _SearchSort = "relevance",
        offset: int = 0,
        limit: int = 20,
    ) -> SearchPage: ...
    def validate_customer(self, **fields: Unpack[_CustomerFields]) -> None: ...
    def create_customer(self, **fields: Unpack[_CustomerFields]) -> Customer: ...
    def create_customers(self, records: Iterable[_CustomerFields]) -> list[Customer]: ...
    def get_customer(self, id: Customer | str) -> Customer: ...
    def get_customer_by_no(self, customer_no: int) -> Customer: ...
    def find_customers_by_email(self, email: str) -> list[Customer]: ...
    def update_customer(self, customer: Customer, **changes: Unpack[_CustomerChanges]) -> Customer: ...
    def delete_customer(self, customer: Customer | str) -> int: ...
    def list_customers(
        self,
        *,
        sort: _ListSort = "name",
        reverse: bool = False,
        limit: int = 50,
        after: str | None = None,
    ) -> CustomerPage: ...
    def upsert_booking(self, **booking: Unpack[_BookingFields]) -> tuple[Booking, bool]: ...
    def upsert_bookings(self, records: Iterable[_BookingFields]) -> int: ...
    def get_booking(self, reference: str) -> Booking: ...
    def link_booking(self, reference: str, customer: Customer | str | None) -> Booking: ...
    def booking_history(self, customer: Customer | str) -> list[Booking]: ...
    def customer_stats(self, customer: Customer | str) -> CustomerStats: ...
    def capture_booking(self, contact: _CustomerFields, booking: _BookingFields) -> Captured: ...
    def changes_since(self, after: int = 0, limit: int = 1000) -> list[ChangeEvent]: ...
    def possible_duplicates(
        self, *, config: MatchConfig | None = None, **fields: Unpack[_CustomerFields]
    ) -> list[DuplicateMatch]: ...
    def duplicates_of(self, customer: Customer | str, *, config: MatchConfig | None = None) -> list[DuplicateMatch]: ...
    def find_duplicates(
        self,
        *,
        config: MatchConfig | None = None,
        window: int = 24,
        progress: Callable[[int, int], object] | None = None,
    ) -> list[DuplicateCluster]: ...
    def plan_merge(
        self,
        primary: Customer | str,
        others: Iterable[Customer | str],
        *,
        choices: Mapping[_MergeField, Customer | str] | None = None,
        expected_versions: Mapping[str, int] | None = None,
    ) -> MergePlan: ...
    def merge(
        self,
        primary: Customer | str,
        others: Iterable[Customer | str],
        *,
        choices: Mapping[_MergeField, Customer | str] | None = None,
        expected_versions: Mapping[str, int] | None = None,
    ) -> Merged: ...
    def unmerge(self, merge: MergeRecord | str) -> MergeRecord: ...
    def get_merge(self, merge: MergeRecord | str) -> MergeRecord: ...
    def merges_of(self, customer: Customer | str) -> list[MergeRecord]: ...
    def plan_anonymise(self, customer: Customer | str) -> AnonymisationReport: ...
    def anonymise(self, customer: Customer | str, *, reason: str) -> AnonymisationReport: ...
    def anonymise_inactive(
        self,
        before: datetime,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], object] | None = None,
    ) -> RetentionReport: ...
    def suppressed_fields(self, **fields: Unpack[_CustomerChanges]) -> list[str]: ...
    def export_personal_data(self, customer: Customer | str) -> dict[str, Any]: ...

@final
class Crm:
    """A Mini-CRM database: an SQLite file and its search index, or both in memory."""

    @staticmethod
    def open(path: str | os.PathLike[str]) -> Crm: ...
    @staticmethod
    def in_memory() -> Crm: ...
    @staticmethod
    def schema_version() -> int: ...
    def tenant(self, id: str, *, actor: Actor | None = None) -> Tenant: ...
    def reindex(self, progress: Callable[[int, int], object] | None = None) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        _exc_type: type[BaseException] | None = None,
        _exc: BaseException | None = None,
        _traceback: TracebackType | None = None,
    ) -> None: ...
