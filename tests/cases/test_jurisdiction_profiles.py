"""Jurisdiction profiles are data: a versioned file (cases/data/profiles.json) validated by a
JSON Schema, loaded by a migration, readable at /api/v1/jurisdictions/, and no code branches on
a country or profile code."""

from __future__ import annotations

import copy
import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from cases.models import Jurisdiction
from cases.profiles import (
    PROFILES_FILE,
    ProfileDataError,
    jurisdiction_profiles_load,
    profile_data_read,
    profile_data_validate,
)
from parties.models import Role
from tests.conftest import World, api_as

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY = ROOT / "tests" / "data" / "profile_test_only.json"


def shipped() -> dict[str, Any]:
    return json.loads(PROFILES_FILE.read_text(encoding="utf-8"))


def test_the_shipped_file_is_valid_and_holds_three_profiles() -> None:
    assert sorted(profile_data_read()["profiles"]) == ["cn", "cn-reform", "us-fed"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.pop("version"), "(top)"),
        (lambda d: d["profiles"]["cn"]["parameters"].pop("negotiator_roles"), "parameters"),
        (
            lambda d: d["profiles"]["cn"]["parameters"]["negotiator_roles"].update(
                defense=["judge"]
            ),
            "negotiator_roles/defense/0",
        ),
        (lambda d: d["profiles"]["cn"]["parameters"].update(colour="red"), "parameters"),
        (
            lambda d: d["profiles"]["cn-reform"]["parameters"].pop("complex_case_grounds"),
            "profiles/cn-reform/parameters",
        ),
        (
            lambda d: d["profiles"]["cn"]["parameters"]["negotiator_roles"].update(
                defense=["prosecutor"]
            ),
            "negotiator_roles/defense/0",
        ),
        (lambda d: d["profiles"]["us-fed"].pop("sources"), "profiles/us-fed"),
    ],
)
def test_a_file_that_breaks_the_schema_is_refused(change: Any, where: str) -> None:
    data = shipped()
    change(data)
    with pytest.raises(ProfileDataError, match=re.escape(where)):
        profile_data_validate(data)


def test_a_witness_is_named_where_a_witness_is_required() -> None:
    data = shipped()
    data["profiles"]["cn"]["parameters"]["witness_roles"] = []
    with pytest.raises(ProfileDataError, match="witness_roles"):
        profile_data_validate(data)


def _migrations_load() -> None:
    """What the migrations load, run again: a transactional test earlier in the session may
    have flushed what they loaded when the test database was made."""
    from django.apps import apps

    importlib.import_module("cases.migrations.0019_profile_data_file").load(apps, None)
    importlib.import_module("deadlines.migrations.0015_rules_from_profile_data").load(apps, None)


@pytest.mark.django_db
def test_the_migrations_load_the_file_as_it_is() -> None:
    _migrations_load()
    data = profile_data_read()
    for code, profile in data["profiles"].items():
        row = Jurisdiction.objects.get(code=code)
        assert row.parameters == profile["parameters"]
        assert row.sources == profile["sources"]
        assert row.profile_version == data["version"]
        assert row.charges_negotiable == profile["charges_negotiable"]


def test_the_newest_loading_migration_loads_the_files_version() -> None:
    """Each version of the file has the migration that loads it: a file whose version moved
    without one would never reach a database that has already migrated."""
    versions = [
        importlib.import_module(f"cases.migrations.{path.stem}").PROFILE_VERSION
        for path in sorted((ROOT / "cases" / "migrations").glob("0*.py"))
        if "PROFILE_VERSION" in path.read_text(encoding="utf-8")
    ]
    assert versions
    assert max(versions) == profile_data_read()["version"]


@pytest.mark.django_db
def test_loading_is_idempotent_and_a_profile_needs_no_code() -> None:
    extra = profile_data_read(TEST_ONLY)
    first = jurisdiction_profiles_load(data=extra)["zz-test"]
    again = jurisdiction_profiles_load(data=extra)["zz-test"]
    assert first.pk == again.pk
    assert again.parameters["negotiator_roles"] == {
        "prosecution": ["prosecutor"],
        "defense": ["defense_counsel"],
    }


