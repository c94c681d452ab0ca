"""What a restored copy must hold, checked against the database itself.

Every document's contents against the SHA-256 and size recorded at upload, every frozen
agreement PDF against its recorded SHA-256, the history rows (the audit trail), and a trail that
still refuses to be changed: its triggers installed and enabled, and an UPDATE and a DELETE on
it refused. `manage.py verify_backup` prints the report; docs/deployment.md ("Backup and
restore") says when to run it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from audit.models import Audience, AuditEvent
from audit.sql import WATCHED
from cases.models import Case, CaseStatusChange
from negotiations.documents import sha256_hex
from negotiations.models import PleaAgreement
from records import storage
from records.models import Document, Note

CHUNK = 1024 * 1024

# Refusals of a change to the trail, by what refused it.
BY_TRIGGER = "trigger"
BY_PRIVILEGES = "privileges"
ALLOWED = "allowed"


@dataclass
class BackupReport:
    # Rows per kind of record; compared with a manifest written before the dump (`expect`).
    counts: dict[str, int]
    history_last_id: int
    documents_verified: int = 0
    pdfs_verified: int = 0
    # "UPDATE" / "DELETE" -> BY_TRIGGER, BY_PRIVILEGES or ALLOWED.
    audit_refusals: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def backup_counts() -> dict[str, int]:
    return {
        "history_rows": AuditEvent.objects.count(),
        "status_changes": CaseStatusChange.objects.count(),
        "cases": Case.objects.count(),
        "notes": Note.objects.count(),
        "documents": Document.objects.count(),
        "agreement_pdfs": PleaAgreement.objects.exclude(pdf_sha256="").count(),
    }


def document_problems() -> Iterator[str | None]:
    """None for each document whose contents match its row, a problem for each that does not."""
    store = storage.documents()
    documents = Document.objects.only("pk", "case_id", "storage_name", "size", "sha256")
    for document in documents.order_by("pk").iterator(chunk_size=500):
        label = _("Document %(id)s (case %(case)s, stored as %(name)s)") % {
            "id": document.pk,
            "case": document.case_id,
            "name": document.storage_name,
        }
        digest = hashlib.sha256()
        size = 0
        try:
            with store.open(document.storage_name, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        except OSError as exc:
            yield _("%(document)s: cannot be read from the document storage (%(error)s).") % {
                "document": label,
                "error": exc.__class__.__name__,
            }
            continue
        if size != document.size or digest.hexdigest() != document.sha256:
            yield _(
                "%(document)s: its contents differ from the upload "
                "(%(size)s bytes, SHA-256 %(found)s; recorded %(recorded_size)s bytes, %(sha256)s)."
            ) % {
                "document": label,
                "size": size,
                "found": digest.hexdigest(),
                "recorded_size": document.size,
                "sha256": document.sha256,
            }
            continue
        yield None


def agreement_pdf_problems() -> Iterator[str | None]:
    """None for each frozen agreement PDF that matches its recorded SHA-256, else a problem."""
    agreements = PleaAgreement.objects.exclude(pdf_sha256="").only(
        "pk", "case_id", "pdf", "pdf_sha256"
    )
    for agreement in agreements.order_by("pk").iterator(chunk_size=50):
        pdf = agreement.pdf
        if pdf is None or sha256_hex(bytes(pdf)) != agreement.pdf_sha256:
            yield _(
                "Agreement %(id)s (case %(case)s): its PDF is missing or does not match the "
                "recorded SHA-256 %(sha256)s."
            ) % {"id": agreement.pk, "case": agreement.case_id, "sha256": agreement.pdf_sha256}
            continue
        yield None


def _triggers() -> dict[tuple[str, str], str]:
    """(table, trigger) -> pg_trigger.tgenabled for the audit triggers on visible tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid) "
            "AND t.tgname IN ('audit_row_change', 'audit_rows_inserted', 'audit_event_append_only')"
        )
        return {(table, name): enabled for table, name, enabled in cursor.fetchall()}


def audit_trigger_problems() -> list[str]:
    """The append-only guard on audit_event and the recording trigger on every watched table,
    installed and firing ('D' is disabled; 'R' fires only in replica sessions)."""
    installed = _triggers()
    expected = [("audit_event", "audit_event_append_only")] + [
        (watched.table, trigger)
        for watched in WATCHED
        for trigger in ("audit_row_change", "audit_rows_inserted")
    ]
    problems = []
    for table, trigger in expected:
        enabled = installed.get((table, trigger))
        if enabled is None:
            problems.append(
                _("Trigger %(trigger)s is missing on %(table)s.")
                % {"trigger": trigger, "table": table}
            )
        elif enabled not in ("O", "A"):
            problems.append(
                _("Trigger %(trigger)s on %(table)s is disabled.")
                % {"trigger": trigger, "table": table}
            )
    return problems


