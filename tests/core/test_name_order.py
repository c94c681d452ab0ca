"""A person's name is shown in the order of its script (core.text.person_name: 刘敏, not 敏 刘),
everywhere a name is written out: pages, forms, errors, feeds, alerts, exports and the API.
Django's `get_full_name()` always puts the given name first, so no code of ours calls it; the
Python side uses core.text.user_name and templates the `person_name` filter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from deadlines import services
from parties.models import Role
from tests.conftest import World
from tests.deadline_helpers import at, clerk, courtroom

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".data", "tests", "node_modules", ".git"}


def sources() -> list[Path]:
    found = []
    for pattern in ("**/*.py", "**/*.html", "**/*.txt"):
        for path in ROOT.glob(pattern):
            if not SKIP & set(path.relative_to(ROOT).parts):
                found.append(path)
    return found


def test_no_code_or_template_writes_a_name_given_name_first() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.get_full_name\b|\bfirst_name }} {{[^}]*last_name", line)
    ]
    assert not offending, offending


def test_an_error_that_names_a_person_writes_a_chinese_name_family_first(world: World) -> None:
    stranger = world.strangers[Role.JUDGE]
    stranger.first_name, stranger.last_name = "敏", "刘"
    stranger.save()
    with pytest.raises(ValidationError) as raised:
        services.hearing_schedule(
            case=world.case,
            by=clerk(world),
            kind="plea_hearing",
            starts_at=at(2026, 12, 15, 9),
            ends_at=at(2026, 12, 15, 10),
            courtroom=courtroom(world),
            judge=stranger,
            notes="",
        )
    (message,) = raised.value.message_dict["judge"]
    assert message.startswith("刘敏 ")
