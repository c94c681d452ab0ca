"""Sentencing arithmetic, checked cell by cell against the Sentencing Table as printed in the
Guidelines Manual, and against the Manual's own worked examples. No database."""

from __future__ import annotations

import csv
import dataclasses
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from cases.profiles import PROFILES
from negotiations.sentencing import (
    ChargeFacts,
    MonthsRange,
    TermFacts,
    acceptance_reduction,
    baseline_range,
    bound_by_statute,
    exposure,
    guideline_range,
    leniency_range,
    zone_of,
)

US: dict[str, Any] = PROFILES["us-fed"]["parameters"]
CN: dict[str, Any] = PROFILES["cn"]["parameters"]

EN_DASH = "\u2013"
MINUS_SIGN = "\u2212"
PRINTED_TABLE = Path(__file__).parents[1] / "data" / "ussg_5a_sentencing_table.txt"
TABLE_CSV = Path(__file__).parents[2] / "negotiations" / "data" / "ussg_sentencing_table.csv"
CATEGORIES = ["I", "II", "III", "IV", "V", "VI"]


def printed_cells() -> dict[tuple[int, str], str]:
    """The transcription of §5A as printed: one line per offense level, six cells."""
    cells: dict[tuple[int, str], str] = {}
    for line in PRINTED_TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        level, *row = line.split()
        assert len(row) == len(CATEGORIES), line
        for category, cell in zip(CATEGORIES, row, strict=True):
            cells[(int(level), category)] = cell
    return cells


def printed_range(cell: str) -> MonthsRange:
    if cell == "life":
        return MonthsRange(None, None)
    low, high = cell.split(EN_DASH)
    return MonthsRange(int(low), None if high == "life" else int(high))


PRINTED = printed_cells()


def test_printed_table_has_every_cell_once() -> None:
    assert len(PRINTED) == 258
    assert set(PRINTED) == {(level, c) for level in range(1, 44) for c in CATEGORIES}


@pytest.mark.parametrize(
    ("level", "category", "cell"),
    [
        pytest.param(level, category, cell, id=f"{level}-{category}")
        for (level, category), cell in PRINTED.items()
    ],
)
def test_sentencing_table_cell(level: int, category: str, cell: str) -> None:
    assert guideline_range(level, category) == printed_range(cell)


def test_csv_has_one_row_per_cell() -> None:
    with TABLE_CSV.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["offense_level", "category", "min_months", "max_months"]
        cells = [(int(row["offense_level"]), row["category"]) for row in reader]
    assert len(cells) == 258
    assert len(set(cells)) == 258


def _order(months: int | None) -> float:
    return float("inf") if months is None else months


@pytest.mark.parametrize("category", CATEGORIES)
def test_ranges_do_not_shrink_down_a_column(category: str) -> None:
    for level in range(1, 43):
        above, below = guideline_range(level, category), guideline_range(level + 1, category)
        assert _order(above.low) <= _order(below.low), (level, category)
        assert _order(above.high) <= _order(below.high), (level, category)


@pytest.mark.parametrize("level", range(1, 44))
def test_ranges_do_not_shrink_across_a_row(level: int) -> None:
    for left, right in pairwise(CATEGORIES):
        a, b = guideline_range(level, left), guideline_range(level, right)
        assert _order(a.low) <= _order(b.low), (level, left)
        assert _order(a.high) <= _order(b.high), (level, left)


def test_every_range_keeps_to_the_25_percent_rule() -> None:
    # 28 U.S.C. § 994(b)(2): the top may exceed the bottom by the greater of 25% or 6 months.
    for level in range(1, 44):
        for category in CATEGORIES:
            r = guideline_range(level, category)
            if r.low is not None and r.high is not None:
                assert r.high <= max(r.low + 6, r.low * 1.25), (level, category)


@pytest.mark.parametrize(
    ("level", "category", "expected"),
    [
        pytest.param(15, "III", MonthsRange(24, 30), id="5A-note-1"),
        pytest.param(7, "II", MonthsRange(2, 8), id="5B1.1-note-1B"),
        pytest.param(19, "I", MonthsRange(30, 37), id="5G1.2-note-3C-defendant-A"),
        pytest.param(30, "II", MonthsRange(108, 135), id="5G1.2-note-3C-defendant-B"),
    ],
)
def test_manual_examples(level: int, category: str, expected: MonthsRange) -> None:
    assert guideline_range(level, category) == expected


def test_offense_level_below_1_is_treated_as_1() -> None:
    assert guideline_range(0, "VI") == MonthsRange(0, 6)
    assert guideline_range(-4, "VI") == MonthsRange(0, 6)


def test_offense_level_above_43_is_treated_as_43() -> None:
    assert guideline_range(44, "I") == MonthsRange(None, None)
    assert guideline_range(50, "I") == MonthsRange(None, None)


@pytest.mark.parametrize("category", ["VII", "iii", "", "3"])
def test_unknown_category_is_refused(category: str) -> None:
    with pytest.raises(ValueError, match="criminal history category"):
        guideline_range(20, category)