def audit_refusals() -> dict[str, str]:
    """Try to change and to erase a row of the trail, and say what stopped each attempt.

    Only a probe row written for the purpose is touched, and everything, the probe included,
    is rolled back: a trail that lost its guard is not harmed by being checked.
    """
    statements = {
        "UPDATE": "UPDATE audit_event SET kind = 'backup.probe.changed' WHERE id = %s",
        "DELETE": "DELETE FROM audit_event WHERE id = %s",
    }
    refusals: dict[str, str] = {}
    with transaction.atomic():
        probe = AuditEvent.objects.create(
            kind="backup.probe", audience=Audience.RESTRICTED, via="command"
        )
        for verb, statement in statements.items():
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(statement, [probe.pk])
            except DatabaseError as exc:
                refusals[verb] = BY_TRIGGER if "append-only" in str(exc) else BY_PRIVILEGES
            else:
                refusals[verb] = ALLOWED
        transaction.set_rollback(True)
    return refusals


def audit_role_findings(role: str | None) -> tuple[list[str], list[str]]:
    """(problems, notices) about what `role` may do to audit_event.

    Given a role (the application's), it must be able to append and nothing more: not a
    superuser, not the owner (an owner may disable the triggers), no UPDATE, DELETE or TRUNCATE
    (no trigger stops a TRUNCATE). Without one, the connected role is described, as a notice.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname, r.rolsuper, pg_has_role(r.oid, c.relowner, 'USAGE'), "
            "has_table_privilege(r.oid, c.oid, 'INSERT'), "
            "has_table_privilege(r.oid, c.oid, 'UPDATE'), "
            "has_table_privilege(r.oid, c.oid, 'DELETE'), "
            "has_table_privilege(r.oid, c.oid, 'TRUNCATE') "
            "FROM pg_roles r, pg_class c "
            "WHERE r.rolname = coalesce(%s, current_user) AND c.oid = 'audit_event'::regclass",
            [role],
        )
        row = cursor.fetchone()
    if row is None:
        return [_("Role %(role)s does not exist on this server.") % {"role": role}], []
    name, superuser, owner, insert, update, delete, truncate = row
    powers = []
    if superuser:
        powers.append(_("is a superuser"))
    elif owner:
        powers.append(_("owns audit_event (and may disable its triggers)"))
    else:
        powers += [
            _("may %(verb)s audit_event") % {"verb": verb}
            for verb, held in (("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate))
            if held
        ]
    problems: list[str] = []
    findings = [_("Role %(role)s %(power)s.") % {"role": name, "power": p} for p in powers]
    if role is not None and not insert:
        problems.append(
            _("Role %(role)s may not INSERT into audit_event: every audited write would fail.")
            % {"role": name}
        )
    if role is None:
        if findings:
            findings.append(_("Only the triggers keep the trail append-only against this role."))
        return problems, findings
    return problems + findings, []


def backup_report(*, read_documents: bool = True, app_role: str | None = None) -> BackupReport:
    report = BackupReport(
        counts=backup_counts(),
        history_last_id=AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        or 0,
    )
    if read_documents:
        for problem in document_problems():
            if problem is None:
                report.documents_verified += 1
            else:
                report.problems.append(problem)
    for problem in agreement_pdf_problems():
        if problem is None:
            report.pdfs_verified += 1
        else:
            report.problems.append(problem)
    report.problems += audit_trigger_problems()
    try:
        report.audit_refusals = audit_refusals()
    except DatabaseError as exc:
        report.problems.append(
            _("Could not write a probe row to audit_event: %(error)s") % {"error": exc}
        )
    for verb, refused_by in report.audit_refusals.items():
        if refused_by == ALLOWED:
            report.problems.append(_("%(verb)s on audit_event was allowed.") % {"verb": verb})
    problems, notices = audit_role_findings(app_role)
    report.problems += problems
    report.notices += notices
    return report


def report_compare(report: BackupReport, manifest: Mapping[str, Any]) -> list[str]:
    """Problems for each count below the manifest's.

    The manifest is written just before the dump, so the dump holds at least what it counted:
    the trail only grows, and documents and agreements are never deleted on their own (only
    with their case). More here is fine; fewer means rows were lost.
    """
    problems = []
    expected_counts: Mapping[str, int] = manifest.get("counts", {})
    for key, expected in expected_counts.items():
        found = report.counts.get(key, 0)
        if found < expected:
            problems.append(
                _("%(what)s: %(expected)s in the manifest, %(found)s here.")
                % {"what": key, "expected": expected, "found": found}
            )
    expected_last = int(manifest.get("history_last_id", 0))
    if report.history_last_id < expected_last:
        problems.append(
            _("The newest history row in the manifest is %(expected)s, here %(found)s.")
            % {"expected": expected_last, "found": report.history_last_id}
        )
    return problems
