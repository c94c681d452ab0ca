"""Backup and restore as docs/deployment.md describes them, tried on a copy.

scripts/backup.sh dumps the test database (committed data: these tests really commit) and
copies its documents; scripts/restore.sh loads both into a new database and directory and runs
`verify_backup`. The copy is then checked here on its own terms, row by row and hash by hash:
every history row, every document and agreement PDF, and an audit trail that still refuses
UPDATE and DELETE, by trigger for the owner and by privilege for the application's role.

The checks of `verify_backup` itself (a changed file, a disabled trigger, a role that may
rewrite the trail) run in-process on the test database, inside the test's transaction.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import AuditEvent
from negotiations.models import PleaAgreement
from records.models import Document
from tests.conftest import World
from tests.negotiation_helpers import signed_agreement
from tests.records.test_api_records import PDF, TEXT, WALLS, document, note

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
PG_TOOLS = ("pg_dump", "pg_restore", "psql")
# restore.sh empties these on purpose: transaction ids belong to the old server.
RESET_ON_RESTORE = {"webhooks_fanoutcursor", "webhooks_fannedout"}
HISTORY_COLUMNS = (
    "id, occurred_at, kind, table_name, row_id, case_id, audience, actor_id, actor_name, via, "
    "request_id, ip, db_user, before, after, data"
)


# --- the tools and the databases -----------------------------------------------------------------


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
        (major,) = cursor.fetchone()
    return int(major)


def tool_major(path: Path) -> int | None:
    if not path.is_file():
        return None
    found = re.search(r"\) (\d+)", run([str(path), "--version"], dict(os.environ)).stdout)
    return int(found.group(1)) if found else None


def pg_bin_dirs(major: int) -> Iterator[Path]:
    """Where pg_dump may be: PG_BINDIR, Debian's per-version directory, the embedded server's
    (the one `make test` starts), then PATH."""
    if os.environ.get("PG_BINDIR"):
        yield Path(os.environ["PG_BINDIR"])
    yield Path(f"/usr/lib/postgresql/{major}/bin")
    try:
        import pgserver

        yield Path(pgserver.__file__).parent / "pginstall" / "bin"
    except ImportError:
        pass
    on_path = shutil.which("pg_dump")
    if on_path:
        yield Path(on_path).parent


@pytest.fixture
def pg_tools(transactional_db: None) -> dict[str, str]:
    """PG_DUMP, PG_RESTORE and PSQL of the server's major version, for the scripts."""
    major = server_major()
    for directory in pg_bin_dirs(major):
        paths = {tool: directory / tool for tool in PG_TOOLS}
        if all(tool_major(path) == major for path in paths.values()):
            return {tool.upper(): str(path) for tool, path in paths.items()}
    message = f"no pg_dump, pg_restore and psql of PostgreSQL {major} (set PG_BINDIR)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def database_url(name: str) -> str:
    """DATABASE_URL with another database name: the same server, user and socket."""
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parley"))
    return urlunsplit(url._replace(path=f"/{name}"))


