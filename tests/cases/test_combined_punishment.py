"""PRC Criminal Law art. 69 in the CN exposure: the combined punishment of several crimes.

Art. 69 (as amended 2015): "判决宣告以前一人犯数罪的，除判处死刑和无期徒刑的以外，应当在总和刑期
以下、数刑中最高刑期以上，酌情决定执行的刑期，但是管制最高不能超过三年，拘役最高不能超过一年，
有期徒刑总和刑期不满三十五年的，最高不能超过二十年，总和刑期在三十五年以上的，最高不能超过二十五
年。数罪中有判处有期徒刑和拘役的，执行有期徒刑。" So: fixed-term imprisonment adding up to less
than 35 years (420 months) at most 20 years (240 months), 35 years or more at most 25 years
(300 months); 拘役 at most one year; 管制 at most three years; life excepted. The US profile
sets no such cap (its counts may all run consecutively)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cases.profiles import PROFILES
from negotiations.sentencing import ChargeFacts, MonthsRange, exposure

CN: dict[str, Any] = PROFILES["cn"]["parameters"]
US: dict[str, Any] = PROFILES["us-fed"]["parameters"]


def count(n: int, max_months: int | None, kind: str = "imprisonment") -> ChargeFacts:
    return ChargeFacts(
        count=n,
        citation=f"刑法第{260 + n}条",
        title="罪",
        min_months=0,
        max_months=max_months,
        mandatory_minimum_months=0,
        severity_rank=3,
        penalty_kind=kind,
    )


@pytest.mark.parametrize(
    ("maxima", "kind", "ceiling"),
    [
        (
            (120, 120, 120),
            "imprisonment",
            240,
        ),  # 30 years: "不满三十五年的…二十年"
        (
            (180, 120, 120),
            "imprisonment",
            300,
        ),  # 35 years: "在三十五年以上的…二十五年"
        ((240, 240), "imprisonment", 300),
        ((120, 60), "imprisonment", 180),  # 15 years: below the cap, the sum
        ((6, 6, 6), "criminal_detention", 12),  # "拘役最高不能超过一年"
        ((24, 24), "public_surveillance", 36),  # "管制最高不能超过三年"
    ],
)
def test_combined_punishment_is_capped(maxima: tuple[int, ...], kind: str, ceiling: int) -> None:
    counts = [count(n, m, kind) for n, m in enumerate(maxima, 1)]

    result = exposure(counts, [], recommended=None, profile_parameters=CN)

    assert result.trial_statutory == MonthsRange(0, ceiling)


def test_life_is_excepted() -> None:
    # "除判处死刑和无期徒刑的以外"
    result = exposure([count(1, None), count(2, 120)], [], recommended=None, profile_parameters=CN)
    assert result.trial_statutory.high is None


def test_imprisonment_absorbs_criminal_detention() -> None:
    # "数罪中有判处有期徒刑和拘役的，执行有期徒刑": 10 + 6 years of imprisonment with 6 months
    # of 拘役 is capped as the 16 years of imprisonment alone: their sum, under the 20 years.
    counts = [count(1, 120), count(2, 72), count(3, 6, "criminal_detention")]
    result = exposure(counts, [], recommended=None, profile_parameters=CN)
    assert result.trial_statutory == MonthsRange(0, 192)


def test_one_count_is_not_capped() -> None:
    result = exposure([count(1, 300)], [], recommended=None, profile_parameters=CN)
    assert result.trial_statutory == MonthsRange(0, 300)


def test_the_cap_is_noted_with_its_source() -> None:
    result = exposure(
        [count(1, 120), count(2, 120), count(3, 120)], [], recommended=None, profile_parameters=CN
    )
    assert any("Criminal Law art. 69" in note for note in result.notes)


def test_us_counts_are_not_capped() -> None:
    counts = [dataclasses.replace(count(n, 240), citation=f"18 U.S.C. {n}") for n in (1, 2, 3)]
    result = exposure(counts, [], recommended=None, profile_parameters=US)
    assert result.trial_statutory == MonthsRange(0, 720)
