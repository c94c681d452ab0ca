"""Pages that belong to no single app."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis import Redis
from redis.exceptions import RedisError

_redis_clients: dict[str, Redis] = {}


def _redis_client() -> Redis:
    """One client (and its connection pool) per process and address: a load balancer asks
    every few seconds, and a new client per check would open a new connection each time."""
    url = settings.REDIS_URL
    if url not in _redis_clients:
        _redis_clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    return _redis_clients[url]


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
        _redis_client().ping()
        checks["redis"] = "ok"
    except (RedisError, OSError) as exc:
        checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
