"""Calendar feeds: the .ics address calendar programs fetch, and the page where a person
creates, rotates and revokes their feeds.

The .ics view needs no sign-in: the secret token in the address is the credential, so an
unknown, rotated or revoked token answers 404, like a feed whose owner may no longer see its
case. The page offers a short list of the person's own cases for a new case feed (a search
narrows it; a case page links here with ?case=), never every case they take part in. The page
shows a new address once, in the answer to the POST that made it (never
through the session's messages, which may live in a cookie): only its hash is kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from cases import selectors as case_selectors
from cases.models import Case
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.exceptions import Conflict
from deadlines import feeds
from deadlines.models import CalendarFeed
from parties.models import CaseParticipant

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
# How many of the person's cases the page offers for a new case feed; a search finds the rest.
PICKER_SIZE = 20
PICKER_QUERY_MAX = 100


@require_safe
def feed_ics(request: HttpRequest, token: str) -> HttpResponseBase:
    feed = feeds.feed_by_token(token)
    if feed is None:
        raise Http404(_("No such calendar feed."))
    body = feeds.feed_render(feed)
    feeds.feed_touch(feed)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response: HttpResponseBase | None = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
        name = f"parley-{feed.case.docket_number}" if feed.case else "parley"
        response["Content-Disposition"] = f'inline; filename="{_filename(name)}.ics"'
    response["ETag"] = etag
    # One person's dates: never in a shared cache; revalidate (cheaply, by ETag) every time.
    patch_cache_control(response, private=True, no_cache=True)
    # The address is a secret: keep it out of Referer headers and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _filename(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


# --- the page --------------------------------------------------------------------------------


class FeedCreateForm(forms.Form):
    case = forms.IntegerField(
        required=False,
        label=gettext_lazy("Dates of"),
        widget=forms.Select,
        help_text=gettext_lazy("All your court dates, or the dates of one case."),
    )


def _feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("deadlines:feed-ics", args=[token]))


def _page(
    request: HttpRequest,
    *,
    form: FeedCreateForm | None = None,
    offered_case: Case | None = None,
    new_url: str = "",
    new_feed: CalendarFeed | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    own = list(feeds.feeds_of(user))
    all_dates = next((f for f in own if f.case_id is None), None)
    case_feeds = [f for f in own if f.case_id is not None]
    still_visible = set(
        case_selectors.cases_visible_among(
            user, [f.case_id for f in case_feeds if f.case_id is not None]
        ).values_list("pk", flat=True)
    )
    # The cases offered for a new feed: the first PICKER_SIZE of the ones the person takes
    # part in (a clerk takes part in none; a prosecutor in thousands), matching the search if
    # there is one, plus a case they came from (?case=).
    taken = {f.case_id for f in case_feeds if f.case_id is not None}
    participations = CaseParticipant.objects.held_by(user).active().values("case_id")
    query = request.GET.get("q", "").strip()[:PICKER_QUERY_MAX]
    # Driven from the person's participations (core.lookups.AnyOf): a judge sees a whole
    # court's cases but takes part in few, and a walk of the court in docket order would pass
    # every one of them.
    candidates = case_selectors.cases_visible_among(user, participations).exclude(pk__in=taken)
    if query:
        candidates = candidates.filter(
            Q(docket_number__istartswith=query) | Q(caption__icontains=query)
        )
    offered = list(candidates.order_by("docket_number")[: PICKER_SIZE + 1])
    more_cases = len(offered) > PICKER_SIZE
    offered = offered[:PICKER_SIZE]
    if (
        offered_case is not None
        and offered_case.pk not in taken
        and all(c.pk != offered_case.pk for c in offered)
    ):
        offered.insert(0, offered_case)
    choices: list[tuple[Any, str]] = [] if all_dates else [("", _("All my court dates"))]
    choices += [(c.pk, f"{c.docket_number} {c.caption}") for c in offered]
    form = form or FeedCreateForm(
        initial={"case": offered_case.pk if offered_case and offered_case.pk not in taken else ""}
    )
    form.fields["case"].widget.choices = choices
    rows = [
        {"feed": f, "case_visible": f.case_id is None or f.case_id in still_visible}
        for f in ([all_dates] if all_dates else []) + case_feeds
    ]
    response = render(
        request,
        "deadlines/feeds.html",
        {
            "rows": rows,
            "form": form,
            "may_create": bool(choices),
            "query": query,
            "more_cases": more_cases,
            "picker_size": PICKER_SIZE,
            "new_url": new_url,
            # webcal:// opens the subscription dialog of the calendar program directly.
            "webcal_url": "webcal://" + new_url.split("://", 1)[-1] if new_url else "",
            "new_feed": new_feed,
            "conflict": conflict,
        },
        status=status,
    )
    if new_url:
        # The answer carries a secret address: no cache may keep it.
        patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_GET
def feeds_page(request: HttpRequest) -> HttpResponse:
    offered_case = None
    if "case" in request.GET:
        # Reached from a case page: the case must be one the person sees.
        offered_case = case_selectors.case_get_for_user(request.user, request.GET["case"])
    return _page(request, offered_case=offered_case)


@login_required
@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = FeedCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    case_id = form.cleaned_data["case"]
    case = case_selectors.case_get_for_user(user, case_id) if case_id is not None else None
    try:
        token = feeds.feed_issue(user=user, case=case, only_new=True)
    except Conflict as conflict:
        return _page(request, form=form, conflict=conflict.message, status=409)
    feed = feeds.feeds_of(user).get(case=case)
    return _page(request, new_url=_feed_url(request, token), new_feed=feed, status=201)


@login_required
@require_POST
def feed_rotate(request: HttpRequest, feed_id: int) -> HttpResponse:
    user = signed_in_user(request)
    feed = feeds.feed_get_for_user(user, feed_id)
    token = feeds.feed_issue(user=user, case=feed.case)
    return _page(request, new_url=_feed_url(request, token), new_feed=feed)


@login_required
@require_POST
def feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    user = signed_in_user(request)
    feed = feeds.feed_get_for_user(user, feed_id)
    feeds.feed_revoke(feed=feed, by=user)
    messages.success(request, _("Feed revoked: its address no longer works."))
    return redirect("deadlines:feeds")
