"""CPU per request of the API's detail and list views against stock DRF views of the same
model, through the whole stack (middleware, authentication, throttling, serializer).

    .venv/bin/python -m bench.api_overhead [--requests 400] [--cases 200]

Budget (issue 16): each Parley view at most 2x the CPU of the stock view. The stock views are a
`RetrieveAPIView` and a `ListAPIView` with a plain `ModelSerializer` of the same fields, the
same authentication (a personal token) and no throttling, permission filtering or events: what
DRF costs at the least for the same rows. CPU is this process's (`time.process_time`), so
PostgreSQL's own time is not in it; the ratio is what is budgeted, not the milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

BUDGET = 2.0


def _stock_urls() -> list[Any]:
    from django.urls import path
    from rest_framework import generics, serializers
    from rest_framework.pagination import CursorPagination

    from cases.api.serializers import CaseSerializer
    from cases.models import Case

    class Stock(serializers.ModelSerializer[Case]):
        court_name = serializers.CharField(source="court.name", read_only=True)
        jurisdiction_code = serializers.CharField(source="court.jurisdiction.code")
        status_display = serializers.CharField(source="get_status_display", read_only=True)

        class Meta:
            model = Case
            fields = CaseSerializer.Meta.fields

    class Page(CursorPagination):
        ordering = "-id"
        page_size = 50

    queryset = Case.objects.select_related("court__jurisdiction")

    class Detail(generics.RetrieveAPIView[Case]):
        serializer_class = Stock
        throttle_classes = ()

        def get_queryset(self) -> Any:
            return queryset

    class List(generics.ListAPIView[Case]):
        serializer_class = Stock
        throttle_classes = ()
        filter_backends = ()
        pagination_class = Page

        def get_queryset(self) -> Any:
            return queryset

    return [
        path("stock/cases/<int:pk>/", Detail.as_view()),
        path("stock/cases/", List.as_view()),
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
    from django.test import Client, override_settings

    import config.urls
    from accounts import services as account_services
    from cases.models import Case
    from cases.selectors import case_list_for_user
    from parties.models import Role

    clerk = (
        get_user_model()
        .objects.filter(profile__role_kind=Role.COURT_STAFF, is_active=True)
        .order_by("pk")
        .first()
    )
    if clerk is None:
        raise SystemExit("No court staff in this database: seed it (make run seeds the demo).")
    case = case_list_for_user(clerk).order_by("-pk").first()
    assert case is not None, "the clerk sees no case"
    _token, key = account_services.personal_token_create(user=clerk, name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}

    class Urls:
        urlpatterns = [*_stock_urls(), *config.urls.urlpatterns]

    rows = []
    with override_settings(ROOT_URLCONF=Urls, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        pairs = [
            ("case detail", f"/api/v1/cases/{case.pk}/", f"/stock/cases/{case.pk}/"),
            ("case list", "/api/v1/cases/", "/stock/cases/"),
        ]
        for name, ours_url, stock_url in pairs:
            ours = _cpu_per_request(client, ours_url, requests, headers)
            stock = _cpu_per_request(client, stock_url, requests, headers)
            rows.append((name, ours * 1000, stock * 1000, ours / stock))
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
