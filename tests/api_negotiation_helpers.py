"""What the negotiation API tests share: URLs, request bodies, who gets which answer, and a
snapshot of every row the negotiation writes.

The expectations are written out here, not read from cases.permissions, so that a change of
rule shows up as a failing test rather than as a silent change of the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatusChange, Charge
from negotiations.models import (
    Concession,
    Offer,
    OfferTerm,
    PleaAgreement,
    Signature,
    Suggestion,
)
from parties.models import Role
from tests.conftest import World
from tests.negotiation_helpers import charge_of

# An answer: a status code alone, or a status code and the body's `detail`.
Answer = int | tuple[int, str]


def url(name: str, *args: object, **params: Any) -> str:
    query = urlencode(params, doseq=True)
    return reverse(name, args=args) + (f"?{query}" if query else "")


def offer_body(world: World, **changes: Any) -> dict[str, Any]:
    """A prosecution offer on world.case as JSON: count 1 reduced to simple possession,
    6-12 months, appeal waiver, guideline inputs, expiring in a week."""
    body: dict[str, Any] = {
        "case": world.case.pk,
        "terms": [
            {
                "charge": charge_of(world.case).pk,
                "disposition": "lesser",
                "lesser_statute": world.lesser_statute.pk,
            }
        ],
        "custody_min_months": 6,
        "custody_max_months": 12,
        "appeal_waiver": True,
        "offense_level": 24,
        "criminal_history_category": "II",
        "expires_at": (timezone.now() + dt.timedelta(days=7)).isoformat(),
        "rationale": "Early resolution; weak chain of custody on one exhibit.",
    }
    body.update(changes)
    return body


def counter_body(world: World, **changes: Any) -> dict[str, Any]:
    """A defense answer: probation instead of custody, with its reasons."""
    body: dict[str, Any] = {
        "terms": [
            {
                "charge": charge_of(world.case).pk,
                "disposition": "lesser",
                "lesser_statute": world.lesser_statute.pk,
            }
        ],
        "custody_min_months": 0,
        "custody_max_months": 0,
        "probation_months": 24,
        "rationale": "First offence; employed; supports two children.",
    }
    body.update(changes)
    return body


def negotiation_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row the negotiation writes, and every case's and charge's status: a refused
    request leaves all of it as it was."""
    models: list[type[Any]] = [
        Offer,
        OfferTerm,
        Concession,
        Suggestion,
        PleaAgreement,
        Signature,
        CaseStatusChange,
    ]
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in models}
    rows["Case"] = list(Case.objects.order_by("pk").values("pk", "status"))
    rows["Charge"] = list(Charge.objects.order_by("pk").values("pk", "status", "disposition"))
    return rows


def answer_of(response: Any) -> Answer:
    """The response as an Answer: with the detail for 403 and 409, the code alone otherwise."""
    if response.status_code in (403, 409):
        return response.status_code, response.json()["detail"]
    return int(response.status_code)


def expected(table: dict[str, Answer], who: str, role: str, stranger: Answer = 404) -> Answer:
    return table[role] if who == "party" else stranger


def succeeded(answer: Answer) -> bool:
    return isinstance(answer, int) and answer < 300


NO_OFFER = {"detail": "Not found.", "code": "not_found"}
NO_SUGGESTION = {"detail": "Not found.", "code": "not_found"}
NO_AGREEMENT = {"detail": "Not found.", "code": "not_found"}

# The 403 details, as the services word them.
# Under us-fed (`negotiator_roles`): counsel negotiates for the defendant.
DEFENDANT_READS_ONLY = "Defendants read offers; their defense counsel or duty lawyer answers them."
NOT_A_NEGOTIATOR = (
    "Only the prosecutor and the defense counsel or duty lawyer negotiate on this case."
)
COURT_STAYS_OUT = "The court does not see plea offers; it sees the agreement once it is submitted."

# Who reads the negotiation of a case: the parties, never the court (Fed. R. Crim. P. 11(c)(1)).
READERS = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]
COURT = [Role.JUDGE, Role.COURT_STAFF]
DEFENSE_LAWYERS = [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER]
