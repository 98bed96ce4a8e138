"""The names the Python face shows come from the core: the stub's literals, sorts and the window."""

import ast
import inspect
from pathlib import Path

import pytest

import crm

# Each literal alias of the typing stub and the core's list it must equal.
ALIASES = {
    "_Role": "role",
    "_BookingStatus": "booking_status",
    "_PaymentStatus": "payment_status",
    "_SearchSort": "search_sort",
    "_ListSort": "list_sort",
    "_ChangeKind": "change_kind",
    "_MergeField": "merge_field",
    "_MatchReason": "match_reason",
    "_Channel": "channel",
    "_ImportPreset": "import_preset",
    "_NameRule": "name_rule",
    "_CaptureMatch": "capture_match",
    "_IssueKind": "issue_kind",
}


def stub_literals() -> dict[str, tuple[str, ...]]:
    """`_Name = Literal["a", "b"]` of the installed stub, by alias."""
    stub = Path(crm.__file__).with_name("_crm.pyi")
    out: dict[str, tuple[str, ...]] = {}
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript)):
            continue
        target, value = node.targets[0], node.value
        if not (isinstance(target, ast.Name) and isinstance(value.value, ast.Name)):
            continue
        if value.value.id != "Literal":
            continue
        items = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
        out[target.id] = tuple(ast.literal_eval(item) for item in items)
    return out


def test_every_literal_of_the_stub_is_the_core_list() -> None:
    literals = stub_literals()
    assert set(ALIASES) <= set(literals), "an alias went missing from the stub"
    assert set(ALIASES.values()) == set(crm.NAMES), "a core list without its alias"
    for alias, kind in ALIASES.items():
        assert literals[alias] == crm.NAMES[kind], alias


def test_every_sort_the_core_names_is_taken(agency: crm.Tenant) -> None:
    agency.create_customer(first_name="Jean", last_name="Dupont")
    for sort in crm.NAMES["search_sort"]:
        assert agency.search(sort=sort).total == 1  # type: ignore[arg-type]
    for sort in crm.NAMES["list_sort"]:
        assert len(agency.list_customers(sort=sort).items) == 1  # type: ignore[arg-type]
    with pytest.raises(crm.ValidationError, match="sort: not one of: name last_booking created_at"):
        agency.list_customers(sort="relevance")  # type: ignore[arg-type]


def test_the_window_is_the_core_default_and_checked_by_it(agency: crm.Tenant) -> None:
    window = inspect.signature(crm.Tenant.find_duplicates).parameters["window"]
    assert window.default == crm.DEFAULT_WINDOW == 24
    with pytest.raises(crm.ValidationError, match="window: must be at least 1"):
        agency.find_duplicates(window=0)
    assert agency.find_duplicates(window=1) == []
