"""Time every GET route of the URL configuration, page and API, for each role:
`python -m bench.routes --cases 1000000`.

Seeds (once) a dedicated database with bench/seed.py and bench/routes_world.py, walks
config.urls for its routes (so a new route is measured without editing this file), fills
their path parameters from seeded objects each role may see, and calls each through
django.test.Client in-process: pages after force_login, the API with a personal token. A route a
role may not call (403, 404) is listed as refused and not timed. Writes
bench/results/routes-<cases>.md (and .json, which the next run at another size compares its
statement counts with).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bench import django_setup, results_dir

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Model, QuerySet
    from django.test import Client

    from bench.routes_world import World

# Its own database: the world it adds to the seed would change what bench.cases_list measures.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley_routes_bench"
# Budgets (issue 16): server time warm, at 1,000,000 cases.
PAGE_P95_MS = 150.0
PAGE_HTML_BYTES = 300_000
API_P95_MS = 50.0
# Not routes of any role: the admin is for superusers; `^.*/$` is the API's catch-all 404.
SKIPPED_PREFIXES = ("admin/",)
# A route slower than this (one request) is timed fewer times, so that one pathological route
# cannot hold the run for an hour; it is over budget whatever the count.
SLOW_MS = 1000.0
SLOW_SAMPLES = 3
CANDIDATES = 5  # objects tried per parameter before a role counts as refused
OWNER_FIELDS = ("user", "recipient", "owner")
# One person of each (parties.models.Role); bench/routes_world.py says who.
ROLES = ["prosecutor", "defense_counsel", "duty_lawyer", "defendant", "judge", "court_staff"]


@dataclass
class Route:
    pattern: str  # as written in the URL configuration, prefixes joined
    name: str  # namespaced, for reverse()
    view: str  # dotted path of the view (class or function)
    params: list[str]
    api: bool
    view_class: Any = None
    actions: dict[str, str] | None = None

    @property
    def kind(self) -> str:
        return "API" if self.api else "page"


@dataclass
class Result:
    route: str
    name: str
    kind: str
    role: str
    outcome: str  # timed, refused, redirect, no GET, error, crash, skipped
    url: str = ""
    status: int = 0
    note: str = ""
    samples: list[float] = field(default_factory=list)
    # The Python process's CPU time of each timed request (time.process_time: ours, not
    # PostgreSQL's): unlike wall time, it barely moves when other processes load the machine.
    cpu_samples: list[float] = field(default_factory=list)
    statements: int = 0
    size: int = 0
    content_type: str = ""
    over: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else 0.0

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_samples) if self.cpu_samples else 0.0

    @property
    def p95(self) -> float:
        if len(self.samples) < 2:
            return self.samples[0] if self.samples else 0.0
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the routes ------------------------------------------------------------------------------


def routes_find() -> list[Route]:
    """Every named route of config.urls that may answer GET, in the order of the URL
    configuration. DRF routes say which methods they map; a function view is tried and a 405
    tells."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
                continue
            assert isinstance(entry, URLPattern)
            pattern = prefix + str(entry.pattern)
            if not entry.name or pattern.startswith(SKIPPED_PREFIXES):
                continue
            callback = entry.callback
            actions = getattr(callback, "actions", None)
            if actions is not None and "get" not in actions:
                continue
            view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            target = view_class or callback
            view = f"{target.__module__}.{target.__qualname__}"
            if actions:
                view += f".{actions['get']}"
            full_name = f"{namespace}:{entry.name}" if namespace else entry.name
            params = [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)]
            found.append(
                Route(
                    pattern=_readable(pattern),
                    name=full_name,
                    view=view,
                    params=params,
                    api=pattern.startswith("api/"),
                    view_class=view_class,
                    actions=actions,
                )
            )

    walk(get_resolver().url_patterns, "", "")
    return found


def _readable(pattern: str) -> str:
    """DRF's regex routes in the path converter notation: `^offers/(?P<pk>[^/.]+)/$` reads
    `offers/<pk>/`."""
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern)
    return pattern.replace("^", "").replace("$", "").replace("\\.", ".") or "/"


# --- path parameters -------------------------------------------------------------------------


def _models() -> list[type[Model]]:
    from django.apps import apps

    return list(apps.get_models())


