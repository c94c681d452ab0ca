"""Pages that belong to no single app."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis import Redis
from redis.exceptions import RedisError

from cases import permissions, selectors
from cases.models import Case, CaseStatus
from cases.services import LEGAL_STATUS_MOVES
from deadlines import selectors as date_selectors
from parties.models import CaseParticipant, Role


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and Redis reachability for load balancers: 200 when both answer, else 503."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not reachable"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        client = Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        checks["redis"] = "ok"
    except (RedisError, OSError) as exc:
        checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


DASHBOARD_ROWS = 50
# "Upcoming": the next two weeks of hearings and deadlines, at most this many.
UPCOMING_DAYS = 14
UPCOMING_ROWS = 20
# Judges and clerks follow their court's docket; everyone else follows the cases they are on.
COURT_ROLES = frozenset({Role.JUDGE, Role.COURT_STAFF})

# The statuses a case may move to next, in workflow order, from the workflow in cases.services.
NEXT_STATUSES: dict[str, list[str]] = {
    status: [CaseStatus(s).label for s in CaseStatus.values if s in LEGAL_STATUS_MOVES[status]]
    for status in CaseStatus.values
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """My cases: one query for the rows, one for the counts by status, and the hearings and
    deadlines of the next two weeks (deadlines.selectors.upcoming_for: two queries).

    Parties follow the cases they are on (a few hundred at most). Judges and clerks follow
    their court's docket, which can hold hundreds of thousands of cases: their rows come from
    the keyset page and their counts from the (court, status) index.
    """
    user = request.user
    follows_court = permissions.role_kind_of(user) in COURT_ROLES
    mine = CaseParticipant.objects.held_by(user).active()
    if follows_court:
        docket = Case.objects.filter(court__group__user=user.pk)
        counts = dict(docket.order_by().values_list("status").annotate(n=Count("pk")))
        rows = selectors.case_page_for_user(user, size=DASHBOARD_ROWS).cases
    else:
        cases = selectors.case_list_for_user(user).filter(pk__in=mine.values("case_id"))
        counts = dict(cases.order_by().values_list("status").annotate(n=Count("pk")))
        rows = list(
            cases.annotate(
                my_role=Subquery(
                    mine.filter(case=OuterRef("pk")).order_by("-is_lead", "id").values("role")[:1]
                ),
                my_lead=Subquery(
                    mine.filter(case=OuterRef("pk"))
                    .order_by("-is_lead", "id")
                    .values("is_lead")[:1]
                ),
            ).order_by("-updated_at", "-id")[:DASHBOARD_ROWS]
        )
    for case in rows:
        role = getattr(case, "my_role", None)
        case.my_role_label = Role(role).label if role else ""  # type: ignore[attr-defined]
        case.next_statuses = NEXT_STATUSES[case.status]  # type: ignore[attr-defined]
    return render(
        request,
        "dashboard.html",
        {
            "cases": rows,
            "follows_court": follows_court,
            "status_counts": [
                {"status": s, "label": CaseStatus(s).label, "count": counts.get(s, 0)}
                for s in CaseStatus.values
            ],
            "total": sum(counts.values()),
            "may_open_cases": permissions.may_open_cases(user),
            "upcoming": date_selectors.upcoming_for(user, days=UPCOMING_DAYS, limit=UPCOMING_ROWS),
        },
    )