def test_range_reads_like_the_manual() -> None:
    assert str(MonthsRange(24, 30)) == f"24{EN_DASH}30 months"
    assert str(MonthsRange(360, None)) == f"360 months{EN_DASH}life"
    assert str(MonthsRange(None, None)) == "life"
    assert str(MonthsRange(60, 60)) == "60 months"
    assert str(MonthsRange(1, 1)) == "1 month"


def test_range_midpoint() -> None:
    assert MonthsRange(24, 30).midpoint() == 27
    assert MonthsRange(41, 51).midpoint() == 46
    assert MonthsRange(360, None).midpoint() is None
    assert MonthsRange(None, None).midpoint() is None


def test_life_helpers() -> None:
    assert MonthsRange(None, None).is_life
    assert not MonthsRange(360, None).is_life
    assert MonthsRange(360, None).reaches_life
    assert not MonthsRange(360, 405).reaches_life


@pytest.mark.parametrize(("low", "high"), [(30, 24), (-1, 6), (None, 30)])
def test_impossible_range_is_refused(low: int | None, high: int | None) -> None:
    with pytest.raises(ValueError):
        MonthsRange(low, high)


# USSG §3E1.1


def test_acceptance_at_16_with_motion_is_three_levels() -> None:
    assert acceptance_reduction(16, government_motion=True, parameters=US) == 3


def test_acceptance_at_16_without_motion_is_two_levels() -> None:
    assert acceptance_reduction(16, government_motion=False, parameters=US) == 2


def test_acceptance_at_15_with_motion_is_only_two_levels() -> None:
    assert acceptance_reduction(15, government_motion=True, parameters=US) == 2


def test_acceptance_at_30_with_motion_is_three_levels() -> None:
    assert acceptance_reduction(30, government_motion=True, parameters=US) == 3


def test_acceptance_follows_the_profile_parameters() -> None:
    parameters = {
        "acceptance_of_responsibility_levels": 1,
        "acceptance_extra_level_on_motion": 2,
        "acceptance_extra_level_min_offense_level": 20,
    }
    assert acceptance_reduction(19, government_motion=True, parameters=parameters) == 1
    assert acceptance_reduction(20, government_motion=True, parameters=parameters) == 3


def test_acceptance_without_its_parameters_is_refused() -> None:
    with pytest.raises(ValueError, match="acceptance_of_responsibility_levels"):
        acceptance_reduction(20, government_motion=True, parameters=CN)


# USSG §5G1.1


def test_statutory_maximum_below_the_range_becomes_the_sentence() -> None:
    # §5G1.1, comment.: 51-63 months and a 48-month maximum give 48 months.
    assert bound_by_statute(MonthsRange(51, 63), MonthsRange(0, 48)) == MonthsRange(48, 48)


def test_mandatory_minimum_above_the_range_becomes_the_sentence() -> None:
    # §5G1.1, comment.: 41-51 months and a 60-month minimum give 60 months.
    assert bound_by_statute(MonthsRange(41, 51), MonthsRange(60, 480)) == MonthsRange(60, 60)


def test_statutory_maximum_inside_the_range_cuts_its_top() -> None:
    # §5G1.1, comment.: 51-63 months and a 60-month maximum give 51-60 months.
    assert bound_by_statute(MonthsRange(51, 63), MonthsRange(0, 60)) == MonthsRange(51, 60)


def test_mandatory_minimum_inside_the_range_raises_its_bottom() -> None:
    # §5G1.2, comment. (n.3(C)): 108-135 months and a 120-month minimum give 120-135 months.
    assert bound_by_statute(MonthsRange(108, 135), MonthsRange(120, 360)) == MonthsRange(120, 135)


def test_range_within_the_statute_is_unchanged() -> None:
    assert bound_by_statute(MonthsRange(63, 78), MonthsRange(60, 480)) == MonthsRange(63, 78)


def test_life_guideline_is_capped_by_a_statutory_maximum() -> None:
    assert bound_by_statute(MonthsRange(None, None), MonthsRange(0, 240)) == MonthsRange(240, 240)
    assert bound_by_statute(MonthsRange(360, None), MonthsRange(120, 480)) == MonthsRange(360, 480)


def test_life_guideline_stands_when_the_statute_allows_life() -> None:
    assert bound_by_statute(MonthsRange(360, None), MonthsRange(120, None)) == MonthsRange(
        360, None
    )


def test_mandatory_life_overrides_the_guideline() -> None:
    assert bound_by_statute(MonthsRange(41, 51), MonthsRange(None, None)) == MonthsRange(None, None)


# 认罪认罚从宽: 2021 Guiding Opinions on Sentencing for Common Crimes


@pytest.mark.parametrize(
    ("stage", "circumstances", "expected_low"),
    [
        ("investigation", [], 26),  # 36 x 0.7 = 25.2
        ("prosecution_review", [], 29),  # 36 x 0.8 = 28.8
        ("trial", [], 33),  # 36 x 0.9 = 32.4
        ("investigation", ["surrender"], 15),  # 36 x 0.4 = 14.4
        ("prosecution_review", ["restitution"], 18),  # 36 x 0.5 = 18
        ("trial", ["surrender", "reconciliation"], 22),  # 36 x 0.6 = 21.6
    ],
)
def test_leniency_range_for_each_stage(
    stage: str, circumstances: list[str], expected_low: int
) -> None:
    assert leniency_range(
        36, stage=stage, circumstances=circumstances, parameters=CN
    ) == MonthsRange(expected_low, 36)