def execute(sql: str, params: Any = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Our own scripts and the PostgreSQL tools, with arguments this module builds.
    return subprocess.run(  # noqa: S603
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def script_env(pg_tools: dict[str, str], *, url: str, media: Path) -> dict[str, str]:
    return {
        **os.environ,
        **pg_tools,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(media),
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }


@pytest.fixture
def app_role(transactional_db: None) -> Iterator[str]:
    """The application's own role, granted what scripts/app-role-grants.sql grants."""
    name = f"parley_test_app_{uuid.uuid4().hex[:8]}"
    execute(f'CREATE ROLE "{name}" NOLOGIN')
    try:
        yield name
    finally:
        execute(f'DROP OWNED BY "{name}"')
        execute(f'DROP ROLE "{name}"')


@pytest.fixture
def copy_database(app_role: str) -> Iterator[str]:
    """An empty database beside the test database (dropped before the role it grants to)."""
    name = f"{connection.settings_dict['NAME']}_copy"
    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the data: a case with notes and documents behind every wall and a signed agreement --------


def case_record(world: World) -> None:
    for wall in WALLS:
        note(world, wall)
        # Contents differ from wall to wall, so a file swapped for another is noticed.
        document(world, wall, content=PDF + f"% behind the {wall} wall\n".encode())
    document(world, "shared", title="Witness list", content=TEXT)
    signed_agreement(world)


def history(conn: Any) -> list[tuple[Any, ...]]:
    return conn.execute(f"SELECT {HISTORY_COLUMNS} FROM audit_event ORDER BY id").fetchall()  # noqa: S608


def row_counts(conn: Any) -> dict[str, int]:
    tables = conn.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace ORDER BY relname"
    ).fetchall()
    return {
        table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
        for (table,) in tables
    }


def refusal(conn: Any, statement: str, params: Any = None) -> str:
    """The error a statement meets, in a transaction rolled back whatever happens."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(statement, params)
    except psycopg.Error as exc:
        return str(exc)
    return "allowed"


# --- the procedure, end to end -------------------------------------------------------------------


def test_a_restored_copy_holds_every_history_row_document_and_pdf_and_a_trail_that_refuses_change(
    world: World,
    document_storage: Path,
    pg_tools: dict[str, str],
    app_role: str,
    copy_database: str,
    tmp_path: Path,
) -> None:
    source = database_url(connection.settings_dict["NAME"])
    grants = ["-v", f"app_role={app_role}", "-f", str(SCRIPTS / "app-role-grants.sql"), source]
    granted = run([pg_tools["PSQL"], "-qX", "-v", "ON_ERROR_STOP=1", *grants], dict(os.environ))
    assert granted.returncode == 0, granted.stderr
    case_record(world)
    backup, media = tmp_path / "backup", tmp_path / "restored-media"

    backed_up = run(
        ["bash", str(SCRIPTS / "backup.sh"), str(backup)],
        script_env(pg_tools, url=source, media=document_storage.parent),
    )
    assert backed_up.returncode == 0, backed_up.stderr
    restored = run(
        ["bash", str(SCRIPTS / "restore.sh"), str(backup)],
        script_env(pg_tools, url=database_url(copy_database), media=media) | {"APP_ROLE": app_role},
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Backup verified." in restored.stdout

    with (
        psycopg.connect(source, autocommit=True) as before,
        psycopg.connect(database_url(copy_database), autocommit=True) as after,
    ):
        # Every history row, exactly: none lost, none added by loading the copy.
        source_history = history(before)
        assert len(source_history) > 100
        assert history(after) == source_history
        counts = row_counts(before)
        assert {t: n for t, n in row_counts(after).items() if t not in RESET_ON_RESTORE} == {
            t: n for t, n in counts.items() if t not in RESET_ON_RESTORE
        }

        # Every document's restored file has the SHA-256 and size recorded at upload.
        documents = after.execute(
            "SELECT storage_name, sha256, size FROM records_document ORDER BY id"
        ).fetchall()
        assert len(documents) == len(WALLS) + 1
        for storage_name, sha256, size in documents:
            content = (media / "documents" / storage_name).read_bytes()
            assert (hashlib.sha256(content).hexdigest(), len(content)) == (sha256, size)

        # The frozen agreement PDF, byte for byte.
        pdfs = after.execute(
            "SELECT id, pdf, pdf_sha256 FROM negotiations_pleaagreement WHERE pdf_sha256 <> ''"
        ).fetchall()
        assert [(pk, digest) for pk, _pdf, digest in pdfs] == list(
            PleaAgreement.objects.exclude(pdf_sha256="").values_list("pk", "pdf_sha256")
        )
        assert all(hashlib.sha256(pdf).hexdigest() == digest for _pk, pdf, digest in pdfs)

        # The owner (here a superuser) is stopped by the trigger ...
        newest = source_history[-1][0]
        for statement in (
            "UPDATE audit_event SET actor_name = 'nobody' WHERE id = %s",
            "DELETE FROM audit_event WHERE id = %s",
        ):
            assert "append-only" in refusal(after, statement, [newest])

        # ... the application's role by its grants, TRUNCATE included, which no trigger stops;
        # it still writes, and its writes are still recorded, after the restored rows.
        after.execute(f'SET ROLE "{app_role}"')
        for statement in (
            "UPDATE audit_event SET actor_name = 'nobody'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
        ):
            assert "permission denied" in refusal(after, statement)
        after.execute(
            "UPDATE cases_case SET caption = 'United States v. Restored' WHERE id = %s",
            [world.case.pk],
        )
        after.execute("RESET ROLE")
        appended = after.execute(
            "SELECT kind, row_id, after FROM audit_event WHERE id > %s", [newest]
        ).fetchall()
        assert appended == [
            ("case.changed", str(world.case.pk), {"caption": "United States v. Restored"})
        ]


def test_restore_refuses_a_database_that_is_not_empty(
    world: World, pg_tools: dict[str, str], tmp_path: Path
) -> None:
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "parley.dump").write_bytes(b"never read")
    (backup / "SHA256SUMS").write_text(
        f"{hashlib.sha256(b'never read').hexdigest()}  parley.dump\n"
    )
    before = AuditEvent.objects.count()

    restored = run(
        ["bash", str(SCRIPTS / "restore.sh"), str(backup)],
        script_env(
            pg_tools,
            url=database_url(connection.settings_dict["NAME"]),
            media=tmp_path / "media",
        ),
    )

    assert restored.returncode == 2
    assert "restore into an empty one" in restored.stderr
    assert AuditEvent.objects.count() == before


# --- what verify_backup notices ------------------------------------------------------------------


def verify(*args: str) -> tuple[dict[str, Any], str | None]:
    """The report as JSON, and the error it ended with (None when it passed)."""
    out = io.StringIO()
    try:
        call_command("verify_backup", "--json", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return json.loads(out.getvalue()), str(exc)
    return json.loads(out.getvalue()), None


@pytest.fixture
def recorded_case(world: World) -> World:
    case_record(world)
    return world


def test_intact_data_passes(recorded_case: World) -> None:
    report, error = verify()

    assert error is None, report["problems"]
    assert report["documents_verified"] == len(WALLS) + 1
    assert report["pdfs_verified"] == 1
    assert report["audit_refusals"] == {"UPDATE": "trigger", "DELETE": "trigger"}
    assert report["counts"]["history_rows"] == AuditEvent.objects.count()


def test_a_document_whose_file_changed_is_named(
    recorded_case: World, document_storage: Path
) -> None:
    changed = Document.objects.get(title="Witness list")
    (document_storage / changed.storage_name).write_bytes(TEXT + b"3. Someone added later\n")

    report, error = verify()

    assert error is not None
    assert [p for p in report["problems"] if f"Document {changed.pk} " in p]
    assert report["documents_verified"] == len(WALLS)


def test_a_document_whose_file_is_missing_is_named(
    recorded_case: World, document_storage: Path
) -> None:
    missing = Document.objects.get(title="Witness list")
    (document_storage / missing.storage_name).unlink()

    report, error = verify()

    assert error is not None
    assert report["problems"] == [
        f"Document {missing.pk} (case {missing.case_id}, stored as {missing.storage_name}): "
        "cannot be read from the document storage (FileNotFoundError)."
    ]


def test_an_agreement_pdf_that_changed_is_named(recorded_case: World) -> None:
    agreement = PleaAgreement.objects.exclude(pdf_sha256="").get()
    PleaAgreement.objects.filter(pk=agreement.pk).update(pdf=bytes(agreement.pdf or b"") + b" ")

    report, error = verify()

    assert error is not None
    assert [p for p in report["problems"] if f"Agreement {agreement.pk} " in p]
    assert report["pdfs_verified"] == 0


def test_a_disabled_append_only_trigger_fails_and_the_probe_leaves_nothing(
    recorded_case: World,
) -> None:
    execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    before = list(AuditEvent.objects.values_list("id", "kind"))

    report, error = verify()

    assert error is not None
    assert report["audit_refusals"] == {"UPDATE": "allowed", "DELETE": "allowed"}
    assert "Trigger audit_event_append_only on audit_event is disabled." in report["problems"]
    assert "UPDATE on audit_event was allowed." in report["problems"]
    assert list(AuditEvent.objects.values_list("id", "kind")) == before


def test_a_table_whose_history_is_no_longer_recorded_is_named(recorded_case: World) -> None:
    execute("DROP TRIGGER audit_row_change ON records_note")

    report, error = verify()

    assert error is not None
    assert report["problems"] == ["Trigger audit_row_change is missing on records_note."]


def test_fewer_history_rows_than_the_manifest_counted_fail(
    recorded_case: World, tmp_path: Path
) -> None:
    manifest, _ = verify("--skip-documents")
    manifest["counts"]["history_rows"] += 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))

    report, error = verify("--expect", str(tmp_path / "manifest.json"))

    assert error is not None
    assert report["problems"] == [
        f"history_rows: {report['counts']['history_rows'] + 1} in the manifest, "
        f"{report['counts']['history_rows']} here."
    ]


@pytest.mark.parametrize(
    ("grants", "problem"),
    [
        ("GRANT INSERT, UPDATE ON audit_event TO {role}", "may UPDATE audit_event"),
        ("GRANT INSERT, TRUNCATE ON audit_event TO {role}", "may TRUNCATE audit_event"),
        ("ALTER TABLE audit_event OWNER TO {role}", "owns audit_event"),
        ("GRANT SELECT ON audit_event TO {role}", "may not INSERT into audit_event"),
    ],
    ids=["update", "truncate", "owner", "no-insert"],
)
def test_an_application_role_that_may_do_more_than_append_fails(
    db: None, grants: str, problem: str
) -> None:
    # Created inside the test's transaction, and gone with it.
    execute('CREATE ROLE "parley_test_role_check" NOLOGIN')
    execute(grants.format(role='"parley_test_role_check"'))

    report, error = verify("--skip-documents", "--app-role", "parley_test_role_check")

    assert error is not None
    assert [p for p in report["problems"] if problem in p], report["problems"]


def test_an_application_role_that_may_only_append_passes(db: None) -> None:
    execute('CREATE ROLE "parley_test_role_check" NOLOGIN')
    execute('GRANT SELECT, INSERT ON audit_event TO "parley_test_role_check"')

    report, error = verify("--skip-documents", "--app-role", "parley_test_role_check")

    assert error is None, report["problems"]
