"""Benchmark the permission-filtered case list: `python -m bench.cases_list --cases 1000000`.

Seeds (once) a dedicated database, then times one page of 50 cases for a defense attorney on
100 cases and a court clerk whose court holds a fifth of all cases, for every query shape in
bench.variants, the same pages narrowed by a status filter, and `GET /api/v1/cases/` end to
end; writes bench/results/cases_list-<cases>.md and …-plans.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bench import django_setup, results_dir

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from bench.variants import Variant

RESULTS = results_dir()
DEEP_POSITION = 1000

# Status filters, as `GET /api/v1/cases/?status=…` applies them. The seed derives a case's status
# from its id (bench/seed.py), so each measured user holds only some statuses: the attorney's
# cases (ids ≡ 5,000 mod 10,000) are 75 `closed` and 25 `intake`; the clerk's court
# (id % 20 in 6..9) holds `sentenced`, `dismissed` and `trial` among the older three quarters,
# `agreement`, `plea_entered` and `trial` among the newest, and no `negotiating` or `closed`.
# (persona, status, probe): the pages compared with raw SQL use a status that fills them;
# the probes are filters that match late or never, where a walk along the permission index
# cannot stop early (first page only, fewer runs).
FILTERS = [
    ("attorney", "closed", False),
    ("clerk", "trial", False),
    ("attorney", "negotiating", True),
    ("clerk", "sentenced", True),
    ("clerk", "negotiating", True),
    ("clerk", "closed", True),
]


@dataclass
class Persona:
    key: str
    label: str
    user: User
    visible: int
    pages: dict[str, int | None]  # page label -> cursor (id of the previous page's last row)


@dataclass
class FilterCase:
    persona: Persona
    status: str
    probe: bool
    matching: int  # visible cases with the status
    walked: int  # visible cases a newest-first walk passes before its first page is full
    pages: dict[str, int | None]
    variants: list[Variant] = field(default_factory=list)


@dataclass
class Timing:
    samples: list[float]
    queries: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        if len(self.samples) < 2:
            return self.samples[0]
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]


@dataclass
class ApiRequest:
    persona: Persona
    label: str
    url: str
    expected: list[int]
    client: Client
    timing: Timing | None = None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--probe-repeat", type=int, default=5, help="timed runs per query of the slow filters"
    )
    parser.add_argument("--only", help="comma-separated variant keys to run")
    parser.add_argument(
        "--all-plans", action="store_true", help="EXPLAIN every variant and page, not a selection"
    )
    args = parser.parse_args(argv)

    # The API is called through django.test.Client, whose host is `testserver`.
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    database = django_setup()
    from bench import seed as seeding  # after django.setup()

    seeding.seed(args.cases, reseed=args.reseed, log=log)

    from django.conf import settings

    from bench.variants import KEPT, VARIANTS

    settings.DEBUG = False  # no query log while timing; CaptureQueriesContext turns it on
    variants = VARIANTS
    if args.only:
        wanted = set(args.only.split(",")) | KEPT
        variants = [v for v in VARIANTS if v.key in wanted]
    personas = personas_load()
    check_same_rows(personas, variants)
    filter_cases = filter_cases_load(personas)
    check_filtered_rows(filter_cases)
    api_requests = api_requests_load(personas, filter_cases)

    log("timing the pages")
    timings = {
        (persona.key, page, variant.key): timing
        for persona in personas
        for page, before in persona.pages.items()
        for variant, timing in time_page(
            persona.user, before, variants, args.warmup, args.repeat
        ).items()
    }
    log("timing the filtered pages")
    filter_timings = {
        (case.persona.key, case.status, page, variant.key): timing
        for case in filter_cases
        for page, before in case.pages.items()
        for variant, timing in time_page(
            case.persona.user,
            before,
            case.variants,
            1 if case.probe else args.warmup,
            args.probe_repeat if case.probe else args.repeat,
        ).items()
    }
    log("timing the API")
    api_time(api_requests, args.warmup, args.repeat)

    RESULTS.mkdir(exist_ok=True)
    log("explaining")
    plans = explain_all(personas, filter_cases, variants, args.all_plans)
    plans_path = RESULTS / f"cases_list-{args.cases}-plans.txt"
    plans_path.write_text(plans)
    report = report_render(
        args,
        database,
        personas,
        variants,
        timings,
        filter_cases,
        filter_timings,
        api_requests,
        plans_path.name,
    )
    (RESULTS / f"cases_list-{args.cases}.md").write_text(report)
    print(report)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def personas_load() -> list[Persona]:
    from django.contrib.auth.models import User
    from django.db import connection

    from bench import seed as seeding
    from bench.variants import visible_ids_sql

    personas = []
    for key, username, label in [
        ("attorney", seeding.MEASURED_ATTORNEY, "defense attorney"),
        ("clerk", seeding.MEASURED_CLERK, "court clerk"),
    ]:
        user = User.objects.get(username=username)
        ids, params = visible_ids_sql(user)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({ids}) ids", params)
            visible = cursor.fetchone()[0]
            # The deep page starts after row 1000, or is the last full page of a short list.
            position = min(DEEP_POSITION, visible - 50)
            cursor.execute(
                f"SELECT content_object_id FROM ({ids}) ids ORDER BY 1 DESC OFFSET %s LIMIT 1",
                [*params, position - 1],
            )
            deep_cursor = cursor.fetchone()[0]
        personas.append(
            Persona(
                key,
                f"{label} ({visible:,} cases)",
                user,
                visible,
                {"first": None, f"after row {position:,}": deep_cursor},
            )
        )
    return personas


def filter_cases_load(personas: list[Persona]) -> list[FilterCase]:
    from django.db import connection

    from bench.variants import filtered_variants, visible_ids_sql

    by_key = {persona.key: persona for persona in personas}
    cases = []
    for key, status, probe in FILTERS:
        persona = by_key[key]
        ids, params = visible_ids_sql(persona.user)
        matching_sql = (
            f"SELECT v.content_object_id AS id FROM ({ids}) v "
            "JOIN cases_case c ON c.id = v.content_object_id WHERE c.status = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH v AS ({ids}), m AS ({matching_sql})
                SELECT (SELECT count(*) FROM m),
                    (SELECT count(*) FROM v WHERE content_object_id >= coalesce(
                        (SELECT id FROM m ORDER BY id DESC OFFSET 49 LIMIT 1), 0))
                """,
                [*params, *params, status],
            )
            matching, walked = cursor.fetchone()
            pages: dict[str, int | None] = {"first": None}
            if not probe:
                if matching <= 50:
                    raise SystemExit(f"{key}: {matching} {status} cases, too few for two pages")
                position = min(DEEP_POSITION, matching - 50)
                cursor.execute(
                    f"SELECT id FROM ({matching_sql}) m ORDER BY id DESC OFFSET %s LIMIT 1",
                    [*params, status, position - 1],
                )
                pages[f"after row {position:,}"] = cursor.fetchone()[0]
        cases.append(
            FilterCase(persona, status, probe, matching, walked, pages, filtered_variants(status))
        )
    return cases


