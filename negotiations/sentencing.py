"""Sentencing arithmetic: guideline ranges, plea reductions, and what a plea offer is worth.

Pure functions over plain values, with no models and no database: callers turn charges and
offer terms into `ChargeFacts` and `TermFacts`, and pass the jurisdiction's parameters.
Throughout, a month bound of `None` (`LIFE`) means life imprisonment.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from cases.profiles import cited

LIFE: Final[None] = None

# Ranges print with an en dash and level reductions with a minus sign, as the Manual does.
EN_DASH: Final = "\u2013"
MINUS_SIGN: Final = "\u2212"

CRIMINAL_HISTORY_CATEGORIES: Final = ("I", "II", "III", "IV", "V", "VI")
MIN_OFFENSE_LEVEL: Final = 1
MAX_OFFENSE_LEVEL: Final = 43

# The 2021 Guiding Opinions on Sentencing for Common Crimes: circumstances that, with an
# admission of guilt and acceptance of punishment, allow a reduction of up to 60%.
LENIENCY_CIRCUMSTANCES: Final = (
    "surrender",
    "major_confession",
    "restitution",
    "compensation_forgiveness",
    "reconciliation",
)

# III(14) of the same Opinions: with one of those circumstances, a minor crime (犯罪较轻) may
# earn more than 60% off, or exemption; offered where the profile has
# `leniency_minor_crime_max_reduction`.
MINOR_CRIME: Final = "minor_crime"

TERM_DISPOSITIONS: Final = ("as_charged", "lesser", "dismiss")

# The stages of a plea and the circumstances as the notes name them (profile data has codes).
STAGE_NAMES: Final = {
    "investigation": gettext_lazy("investigation"),
    "prosecution_review": gettext_lazy("prosecution review"),
    "trial": gettext_lazy("trial"),
}
CIRCUMSTANCE_NAMES: Final = {
    "surrender": gettext_lazy("surrender"),
    "major_confession": gettext_lazy("major confession or meritorious service"),
    "restitution": gettext_lazy("restitution of the proceeds"),
    "compensation_forgiveness": gettext_lazy("compensation and the victim's forgiveness"),
    "reconciliation": gettext_lazy("criminal reconciliation"),
    MINOR_CRIME: gettext_lazy("a minor crime"),
}


def _named(code: str, names: Mapping[str, Any]) -> str:
    return str(names.get(code, code.replace("_", " ")))


_SENTENCING_TABLE_CSV: Final = (
    Path(__file__).resolve().parent / "data" / "ussg_sentencing_table.csv"
)
_INFINITY: Final = float("inf")


@dataclass(frozen=True)
class MonthsRange:
    """A custody range in whole months; `None` means life: (360, None) is "360 months-life",
    (None, None) is "life"."""

    low: int | None
    high: int | None

    def __post_init__(self) -> None:
        if self.low is None and self.high is not None:
            raise ValueError("A range that starts at life must end at life.")
        if any(bound is not None and bound < 0 for bound in (self.low, self.high)):
            raise ValueError("Months cannot be negative.")
        if _months_key(self.low) > _months_key(self.high):
            raise ValueError(f"The range starts after it ends: {self.low} > {self.high}.")

    @property
    def is_life(self) -> bool:
        """Life imprisonment and nothing less."""
        return self.low is None

    @property
    def reaches_life(self) -> bool:
        """The range has no upper bound in months ("360 months-life" or "life")."""
        return self.high is None

    def midpoint(self) -> float | None:
        """The middle of the range in months; `None` when the range reaches life."""
        if self.low is None or self.high is None:
            return None
        return (self.low + self.high) / 2

    def __str__(self) -> str:
        if self.low is None:
            return _life()
        if self.high is None:
            return f"{_months_text(self.low)}{EN_DASH}{_life()}"
        if self.low == self.high:
            return _months_text(self.low)
        return _("%(low)s%(dash)s%(high)s months") % {
            "low": self.low,
            "dash": EN_DASH,
            "high": self.high,
        }


def _life() -> str:
    return pgettext("sentence", "life")


def _months_text(months: int) -> str:
    return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}


def _bound_text(months: int | None) -> str:
    return _life() if months is None else _months_text(months)


def _months_key(months: int | None) -> float:
    return _INFINITY if months is None else months


def _optional_months(text: str) -> int | None:
    return int(text) if text.strip() else None


@functools.cache
def _sentencing_table() -> dict[tuple[int, str], MonthsRange]:
    table: dict[tuple[int, str], MonthsRange] = {}
    with _SENTENCING_TABLE_CSV.open(newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            cell = (int(row["offense_level"]), row["category"])
            if cell in table:
                raise RuntimeError(f"{_SENTENCING_TABLE_CSV.name} repeats the cell {cell}.")
            table[cell] = MonthsRange(
                _optional_months(row["min_months"]), _optional_months(row["max_months"])
            )
    expected = {
        (level, category)
        for level in range(MIN_OFFENSE_LEVEL, MAX_OFFENSE_LEVEL + 1)
        for category in CRIMINAL_HISTORY_CATEGORIES
    }
    if set(table) != expected:
        raise RuntimeError(f"{_SENTENCING_TABLE_CSV.name} must hold exactly one row per cell.")
    return table


def _table_offense_level(offense_level: int) -> int:
    # USSG §5A, comment. (n.2): below 1 is treated as 1, above 43 as 43.
    return min(max(offense_level, MIN_OFFENSE_LEVEL), MAX_OFFENSE_LEVEL)


def guideline_range(offense_level: int, category: str) -> MonthsRange:
    """The Sentencing Table cell (USSG Chapter 5, Part A) for a total offense level and a
    criminal history category "I" to "VI". Levels below 1 count as 1 and above 43 as 43
    (USSG §5A, comment. (n.2))."""
    if category not in CRIMINAL_HISTORY_CATEGORIES:
        raise ValueError(
            f"Unknown criminal history category {category!r}; "
            f"expected one of {', '.join(CRIMINAL_HISTORY_CATEGORIES)}."
        )
    return _sentencing_table()[(_table_offense_level(offense_level), category)]


def _parameter(parameters: Mapping[str, Any], name: str) -> Any:
    try:
        return parameters[name]
    except KeyError:
        raise ValueError(f"The jurisdiction's parameters lack {name!r}.") from None


def _int_parameter(parameters: Mapping[str, Any], name: str) -> int:
    value = _parameter(parameters, name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"The parameter {name!r} must be a whole number, not {value!r}.")
    return value


def _share_parameter(value: Any, name: str) -> Decimal:
    # Through str() so that 0.3 is exactly three tenths, not the nearest binary fraction.
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"The parameter {name!r} must be a fraction, not {value!r}.") from None
    if isinstance(value, bool) or not 0 <= share <= 1:
        raise ValueError(f"The parameter {name!r} must be a fraction from 0 to 1, not {value!r}.")
    return share


def acceptance_reduction(
    offense_level: int, *, government_motion: bool, parameters: Mapping[str, Any]
) -> int:
    """How many offense levels acceptance of responsibility takes off (USSG §3E1.1).

    `acceptance_of_responsibility_levels` (2) under §3E1.1(a), and
    `acceptance_extra_level_on_motion` (1) more under §3E1.1(b) on the government's motion
    when `offense_level`, the level before any reduction, is at least
    `acceptance_extra_level_min_offense_level` (16). The names are those of the us-fed
    jurisdiction profile's parameters.
    """
    levels = _int_parameter(parameters, "acceptance_of_responsibility_levels")
    extra = _int_parameter(parameters, "acceptance_extra_level_on_motion")
    threshold = _int_parameter(parameters, "acceptance_extra_level_min_offense_level")
    if government_motion and offense_level >= threshold:
        return levels + extra
    return levels


def _earlier(a: int | None, b: int | None) -> int | None:
    return a if _months_key(a) <= _months_key(b) else b


def _later(a: int | None, b: int | None) -> int | None:
    return a if _months_key(a) >= _months_key(b) else b


def _statute_bounded(r: MonthsRange, statutory: MonthsRange) -> tuple[MonthsRange, str | None]:
    """`bound_by_statute`, also naming the subsection of §5G1.1 that changed the range."""
    if _months_key(statutory.high) < _months_key(r.low):
        return MonthsRange(statutory.high, statutory.high), "a"
    if _months_key(statutory.low) > _months_key(r.high):
        return MonthsRange(statutory.low, statutory.low), "b"
    bounded = MonthsRange(_later(r.low, statutory.low), _earlier(r.high, statutory.high))
    return bounded, (None if bounded == r else "c")


def bound_by_statute(r: MonthsRange, statutory: MonthsRange) -> MonthsRange:
    """The guideline range `r` as the statutory range (mandatory minimum to statutory
    maximum) allows it, following USSG §5G1.1:

    (a) a statutory maximum below the bottom of the range becomes the whole range
        (51-63 months with a 48-month maximum gives 48 months);
    (b) a mandatory minimum above the top of the range becomes the whole range
        (41-51 months with a 60-month minimum gives 60 months);
    (c) otherwise the range is cut to the part that lies within the statutory range
        (51-63 months with a 60-month maximum gives 51-60 months; 108-135 months with a
        120-month minimum gives 120-135 months, §5G1.2, comment. (n.3(C))).

    Life counts as longer than any number of months, in either range.
    """
    return _statute_bounded(r, statutory)[0]


def _leniency_share(
    *, stage: str, circumstances: Sequence[str], parameters: Mapping[str, Any]
) -> Decimal:
    tiers = _parameter(parameters, "leniency_stage_tiers")
    if not isinstance(tiers, Mapping):
        raise ValueError("The parameter 'leniency_stage_tiers' must map stages to fractions.")
    if stage not in tiers:
        raise ValueError(
            f"Unknown plea stage {stage!r}; expected one of {', '.join(map(str, tiers))}."
        )
    known = list(parameters.get("leniency_circumstances", LENIENCY_CIRCUMSTANCES))
    minor_cap = parameters.get("leniency_minor_crime_max_reduction")
    if minor_cap is not None:
        known.append(MINOR_CRIME)
    unknown = [code for code in circumstances if code not in known]
    if unknown:
        raise ValueError(
            f"Unknown leniency circumstance {unknown[0]!r}; expected one of {', '.join(known)}."
        )
    plea_cap = _share_parameter(
        _parameter(parameters, "leniency_max_reduction"), "leniency_max_reduction"
    )
    combined_cap = _share_parameter(
        _parameter(parameters, "leniency_max_reduction_with_circumstances"),
        "leniency_max_reduction_with_circumstances",
    )
    if combined_cap < plea_cap:
        raise ValueError(
            "'leniency_max_reduction_with_circumstances' cannot be below 'leniency_max_reduction'."
        )
    share = min(_share_parameter(tiers[stage], f"leniency_stage_tiers[{stage!r}]"), plea_cap)
    listed = [code for code in circumstances if code != MINOR_CRIME]
    if listed:
        share = min(share + combined_cap - plea_cap, combined_cap)
        if MINOR_CRIME in circumstances:
            share = max(
                share,
                _share_parameter(minor_cap, "leniency_minor_crime_max_reduction"),
            )
    return share


def leniency_range(
    baseline_months: int,
    *,
    stage: str,
    circumstances: Sequence[str],
    parameters: Mapping[str, Any],
) -> MonthsRange:
    """The sentence range for an admission of guilt and acceptance of punishment
    (认罪认罚从宽) under the 2021 Guiding Opinions on Sentencing for Common Crimes: from the
    baseline less the largest reduction allowed, up to the baseline itself.

    The largest reduction for the plea alone is the stage's tier (`leniency_stage_tiers`,
    e.g. 20% at prosecution review), never more than `leniency_max_reduction` (30%). With
    one or more circumstances from `leniency_circumstances` (surrender, major confession,
    restitution, compensation and forgiveness, reconciliation) the circumstances add the
    difference between the two caps (60% - 30% = 30 points) to the stage's share, never
    more than `leniency_max_reduction_with_circumstances` (60%): so an earlier plea still
    earns more, and the best case reaches 60%. With such a circumstance, a minor crime
    (`MINOR_CRIME`) may earn up to `leniency_minor_crime_max_reduction`: III(14), "犯罪较轻的，
    可以减少基准刑的60%以上或者依法免除处罚" (1.0: down to exemption, a bottom of 0).

    The bottom is rounded up to a whole month, so the reduction never exceeds the share
    allowed: 36 months less 30% is 25.2 months, which gives 26.
    """
    if baseline_months < 0:
        raise ValueError("The baseline sentence cannot be negative.")
    share = _leniency_share(stage=stage, circumstances=circumstances, parameters=parameters)
    low = (baseline_months * (1 - share)).to_integral_value(rounding=ROUND_CEILING)
    return MonthsRange(int(low), baseline_months)


@dataclass(frozen=True)
class Zone:
    """A zone of the Sentencing Table (USSG Ch. 5, Pt. A) and the sentences it allows, read
    from the profile's `sentencing_zones`: each zone holds the ranges whose minimum is at most
    `max_minimum_months` (and above the previous zone's); the last has no bound."""

    name: str
    max_minimum_months: int | None
    # Probation alone (§5B1.1(a)(1), §5C1.1(b)).
    probation: bool
    # Probation with a condition of intermittent confinement, community confinement or home
    # detention (§5B1.1(a)(2), §5C1.1(c)(3)).
    probation_with_confinement: bool
    # Imprisonment with supervised release substituting community confinement or home
    # detention for part of the minimum term (§5C1.1(c)(2), (d)(2)).
    split_sentence: bool
    # How much of a split sentence must be imprisonment: at least this many months, and at
    # least this share of the minimum of the range.
    split_min_imprisonment_months: int
    split_min_imprisonment_share: Decimal
    source: str


def _zones(parameters: Mapping[str, Any]) -> list[Zone]:
    rows = parameters.get("sentencing_zones")
    if rows is None:
        return []
    zones = []
    for row in rows:
        try:
            zones.append(
                Zone(
                    name=str(row["zone"]),
                    max_minimum_months=row.get("max_minimum_months"),
                    probation=bool(row["probation"]),
                    probation_with_confinement=bool(row["probation_with_confinement"]),
                    split_sentence=bool(row["split_sentence"]),
                    split_min_imprisonment_months=int(row.get("split_min_imprisonment_months", 0)),
                    split_min_imprisonment_share=_share_parameter(
                        row.get("split_min_imprisonment_share", 0),
                        "split_min_imprisonment_share",
                    ),
                    source=str(row.get("source", "")),
                )
            )
        except (KeyError, TypeError) as missing:
            raise ValueError(f"A sentencing zone is incomplete: {row!r} ({missing}).") from None
    bounds = [zone.max_minimum_months for zone in zones]
    finite = [bound for bound in bounds[:-1] if bound is not None]
    if (
        not zones
        or bounds[-1] is not None
        or len(finite) != len(bounds) - 1
        or finite != sorted(finite)
    ):
        raise ValueError("'sentencing_zones' must rise, and only the last zone has no bound.")
    return zones


def zone_of(r: MonthsRange, parameters: Mapping[str, Any]) -> Zone | None:
    """The zone of a guideline range, by the minimum of the range (USSG Ch. 5, Pt. A and
    §5C1.1, comment.); `None` when the profile has no zones."""
    for zone in _zones(parameters):
        if zone.max_minimum_months is None or _months_key(r.low) <= zone.max_minimum_months:
            return zone
    return None


def zone_warnings(
    zone: Zone,
    applicable: MonthsRange,
    recommended: MonthsRange | None,
    probation_months: int | None,
) -> list[str]:
    """What a recommendation asks for that the zone of the applicable range does not allow:
    probation (custody of 0 months, or none, with probation) or a split sentence (custody and
    probation) with less imprisonment than the zone requires."""
    if not probation_months:
        return []
    custody = 0 if recommended is None else recommended.high
    what = {"zone": zone.name, "range": str(applicable), "source": zone.source}
    if custody == 0:
        if zone.probation:
            return []
        if zone.probation_with_confinement:
            return [
                _(
                    "Zone %(zone)s (%(range)s): probation only with a condition of intermittent "
                    "confinement, community confinement or home detention (%(source)s)."
                )
                % what
            ]
        return [
            _(
                "Zone %(zone)s (%(range)s): the guidelines do not allow probation (%(source)s); "
                "the offer recommends it."
            )
            % what
        ]
    if not zone.split_sentence:
        return [
            _(
                "Zone %(zone)s (%(range)s): the minimum term must be served in prison "
                "(%(source)s); the offer recommends custody with probation."
            )
            % what
        ]
    assert recommended is not None
    minimum = applicable.low or 0
    required = max(
        zone.split_min_imprisonment_months,
        int(
            (minimum * zone.split_min_imprisonment_share).to_integral_value(rounding=ROUND_CEILING)
        ),
    )
    if _months_key(recommended.low) < required:
        return [
            _(
                "Zone %(zone)s (%(range)s): a split sentence needs at least %(required)s in "
                "prison (%(source)s); the offer recommends %(recommended)s."
            )
            % {**what, "required": _months_text(required), "recommended": str(recommended)}
        ]
    return []


@dataclass(frozen=True)
class ChargeFacts:
    """One count as charged, or the lesser offence a count is reduced to."""

    count: int
    citation: str
    title: str
    min_months: int
    max_months: int | None
    mandatory_minimum_months: int
    severity_rank: int
    # The penalty the range is in (cases.models.PenaltyKind) and whether the offence carries
    # a fine.
    penalty_kind: str = "imprisonment"
    fine_applies: bool = False
    # The statute's mandatory term runs consecutively to any other term (18 U.S.C.
    # 1028A(b)(2), 924(c)(1)(D)(ii)): it is added to the other counts' range (USSG §5G1.2(a)).
    consecutive: bool = False
    # Such terms under the same statute may run concurrently with one another (1028A(b)(4)).
    concurrent_with_same_statute: bool = False


@dataclass(frozen=True)
class TermFacts:
    """What an offer does with one count."""

    count: int
    disposition: str  # "as_charged" | "lesser" | "dismiss"
    lesser: ChargeFacts | None = None


@dataclass(frozen=True)
class Exposure:
    """The likely sentence after trial on every count filed, against the plea offered."""

    trial_statutory: MonthsRange
    trial_guideline: MonthsRange | None
    trial_expected: MonthsRange
    plea_statutory: MonthsRange
    plea_guideline: MonthsRange | None
    plea_expected: MonthsRange
    # What the plea's range is without the offer's recommendation: the guideline (or
    # leniency) range within the statutory range, plus any consecutive mandatory terms.
    plea_applicable: MonthsRange
    # How many times longer the expected sentence after trial is than after the plea,
    # midpoint against midpoint; None when either reaches life or the plea's is zero.
    trial_penalty: float | None
    counts_filed: int
    counts_dismissed: int
    counts_reduced: int
    # Sum over reduced counts of how far the severity rank dropped; dismissed counts are
    # counted in counts_dismissed, not here.
    severity_reduced: int
    notes: tuple[str, ...]
    # The zone of the plea's applicable guideline range, when the profile has zones.
    plea_zone: Zone | None = None
    # What the offer recommends that the rules forbid or discourage.
    warnings: tuple[str, ...] = ()


def _statutory_range(
    counts: Sequence[ChargeFacts], parameters: Mapping[str, Any] | None = None
) -> MonthsRange:
    """From the highest mandatory minimum of the counts that may run concurrently, plus every
    consecutive mandatory term, to the sum of the maxima (every count consecutive), or the cap
    the profile puts on a combined punishment (`combined_punishment_caps`); life if any count
    carries life. No counts: no custody."""
    if not counts:
        return MonthsRange(0, 0)
    floor = max(
        (charge.mandatory_minimum_months for charge in counts if not charge.consecutive),
        default=0,
    ) + _consecutive_months(counts)
    maxima = [charge.max_months for charge in counts]
    ceiling = None if None in maxima else sum(m for m in maxima if m is not None)
    cap = combined_punishment_cap(counts, parameters or {})
    if ceiling is not None and cap is not None and cap < ceiling:
        ceiling = max(cap, floor)
    return MonthsRange(floor, ceiling)


def combined_punishment_cap(
    counts: Sequence[ChargeFacts], parameters: Mapping[str, Any]
) -> int | None:
    """The most a combined punishment for several crimes may be, where the profile caps it
    (`combined_punishment_caps`, PRC Criminal Law art. 69: "有期徒刑总和刑期不满三十五年的，最高
    不能超过二十年，总和刑期在三十五年以上的，最高不能超过二十五年"; "拘役最高不能超过一年";
    "管制最高不能超过三年"; and art. 69(2): "数罪中有判处有期徒刑和拘役的，执行有期徒刑"). None for
    one count, for life (excepted by art. 69), or where the profile sets no cap."""
    rule = parameters.get("combined_punishment_caps")
    if not rule or len(counts) < 2:
        return None
    maxima = [charge.max_months for charge in counts]
    if None in maxima:
        return None
    kinds = {charge.penalty_kind for charge in counts}
    absorbing = str(rule.get("absorbing_kind", ""))
    if len(kinds) > 1:
        if absorbing not in kinds or not kinds <= {absorbing, *rule.get("absorbed_kinds", [])}:
            return None
        # The absorbed terms are not executed: the cap of the absorbing kind's own total.
        counts = [charge for charge in counts if charge.penalty_kind == absorbing]
        kinds = {absorbing}
    kind = kinds.pop()
    total = sum(charge.max_months or 0 for charge in counts)
    for tier in rule.get("tiers", {}).get(kind, []):
        below = tier.get("total_below_months")
        if below is None or total < int(below):
            return min(total, int(tier["cap_months"]))
    return total if len(counts) < len(maxima) else None


def baseline_range(counts: Sequence[ChargeFacts]) -> MonthsRange:
    """Where a baseline sentence may lie: within the statutory range of the offence (2021
    Guiding Opinions on Sentencing for Common Crimes, part II), from the highest statutory
    minimum of the counts to the sum of their maxima; life if any carries life."""
    if not counts:
        return MonthsRange(0, 0)
    maxima = [charge.max_months for charge in counts]
    return MonthsRange(
        max(charge.min_months for charge in counts),
        None if None in maxima else sum(m for m in maxima if m is not None),
    )


def _consecutive_months(counts: Sequence[ChargeFacts]) -> int:
    """The least the mandatory terms that run consecutively to every other term add up to.
    Their guideline sentence is the term the statute requires (USSG §2B1.6(a) for 18 U.S.C.
    1028A, §2K2.4(b) for 924(c)), determined by the statute and imposed independently
    (§5G1.2(a)); terms of a statute that lets them run concurrently with one another (1028A(b)(4))
    count once, the longest."""
    return _consecutive_terms(counts).low or 0


def _consecutive_terms(counts: Sequence[ChargeFacts]) -> MonthsRange:
    """From every consecutive term once, those that may run concurrently with one another
    counted once (the longest), to all of them one after another."""
    alone = 0
    together: dict[str, int] = {}
    for charge in counts:
        if not charge.consecutive:
            continue
        if charge.concurrent_with_same_statute:
            together[charge.citation] = max(
                together.get(charge.citation, 0), charge.mandatory_minimum_months
            )
        else:
            alone += charge.mandatory_minimum_months
    every = sum(charge.mandatory_minimum_months for charge in counts if charge.consecutive)
    return MonthsRange(alone + sum(together.values()), every)


def _plus_months(r: MonthsRange, months: MonthsRange) -> MonthsRange:
    def plus(a: int | None, b: int | None) -> int | None:
        return None if a is None or b is None else a + b

    return MonthsRange(plus(r.low, months.low), plus(r.high, months.high))


def _applicable_range(
    stage: str,
    guideline: MonthsRange | None,
    counts: Sequence[ChargeFacts],
    notes: list[str],
    *,
    us: bool,
    parameters: Mapping[str, Any] | None = None,
) -> MonthsRange:
    """The range a conviction on `counts` is expected to bring: the guideline (or leniency)
    range within the statutory range of the counts that may run concurrently (§5G1.1), then
    every consecutive mandatory term added to both ends (§5G1.2(a)). Without a guideline
    range, the statutory range."""
    if guideline is None:
        return _statutory_range(counts, parameters)
    others = [charge for charge in counts if not charge.consecutive]
    if others:
        bounded, note = _bound_note(stage, guideline, _statutory_range(others, parameters), us=us)
        if note:
            notes.append(note)
    else:
        bounded = MonthsRange(0, 0)
    return _plus_months(bounded, _consecutive_terms(counts))


def _probation_precluded_warnings(
    pled: Sequence[ChargeFacts],
    recommended: MonthsRange | None,
    probation_months: int | None,
    parameters: Mapping[str, Any],
) -> list[str]:
    """Where the profile says probation is not authorized for an offence whose statutory
    maximum reaches a bound (`probation_precluded`: USSG §5B1.1(b)(1), a Class A or B felony,
    18 U.S.C. 3561(a)(1) and 3559(a)(1)-(2): life, or twenty-five years or more), the counts
    pled that preclude the probation an offer recommends (probation with no custody)."""
    rule = parameters.get("probation_precluded")
    if not rule or not probation_months:
        return []
    if recommended is not None and (recommended.high is None or recommended.high > 0):
        return []  # custody is recommended: the zones' rules for a split sentence apply
    bound = int(rule["max_custody_months_at_least"])
    precluding = [
        charge
        for charge in pled
        if not charge.consecutive and (charge.max_months is None or charge.max_months >= bound)
    ]
    if not precluding:
        return []
    return [
        _(
            "Probation is not authorized: %(counts)s carries a statutory maximum of life or "
            "of %(bound)s or more (%(source)s); the offer recommends probation."
        )
        % {
            "counts": ", ".join(f"{c.citation}" for c in precluding),
            "bound": _months_text(bound),
            "source": rule["source"],
        }
    ]


def _recommendation_warnings(
    pled: Sequence[ChargeFacts],
    recommended: MonthsRange | None,
    fine_recommended: bool,
    parameters: Mapping[str, Any],
) -> list[str]:
    """Where the profile says recommendations are normally a fixed term
    (`recommendation_fixed_term`) with the fine's amount where the offence carries a fine
    (`recommendation_fine_amount`), what the recommendation leaves out. The parameters' values
    are their sources."""
    if recommended is None:
        return []
    warnings = []
    fixed_term = parameters.get("recommendation_fixed_term")
    if fixed_term and recommended.low != recommended.high:
        warnings.append(
            _(
                "A recommendation is normally a fixed term (确定刑), not a range of %(range)s; "
                "a range is for new, uncommon or complex serious cases (%(source)s)."
            )
            % {"range": str(recommended), "source": cited(fixed_term)}
        )
    fine_amount = parameters.get("recommendation_fine_amount")
    fined = [charge.citation for charge in pled if charge.fine_applies]
    if fine_amount and fined and not fine_recommended:
        warnings.append(
            _(
                "%(citations)s carries a fine: the recommendation normally states its amount "
                "(%(source)s)."
            )
            % {"citations": ", ".join(fined), "source": cited(fine_amount)}
        )
    return warnings


def _bound_note(
    stage: str, r: MonthsRange, statutory: MonthsRange, *, us: bool
) -> tuple[MonthsRange, str | None]:
    bounded, rule = _statute_bounded(r, statutory)
    values = {
        "stage": stage,
        "what": _("guideline range") if us else _("range"),
        "range": str(r),
        "citation": f" (USSG §5G1.1({rule}))" if us else "",
    }
    if rule == "a":
        return bounded, _(
            "%(stage)s: %(what)s %(range)s capped at the statutory maximum of %(bound)s"
            "%(citation)s."
        ) % {**values, "bound": _bound_text(statutory.high)}
    if rule == "b":
        return bounded, _(
            "%(stage)s: %(what)s %(range)s raised to the mandatory minimum of %(bound)s"
            "%(citation)s."
        ) % {**values, "bound": _bound_text(statutory.low)}
    if rule == "c":
        return bounded, _(
            "%(stage)s: %(what)s %(range)s restricted to %(bounded)s by the statutory range"
            "%(citation)s."
        ) % {**values, "bounded": str(bounded)}
    return bounded, None


def exposure(
    charges: Sequence[ChargeFacts],
    terms: Sequence[TermFacts],
    *,
    recommended: MonthsRange | None,
    profile_parameters: Mapping[str, Any],
    offense_level: int | None = None,
    criminal_history: str | None = None,
    government_motion: bool = False,
    baseline_months: int | None = None,
    leniency_stage: str | None = None,
    leniency_circumstances: Sequence[str] = (),
    probation_months: int | None = None,
    fine_recommended: bool = False,
) -> Exposure:
    """Compare trial on every count in `charges` with the plea the `terms` describe.

    `government_motion` says whether the government moves for the further level of
    acceptance of responsibility (USSG §3E1.1(b)): a motion, never assumed.

    Counts without a term are pled as charged. Give `offense_level` and `criminal_history`
    for a US federal case (the plea's range applies acceptance of responsibility to the same
    level), or `baseline_months` and `leniency_stage` for a Chinese case; with neither, the
    expected sentences are the statutory ranges. The offer's `recommended` custody range,
    when there is one, is the expected sentence after the plea.
    """
    counts = [charge.count for charge in charges]
    if len(set(counts)) != len(counts):
        raise ValueError("Each count can be charged only once.")
    terms_by_count: dict[int, TermFacts] = {}
    for term in terms:
        if term.count not in counts:
            raise ValueError(f"The offer has a term for count {term.count}, which is not charged.")
        if term.count in terms_by_count:
            raise ValueError(f"The offer has more than one term for count {term.count}.")
        if term.disposition not in TERM_DISPOSITIONS:
            raise ValueError(
                f"Unknown disposition {term.disposition!r} for count {term.count}; "
                f"expected one of {', '.join(TERM_DISPOSITIONS)}."
            )
        if (term.disposition == "lesser") != (term.lesser is not None):
            raise ValueError(
                f"Count {term.count}: a lesser offence goes with the disposition 'lesser' only."
            )
        terms_by_count[term.count] = term

    us = offense_level is not None or criminal_history is not None
    if us and baseline_months is not None:
        raise ValueError("Give either an offense level and criminal history or a baseline.")

    notes: list[str] = []
    pled: list[ChargeFacts] = []
    dismissed = reduced = severity_reduced = 0
    for charge in charges:
        offered = terms_by_count.get(charge.count)
        if offered is None or offered.disposition == "as_charged":
            pled.append(charge)
        elif offered.lesser is None:
            dismissed += 1
            notes.append(
                _("Count %(count)d (%(citation)s) dismissed.")
                % {"count": charge.count, "citation": charge.citation}
            )
        else:
            pled.append(offered.lesser)
            reduced += 1
            severity_reduced += max(charge.severity_rank - offered.lesser.severity_rank, 0)
            notes.append(
                _("Count %(count)d reduced from %(citation)s to %(lesser)s %(title)s.")
                % {
                    "count": charge.count,
                    "citation": charge.citation,
                    "lesser": offered.lesser.citation,
                    "title": offered.lesser.title,
                }
            )
    if charges and not pled:
        notes.append(_("Every count is dismissed: no custody on a plea."))

    trial_statutory = _statutory_range(charges, profile_parameters)
    plea_statutory = _statutory_range(pled, profile_parameters)
    caps = profile_parameters.get("combined_punishment_caps")
    for stage, stage_counts in ((_("Trial"), charges), (_("Plea"), pled)):
        cap = combined_punishment_cap(stage_counts, profile_parameters)
        total = sum(charge.max_months or 0 for charge in stage_counts)
        if caps and cap is not None and cap < total:
            notes.append(
                _(
                    "%(stage)s: the combined punishment for several crimes is at most "
                    "%(cap)s, not the %(total)s the maxima add up to (%(source)s)."
                )
                % {
                    "stage": stage,
                    "cap": _months_text(cap),
                    "total": _months_text(total),
                    "source": caps["source"],
                }
            )
    trial_guideline: MonthsRange | None = None
    plea_guideline: MonthsRange | None = None
    if us:
        if offense_level is None or criminal_history is None:
            raise ValueError("A guideline range needs both an offense level and a category.")
        reduction = acceptance_reduction(
            offense_level, government_motion=government_motion, parameters=profile_parameters
        )
        plea_level = offense_level - reduction
        for level in dict.fromkeys((offense_level, plea_level)):
            if level != _table_offense_level(level):
                notes.append(
                    _("Offense level %(level)d is treated as %(table)d (USSG §5A, comment. (n.2)).")
                    % {"level": level, "table": _table_offense_level(level)}
                )
        trial_guideline = guideline_range(offense_level, criminal_history)
        plea_guideline = guideline_range(plea_level, criminal_history)
        notes.append(
            _(
                "Acceptance of responsibility: %(minus)s%(reduction)d levels (USSG §3E1.1), "
                "offense level %(level)d → %(plea_level)d."
            )
            % {
                "minus": MINUS_SIGN,
                "reduction": reduction,
                "level": offense_level,
                "plea_level": plea_level,
            }
        )
        threshold = _int_parameter(profile_parameters, "acceptance_extra_level_min_offense_level")
        if offense_level >= threshold and not government_motion:
            notes.append(
                _("No further level under USSG §3E1.1(b): the government does not move for it.")
            )
        elif government_motion and offense_level < threshold:
            notes.append(
                _(
                    "The government's motion under USSG §3E1.1(b) takes a further level off "
                    "only from offense level %(threshold)d."
                )
                % {"threshold": threshold}
            )
    elif baseline_months is not None:
        if leniency_stage is None:
            raise ValueError("A leniency range needs the stage of the plea.")
        trial_guideline = MonthsRange(baseline_months, baseline_months)
        plea_guideline = leniency_range(
            baseline_months,
            stage=leniency_stage,
            circumstances=leniency_circumstances,
            parameters=profile_parameters,
        )
        share = _leniency_share(
            stage=leniency_stage,
            circumstances=leniency_circumstances,
            parameters=profile_parameters,
        )
        with_circumstances = (
            _(" with %(circumstances)s")
            % {
                "circumstances": ", ".join(
                    _named(code, CIRCUMSTANCE_NAMES) for code in leniency_circumstances
                )
            }
            if leniency_circumstances
            else ""
        )
        notes.append(
            _(
                "Admission of guilt and acceptance of punishment at the %(stage)s stage"
                "%(circumstances)s: up to %(share)s%% off the baseline of %(baseline)s."
            )
            % {
                "stage": _named(leniency_stage, STAGE_NAMES),
                "circumstances": with_circumstances,
                "share": f"{share * 100:.0f}",
                "baseline": _months_text(baseline_months),
            }
        )
        alone = [code for code in leniency_circumstances if code != MINOR_CRIME] == []
        if MINOR_CRIME in leniency_circumstances and not alone and share >= 1:
            notes.append(_("A minor crime: the court may exempt the defendant from punishment."))
        elif MINOR_CRIME in leniency_circumstances and alone:
            notes.append(
                _(
                    "A minor crime earns more than the circumstances' share only with one of "
                    "the listed circumstances (surrender, restitution, ...)."
                )
            )

    for charge in charges:
        if charge.consecutive:
            notes.append(
                _(
                    "Count %(count)d (%(citation)s): its mandatory term of %(term)s runs "
                    "consecutively to every other term and is added to the range of the other "
                    "counts%(rule)s."
                )
                % {
                    "count": charge.count,
                    "citation": charge.citation,
                    "term": _months_text(charge.mandatory_minimum_months),
                    "rule": " (USSG §5G1.2(a))" if us else "",
                }
            )
    together: dict[str, list[int]] = {}
    for charge in charges:
        if charge.consecutive and charge.concurrent_with_same_statute:
            together.setdefault(charge.citation, []).append(charge.count)
    for citation, numbers in together.items():
        if len(numbers) > 1:
            notes.append(
                _(
                    "The terms of counts %(counts)s (%(citation)s) may run concurrently with "
                    "one another, and consecutively to every other term."
                )
                % {"counts": ", ".join(map(str, numbers)), "citation": citation}
            )
    trial_expected = _applicable_range(
        _("Trial"), trial_guideline, charges, notes, us=us, parameters=profile_parameters
    )
    plea_applicable = _applicable_range(
        _("Plea"), plea_guideline, pled, notes, us=us, parameters=profile_parameters
    )

    if recommended is not None:
        plea_expected = recommended
        notes.append(_("The offer recommends %(range)s.") % {"range": str(recommended)})
        if _months_key(recommended.low) < _months_key(plea_statutory.low):
            notes.append(
                _(
                    "The recommended range goes below the mandatory minimum of %(bound)s for "
                    "the counts pled."
                )
                % {"bound": _bound_text(plea_statutory.low)}
            )
        if _months_key(recommended.high) > _months_key(plea_statutory.high):
            notes.append(
                _(
                    "The recommended range goes above the statutory maximum of %(bound)s for "
                    "the counts pled."
                )
                % {"bound": _bound_text(plea_statutory.high)}
            )
    else:
        plea_expected = plea_applicable

    warnings: list[str] = []
    plea_zone = None
    if plea_guideline is not None:
        plea_zone = zone_of(plea_applicable, profile_parameters)
    if plea_zone is not None:
        warnings.extend(zone_warnings(plea_zone, plea_applicable, recommended, probation_months))
    warnings.extend(
        _probation_precluded_warnings(pled, recommended, probation_months, profile_parameters)
    )
    warnings.extend(
        _recommendation_warnings(pled, recommended, fine_recommended, profile_parameters)
    )

    trial_mid = trial_expected.midpoint()
    plea_mid = plea_expected.midpoint()
    trial_penalty = None if trial_mid is None or not plea_mid else trial_mid / plea_mid

    return Exposure(
        trial_statutory=trial_statutory,
        trial_guideline=trial_guideline,
        trial_expected=trial_expected,
        plea_statutory=plea_statutory,
        plea_guideline=plea_guideline,
        plea_expected=plea_expected,
        plea_applicable=plea_applicable,
        trial_penalty=trial_penalty,
        counts_filed=len(charges),
        counts_dismissed=dismissed,
        counts_reduced=reduced,
        severity_reduced=severity_reduced,
        notes=tuple(notes),
        plea_zone=plea_zone,
        warnings=tuple(warnings),
    )
