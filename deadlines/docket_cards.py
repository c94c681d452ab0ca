"""The docket's hearing cards, rendered without the template engine.

A week of a large court's docket holds a few hundred hearings. Through the template partial
each card cost about a millisecond of CPU (three URL reversals, five date filters, the kind and
status labels through `get_FOO_display`, which then translated every choice of the field each
time, and some 25 variable lookups), so that the page of a 200,000-case court took 330 ms of
CPU (bench/results/routes-1000000.md). Here the three addresses are reversed once, the labels
come from core.choices (translated once per language) and the times are formatted by the
datetime itself: a card is one format_html call. Every string a person reads still goes
through gettext, in the language of the request. tests/deadlines/test_docket_cards.py holds
the card's markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import quote

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core.text import user_name
from deadlines.models import Hearing, HearingStatus

# An id no row has, reversed once and then replaced by each row's id.
_MARK = 2_147_483_647
_CARD = (
    '<article class="hearing-card hearing-card--{status}" aria-labelledby="hearing-{pk}-title">'
    '<p class="hearing-card__time"><time datetime="{start_iso}">{start}</time>'
    '<span class="muted"> {to} <time datetime="{end_iso}">{end}</time></span></p>'
    '<h4 class="hearing-card__kind" id="hearing-{pk}-title"><a href="{hearing_url}">{kind}</a></h4>'
    '<p class="hearing-card__case"><a href="{case_url}"><span class="mono">{docket_number}</span>'
    " {caption}</a></p>"
    '<p class="hearing-card__meta">{judge}</p>'
    '<p class="hearing-card__foot"><span class="badge badge--hearing-{status}">'
    '<span class="visually-hidden">{status_prefix} </span>{status_label}</span>{reschedule}</p>'
    "</article>"
)
_RESCHEDULE = (
    ' <a class="button button--small button--secondary" href="{url}" aria-label="{label}">'
    "{text}</a>"
)
_MAY_RESCHEDULE = (HearingStatus.SCHEDULED, HearingStatus.CONTINUED)


def _address(name: str) -> tuple[str, str]:
    """The route `name` (one integer argument) as the text before and after the id."""
    before, after = reverse(name, args=[_MARK]).split(str(_MARK))
    return before, after


def hearing_cards(
    hearings: Iterable[Hearing], *, here: str, zone: dt.tzinfo
) -> dict[int, SafeString]:
    """The card of each hearing (each with its case, courtroom and judge loaded), by id; times
    in `zone`, the court's; `here` is the docket address the reschedule form returns to."""
    hearing_at, case_at, reschedule_at = (
        _address("deadlines:hearing"),
        _address("cases:detail"),
        _address("deadlines:hearing-reschedule"),
    )
    back = "?next=" + quote(here, safe="/")
    to, status_prefix = gettext("to"), gettext("Hearing status:")
    no_judge = format_html('<span class="muted">{}</span>', gettext("No judge assigned"))
    judge_text, reschedule_text = gettext("Judge %(get_full_name)s"), gettext("Reschedule")
    reschedule_label = gettext("Reschedule %(kind)s in %(docket_number)s at %(time)s")
    cards: dict[int, SafeString] = {}
    for hearing in hearings:
        starts, ends = hearing.starts_at.astimezone(zone), hearing.ends_at.astimezone(zone)
        start_time, kind = starts.strftime("%H:%M"), hearing.get_kind_display()
        case = hearing.case
        reschedule: SafeString | str = ""
        if hearing.status in _MAY_RESCHEDULE:
            reschedule = format_html(
                _RESCHEDULE,
                url=f"{reschedule_at[0]}{hearing.pk}{reschedule_at[1]}{back}",
                label=reschedule_label
                % {"kind": kind.lower(), "docket_number": case.docket_number, "time": start_time},
                text=reschedule_text,
            )
        judge = (
            judge_text % {"get_full_name": user_name(hearing.judge)} if hearing.judge else no_judge
        )
        cards[hearing.pk] = format_html(
            _CARD,
            status=hearing.status,
            pk=hearing.pk,
            start_iso=starts.isoformat(),
            start=f"{start_time} {starts.tzname()}",
            to=to,
            end_iso=ends.isoformat(),
            end=ends.strftime("%H:%M"),
            hearing_url=f"{hearing_at[0]}{hearing.pk}{hearing_at[1]}",
            kind=kind,
            case_url=f"{case_at[0]}{hearing.case_id}{case_at[1]}",
            docket_number=case.docket_number,
            caption=case.caption,
            judge=judge,
            status_label=hearing.get_status_display(),
            status_prefix=status_prefix,
            reschedule=reschedule,
        )
    return cards
