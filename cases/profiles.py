"""The jurisdiction profiles Parley ships with, read from a versioned data file.

`cases/data/profiles.json` holds every profile; `cases/data/profiles.schema.json` (JSON Schema
2020-12) says what a profile may hold, and docs/profiles.md explains each parameter and its
source. A migration loads each version of the file (cases 0019 onwards) and seed_demo loads it
again; adding a profile, or a parameter value, is a change to the file, never to the code.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext

from cases.models import Jurisdiction

DATA_DIR = Path(__file__).resolve().parent / "data"
PROFILES_FILE = DATA_DIR / "profiles.json"
SCHEMA_FILE = DATA_DIR / "profiles.schema.json"

# The fields of a profile that are columns of Jurisdiction (besides `parameters` and `sources`).
COLUMNS = (
    "name",
    "country",
    "holiday_calendar",
    "charges_negotiable",
    "sentence_negotiable",
    "witness_required_for_signing",
    "court_sees_offers_before_agreement",
)


class ProfileDataError(ValueError):
    """The profile data file breaks its schema or one of the rules the schema cannot say."""


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def profile_data_validate(data: Any) -> dict[str, Any]:
    """`data` if it is a valid profile file; ProfileDataError listing every problem if not."""
    validator = jsonschema.Draft202012Validator(_schema())
    problems = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
    if not problems:
        rule_codes: set[str] = set()  # a rule's code is unique across profiles
        for code, profile in data["profiles"].items():
            parameters = profile["parameters"]
            negotiators = parameters["negotiator_roles"]
            if set(negotiators["prosecution"]) & set(negotiators["defense"]):
                problems.append(f"profiles/{code}: a role negotiates for one side only.")
            for rule in profile.get("deadline_rules", []):
                if rule["code"] in rule_codes:
                    problems.append(f"profiles/{code}/deadline_rules: {rule['code']} repeats.")
                rule_codes.add(rule["code"])
            grounds = [g["code"] for g in parameters.get("complex_case_grounds", [])]
            if len(grounds) != len(set(grounds)):
                problems.append(f"profiles/{code}/parameters/complex_case_grounds: codes repeat.")
    if problems:
        raise ProfileDataError("; ".join(problems))
    return dict(data)


def profile_data_read(path: Path = PROFILES_FILE) -> dict[str, Any]:
    """The profile file at `path`, validated."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProfileDataError(f"{path.name} is not JSON: {exc}") from exc
    return profile_data_validate(data)


def profile_fields(data: dict[str, Any], code: str) -> dict[str, Any]:
    """The values of Jurisdiction for profile `code` of a validated profile file."""
    profile = data["profiles"][code]
    return {
        **{name: profile[name] for name in COLUMNS},
        "translations": profile.get("translations", {}),
        "parameters": profile["parameters"],
        "sources": profile["sources"],
        "profile_version": data["version"],
    }


def _legacy_profiles(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # The shape the data migrations before 0015 write (the columns they knew, and parameters).
    return {
        code: {**{name: profile[name] for name in COLUMNS}, "parameters": profile["parameters"]}
        for code, profile in data["profiles"].items()
    }


# What the early data migrations (0003, 0004, 0008, 0009) load; bench seeds read it too.
PROFILES: dict[str, dict[str, Any]] = _legacy_profiles(profile_data_read())


def jurisdiction_profiles_load(
    *, data: dict[str, Any] | None = None, model: Any = Jurisdiction
) -> dict[str, Any]:
    """Create or refresh every profile of the file (or of `data`, already validated); idempotent.
    `model` is the historical Jurisdiction when a migration calls it."""
    data = data if data is not None else profile_data_read()
    loaded = {}
    for code in data["profiles"]:
        loaded[code], _ = model.objects.update_or_create(
            code=code, defaults=profile_fields(data, code)
        )
    return loaded


def listed_label(label: str, text: str = "") -> str:
    """A profile's listed item (a checklist item, a ground, a procedure) in the reader's
    language: its English `label` translated, with the source's own words (`text`) beside it
    unless the label already says them (in Chinese 共同犯罪, not "共同犯罪 (共同犯罪)"; in
    English "Joint crime (共同犯罪)"). cases/profile_labels.py lists the labels for translation."""
    shown = gettext(label)
    if not text or text in shown:
        return shown
    return gettext("%(label)s (%(words)s)") % {"label": shown, "words": text}


def cited(source: str) -> str:
    """A profile's citation (an item's `source`, `review_source`, a rule's parameter that names
    its source) in the reader's language: the Chinese profiles' citations have their Chinese
    form in the catalogue (cases/profile_labels.py lists them), 《刑事诉讼法》第二百零一条 rather
    than "CPL art. 201" on a Chinese page; any other is shown as written."""
    return gettext(source) if source else ""