def _statements(run: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def check_same_rows(personas: list[Persona], variants: list[Variant]) -> None:
    """Every variant returns the ids of the raw SQL (d); (h) in one statement."""
    from bench.variants import BASELINE, SHIPPED

    for persona in personas:
        for page, before in persona.pages.items():
            pages = {variant.key: variant.run(persona.user, before) for variant in variants}
            expected = pages[BASELINE]
            if len(expected) != 50:
                raise SystemExit(f"{persona.key} {page}: {len(expected)} rows, not 50")
            for key, ids in pages.items():
                if ids != expected:
                    raise SystemExit(f"{persona.key} {page}: {key} differs from the raw SQL (d)")
            shipped = next(v for v in variants if v.key == SHIPPED)
            count = _statements(lambda: shipped.run(persona.user, before))  # noqa: B023
            if count != 1:
                raise SystemExit(f"{persona.key} {page}: (h) ran {count} statements, not 1")


def check_filtered_rows(cases: list[FilterCase]) -> None:
    """(h+filter) and (c+filter) return the ids of the raw SQL (e+filter); (h) in one statement."""
    from bench.variants import FILTER_REFERENCE

    for case in cases:
        for page, before in case.pages.items():
            pages = {v.key: v.run(case.persona.user, before) for v in case.variants}
            expected = pages[FILTER_REFERENCE]
            full = min(50, case.matching)
            if len(expected) != full:
                raise SystemExit(
                    f"{case.persona.key} {case.status} {page}: {len(expected)} rows, not {full}"
                )
            for key, ids in pages.items():
                if ids != expected:
                    raise SystemExit(
                        f"{case.persona.key} {case.status} {page}: {key} differs from the raw SQL"
                    )
            for shipped in case.variants:
                if not shipped.key.startswith("shipped"):
                    continue
                count = _statements(lambda: shipped.run(case.persona.user, before))  # noqa: B023
                if count != 1:
                    raise SystemExit(
                        f"{case.persona.key} {case.status} {page}: {shipped.label} ran {count} "
                        "statements, not 1"
                    )


def time_page(
    user: User, before: int | None, variants: list[Variant], warmup: int, repeat: int
) -> dict[Variant, Timing]:
    queries = {
        variant: _statements(lambda: variant.run(user, before))  # noqa: B023
        for variant in variants
    }
    samples: dict[Variant, list[float]] = {variant: [] for variant in variants}
    # Round-robin, so that load from other processes falls on every variant alike.
    for round_number in range(warmup + repeat):
        for variant in variants:
            started = time.perf_counter()
            variant.run(user, before)
            elapsed = (time.perf_counter() - started) * 1000
            if round_number >= warmup:
                samples[variant].append(elapsed)
    return {variant: Timing(samples[variant], queries[variant]) for variant in variants}


def _api_get(request: ApiRequest, url: str | None = None) -> dict[str, Any]:
    response = request.client.get(url or request.url)
    if response.status_code != 200:
        raise SystemExit(
            f"GET {url or request.url} as {request.persona.key}: {response.status_code} "
            "(is `testserver` in ALLOWED_HOSTS?)"
        )
    body: dict[str, Any] = response.json()
    return body


def api_requests_load(personas: list[Persona], filter_cases: list[FilterCase]) -> list[ApiRequest]:
    """The list endpoint as each persona: first page, the page its `next` link gives, and the
    first page filtered by the status of the persona's filtered pages. Each must return what
    (h) returns for the same page."""
    from django.test import Client

    from bench.variants import shipped, shipped_filtered

    base = "/api/v1/cases/"
    requests = []
    for persona in personas:
        client = Client()
        client.force_login(persona.user)
        first = ApiRequest(persona, "first page", base, [], client)
        body = _api_get(first)
        first.expected = [case.pk for case in shipped(persona.user, None).cases]
        second_cursor = first.expected[-1]
        if not body["next"]:
            raise SystemExit(f"GET {base} as {persona.key}: no next link")
        second = ApiRequest(
            persona,
            "page 2 (the `next` link)",
            body["next"],
            [case.pk for case in shipped(persona.user, second_cursor).cases],
            client,
        )
        status = next(c.status for c in filter_cases if c.persona is persona and not c.probe)
        filtered = ApiRequest(
            persona,
            f"first page, `?status={status}`",
            f"{base}?status={status}",
            [case.pk for case in shipped_filtered(status)(persona.user, None).cases],
            client,
        )
        for request in [first, second, filtered]:
            ids = [row["id"] for row in _api_get(request)["results"]]
            if ids != request.expected or len(ids) != 50:
                raise SystemExit(f"{request.url} as {persona.key}: not the page (h) returns")
            requests.append(request)
    return requests


def api_time(requests: list[ApiRequest], warmup: int, repeat: int) -> None:
    queries = {id(r): _statements(lambda: _api_get(r)) for r in requests}  # noqa: B023
    samples: dict[int, list[float]] = {id(r): [] for r in requests}
    for round_number in range(warmup + repeat):
        for request in requests:
            started = time.perf_counter()
            response = request.client.get(request.url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"GET {request.url}: {response.status_code}")
            if round_number >= warmup:
                samples[id(request)].append(elapsed)
    for request in requests:
        request.timing = Timing(samples[id(request)], queries[id(request)])


def explain_all(
    personas: list[Persona], filter_cases: list[FilterCase], variants: list[Variant], every: bool
) -> str:
    from bench.variants import FILTER_PLANNED, PLANNED

    wanted: list[tuple[Variant, str, User, str, int | None]] = [
        (variant, persona.label, persona.user, page, before)
        for variant in variants
        for persona in personas
        if every or persona.key in PLANNED.get(variant.key, ())
        for page, before in persona.pages.items()
    ]
    for case in filter_cases:
        for variant in case.variants:
            which = "all" if every else FILTER_PLANNED.get(variant.key)
            if which is None or (case.probe and not every and case.walked <= DEEP_POSITION):
                continue  # not planned, or a probe whose walk is short
            for page, before in case.pages.items():
                if which == "first" and (case.probe or before is not None):
                    continue
                who = f"{case.persona.label}, status={case.status}"
                wanted.append((variant, who, case.persona.user, page, before))
    out = []
    shown: set[str] = set()
    for variant, who, user, page, before in wanted:
        out.append(f"{'=' * 100}\n{variant.label} | {who} | {page} page\n{'-' * 100}")
        out.append(_explain(variant, user, before, show_statement=variant.key not in shown))
        shown.add(variant.key)
    return "\n".join(out)


def _explain(variant: Variant, user: User, before: int | None, *, show_statement: bool) -> str:
    """The plan; the statement only the first time a variant is shown (it differs after that
    only in the user, the cursor and the status), to keep the file small."""
    from django.db import connection

    sql, params = variant.statement(user, before)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        statement = cursor.mogrify(sql, params).strip() if show_statement else ""
    if not statement:
        return f"(statement as above; user {user.pk}, cursor {before})\n{'-' * 100}\n{plan}\n"
    return f"{statement}\n{'-' * 100}\n{plan}\n"


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def report_render(
    args: argparse.Namespace,
    database: str,
    personas: list[Persona],
    variants: list[Variant],
    timings: dict[tuple[str, str, str], Timing],
    filter_cases: list[FilterCase],
    filter_timings: dict[tuple[str, str, str, str], Timing],
    api_requests: list[ApiRequest],
    plans_name: str,
) -> str:
    from django.db import connection

    from bench.variants import BASELINE, BEST, GUARDIAN, SHIPPED

    with connection.cursor() as cursor:
        cursor.execute("SELECT split_part(version(), ' ', 2)")
        pg_version = cursor.fetchone()[0]
        settings_shown = []
        for name in ["shared_buffers", "work_mem", "random_page_cost", "jit"]:
            cursor.execute(f"SHOW {name}")
            settings_shown.append(f"{name}={cursor.fetchone()[0]}")
        cursor.execute(
            "SELECT (SELECT count(*) FROM parties_caseparticipant), "
            "(SELECT count(*) FROM cases_caseuserobjectpermission), "
            "(SELECT count(*) FROM cases_casegroupobjectpermission), "
            "(SELECT count(*) FROM auth_user)"
        )
        participants, user_perms, group_perms, users = cursor.fetchone()
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"# Case list: {args.cases:,} cases",
        "",
        f"`python -m bench.cases_list --cases {args.cases}` on {datetime.now(UTC):%Y-%m-%d} · "
        f"database `{database}` · PostgreSQL {pg_version} ({', '.join(settings_shown)}) · "
        f"{os.cpu_count()} cores, {platform.machine()} · Python {platform.python_version()} · "
        f"load average at the end {load} (1 / 5 / 15 min).",
        f"Seed: {participants:,} participants, {users:,} users, {user_perms:,} user and "
        f"{group_perms:,} court-group permission rows.",
        f"Each query fetches 50 cases ordered by -id (with court and jurisdiction), "
        f"{args.repeat} warm runs after {args.warmup} warm-ups, variants interleaved. "
        f"Times are wall-clock in Python (ORM: build, compile, execute, build instances; "
        f"raw: execute and fetchall). Plans: `{plans_name}`. Ratios divide medians.",
        "",
        "## The shipped selector (h) against guardian (c) and raw SQL (d), (e)",
        "",
        "| user | page | (h) ms | (c) ms | (d) ms | (e) ms | (h) ÷ (c) | (h) ÷ (d) | (h) ÷ (e) "
        "| (h) statements |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for persona in personas:
        for page in persona.pages:
            h, c, d, e = (
                timings[(persona.key, page, key)] for key in (SHIPPED, GUARDIAN, BASELINE, BEST)
            )
            lines.append(
                f"| {persona.label} | {page} | {_ms(h.median)} | {_ms(c.median)} | "
                f"{_ms(d.median)} | {_ms(e.median)} | {h.median / c.median:.3f} | "
                f"{h.median / d.median:.3f} | {h.median / e.median:.2f} | {h.queries} |"
            )
    lines += [
        "",
        "## Filtered by status: (h+filter) against guardian (c+filter) and raw SQL (e+filter)",
        "",
        "(h+filter) is `case_page_for_user(user, filtered=Case.objects.filter(status=…))`: the "
        "filter becomes `content_object_id IN (SELECT id FROM cases_case WHERE …)` inside each "
        "permission source. (h+CaseFilter) passes what the API passes, "
        "`CaseFilter({'status': …}).qs`, whose MultipleChoiceFilter adds `.distinct()`: "
        "`IN (SELECT DISTINCT …)`. "
        "(e+filter) joins the case inside each source by hand, with the "
        "permission id as a constant. *walked*: visible cases newer than the 50th match, i.e. "
        "index entries a newest-first walk must pass to fill the first page (all visible cases "
        "when fewer than 50 match). Probes (matching late or never) ran "
        f"{args.probe_repeat} times after 1 warm-up.",
        "",
        "| user | status | matching | walked | page | (h+filter) ms | (h+CaseFilter) ms "
        "| (c+filter) ms | (e+filter) ms | (h) ÷ (c) | (h) ÷ (e) | (h+CaseFilter) ÷ (e) "
        "| (h) statements |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in filter_cases:
        for page in case.pages:
            h, hf, c, e = (
                filter_timings[(case.persona.key, case.status, page, key)]
                for key in ("shipped_filter", "shipped_casefilter", "guardian_filter", "raw_filter")
            )
            probe = " (probe)" if case.probe else ""
            lines.append(
                f"| {case.persona.label} | `{case.status}`{probe} | {case.matching:,} | "
                f"{case.walked:,} | {page} | {_ms(h.median)} | {_ms(hf.median)} | "
                f"{_ms(c.median)} | {_ms(e.median)} | {h.median / c.median:.3f} | "
                f"{h.median / e.median:.2f} | {hf.median / e.median:.2f} | {h.queries} |"
            )
    lines += [
        "",
        "## `GET /api/v1/cases/` end to end",
        "",
        "django.test.Client after force_login: session and user lookups, CaseViewSet.list "
        "(filters, KeysetPagination, case_page_for_user), CaseSerializer, JSON rendering. "
        "Each response was checked to hold the 50 ids (h) returns for that page.",
        "",
        "| user | request | median ms | p95 ms | statements |",
        "|---|---|---:|---:|---:|",
    ]
    for request in api_requests:
        assert request.timing is not None
        lines.append(
            f"| {request.persona.label} | {request.label} | {_ms(request.timing.median)} | "
            f"{_ms(request.timing.p95)} | {request.timing.queries} |"
        )
    lines += [
        "",
        "## Every variant",
        "",
        "| user | page | query | median ms | p95 ms | ratio to (h) | ratio to (d) "
        "| ratio to (e) | statements |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for persona in personas:
        for page in persona.pages:
            shipped = timings[(persona.key, page, SHIPPED)].median
            baseline = timings[(persona.key, page, BASELINE)].median
            best = timings[(persona.key, page, BEST)].median
            for variant in variants:
                timing = timings[(persona.key, page, variant.key)]
                lines.append(
                    f"| {persona.label} | {page} | {variant.label} | {_ms(timing.median)} | "
                    f"{_ms(timing.p95)} | {timing.median / shipped:.2f} | "
                    f"{timing.median / baseline:.2f} | {timing.median / best:.2f} | "
                    f"{timing.queries} |"
                )
    lines += ["", guardian_shape(personas[0])]
    return "\n".join(lines) + "\n"


def guardian_shape(persona: Persona) -> str:
    """Say how guardian filtered: by subquery inside one statement, or by ids through Python."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.variants import guardian

    with CaptureQueriesContext(connection) as captured:
        list(guardian(persona.user, None)[:50])
    page_sql = captured.captured_queries[-1]["sql"]
    shape = (
        "`id IN (SELECT … user permissions) OR id IN (SELECT … group permissions)`, "
        "so no ids pass through Python"
        if len(captured) == 1 and " OR " in page_sql and "IN (SELECT" in page_sql
        else "an unexpected shape: see the plans file (--all-plans)"
    )
    return (
        f"guardian's get_objects_for_user (one codename, accept_global_perms=False) ran "
        f"{len(captured)} statement(s) for the page: {shape}."
    )


if __name__ == "__main__":
    main()