def test_leniency_bottom_is_exact_for_whole_results() -> None:
    # 10 x (1 - 0.3) is 7.000000000000001 in binary floating point; it must stay 7.
    assert leniency_range(10, stage="investigation", circumstances=[], parameters=CN) == (
        MonthsRange(7, 10)
    )


def test_leniency_bottom_rounds_up_so_the_reduction_stays_within_the_share() -> None:
    # 45 x 0.9 = 40.5: 40 months would take off more than 10%.
    assert leniency_range(45, stage="trial", circumstances=[], parameters=CN) == MonthsRange(41, 45)


def test_stage_tier_is_capped_by_the_plea_maximum() -> None:
    parameters = {**CN, "leniency_stage_tiers": {"investigation": 0.5}}
    assert leniency_range(
        100, stage="investigation", circumstances=[], parameters=parameters
    ) == MonthsRange(70, 100)


def test_zero_baseline_stays_zero() -> None:
    assert leniency_range(0, stage="trial", circumstances=[], parameters=CN) == MonthsRange(0, 0)


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="'appeal'"):
        leniency_range(36, stage="appeal", circumstances=[], parameters=CN)


def test_unknown_circumstance_is_refused() -> None:
    with pytest.raises(ValueError, match="'remorse'"):
        leniency_range(36, stage="trial", circumstances=["remorse"], parameters=CN)


def test_circumstances_follow_the_profile_list_when_it_has_one() -> None:
    parameters = {**CN, "leniency_circumstances": ["surrender"]}
    assert leniency_range(
        36, stage="trial", circumstances=["surrender"], parameters=parameters
    ) == MonthsRange(22, 36)
    with pytest.raises(ValueError, match="'restitution'"):
        leniency_range(36, stage="trial", circumstances=["restitution"], parameters=parameters)


# Exposure: trial against plea

# 21 U.S.C. § 841(b)(1)(B): 5 to 40 years, 5-year mandatory minimum.
DISTRIBUTION = ChargeFacts(
    count=1,
    citation="21 U.S.C. § 841(b)(1)(B)",
    title="Possession with intent to distribute 100 grams or more of heroin",
    min_months=60,
    max_months=480,
    mandatory_minimum_months=60,
    severity_rank=8,
)
# 21 U.S.C. § 843(b): up to 4 years.
PHONE = ChargeFacts(
    count=2,
    citation="21 U.S.C. § 843(b)",
    title="Use of a communication facility",
    min_months=0,
    max_months=48,
    mandatory_minimum_months=0,
    severity_rank=4,
)
# 21 U.S.C. § 841(b)(1)(C): up to 20 years, no mandatory minimum.
LESSER_DISTRIBUTION = ChargeFacts(
    count=1,
    citation="21 U.S.C. § 841(b)(1)(C)",
    title="Possession with intent to distribute heroin",
    min_months=0,
    max_months=240,
    mandatory_minimum_months=0,
    severity_rank=6,
)


def test_us_plea_to_the_drug_count_with_the_phone_count_dismissed() -> None:
    result = exposure(
        [DISTRIBUTION, PHONE],
        [TermFacts(count=2, disposition="dismiss", lesser=None)],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
        government_motion=True,
    )
    assert result.trial_statutory == MonthsRange(60, 528)
    assert result.trial_guideline == MonthsRange(51, 63)
    assert result.trial_expected == MonthsRange(60, 63)
    assert result.plea_statutory == MonthsRange(60, 480)
    assert result.plea_guideline == MonthsRange(37, 46)  # level 24 - 3 = 21
    assert result.plea_expected == MonthsRange(60, 60)
    assert result.trial_penalty == pytest.approx(61.5 / 60)
    assert (result.counts_filed, result.counts_dismissed, result.counts_reduced) == (2, 1, 0)
    assert result.severity_reduced == 0
    assert f"Acceptance of responsibility: {MINUS_SIGN}3 levels (USSG §3E1.1), " in (
        " ".join(result.notes)
    )
    assert "Count 2 (21 U.S.C. § 843(b)) dismissed." in result.notes
    assert (
        f"Plea: guideline range 37{EN_DASH}46 months raised to the mandatory minimum of "
        "60 months (USSG §5G1.1(b))." in result.notes
    )
    assert (
        f"Trial: guideline range 51{EN_DASH}63 months restricted to 60{EN_DASH}63 months by the "
        "statutory range (USSG §5G1.1(c))." in result.notes
    )


def test_us_plea_to_a_lesser_offence_escapes_the_mandatory_minimum() -> None:
    result = exposure(
        [DISTRIBUTION, PHONE],
        [
            TermFacts(count=1, disposition="lesser", lesser=LESSER_DISTRIBUTION),
            TermFacts(count=2, disposition="dismiss", lesser=None),
        ],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
        government_motion=True,
    )
    assert result.plea_statutory == MonthsRange(0, 240)
    assert result.plea_expected == MonthsRange(37, 46)
    assert result.trial_penalty == pytest.approx(61.5 / 41.5)
    assert (result.counts_dismissed, result.counts_reduced, result.severity_reduced) == (1, 1, 2)