def param_model(route: Route, param: str) -> type[Model] | None:
    """The model a path parameter names: a viewset's own model for `pk`, else the model whose
    name the parameter's stem is (`offer_id` → Offer), or ends with (`client_id` → ApiClient),
    preferring the route's own app."""
    if param == "pk" and route.view_class is not None:
        queryset = getattr(route.view_class, "queryset", None)
        if queryset is not None:
            return queryset.model
        serializer = getattr(route.view_class, "serializer_class", None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is not None:
            return model
        # A viewset that builds its queryset per request: its route name (`notification-detail`).
        stem = route.name.split(":")[-1].split("-")[0]
    elif param.endswith("_id"):
        stem = param[: -len("_id")]
    else:
        return None
    return model_named(stem.replace("_", ""), app=route.view.split(".")[0])


def model_named(stem: str, *, app: str) -> type[Model] | None:
    """The model called `stem`, or whose name ends with it, the given app's first; else one
    whose name starts with it (`token_id` in accounts is a PersonalToken, in integrations an
    ApiToken; `court_id` under deadlines is a Court, not a CourtClosure)."""
    models = _models()

    def exact(name: str) -> bool:
        return name == stem

    def suffix(name: str) -> bool:
        return name.endswith(stem)

    def prefix(name: str) -> bool:
        return name.startswith(stem)

    for test, same_app in [
        (exact, True),
        (suffix, True),
        (exact, False),
        (suffix, False),
        (prefix, True),
        (prefix, False),
    ]:
        for model in models:
            if (model._meta.app_label == app or not same_app) and test(
                model._meta.model_name or ""
            ):
                return model
    return None


def path_to(model: type[Model], target: type[Model], depth: int = 3) -> str | None:
    """The ORM lookup from `model` to `target` along foreign keys ("" for the model itself),
    shortest first; None if there is none within `depth` hops."""
    if model is target:
        return ""
    frontier: list[tuple[type[Model], str]] = [(model, "")]
    seen = {model}
    for _ in range(depth):
        following = []
        for current, path in frontier:
            for field_ in current._meta.get_fields():
                if not (field_.is_relation and field_.concrete):
                    continue
                if not (field_.many_to_one or field_.one_to_one):
                    continue
                related = field_.related_model
                if related is None or related in seen:
                    continue
                lookup = f"{path}__{field_.name}" if path else field_.name
                if related is target:
                    return lookup
                seen.add(related)
                following.append((related, lookup))
        frontier = following
    return None


def candidates_for(
    model: type[Model], user: User, world: World, chosen: dict[type[Model], int]
) -> list[Any]:
    """Up to CANDIDATES primary keys of `model` to try for a role, the most likely visible
    first: the person's own (a token, a notification), else those of the rich cases the person
    takes part in (all of them for the court), else the measured court's, else any. Objects of a
    parameter already filled constrain the later ones (a note of that case)."""
    from django.contrib.auth.models import User as UserModel
    from django.core.exceptions import FieldDoesNotExist

    from cases.models import Case, Court, Jurisdiction

    queryset: QuerySet[Any] = model._default_manager.all()
    for earlier, pk in chosen.items():
        lookup = path_to(model, earlier, depth=2)
        if lookup:
            queryset = queryset.filter(**{lookup: pk})
    options: list[QuerySet[Any]] = []
    for name in OWNER_FIELDS:
        try:
            owner = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if owner.is_relation and owner.related_model is UserModel:
            options.append(queryset.filter(**{name: user}))
    case_path = path_to(model, Case)
    if case_path is not None:
        options.append(
            queryset.filter(
                **{f"{case_path}__pk__in" if case_path else "pk__in": (_cases_of(user, world))}
            )
        )
    court_path = path_to(model, Court)
    if court_path is not None:
        options.append(
            queryset.filter(**{f"{court_path}__pk" if court_path else "pk": world.court})
        )
    jurisdiction_path = path_to(model, Jurisdiction)
    if jurisdiction_path is not None:
        jurisdiction = Court.objects.values_list("jurisdiction_id", flat=True).get(pk=world.court)
        lookup = f"{jurisdiction_path}__pk" if jurisdiction_path else "pk"
        options.append(queryset.filter(**{lookup: jurisdiction}))
    options.append(queryset)
    for option in options:
        # Newest first: the live offer, the latest hearing, the richest case (made last).
        pks = list(option.order_by("-pk").values_list("pk", flat=True)[:CANDIDATES])
        if pks:
            return pks
    return []


def _cases_of(user: User, world: World) -> list[int]:
    """The rich cases the person takes part in (as counsel, or as the defendant); the court's
    roles see all of them."""
    from django.db.models import Q

    from parties.models import CaseParticipant

    profile = getattr(user, "profile", None)
    if profile is not None and profile.role_kind in ("judge", "court_staff"):
        return world.cases
    mine = set(
        CaseParticipant.objects.filter(case__in=world.cases)
        .filter(Q(user=user) | Q(defendant__user=user))
        .values_list("case_id", flat=True)
    )
    return [pk for pk in world.cases if pk in mine] or world.cases


def _from_list(
    route: Route, routes: list[Route], param: str, client: Client, headers: dict[str, str]
) -> list[Any]:
    """A non-model parameter of an API detail route (`<kind>`): the values its list returns."""
    if not route.name.endswith("-detail"):
        return []
    list_name = route.name[: -len("-detail")] + "-list"
    listed = next((r for r in routes if r.name == list_name and not r.params), None)
    if listed is None:
        return []
    from django.urls import reverse

    response = client.get(reverse(listed.name), headers=headers)
    if response.status_code != 200:
        return []
    body = response.json()
    rows = body.get("results", body) if isinstance(body, dict) else body
    return [row[param] for row in rows[:CANDIDATES] if isinstance(row, dict) and param in row]


def parameter_sets(
    route: Route,
    routes: list[Route],
    user: User,
    role: str,
    world: World,
    client: Client,
    headers: dict[str, str],
) -> Iterator[dict[str, Any]] | str:
    """Keyword arguments to try for the route, most likely visible first; or why none."""
    if not route.params:
        return iter([{}])
    if route.params == ["token"] and route.name.endswith("feed-ics"):
        return iter([{"token": world.feeds[role]}])
    options: list[list[Any]] = []
    chosen: dict[type[Model], int] = {}
    for param in route.params:
        model = param_model(route, param)
        if model is not None:
            values = candidates_for(model, user, world, chosen)
            if values:
                chosen[model] = values[0]
        else:
            values = _from_list(route, routes, param, client, headers)
        if not values:
            return f"no value for <{param}>" + (f" ({model.__name__})" if model else "")
        options.append(values)
    # The first value of every parameter, then each further candidate of the last one.
    first = [values[0] for values in options]
    sets = [dict(zip(route.params, first, strict=True))]
    for value in options[-1][1:]:
        sets.append(dict(zip(route.params, [*first[:-1], value], strict=True)))
    return iter(sets)


# --- measuring -------------------------------------------------------------------------------


def _get(client: Client, url: str, headers: dict[str, str]) -> tuple[Any, bytes, float, float]:
    """The response, its body, wall and CPU milliseconds."""
    started, cpu_started = time.perf_counter(), time.process_time()
    response: Any = client.get(url, headers=headers)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return (
        response,
        body,
        (time.perf_counter() - started) * 1000,
        (time.process_time() - cpu_started) * 1000,
    )


def measure(
    route: Route,
    routes: list[Route],
    role: str,
    user: User,
    world: World,
    clients: dict[str, tuple[Client, dict[str, str]]],
    warmup: int,
    repeat: int,
) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client, headers = clients["api" if route.api else "page"]
    result = Result(route.pattern, route.name, route.kind, role, "skipped")
    sets = parameter_sets(route, routes, user, role, world, client, headers)
    if isinstance(sets, str):
        result.note = sets
        return result
    for kwargs in sets:
        url = reverse(route.name, kwargs=kwargs)
        query: dict[str, Any] = {}
        for _attempt in range(2):
            result.url = f"{url}?{urlencode(query)}" if query else url
            try:
                with CaptureQueriesContext(connection) as captured:
                    response, body, elapsed, cpu = _get(client, result.url, headers)
            except Exception as exc:
                result.outcome, result.note = "crash", f"{type(exc).__name__}: {exc}"[:300]
                return result
            result.status = response.status_code
            if result.status == 400 and not query:
                query = query_for(route, body, user, world)
                if query:
                    continue  # a list that must be narrowed (`?case=`): narrow it
            break
        if result.status in (403, 404, 409):
            continue  # maybe the next object is one this role may see, or in a state that fits
        break
    status = result.status
    if status in (403, 404):
        result.outcome = "refused"
        return result
    if status == 409:
        result.outcome, result.note = "conflict", "409 for every object tried (their state)"
        return result
    if status == 405:
        result.outcome = "no GET"
        return result
    if 300 <= status < 400:
        result.outcome, result.note = "redirect", response.get("Location", "")
        return result
    if status >= 500:
        result.outcome = "crash"
        return result
    if status != 200:
        result.outcome, result.note = "error", body[:200].decode(errors="replace")
        return result
    result.outcome = "timed"
    result.size = len(body)
    result.content_type = response.get("Content-Type", "").split(";")[0]
    first, first_cpu = elapsed, cpu
    # Counted on a second request: the first may pay for what happens once in a while (a
    # token's last use recorded, a session or cache filled) and so differ between runs. With
    # --repeat 0 (the test suite's run) the first request's count stands.
    if repeat:
        with CaptureQueriesContext(connection) as captured:
            _get(client, result.url, headers)
    result.statements = len(captured)
    slow = elapsed > SLOW_MS and repeat > 0
    rounds = (0 if slow else warmup) + (SLOW_SAMPLES if slow else repeat) if repeat else 0
    for round_number in range(rounds):
        response, _body, elapsed, cpu = _get(client, result.url, headers)
        if response.status_code != 200:
            result.outcome, result.status = "error", response.status_code
            result.note = "answered 200 at first, then this"
            return result
        if slow or round_number >= warmup:
            result.samples.append(elapsed)
            result.cpu_samples.append(cpu)
    if not result.samples:  # --repeat 0: the first request is the only sample
        result.samples.append(first)
        result.cpu_samples.append(first_cpu)
    budget = API_P95_MS if route.api else PAGE_P95_MS
    if result.p95 > budget:
        result.over.append(f"p95 > {budget:.0f} ms")
    if not route.api and result.content_type == "text/html" and result.size > PAGE_HTML_BYTES:
        result.over.append(f"HTML > {PAGE_HTML_BYTES // 1000} kB")
    return result


# Values for required query parameters that name no model (`?case=` names one, `?…_date=` is
# today): a search, and the role that the participant pickers search for.
QUERY_DEFAULTS = {"q": "sm", "role": "defense_counsel"}


def query_for(route: Route, body: bytes, user: User, world: World) -> dict[str, Any]:
    """Query parameters for a 400 that names its missing fields ({"case": ["Name the case"]})."""
    import datetime as dt

    try:
        errors = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(errors, dict):
        return {}
    query: dict[str, Any] = {}
    for name in errors:
        if name in QUERY_DEFAULTS:
            query[name] = QUERY_DEFAULTS[name]
        elif name == "date" or name.endswith("_date"):
            query[name] = dt.date.today().isoformat()
        else:
            model = model_named(name.replace("_", ""), app=route.view.split(".")[0])
            values = candidates_for(model, user, world, {}) if model is not None else []
            if not values:
                return {}
            query[name] = values[0]
    return query


def clients_for(world: World) -> dict[str, dict[str, tuple[Client, dict[str, str]]]]:
    """Per role: a signed-in client for pages, a client sending the personal token for the API
    (no session: what a script does)."""
    from django.test import Client

    out = {}
    for role, user in world.users().items():
        page = Client(raise_request_exception=True)
        page.force_login(user)
        api = Client(raise_request_exception=True)
        out[role] = {
            "page": (page, {}),
            "api": (api, {"Authorization": f"Token {world.tokens[role]}"}),
        }
    return out


# --- the report ------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _size(value: int) -> str:
    return f"{value / 1000:,.1f} kB" if value >= 1000 else f"{value} B"


def statements_compared(results: list[Result], cases: int) -> tuple[int, list[str]]:
    """Compare statement counts with the results of the nearest other size on disk."""
    others = []
    for path in results_dir().glob("routes-*.json"):
        match = re.fullmatch(r"routes-(\d+)\.json", path.name)
        if match and int(match.group(1)) != cases:
            others.append((abs(int(match.group(1)) - cases), int(match.group(1)), path))
    if not others:
        return 0, []
    _, size, path = min(others)
    before = {
        (row["name"], row["role"]): row["statements"]
        for row in json.loads(path.read_text())["results"]
        if row["outcome"] == "timed"
    }
    lines = []
    for result in results:
        old = before.get((result.name, result.role))
        if result.outcome == "timed" and old is not None and old != result.statements:
            lines.append(f"| `{result.route}` | {result.role} | {old} | {result.statements} |")
            result.over.append(f"statements {old} → {result.statements}")
    return size, lines


def report_render(
    args: argparse.Namespace,
    database: str,
    results: list[Result],
    seconds: dict[str, float],
) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT split_part(version(), ' ', 2)")
        pg_version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT (SELECT count(*) FROM cases_case), "
            "(SELECT count(*) FROM parties_caseparticipant), (SELECT count(*) FROM auth_user)"
        )
        cases, participants, users = cursor.fetchone()
    compared_size, changed = statements_compared(results, args.cases)
    timed = [r for r in results if r.outcome == "timed"]
    over = [r for r in timed if r.over]
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"# Every GET route: {args.cases:,} cases",
        "",
        f"`python -m bench.routes --cases {args.cases}` on {datetime.now(UTC):%Y-%m-%d %H:%M} "
        f"UTC · database `{database}` ({cases:,} cases, {participants:,} participants, "
        f"{users:,} users) · PostgreSQL {pg_version} · {os.cpu_count()} cores, "
        f"{platform.machine()} · Python {platform.python_version()} · load average at the end "
        f"{load}. Seed {seconds['seed']:.0f} s (0 when reused), timing {seconds['timing']:.0f} s.",
        "",
        f"In-process through django.test.Client (middleware, view, templates or serializer, "
        f"rendering; no network): {args.warmup} warm-up and {args.repeat} timed requests per "
        f"route and role (routes over {SLOW_MS:.0f} ms: {SLOW_SAMPLES}). Pages signed in with "
        f"force_login, the API with a personal token. Statements: the second request, under "
        f"CaptureQueriesContext. CPU: the median of the Python process's CPU time a request "
        f"(time.process_time; PostgreSQL's own is not in it), which other load on the machine "
        f"barely moves, unlike the wall times. Budgets: pages p95 ≤ {PAGE_P95_MS:.0f} ms and "
        f"≤ {PAGE_HTML_BYTES // 1000} kB of HTML; API p95 ≤ {API_P95_MS:.0f} ms; statements "
        f"the same at every size"
        + (
            f" (compared with the {compared_size:,}-case run)."
            if compared_size
            else " (no run at another size to compare with)."
        ),
        "",
        f"{len(timed)} route and role pairs timed, **{len(over)} over budget**; "
        f"{sum(r.outcome == 'refused' for r in results)} refused, "
        f"{sum(r.outcome == 'crash' for r in results)} crashed.",
        "",
        "## Over budget, worst first",
        "",
        "| route | kind | role | median ms | p95 ms | CPU ms | statements | size | over |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in sorted(over, key=lambda r: -r.p95):
        lines.append(
            f"| `{r.route}` | {r.kind} | {r.role} | {_ms(r.median)} | **{_ms(r.p95)}** | "
            f"{_ms(r.cpu)} | {r.statements} | {_size(r.size)} | {'; '.join(r.over)} |"
        )
    lines += [
        "",
        "## Every timed route",
        "",
        "| route | kind | role | median ms | p95 ms | CPU ms | statements | size | type | over |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in timed:
        lines.append(
            f"| `{r.route}` | {r.kind} | {r.role} | {_ms(r.median)} | {_ms(r.p95)} | "
            f"{_ms(r.cpu)} | {r.statements} | {_size(r.size)} | {r.content_type} | "
            f"{'; '.join(r.over)} |"
        )
    if changed:
        lines += [
            "",
            f"## Statements that differ from the {compared_size:,}-case run",
            "",
            f"| route | role | at {compared_size:,} | at {args.cases:,} |",
            "|---|---|---:|---:|",
            *changed,
        ]
    crashed = [r for r in results if r.outcome in ("crash", "error")]
    if crashed:
        lines += [
            "",
            "## Crashed or failed",
            "",
            "| route | role | status | url | what |",
            "|---|---|---:|---|---|",
        ]
        for r in crashed:
            note = r.note.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{r.route}` | {r.role} | {r.status} | `{r.url}` | {note} |")
    lines += [
        "",
        "## Not timed",
        "",
        "Refused: the role got 403 or 404 for every object tried "
        f"(up to {CANDIDATES}). Redirect: the route answered a redirect (where to).",
        "",
        "| route | kind | outcome | roles |",
        "|---|---|---|---|",
    ]
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for r in results:
        if r.outcome in ("timed", "crash", "error"):
            continue
        what = r.outcome + (f": {r.note}" if r.note and r.outcome != "refused" else "")
        if r.status and r.outcome == "refused":
            what += f" ({r.status})"
        grouped.setdefault((r.route, r.kind, what), []).append(r.role)
    for (route, kind, what), roles in grouped.items():
        lines.append(f"| `{route}` | {kind} | {what} | {', '.join(roles)} |")
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument(
        "--repeat",
        type=int,
        default=20,
        help="timed requests per route and role (0: the first request only, as the tests run it)",
    )
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated roles")
    parser.add_argument("--only", default="", help="regular expression on the route or its name")
    args = parser.parse_args(argv)

    # The client's host is `testserver`; the throttle stays on (its cost is part of a request)
    # at a rate no run reaches.
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    os.environ.setdefault("API_THROTTLE_RATE", "1000000/min")
    database = django_setup(database_url=DEFAULT_DATABASE_URL)
    import logging

    from django.conf import settings

    # 403s, 404s and 405s are what the run looks for, and every force_login is a sign-in.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    logging.getLogger("axes").setLevel(logging.WARNING)

    from bench import seed as seeding
    from bench.routes_world import world_ensure, world_load, world_stale

    started = time.monotonic()
    seeding.seed(args.cases, reseed=args.reseed, log=log)
    if world_load() is None and world_stale():
        log("routes world: an earlier version is on this seed; seeding again")
        seeding.seed(args.cases, reseed=True, log=log)
    world = world_ensure(log)
    seed_seconds = time.monotonic() - started

    settings.DEBUG = False  # no query log while timing; CaptureQueriesContext turns it on
    roles = [role for role in args.roles.split(",") if role]
    routes = [
        route
        for route in routes_find()
        if not args.only or re.search(args.only, route.pattern) or re.search(args.only, route.name)
    ]
    users = world.users()
    clients = clients_for(world)
    # As a web worker does once loaded (config/wsgi.py): what is loaded so far, with the world
    # and the clients, is taken out of the garbage collector's sight, so that a full collection
    # walking the bench's own objects does not land in a route's samples.
    gc.collect()
    gc.freeze()
    log(f"{len(routes)} GET routes, {len(roles)} roles")
    started = time.monotonic()
    results = []
    for route in routes:
        for role in roles:
            result = measure(
                route, routes, role, users[role], world, clients[role], args.warmup, args.repeat
            )
            results.append(result)
            if result.outcome == "timed":
                flag = f"  OVER: {'; '.join(result.over)}" if result.over else ""
                log(
                    f"{route.pattern} [{role}] p95 {result.p95:.1f} ms, "
                    f"{result.statements} statements{flag}"
                )
            elif result.outcome in ("crash", "error"):
                log(f"{route.pattern} [{role}] {result.outcome} {result.status}: {result.note}")
    seconds = {"seed": seed_seconds, "timing": time.monotonic() - started}

    out = results_dir()
    out.mkdir(parents=True, exist_ok=True)
    report = report_render(args, database, results, seconds)
    # A run of some routes or roles does not stand for the size (nor is compared with).
    partial = bool(args.only) or roles != ROLES
    stem = out / f"routes-{args.cases}{'-partial' if partial else ''}"
    stem.with_suffix(".md").write_text(report)
    stem.with_suffix(".json").write_text(
        json.dumps(
            {
                "cases": args.cases,
                "results": [
                    {k: v for k, v in asdict(r).items() if k not in ("samples", "cpu_samples")}
                    | {"median": r.median, "p95": r.p95, "cpu": r.cpu}
                    for r in results
                ],
            },
            indent=1,
        )
    )
    print(report)


if __name__ == "__main__":
    main()
