"""What a jurisdiction profile says about the plea agreement and the court's review, read from
its parameters (cases.profiles; docs in the profile data):

- `checklist_items`: what counsel confirms with the defendant before anyone signs, each with
  its source; an item with `applies_if` applies only to an agreement whose terms have that
  condition (`{"condition": "appeal_waiver"}`) or sentence (`{"sentence": "fine"}`);
- `plea_procedures`: the procedures a plea statement may name (CPL art. 174: 速裁 / 简易 /
  普通); none where the agreement names no procedure;
- `appeal_limits_recorded`: the source of the rule that the signed agreement records the
  limits on appeal (Meng 2023); empty where it does not;
- `review_outcomes`: what the court may decide ("accept", "reject", "adjust");
- `rejection_grounds`: the statutory grounds one of which a rejection names (CPL art. 201(1));
  none where the court rejects with its reasons alone (Fed. R. Crim. P. 11(c));
- `review_adjust`: where the court may have the prosecution adjust its recommendation (CPL art.
  201(2)), its source and grounds.

Nothing here names a profile: a fourth profile with these parameters works the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from cases.models import Jurisdiction
from cases.profiles import cited, listed_label

ACCEPT = "accept"
REJECT = "reject"
ADJUST = "adjust"
# What the code knows how to do; a profile offers some of them.
REVIEW_DECISIONS = (ACCEPT, REJECT, ADJUST)


@dataclass(frozen=True)
class ListedItem:
    """One entry of a profile's list: a checklist item, a ground, a procedure."""

    code: str
    label: str  # English, marked for translation where it is defined (cases.profiles)
    source: str
    text: str = ""  # the statute's own words, where they are not English
    applies_if: tuple[tuple[str, str], ...] = ()

    @property
    def display(self) -> str:
        """The label in the reader's language, with the statute's words beside it unless the
        label already says them (in Chinese, 速裁程序 rather than "速裁程序 (速裁程序)")."""
        return listed_label(self.label, self.text)

    @property
    def cited(self) -> str:
        """The item's source in the reader's language (cases.profiles.cited)."""
        return cited(self.source)

    @property
    def display_with_source(self) -> str:
        """ "label — source", as forms and the document list an item; the label alone where
        the item cites nothing."""
        return f"{self.display} — {self.cited}" if self.source else self.display

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "label": gettext(self.label),
            "text": self.text,
            "source": cited(self.source),
        }


def _items(raw: Any) -> list[ListedItem]:
    items = []
    for entry in raw or ():
        applies_if = tuple(
            sorted((str(k), str(v)) for k, v in (entry.get("applies_if") or {}).items())
        )
        items.append(
            ListedItem(
                code=str(entry["code"]),
                label=str(entry["label"]),
                source=str(entry.get("source", "")),
                text=str(entry.get("text", "")),
                applies_if=applies_if,
            )
        )
    return items


def _parameters(jurisdiction: Jurisdiction) -> dict[str, Any]:
    return jurisdiction.parameters or {}


# --- the agreement -----------------------------------------------------------------------------


def checklist_items_of(jurisdiction: Jurisdiction) -> list[ListedItem]:
    """Every checklist item of the profile, whatever the agreement."""
    return _items(_parameters(jurisdiction).get("checklist_items"))


def _applies(item: ListedItem, terms: dict[str, Any]) -> bool:
    for kind, name in item.applies_if:
        if kind == "condition" and name not in terms.get("conditions", ()):
            return False
        if kind == "sentence" and terms.get("sentence", {}).get(name) in (None, "", "0", "0.00"):
            return False
    return True


def checklist_items_for(jurisdiction: Jurisdiction, terms: dict[str, Any]) -> list[ListedItem]:
    """The items that apply to an agreement with `terms` (PleaAgreement.terms), in order."""
    return [item for item in checklist_items_of(jurisdiction) if _applies(item, terms)]


def plea_procedures(jurisdiction: Jurisdiction) -> list[ListedItem]:
    return _items(_parameters(jurisdiction).get("plea_procedures"))


def appeal_limits_source(jurisdiction: Jurisdiction) -> str:
    """The rule that the agreement records the limits on appeal; "" where it does not."""
    return cited(str(_parameters(jurisdiction).get("appeal_limits_recorded") or ""))


def statement_needed(jurisdiction: Jurisdiction) -> bool:
    """Whether the plea statement names anything beyond the accepted offer's terms (a
    procedure, the limits on appeal) before the checklist and the signatures."""
    return bool(plea_procedures(jurisdiction)) or bool(appeal_limits_source(jurisdiction))


def item_named(items: list[ListedItem], code: str) -> ListedItem | None:
    return next((item for item in items if item.code == code), None)


# --- the court's review ------------------------------------------------------------------------


def review_outcomes(jurisdiction: Jurisdiction) -> list[str]:
    """The decisions the court may make, in the profile's order. A profile that says nothing
    keeps the plain accept or reject."""
    outcomes = _parameters(jurisdiction).get("review_outcomes") or [ACCEPT, REJECT]
    return [str(o) for o in outcomes if o in REVIEW_DECISIONS]


def checklist_source(jurisdiction: Jurisdiction) -> str:
    """Where the profile's checklist comes from, as the agreement page cites it."""
    return cited(str((jurisdiction.sources or {}).get("checklist") or ""))


def review_source(jurisdiction: Jurisdiction) -> str:
    return cited(str(_parameters(jurisdiction).get("review_source") or ""))


def rejection_grounds(jurisdiction: Jurisdiction) -> list[ListedItem]:
    return _items(_parameters(jurisdiction).get("rejection_grounds"))


def adjustment_grounds(jurisdiction: Jurisdiction) -> list[ListedItem]:
    """The grounds on which the court may ask for an adjusted recommendation; none where it
    may not (then "adjust" is not among the outcomes either)."""
    if ADJUST not in review_outcomes(jurisdiction):
        return []
    adjust = _parameters(jurisdiction).get("review_adjust") or {}
    return _items(adjust.get("grounds"))


def adjustment_source(jurisdiction: Jurisdiction) -> str:
    adjust = _parameters(jurisdiction).get("review_adjust") or {}
    return cited(str(adjust.get("source") or ""))


def grounds_for(jurisdiction: Jurisdiction, decision: str) -> list[ListedItem]:
    """The grounds one of which a decision must name under the profile (none for acceptance,
    nor for a rejection where the profile lists none)."""
    if decision == REJECT:
        return rejection_grounds(jurisdiction)
    if decision == ADJUST:
        return adjustment_grounds(jurisdiction)
    return []