CODES = "|".join(re.escape(code) for code in ["us-fed", "cn", "cn-reform", "US", "CN"])
# A comparison with a country or profile code, an index by one, or a query for one.
BRANCH = re.compile(
    rf"""(jurisdiction\.(country|code)|\bcountry|jurisdiction_code)\s*(==|!=|\bin\b|\bnot in\b)|"""
    rf"""(==|!=)\s*["'](?:{CODES})["']|\[["'](?:{CODES})["']\]|"""
    rf"""["'](?:{CODES})["']\s*(==|!=|\bin\b)|"""
    rf"""\b(jurisdiction__)?(code|country)(__in)?=[(\[]?["'](?:{CODES})["']"""
)
# Where profile codes are data, not branches: the migrations that load or seed them, the demo
# and bench data that build cases under each profile, and the tests.
SKIPPED = {"migrations", "tests", "demo", "bench", "scripts", ".venv", "node_modules", "static"}


def test_code_branches_on_no_country_or_profile_code() -> None:
    """Every difference between legal systems is profile data (STYLE.md 15): no Python module
    or template compares a country or a profile code, indexes by one or queries for one."""
    offenders = []
    for path in [*ROOT.glob("**/*.py"), *ROOT.glob("templates/**/*.html")]:
        if set(path.relative_to(ROOT).parts) & SKIPPED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BRANCH.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        # What negotiations/wording.py and the agreement page held before.
        'language="zh" if court.jurisdiction.country == "CN" else "en",',
        '{% if case.court.jurisdiction.country == "US" %}<p>Fed. R. Crim. P. 11(b)</p>{% endif %}',
        'us = Jurisdiction.objects.get(code="us-fed")',
        'if case.court.jurisdiction.code in ("cn", "cn-reform"):',
        'rules = PROFILES["cn"]["parameters"]',
    ],
)
def test_the_grep_finds_a_branch(line: str) -> None:
    assert BRANCH.search(line)


@pytest.mark.parametrize(
    "line",
    [
        'raise Conflict(reason, code="negotiation_closed")',
        'if conflict.code != "conflict_of_interest":',
        'for code in data["profiles"]:',
    ],
)
def test_the_grep_leaves_other_codes_alone(line: str) -> None:
    assert not BRANCH.search(line)


# --- /api/v1/jurisdictions/ ------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_person_reads_the_profiles(world: World, role: Role) -> None:
    response = api_as(world.user(role)).get(reverse("jurisdiction-list"))
    assert response.status_code == 200
    profiles = {row["code"]: row for row in response.json()["results"]}
    data = profile_data_read()
    for code, profile in data["profiles"].items():
        assert profiles[code]["parameters"] == profile["parameters"]
        assert profiles[code]["sources"] == profile["sources"]
        assert profiles[code]["profile_version"] == data["version"]


def test_strangers_to_parley_read_no_profiles(world: World, api: Any) -> None:
    assert api.get(reverse("jurisdiction-list")).status_code in (401, 403)


def test_cn_reform_reads_as_the_reform_proposal(world: World) -> None:
    response = api_as(world.user(Role.DUTY_LAWYER)).get(reverse("jurisdiction-list"))
    reform = next(r for r in response.json()["results"] if r["code"] == "cn-reform")
    assert reform["parameters"]["negotiator_roles"]["defense"] == ["defense_counsel", "duty_lawyer"]
    assert reform["parameters"]["written_consideration_mandatory"] is True
    assert [g["code"] for g in reform["parameters"]["complex_case_grounds"]] == [
        "joint_crime",
        "long_interval",
        "evidence_hard_to_collect",
    ]
    assert "Meng (2023)" in reform["sources"]["negotiator_roles"]


def test_a_copy_of_a_profile_under_a_new_code_is_valid() -> None:
    data = shipped()
    data["profiles"]["cn-copy"] = copy.deepcopy(data["profiles"]["cn"])
    for rule in data["profiles"]["cn-copy"]["deadline_rules"]:
        rule["code"] = rule["code"].replace("cn-", "cn-copy-", 1)
    assert "cn-copy" in profile_data_validate(data)["profiles"]


# --- deadline rules -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migrations_load_every_profiles_deadline_rules() -> None:
    """18 U.S.C. 3161(c)(1): "the trial ... shall commence within seventy days"; CPL art. 172:
    an expedited leniency case is decided "在十日以内" of its transfer. Both as the file says."""
    from deadlines.models import DeadlineRule

    _migrations_load()
    data = profile_data_read()
    for code, profile in data["profiles"].items():
        rows = {r.code: r for r in DeadlineRule.objects.filter(jurisdiction__code=code)}
        assert sorted(rows) == sorted(rule["code"] for rule in profile["deadline_rules"]), code
        for rule in profile["deadline_rules"]:
            assert rows[rule["code"]].offset == rule["offset"]
            assert rows[rule["code"]].citation == rule["citation"]
    assert DeadlineRule.objects.get(code="us-usc-3161c1-trial").offset == 70
    assert DeadlineRule.objects.get(code="cn-reform-cpl-172-expedited-review").offset == 10


