"""What the negotiation pages share: the court's time zone, running a form's service call, an
offer's expiry and countdown, and the charges and sentencing ranges offers are made of."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy

from cases import selectors as case_selectors
from cases.models import Case, ChargeStatus
from core.exceptions import Conflict
from core.forms import add_service_errors
from negotiations import services
from negotiations.forms import OfferForm
from negotiations.models import Offer, OfferStatus
from negotiations.sentencing import MonthsRange
from parties.models import Side

T = TypeVar("T")

SIDE_NOUN = {
    Side.PROSECUTION: pgettext_lazy("the other side", "the prosecution"),
    Side.DEFENSE: pgettext_lazy("the other side", "the defense"),
}
TIMES = "\u00d7"  # the multiplication sign: a trial penalty of 3.3 times the plea


@contextmanager
def _court_time(case: Case) -> Iterator[None]:
    """Read and show times in the court's zone (forms parse datetime-local input in it)."""
    with timezone.override(case.court.time_zone):
        yield


def _submit(form: forms.Form, action: Callable[[dict[str, Any]], T]) -> tuple[T | None, int, str]:
    """Validate `form` and run `action` on its data; return (result, HTTP status, conflict).

    A ValidationError goes next to the fields it names (400); a Conflict comes back as its
    message, for the top of the page (409), because the form it came from may no longer apply.
    PermissionDenied and Http404 are not caught: they become the 403 and 404 pages.
    """
    if not form.is_valid():
        return None, 400, ""
    try:
        return action(form.cleaned_data), 200, ""
    except ValidationError as error:
        if isinstance(form, OfferForm):
            form.add_service_errors(error)
        else:
            add_service_errors(form, error)
        return None, 400, ""
    except Conflict as conflict:
        return None, 409, conflict.message


def _lapsed(offer: Offer, now: dt.datetime) -> bool:
    """Sent, and its deadline has passed: expired, even before the scheduler records it."""
    return offer.status == OfferStatus.SENT and bool(offer.expires_at and offer.expires_at <= now)


def expiry_info(expires_at: dt.datetime | None, now: dt.datetime) -> dict[str, Any] | None:
    """What the countdown says when the page is rendered; the script updates it every minute."""
    if expires_at is None:
        return None
    left = expires_at - now
    return {
        "at": expires_at,
        "text": countdown_text(left),
        "words": json.dumps(countdown_words(), ensure_ascii=False),
        "passed": left <= dt.timedelta(0),
        "urgent": dt.timedelta(0) < left <= dt.timedelta(days=1),
    }


def countdown_words() -> dict[str, Any]:
    """The words of countdown_text in the page's language, for static/js/countdown.js (which
    said them in English on every page): each unit's singular and plural (ngettext for 1 and for
    2, right for English and Chinese; a language with more plural forms would need Django's
    JavaScript catalogue) and the sentences around them."""

    def forms(singular: str, plural: str) -> list[str]:
        return [ngettext(singular, plural, 1), ngettext(singular, plural, 2)]

    return {
        "expired": pgettext("offer", "expired"),
        "in": gettext("expires in %(left)s"),
        "less": gettext("less than a minute"),
        "day": forms("%(count)d day", "%(count)d days"),
        "hour": forms("%(count)d hour", "%(count)d hours"),
        "minute": forms("%(count)d minute", "%(count)d minutes"),
    }


def countdown_text(left: dt.timedelta) -> str:
    """“expires in 2 days 4 hours”; the same words as static/js/countdown.js."""
    if left <= dt.timedelta(0):
        return pgettext("offer", "expired")
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def day(n: int) -> str:
        return ngettext("%(count)d day", "%(count)d days", n) % {"count": n}

    def hour(n: int) -> str:
        return ngettext("%(count)d hour", "%(count)d hours", n) % {"count": n}

    def minute(n: int) -> str:
        return ngettext("%(count)d minute", "%(count)d minutes", n) % {"count": n}

    if days:
        parts = [day(days)] + ([hour(hours)] if hours else [])
    elif hours:
        parts = [hour(hours)] + ([minute(minutes)] if minutes else [])
    elif minutes:
        parts = [minute(minutes)]
    else:
        parts = [gettext("less than a minute")]
    return gettext("expires in %(left)s") % {"left": " ".join(parts)}


def _months(r: MonthsRange | None) -> str:
    return str(r) if r is not None else ""


def _statute_range(statute: Any) -> str:
    return str(MonthsRange(statute.min_custody_months, statute.max_custody_months))


def _open_charges(user: Any, case: Case, *, with_lesser_included: bool = False) -> list[Any]:
    """The counts still to be decided, as filed (a disposed count is out of the negotiation)."""
    charges = (
        case_selectors.charges_visible_to(user)
        .filter(case_id=case.pk)
        .exclude(status=ChargeStatus.DISPOSED)
        .order_by("count_number")
    )
    if with_lesser_included:
        charges = charges.prefetch_related("statute__lesser_included")
    return list(charges)


def _parameters(case: Case) -> dict[str, Any]:
    return case.court.jurisdiction.parameters or {}


def _negotiation_open(case: Case) -> bool:
    return services.negotiation_closed_reason(case) is None
