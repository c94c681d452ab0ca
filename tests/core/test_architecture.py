"""docs/architecture.md matches the code: the layers drawn there are the import contract's, and
the table of domain events names every event and every subscriber, in order."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from core import domain_events as de

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()
# The check `make lint` runs (scripts/ is not a package).
_spec = importlib.util.spec_from_file_location("check_layers", ROOT / "scripts" / "check_layers.py")
assert _spec is not None and _spec.loader is not None
check_layers: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_layers)


def test_the_drawn_layers_are_the_contracts_and_every_app_is_in_one() -> None:
    assert check_layers.problems() == []


def test_every_contract_layer_is_an_app_described_in_the_doc() -> None:
    for layer in check_layers.contract_layers():
        for app in layer.split(" | "):
            assert f"| `{app}` |" in DOC or app == "config", app


def events_table() -> str:
    """The table as it must read: every event, its payload, who subscribes (in order)."""
    rows = ["| event | payload | subscribers (in order; ⏎ = on commit) |", "| --- | --- | --- |"]
    for event_class in de.EVENT_CLASSES:
        fields = [f for f in event_class.__dataclass_fields__ if f != "case"]
        payload = ", ".join(["case", *fields])
        subscribers = ", ".join(
            f"`{s.name}`" + (" ⏎" if s.on_commit else "") for s in de.subscribers_of(event_class)
        )
        rows.append(f"| `{event_class.__name__}` | {payload} | {subscribers} |")
    return "\n".join(rows)


def test_the_events_table_names_every_event_and_subscriber() -> None:
    start, end = "<!-- events:start -->\n", "<!-- events:end -->"
    written = DOC[DOC.index(start) + len(start) : DOC.index(end)].strip()
    assert written == events_table(), (
        "docs/architecture.md's events table is out of date; it should read:\n" + events_table()
    )
