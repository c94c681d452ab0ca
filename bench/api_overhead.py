"""CPU per request of the API's detail and list views against stock DRF views of the same
model, through the whole stack (middleware, authentication, throttling, serializer).

    .venv/bin/python -m bench.api_overhead [--requests 400] [--cases 200]

Budget (issue 16): each Parley view at most 2x the CPU of the stock view. The stock views are a
`RetrieveAPIView` or a `ListAPIView` (cursor pages of 50) over the same serializer class and
model, with the related rows loaded up front, the same authentication (a personal token) and
no throttling, permission filtering, filters or events: what DRF costs at the least for the
same rows. The ratio is what our views add. CPU is this process's (`time.process_time`), so
PostgreSQL's own time is not in it; the ratio is what is budgeted, not the milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

BUDGET = 2.0


@dataclass(frozen=True)
class Pair:
    """One of our API views and the stock DRF view it is measured against."""

    name: str
    ours: str  # our URL ({pk}: an object the user may read)
    model: str  # app_label.Model
    serializer: str  # dotted path of the serializer both views use
    role: str  # who reads it (a Role value)
    visible: str  # dotted path of our selector of the rows `role` may read
    related: tuple[str, ...] = ()  # select_related of the stock queryset
    prefetch: tuple[str, ...] = ()  # prefetch_related of the stock queryset
    detail: bool = False


_CASES = "cases.selectors.cases_visible_to"
_CASE = "cases.api.serializers.CaseSerializer"
_OFFER = "negotiations.api.serializers.OfferSerializer"
_HEARING = "deadlines.api.serializers.HearingSerializer"
PAIRS = (
    Pair(
        "case detail",
        "/api/v1/cases/{pk}/",
        "cases.Case",
        _CASE,
        "court_staff",
        _CASES,
        ("court__jurisdiction",),
        detail=True,
    ),
    Pair(
        "case list",
        "/api/v1/cases/",
        "cases.Case",
        _CASE,
        "court_staff",
        _CASES,
        ("court__jurisdiction",),
    ),
    Pair(
        "offer list",
        "/api/v1/offers/",
        "negotiations.Offer",
        _OFFER,
        "prosecutor",
        "negotiations.selectors.offers_visible_to",
        ("author", "closed_by"),
        ("terms", "concessions"),
    ),
    Pair(
        "hearing list",
        "/api/v1/hearings/",
        "deadlines.Hearing",
        _HEARING,
        "court_staff",
        "deadlines.selectors.hearings_visible_to",
        ("case__court", "courtroom", "judge"),
    ),
)


def _stock_view(pair: Pair, ids: list[int]) -> Any:
    """A RetrieveAPIView or ListAPIView (cursor pages of 50, newest first) over the same
    serializer, with no permission filtering, throttling, filters or events."""
    from django.apps import apps
    from django.utils.module_loading import import_string
    from rest_framework import generics
    from rest_framework.pagination import CursorPagination

    model = apps.get_model(pair.model)
    queryset = (
        model.objects.filter(pk__in=ids)  # the same rows as ours, as a plain list of ids
        .select_related(*pair.related)
        .prefetch_related(*pair.prefetch)
    )

    class Page(CursorPagination):
        ordering = "-id"
        page_size = 50

    base = generics.RetrieveAPIView if pair.detail else generics.ListAPIView
    attrs = {
        "serializer_class": import_string(pair.serializer),
        "throttle_classes": (),
        "filter_backends": (),
        "pagination_class": Page,
        "get_queryset": lambda self: queryset.all(),
    }
    view: Any = type(f"Stock{model.__name__}", (base,), attrs)
    return view.as_view()


def _stock_urls(ids: list[list[int]]) -> list[Any]:
    from django.urls import path

    return [
        path(
            f"stock/{index}/" + ("<int:pk>/" if pair.detail else ""), _stock_view(pair, ids[index])
        )
        for index, pair in enumerate(PAIRS)
    ]


def _cpu_per_request(client: Any, url: str, requests: int, headers: dict[str, str]) -> float:
    for _ in range(20):  # warm: imports, caches, connection
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(requests // 5):
            client.get(url, **headers)
        samples.append((time.process_time() - start) / (requests // 5))
    return statistics.median(samples)


def run(requests: int, cases: int) -> list[tuple[str, float, float, float]]:
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.test import Client, override_settings
    from django.utils.module_loading import import_string

    import config.urls
    from accounts import services as account_services
    from cases.models import Case

    readers: dict[str, tuple[Any, dict[str, str]]] = {}
    for role in {pair.role for pair in PAIRS}:
        user = (
            get_user_model()
            .objects.filter(profile__role_kind=role, is_active=True)
            # On a case (a party) or sitting in a court (court staff).
            .filter(Q(participations__isnull=False) | Q(groups__isnull=False))
            .order_by("pk")
            .first()
        )
        if user is None:
            raise SystemExit(f"No {role} with cases here: seed it (make run seeds the demo).")
        _token, key = account_services.personal_token_create(user=user, name="bench")
        readers[role] = (user, {"HTTP_AUTHORIZATION": f"Token {key}"})
    ids = [
        list(import_string(pair.visible)(readers[pair.role][0]).values_list("pk", flat=True))
        for pair in PAIRS
    ]

    class Urls:
        urlpatterns = [*_stock_urls(ids), *config.urls.urlpatterns]

    rows = []
    with override_settings(ROOT_URLCONF=Urls, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        for index, pair in enumerate(PAIRS):
            headers = readers[pair.role][1]
            pk = max(ids[index], default=0)
            stock_url = f"/stock/{index}/" + (f"{pk}/" if pair.detail else "")
            ours = _cpu_per_request(client, pair.ours.format(pk=pk), requests, headers)
            stock = _cpu_per_request(client, stock_url, requests, headers)
            rows.append((pair.name, ours * 1000, stock * 1000, ours / stock))
    print(f"{Case.objects.count()} cases; CPU per request, median of 5 runs of {requests // 5}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--cases", type=int, default=0, help="unused; the database's own data")
    args = parser.parse_args(argv)
    import django

    django.setup()
    rows = run(args.requests, args.cases)
    print("| view | Parley ms CPU | stock DRF ms CPU | ratio | budget |")
    print("|---|---:|---:|---:|---|")
    over = False
    for name, ours, stock, ratio in rows:
        flag = "ok" if ratio <= BUDGET else "OVER"
        over |= ratio > BUDGET
        print(f"| {name} | {ours:.2f} | {stock:.2f} | {ratio:.2f}x | {flag} (≤ {BUDGET}x) |")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