def test_us_plea_assumes_no_motion_for_the_third_level() -> None:
    """§3E1.1(b): the third level only "upon motion of the government"; an exposure that does
    not say the government moves gets §3E1.1(a)'s 2 levels: 24 - 2 = 22, 41-51 (category I)."""
    result = exposure(
        [LESSER_DISTRIBUTION],
        [],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
    )
    assert result.plea_guideline == MonthsRange(41, 51)
    assert f"Acceptance of responsibility: {MINUS_SIGN}2 levels" in " ".join(result.notes)


def test_us_plea_without_the_governments_motion_loses_the_third_level() -> None:
    result = exposure(
        [LESSER_DISTRIBUTION],
        [],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
        government_motion=False,
    )
    assert result.plea_guideline == MonthsRange(41, 51)  # level 22


def test_us_recommended_range_is_the_expected_plea_sentence() -> None:
    result = exposure(
        [DISTRIBUTION],
        [],
        recommended=MonthsRange(46, 57),
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
        government_motion=True,
    )
    assert result.plea_expected == MonthsRange(46, 57)
    assert result.plea_guideline == MonthsRange(37, 46)
    assert result.trial_penalty == pytest.approx(61.5 / 51.5)
    assert (
        "The recommended range goes below the mandatory minimum of 60 months for the counts pled."
        in result.notes
    )


def test_us_offense_level_above_43_after_trial_is_life() -> None:
    result = exposure(
        [DISTRIBUTION],
        [],
        recommended=None,
        profile_parameters=US,
        offense_level=46,
        criminal_history="I",
    )
    assert result.trial_guideline == MonthsRange(None, None)
    assert result.plea_guideline == MonthsRange(None, None)  # 46 - 3 = 43
    assert result.trial_expected == MonthsRange(480, 480)
    assert "Offense level 46 is treated as 43 (USSG §5A, comment. (n.2))." in result.notes


def test_trial_penalty_is_unknown_when_trial_can_bring_life() -> None:
    murder = ChargeFacts(
        count=1,
        citation="18 U.S.C. § 1111",
        title="Murder",
        min_months=0,
        max_months=None,
        mandatory_minimum_months=0,
        severity_rank=10,
    )
    result = exposure(
        [murder],
        [],
        recommended=MonthsRange(240, 300),
        profile_parameters=US,
        offense_level=43,
        criminal_history="I",
    )
    assert result.trial_statutory == MonthsRange(0, None)
    assert result.trial_expected == MonthsRange(None, None)
    assert result.trial_penalty is None


# 《刑法》第二百六十四条 (theft, especially large amount): 3 to 10 years.
THEFT = ChargeFacts(
    count=1,
    citation="Criminal Law art. 264",
    title="Theft",
    min_months=36,
    max_months=120,
    mandatory_minimum_months=0,
    severity_rank=5,
)


def test_cn_plea_at_prosecution_review() -> None:
    result = exposure(
        [THEFT],
        [],
        recommended=None,
        profile_parameters=CN,
        baseline_months=36,
        leniency_stage="prosecution_review",
    )
    assert result.trial_statutory == MonthsRange(0, 120)
    assert result.trial_guideline == MonthsRange(36, 36)
    assert result.trial_expected == MonthsRange(36, 36)
    assert result.plea_guideline == MonthsRange(29, 36)
    assert result.plea_expected == MonthsRange(29, 36)
    assert result.trial_penalty == pytest.approx(36 / 32.5)
    assert (
        "Admission of guilt and acceptance of punishment at the prosecution review stage: "
        "up to 20% off the baseline of 36 months." in result.notes
    )


def test_cn_plea_with_restitution_at_prosecution_review() -> None:
    result = exposure(
        [THEFT],
        [],
        recommended=None,
        profile_parameters=CN,
        baseline_months=36,
        leniency_stage="prosecution_review",
        leniency_circumstances=["restitution"],
    )
    assert result.plea_expected == MonthsRange(18, 36)
    assert result.trial_penalty == pytest.approx(36 / 27)


def test_cn_baseline_needs_a_stage() -> None:
    with pytest.raises(ValueError, match="stage"):
        exposure([THEFT], [], recommended=None, profile_parameters=CN, baseline_months=36)


def test_all_counts_dismissed_means_no_custody_on_the_plea() -> None:
    result = exposure(
        [DISTRIBUTION, PHONE],
        [
            TermFacts(count=1, disposition="dismiss", lesser=None),
            TermFacts(count=2, disposition="dismiss", lesser=None),
        ],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
    )
    assert result.plea_statutory == MonthsRange(0, 0)
    assert result.plea_expected == MonthsRange(0, 0)
    assert result.trial_expected == MonthsRange(60, 63)
    assert result.counts_dismissed == 2
    assert result.trial_penalty is None