def test_a_rule_code_is_unique_across_profiles() -> None:
    data = shipped()
    data["profiles"]["cn-reform"]["deadline_rules"][0]["code"] = "cn-cpl-172-expedited-review"
    with pytest.raises(ProfileDataError, match="cn-cpl-172-expedited-review repeats"):
        profile_data_validate(data)


@pytest.mark.django_db
def test_a_test_only_profile_brings_its_own_deadline_rule() -> None:
    from deadlines.models import DeadlineRule
    from deadlines.rules import deadline_rules_load

    extra = profile_data_read(TEST_ONLY)
    jurisdiction_profiles_load(data=extra)
    assert deadline_rules_load(data=extra) == 1
    rule = DeadlineRule.objects.get(code="zz-answer-within-5-court-days")
    assert (rule.jurisdiction.code, rule.offset, rule.unit) == ("zz-test", 5, "court_days")


def test_a_chinese_profiles_citations_read_in_chinese() -> None:
    """What a profile whose documents are Chinese cites on its pages (an item's source, the
    review's and the adjustment's, the checklist's, the rules that name their source in a
    warning) is listed for translation and has its Chinese form (《刑事诉讼法》…, not "CPL
    art. …" on a Chinese page); cases.profiles.cited shows it in the reader's language."""
    from django.utils import translation

    from cases.profile_labels import PROFILE_CITATIONS
    from cases.profiles import cited

    shown = set()
    for profile in shipped()["profiles"].values():
        parameters = profile["parameters"]
        if not str(parameters.get("document_language", "")).startswith("zh"):
            continue
        for items in (
            parameters["checklist_items"],
            parameters["rejection_grounds"],
            (parameters["review_adjust"] or {}).get("grounds", []),
            parameters["plea_procedures"],
        ):
            shown |= {item["source"] for item in items if item.get("source")}
        shown |= {
            str(value)
            for value in (
                parameters.get("review_source"),
                (parameters.get("review_adjust") or {}).get("source"),
                parameters.get("appeal_limits_recorded"),
                parameters.get("recommendation_fixed_term"),
                parameters.get("recommendation_fine_amount"),
                parameters.get("baseline_within_statutory_range"),
                profile["sources"].get("checklist"),
            )
            if value
        }
    assert shown <= set(PROFILE_CITATIONS)
    with translation.override("zh-hans"):
        assert [c for c in shown if cited(c) == c] == []
        assert cited("CPL art. 201(1)(iii)") == "《刑事诉讼法》第二百零一条第一款第（三）项"
        assert cited("USSG §5C1.1") == "USSG §5C1.1"  # not listed: shown as written
    with translation.override("en"):
        assert cited("CPL art. 201(1)(iii)") == "CPL art. 201(1)(iii)"


def test_every_label_shown_through_gettext_is_listed_for_translation() -> None:
    """negotiations.agreement_rules shows the checklist's items, the review's grounds and the
    plea procedures through gettext: cases/profile_labels.py lists each label for makemessages,
    and each has its Simplified Chinese translation."""
    from django.utils import translation

    from cases.profile_labels import PROFILE_LABELS

    labels = set()
    for profile in shipped()["profiles"].values():
        parameters = profile["parameters"]
        for items in (
            parameters["checklist_items"],
            parameters["rejection_grounds"],
            (parameters["review_adjust"] or {}).get("grounds", []),
            parameters["plea_procedures"],
            parameters.get("complex_case_grounds", []),
        ):
            labels |= {item["label"] for item in items}
    assert labels == set(PROFILE_LABELS)
    with translation.override("zh-hans"):
        untranslated = [label for label in labels if translation.gettext(label) == label]
    assert untranslated == []
    # CPL art. 222's 速裁程序 and art. 201(1)(iii)'s "被告人否认指控的犯罪事实的".
    with translation.override("zh-hans"):
        assert translation.gettext("Fast-track procedure") != "Fast-track procedure"
    assert "The accused denies the criminal facts charged" in labels
