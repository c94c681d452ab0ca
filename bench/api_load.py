"""Mixed API read load on gunicorn with production settings, against `/healthz` on the same
server in the same run.

    .venv/bin/python -m bench.api_load [--seconds 20] [--clients 8] [--workers 3]

Starts gunicorn (config.wsgi, production settings, `--workers`) on a free loopback port over the
database in DATABASE_URL, gives each role a personal token, and runs `--clients` closed-loop
client processes: first only `GET /healthz` (what the server can answer at all), then the mixed
reads court staff and the parties make all day: case list, case detail, offers, hearings and the
unread count, round robin over the roles. Prints requests/s, median and p95 latency and errors
of both phases. Budget (issue 16): the mixed load reaches at least half of `/healthz`'s requests/s,
p95 ≤ 100 ms, no error. The clients run on the same machine as the server: the ratio, not the
absolute rate, is the figure to compare between machines.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATIO_BUDGET = 0.5
P95_BUDGET_MS = 100.0


@dataclass
class Phase:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(
    base: str, plan: list[tuple[str, str]], until: float, out: multiprocessing.Queue
) -> None:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    latencies: list[float] = []
    errors = 0
    with httpx.Client(base_url=base, timeout=10.0) as http:
        i = 0
        while time.monotonic() < until:
            path, token = plan[i % len(plan)]
            i += 1
            headers = {"Authorization": f"Token {token}"} if token else {}
            start = time.perf_counter()
            try:
                response = http.get(path, headers=headers)
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - start)
    out.put((latencies, errors))


def _phase(
    name: str, base: str, plan: list[tuple[str, str]], clients: int, seconds: float
) -> Phase:
    out: multiprocessing.Queue = multiprocessing.Queue()
    start = time.monotonic()
    until = start + seconds
    procs = [
        multiprocessing.Process(target=_client, args=(base, plan[k:] + plan[:k], until, out))
        for k in range(clients)
    ]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.monotonic() - start
    latencies = [t for lat, _ in results for t in lat]
    return Phase(name, len(latencies), elapsed, latencies, sum(err for _, err in results))


def _plan() -> list[tuple[str, str]]:
    """(path, token) pairs for the mixed phase: each role's own reads."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from accounts import services as account_services
    from cases.selectors import case_list_for_user
    from parties.models import Role

    plan: list[tuple[str, str]] = []
    roles = (Role.COURT_STAFF, Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.JUDGE)
    for role in roles:
        user = (
            get_user_model()
            .objects.filter(profile__role_kind=role, is_active=True, participations__isnull=False)
            .order_by("pk")
            .first()
        ) or get_user_model().objects.filter(profile__role_kind=role, is_active=True).first()
        if user is None:
            continue
        _token, key = account_services.personal_token_create(user=user, name="load bench")
        case = case_list_for_user(user).order_by("-pk").first()
        paths = [
            "/api/v1/cases/",
            "/api/v1/offers/",
            "/api/v1/hearings/",
            "/api/v1/notifications/unread-count/",
        ]
        if case is not None:
            paths.append(f"/api/v1/cases/{case.pk}/")
        plan += [(path, key) for path in paths]
    if not plan:
        raise SystemExit("No users in this database: seed it first (make run seeds the demo).")
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("API_THROTTLE_RATE", "")  # the load is one client per token
    plan = _plan()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - a fixed command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not answer /healthz")
            time.sleep(0.2)  # waits for a real process to listen
        _phase("warm-up", base, plan, args.clients, min(3.0, args.seconds))
        health = _phase("/healthz", base, [("/healthz", "")], args.clients, args.seconds)
        mixed = _phase("mixed API reads", base, plan, args.clients, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"{args.clients} clients, gunicorn --workers={args.workers}, {args.seconds:.0f} s a phase"
    )
    print("| phase | requests/s | median ms | p95 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for phase in (health, mixed):
        median = statistics.median(phase.latencies) * 1000 if phase.latencies else 0.0
        print(
            f"| {phase.name} | {phase.rate:.0f} | {median:.1f} | {phase.percentile(0.95):.1f} "
            f"| {phase.errors} |"
        )
    ratio = mixed.rate / health.rate if health.rate else 0.0
    ok = ratio >= RATIO_BUDGET and mixed.percentile(0.95) <= P95_BUDGET_MS and mixed.errors == 0
    print(
        f"mixed / healthz = {ratio:.2f} (budget ≥ {RATIO_BUDGET}); "
        f"p95 {mixed.percentile(0.95):.1f} ms (≤ {P95_BUDGET_MS:.0f}); "
        f"{'within budget' if ok else 'OVER BUDGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