def test_without_guideline_inputs_the_statutory_ranges_are_expected() -> None:
    result = exposure(
        [DISTRIBUTION, PHONE],
        [TermFacts(count=2, disposition="dismiss", lesser=None)],
        recommended=None,
        profile_parameters=US,
    )
    assert result.trial_guideline is None
    assert result.plea_guideline is None
    assert result.trial_expected == MonthsRange(60, 528)
    assert result.plea_expected == MonthsRange(60, 480)
    assert result.trial_penalty == pytest.approx(294 / 270)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ([TermFacts(count=3, disposition="dismiss", lesser=None)], "count 3"),
        (
            [
                TermFacts(count=2, disposition="dismiss", lesser=None),
                TermFacts(count=2, disposition="as_charged", lesser=None),
            ],
            "more than one term",
        ),
        ([TermFacts(count=1, disposition="lesser", lesser=None)], "lesser offence"),
        ([TermFacts(count=1, disposition="reduce", lesser=None)], "'reduce'"),
    ],
)
def test_inconsistent_terms_are_refused(terms: list[TermFacts], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        exposure([DISTRIBUTION, PHONE], terms, recommended=None, profile_parameters=US)


def test_us_and_cn_inputs_together_are_refused() -> None:
    with pytest.raises(ValueError, match="either"):
        exposure(
            [DISTRIBUTION],
            [],
            recommended=None,
            profile_parameters=US,
            offense_level=24,
            criminal_history="I",
            baseline_months=36,
            leniency_stage="trial",
        )


def test_offense_level_without_category_is_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        exposure([DISTRIBUTION], [], recommended=None, profile_parameters=US, offense_level=24)


# Consecutive mandatory terms.
#
# USSG §5G1.2(a): "the sentence to be imposed on a count for which the statute (1) specifies a
# term of imprisonment to be imposed; and (2) requires that such term of imprisonment be imposed
# to run consecutively to any other term of imprisonment, shall be determined by that statute
# and imposed independently." 18 U.S.C. § 1028A(a)(1): "in addition to the punishment provided
# for such felony, be sentenced to a term of imprisonment of 2 years"; § 1028A(b)(2): "no term
# of imprisonment imposed on a person under this section shall run concurrently with any other
# term of imprisonment". §2B1.6(a): the guideline sentence is the term required by statute.

# 18 U.S.C. § 1343: "imprisoned not more than 20 years".
WIRE_FRAUD = ChargeFacts(
    count=1,
    citation="18 U.S.C. § 1343",
    title="Wire fraud",
    min_months=0,
    max_months=240,
    mandatory_minimum_months=0,
    severity_rank=6,
)
IDENTITY_THEFT = ChargeFacts(
    count=2,
    citation="18 U.S.C. § 1028A",
    title="Aggravated identity theft",
    min_months=24,
    max_months=24,
    mandatory_minimum_months=24,
    severity_rank=6,
    consecutive=True,
)
# 18 U.S.C. § 924(c)(1)(A)(i): "in addition to the punishment provided for such crime of
# violence or drug trafficking crime ... be sentenced to a term of imprisonment of not less than
# 5 years"; (c)(1)(D)(ii): no such term "shall run concurrently with any other term of
# imprisonment imposed on the person, including any term of imprisonment imposed for the ...
# drug trafficking crime during which the firearm was used, carried, or possessed". Maximum
# life. §2K2.4(b): the guideline sentence is the minimum term required by statute.
FIREARM = ChargeFacts(
    count=2,
    citation="18 U.S.C. § 924(c)(1)(A)(i)",
    title="Possessing a firearm in furtherance of a drug trafficking crime",
    min_months=60,
    max_months=None,
    mandatory_minimum_months=60,
    severity_rank=9,
    consecutive=True,
)


def test_identity_theft_term_is_added_to_the_wire_fraud_range_at_trial_and_on_the_plea() -> None:
    """Wire fraud at level 22, category I: 41-51 months (Sentencing Table). Trial: 41-51 plus
    the 24 consecutive months is 65-75. Plea to both with the government's motion: level
    22 - 3 = 19, 30-37 months, plus 24 is 54-61. Trial penalty 70 / 57.5."""
    result = exposure(
        [WIRE_FRAUD, IDENTITY_THEFT],
        [],
        recommended=None,
        profile_parameters=US,
        offense_level=22,
        criminal_history="I",
        government_motion=True,
    )
    assert result.trial_guideline == MonthsRange(41, 51)
    assert result.trial_expected == MonthsRange(65, 75)
    assert result.plea_guideline == MonthsRange(30, 37)
    assert result.plea_expected == MonthsRange(54, 61)
    assert result.trial_penalty == pytest.approx(70 / 57.5)
    # At least the 2 years, at most 20 years plus the 2.
    assert result.trial_statutory == MonthsRange(24, 264)
    assert (
        "Count 2 (18 U.S.C. § 1028A): its mandatory term of 24 months runs consecutively to every "
        "other term and is added to the range of the other counts (USSG §5G1.2(a))." in result.notes
    )


def test_dismissing_the_identity_theft_count_takes_its_24_months_off_the_plea() -> None:
    """Plea to wire fraud alone, the § 1028A count dismissed, with the motion: 30-37 months
    against 65-75 at trial; trial penalty 70 / 33.5."""
    result = exposure(
        [WIRE_FRAUD, IDENTITY_THEFT],
        [TermFacts(count=2, disposition="dismiss")],
        recommended=None,
        profile_parameters=US,
        offense_level=22,
        criminal_history="I",
        government_motion=True,
    )
    assert result.plea_expected == MonthsRange(30, 37)
    assert result.plea_statutory == MonthsRange(0, 240)
    assert result.trial_expected == MonthsRange(65, 75)
    assert result.trial_penalty == pytest.approx(70 / 33.5)


def test_firearm_term_is_added_to_the_drug_range_after_the_mandatory_minimum() -> None:
    """§ 841(b)(1)(B) (5-40 years) at level 24, category I: 51-63 months, within the statute
    60-63 (§5G1.1(c)); plus the 60 consecutive months of § 924(c) is 120-123 at trial. Plea to
    both with the motion: level 21, 37-46, raised to the 60-month minimum (§5G1.1(b)), plus 60
    is 120. The statutory range is 60 + 60 = 120 months to life."""
    drug = DISTRIBUTION
    result = exposure(
        [drug, FIREARM],
        [],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
        government_motion=True,
    )
    assert result.trial_statutory == MonthsRange(120, None)
    assert result.trial_expected == MonthsRange(120, 123)
    assert result.plea_expected == MonthsRange(120, 120)
    assert result.trial_penalty == pytest.approx(121.5 / 120)


def test_firearm_count_dismissed_leaves_the_drug_minimum() -> None:
    """Plea to the drug count alone, § 924(c) dismissed: 60 months against 120-123 at trial."""
    result = exposure(
        [DISTRIBUTION, FIREARM],
        [TermFacts(count=2, disposition="dismiss")],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
        government_motion=True,
    )
    assert result.plea_expected == MonthsRange(60, 60)
    assert result.plea_statutory == MonthsRange(60, 480)
    assert result.trial_penalty == pytest.approx(121.5 / 60)


def test_plea_to_the_consecutive_count_alone_is_its_term() -> None:
    """With wire fraud dismissed only the § 1028A term is left: 24 months, whatever the
    guideline range of the offense level."""
    result = exposure(
        [WIRE_FRAUD, IDENTITY_THEFT],
        [TermFacts(count=1, disposition="dismiss")],
        recommended=None,
        profile_parameters=US,
        offense_level=22,
        criminal_history="I",
        government_motion=True,
    )
    assert result.plea_statutory == MonthsRange(24, 24)
    assert result.plea_expected == MonthsRange(24, 24)


def test_two_identity_theft_counts_may_run_concurrently_with_each_other() -> None:
    """§ 1028A(b)(4): a term under the section "may, in the discretion of the court, run
    concurrently, in whole or in part, only with another term of imprisonment that is imposed
    by the court at the same time on that person for an additional violation of this
    section". Wire fraud at level 15, category I is 18-24 months; two § 1028A counts add 24
    months (concurrent) to 48 (consecutive): 42-72 months at trial, at least 24 by statute."""
    theft = dataclasses.replace(IDENTITY_THEFT, concurrent_with_same_statute=True)
    result = exposure(
        [WIRE_FRAUD, theft, dataclasses.replace(theft, count=3)],
        [],
        recommended=None,
        profile_parameters=US,
        offense_level=15,
        criminal_history="I",
    )
    assert result.trial_expected == MonthsRange(42, 72)
    assert result.trial_statutory == MonthsRange(24, 288)
    assert (
        "The terms of counts 2, 3 (18 U.S.C. § 1028A) may run concurrently with one another, "
        "and consecutively to every other term." in result.notes
    )


def test_two_firearm_counts_each_run_consecutively() -> None:
    """§ 924(c)(1)(D)(ii): no term under the subsection "shall run concurrently with any other
    term of imprisonment": two counts add 60 + 60 months to the drug count's 60-63."""
    result = exposure(
        [DISTRIBUTION, FIREARM, dataclasses.replace(FIREARM, count=3)],
        [],
        recommended=None,
        profile_parameters=US,
        offense_level=24,
        criminal_history="I",
    )
    assert result.trial_expected == MonthsRange(180, 183)
    assert result.trial_statutory == MonthsRange(180, None)


def test_without_guideline_inputs_the_consecutive_term_raises_the_statutory_floor() -> None:
    """The statutory range of § 841(b)(1)(B) and § 924(c): 60 + 60 months to life."""
    result = exposure([DISTRIBUTION, FIREARM], [], recommended=None, profile_parameters=US)
    assert result.trial_expected == MonthsRange(120, None)


# Sentencing zones (USSG Ch. 5, Pt. A; §5B1.1; §5C1.1).


def printed_zone_labels() -> dict[int, str]:
    """The zone of each offense level in column I, from the "# Zone X" labels of the printed
    table, which sit where each zone begins in that column."""
    zones: dict[int, str] = {}
    zone = ""
    for line in PRINTED_TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# Zone "):
            zone = line.removeprefix("# Zone ").strip()
        elif line.strip() and not line.startswith("#"):
            zones[int(line.split()[0])] = zone
    return zones


@pytest.mark.parametrize(("level", "zone"), sorted(printed_zone_labels().items()))
def test_zone_of_column_i_follows_the_printed_table(level: int, zone: str) -> None:
    found = zone_of(guideline_range(level, "I"), US)
    assert found is not None
    assert found.name == zone


@pytest.mark.parametrize(
    ("level", "category", "zone"),
    [
        # §5C1.1, comment.: Zone B, "the minimum term ... is at least one but not more than
        # nine months"; Zone C, "ten or twelve months"; Zone A, a minimum of zero.
        (6, "II", "B"),  # 1-7
        (7, "IV", "B"),  # 8-14
        (8, "III", "B"),  # 6-12
        (10, "III", "C"),  # 10-16
        (11, "II", "C"),  # 10-16
        (8, "V", "D"),  # 15-21
        (13, "III", "D"),  # 18-24
        (2, "V", "A"),  # 0-6
    ],
)
def test_zone_by_the_minimum_of_the_range(level: int, category: str, zone: str) -> None:
    found = zone_of(guideline_range(level, category), US)
    assert found is not None
    assert found.name == zone


def test_zones_are_profile_data() -> None:
    assert zone_of(MonthsRange(0, 6), CN) is None
    one_zone = {"sentencing_zones": [{**US["sentencing_zones"][0], "max_minimum_months": None}]}
    found = zone_of(MonthsRange(120, 150), one_zone)
    assert found is not None
    assert found.name == "A"


def zoned(level: int, category: str, *, custody: MonthsRange | None, probation: int | None) -> Any:
    """A plea to § 841(b)(1)(C) (0-20 years, no minimum) as charged, without the motion."""
    return exposure(
        [LESSER_DISTRIBUTION],
        [],
        recommended=custody,
        profile_parameters=US,
        offense_level=level,
        criminal_history=category,
        probation_months=probation,
    )


def test_probation_is_allowed_in_zone_a() -> None:
    """§5B1.1(a)(1): probation is authorized if "the applicable guideline range is in Zone A".
    Level 8 - 2 = 6, category I: 0-6."""
    result = zoned(8, "I", custody=MonthsRange(0, 0), probation=24)
    assert result.plea_zone.name == "A"
    assert result.plea_zone.probation
    assert result.warnings == ()


def test_probation_alone_in_zone_b_warns_of_the_confinement_condition() -> None:
    """§5B1.1(a)(2): in Zone B probation needs "a condition or combination of conditions
    requiring intermittent confinement, community confinement, or home detention". Level
    12 - 2 = 10, category I: 6-12, Zone B."""
    result = zoned(12, "I", custody=None, probation=36)
    assert result.plea_zone.name == "B"
    assert not result.plea_zone.probation
    assert result.plea_zone.probation_with_confinement
    assert result.warnings == (
        f"Zone B (6{EN_DASH}12 months): probation only with a condition of intermittent "
        "confinement, community confinement or home detention "
        "(USSG §5B1.1(a)(2), §5C1.1(c)).",
    )


def test_probation_in_zone_c_is_not_allowed() -> None:
    """Level 14 - 2 = 12, category I: 10-16, Zone C: §5C1.1(d) allows imprisonment, or a
    split sentence with at least half the minimum in prison; no probation."""
    result = zoned(14, "I", custody=MonthsRange(0, 0), probation=36)
    assert result.plea_zone.name == "C"
    assert result.warnings == (
        f"Zone C (10{EN_DASH}16 months): the guidelines do not allow probation "
        "(USSG §5C1.1(d)); the offer recommends it.",
    )


def test_split_sentence_in_zone_c_needs_half_the_minimum_in_prison() -> None:
    """§5C1.1(d)(2): "at least one-half of the minimum term is satisfied by imprisonment":
    half of 10 months is 5."""
    assert zoned(14, "I", custody=MonthsRange(5, 5), probation=12).warnings == ()
    (warning,) = zoned(14, "I", custody=MonthsRange(4, 4), probation=12).warnings
    assert "a split sentence needs at least 5 months in prison (USSG §5C1.1(d))" in warning


def test_split_sentence_in_zone_b_needs_a_month_in_prison() -> None:
    """§5C1.1(c)(2): "provided that at least one month is satisfied by imprisonment"."""
    assert zoned(12, "I", custody=MonthsRange(1, 1), probation=12).warnings == ()


def test_zone_d_allows_neither_probation_nor_a_split_sentence() -> None:
    """§5C1.1(f): "If the applicable guideline range is in Zone D of the Sentencing Table,
    the minimum term shall be satisfied by a sentence of imprisonment." Level 18 - 2 = 16,
    category I: 21-27."""
    result = zoned(18, "I", custody=MonthsRange(12, 12), probation=24)
    assert result.plea_zone.name == "D"
    assert not (result.plea_zone.probation or result.plea_zone.split_sentence)
    assert result.warnings == (
        f"Zone D (21{EN_DASH}27 months): the minimum term must be served in prison "
        "(USSG §5C1.1(f)); the offer recommends custody with probation.",
    )


def test_custody_without_probation_draws_no_zone_warning() -> None:
    assert zoned(18, "I", custody=MonthsRange(12, 12), probation=None).warnings == ()


def test_a_mandatory_minimum_puts_the_range_in_zone_d() -> None:
    """Level 8, category I is 0-6, but § 841(b)(1)(B)'s 60-month minimum makes the applicable
    range 60 months (§5G1.1(b)): Zone D."""
    result = exposure(
        [DISTRIBUTION],
        [],
        recommended=MonthsRange(0, 0),
        profile_parameters=US,
        offense_level=8,
        criminal_history="I",
        probation_months=36,
    )
    assert result.plea_applicable == MonthsRange(60, 60)
    assert result.plea_zone is not None
    assert result.plea_zone.name == "D"
    # §5C1.1(f) for the zone, and §5B1.1(b)(1) for the offence: a maximum of 40 years is
    # "twenty-five years or more", a Class B felony (18 U.S.C. 3559(a)(2)), for which "a
    # sentence of probation may not be imposed".
    assert [w.split(":")[0] for w in result.warnings] == [
        "Zone D (60 months)",
        "Probation is not authorized",
    ]


# China: the baseline within the statutory range; minor crimes; fixed terms and fines.

# 《刑法》第一百三十三条之一 (dangerous driving): "处拘役，并处罚金"; 拘役 runs from one to six
# months (art. 42).
DANGEROUS_DRIVING = ChargeFacts(
    count=1,
    citation="刑法第133条之一",
    title="危险驾驶罪",
    min_months=1,
    max_months=6,
    mandatory_minimum_months=0,
    severity_rank=1,
    penalty_kind="criminal_detention",
    fine_applies=True,
)
# 《刑法》第二百六十六条 (fraud, large amount): "处三年以下有期徒刑、拘役或者管制，并处或者
# 单处罚金".
FRAUD = ChargeFacts(
    count=1,
    citation="刑法第266条",
    title="诈骗罪",
    min_months=0,
    max_months=36,
    mandatory_minimum_months=0,
    severity_rank=4,
    fine_applies=True,
)


def test_baseline_range_is_the_statutory_range_of_the_offence() -> None:
    """Part II of the 2021 Guiding Opinions: the starting point is fixed "在相应的法定刑幅度
    内" (within the statutory range); dangerous driving's is 1 to 6 months of 拘役."""
    assert baseline_range([DANGEROUS_DRIVING]) == MonthsRange(1, 6)
    assert baseline_range([FRAUD]) == MonthsRange(0, 36)


def test_minor_crime_with_a_circumstance_may_reach_exemption() -> None:
    """III(14): "具有自首、重大坦白、退赃退赔、赔偿谅解、刑事和解等情节的，可以减少基准刑的60%
    以下，犯罪较轻的，可以减少基准刑的60%以上或者依法免除处罚": with restitution, a minor crime
    may go from the 6-month baseline down to exemption (0)."""
    result = exposure(
        [DANGEROUS_DRIVING],
        [],
        recommended=None,
        profile_parameters=CN,
        baseline_months=6,
        leniency_stage="prosecution_review",
        leniency_circumstances=["restitution", "minor_crime"],
    )
    assert result.plea_guideline == MonthsRange(0, 6)
    assert "A minor crime: the court may exempt the defendant from punishment." in result.notes


def test_minor_crime_without_a_circumstance_keeps_the_stage_share() -> None:
    """The minor-crime clause follows the circumstances: alone, the plea at prosecution review
    earns its 20%: 36 less 20% is 28.8, rounded up to 29."""
    assert leniency_range(
        36, stage="prosecution_review", circumstances=["minor_crime"], parameters=CN
    ) == MonthsRange(29, 36)


def test_minor_crime_is_unknown_where_the_profile_lacks_it() -> None:
    parameters = {k: v for k, v in CN.items() if k != "leniency_minor_crime_max_reduction"}
    with pytest.raises(ValueError, match="'minor_crime'"):
        leniency_range(36, stage="trial", circumstances=["minor_crime"], parameters=parameters)


def cn_fraud(recommended: MonthsRange, *, fine: bool) -> Any:
    return exposure(
        [FRAUD],
        [],
        recommended=recommended,
        profile_parameters=CN,
        baseline_months=30,
        leniency_stage="prosecution_review",
        fine_recommended=fine,
    )


def test_a_range_recommendation_is_warned_a_fixed_term_is_not() -> None:
    """2019 Guiding Opinions on the leniency system, art. 33: "人民检察院一般应当提出确定刑量刑
    建议" (normally a fixed term)."""
    assert cn_fraud(MonthsRange(24, 24), fine=True).warnings == ()
    (warning,) = cn_fraud(MonthsRange(24, 30), fine=True).warnings
    assert warning.startswith(
        f"A recommendation is normally a fixed term (确定刑), not a range of 24{EN_DASH}30 months"
    )


def test_an_offence_with_a_fine_needs_its_amount() -> None:
    """Art. 33: "建议判处罚金刑的，参照主刑的从宽幅度提出确定的数额"; fraud carries a fine."""
    (warning,) = cn_fraud(MonthsRange(24, 24), fine=False).warnings
    assert warning == (
        "刑法第266条 carries a fine: the recommendation normally states its amount "
        "(2019 Guiding Opinions on the leniency system, art. 33)."
    )


def test_fixed_term_and_fine_rules_are_profile_data() -> None:
    """The us-fed profile has neither rule: a range without a fine draws no warning."""
    result = exposure([FRAUD], [], recommended=MonthsRange(24, 30), profile_parameters=US)
    assert result.warnings == ()
