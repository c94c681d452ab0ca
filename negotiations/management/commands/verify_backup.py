import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from negotiations.backup import ALLOWED, BY_PRIVILEGES, BY_TRIGGER, backup_report, report_compare


class Command(BaseCommand):
    help = (
        "Check this database and document storage as a restored copy: every document and "
        "agreement PDF against its recorded SHA-256, the history rows, and an audit trail that "
        "still refuses UPDATE and DELETE. Exits 1 if anything is wrong "
        "(docs/deployment.md, Backup and restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="Print the report as JSON (written before a dump, it is the backup's manifest).",
        )
        parser.add_argument(
            "--skip-documents",
            action="store_true",
            help="Do not read the document storage (for the manifest on a live server).",
        )
        parser.add_argument(
            "--expect",
            metavar="MANIFEST",
            help="A manifest written before the dump ('-' for standard input): fail if this "
            "copy holds fewer rows than it counted.",
        )
        parser.add_argument(
            "--app-role",
            metavar="ROLE",
            help="The application's database role: fail unless it may append to the audit "
            "trail and do nothing else to it.",
        )

    def handle(
        self,
        *args: Any,
        as_json: bool,
        skip_documents: bool,
        expect: str | None,
        app_role: str | None,
        **options: Any,
    ) -> None:
        report = backup_report(read_documents=not skip_documents, app_role=app_role)
        if expect:
            report.problems += report_compare(report, _read_manifest(expect))
        if as_json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            self._print(report.as_dict(), skip_documents)
        if report.problems:
            raise CommandError(
                _("%(count)s problem(s) found.") % {"count": len(report.problems)}, returncode=1
            )

    def _print(self, report: dict[str, Any], skip_documents: bool) -> None:
        counts = report["counts"]
        lines = [
            _("History rows (audit_event): %(n)s, newest id %(last)s")
            % {"n": counts["history_rows"], "last": report["history_last_id"]},
            _("Status changes: %(n)s; cases: %(cases)s; notes: %(notes)s")
            % {"n": counts["status_changes"], "cases": counts["cases"], "notes": counts["notes"]},
            _("Documents: %(n)s, contents verified: %(ok)s")
            % {
                "n": counts["documents"],
                "ok": _("not read") if skip_documents else report["documents_verified"],
            },
            _("Agreement PDFs: %(n)s, verified: %(ok)s")
            % {"n": counts["agreement_pdfs"], "ok": report["pdfs_verified"]},
        ]
        outcomes = {
            BY_TRIGGER: _("refused by the append-only trigger"),
            BY_PRIVILEGES: _("refused: this role lacks the privilege"),
            ALLOWED: _("ALLOWED"),
        }
        for verb, refused_by in report["audit_refusals"].items():
            lines.append(
                _("%(verb)s on audit_event: %(outcome)s")
                % {"verb": verb, "outcome": outcomes[refused_by]}
            )
        for line in lines:
            self.stdout.write(line)
        for notice in report["notices"]:
            self.stdout.write(self.style.WARNING(_("Notice: %(text)s") % {"text": notice}))
        for problem in report["problems"]:
            self.stderr.write(self.style.ERROR(_("Problem: %(text)s") % {"text": problem}))
        if not report["problems"]:
            self.stdout.write(self.style.SUCCESS(_("Backup verified.")))


def _read_manifest(path: str) -> dict[str, Any]:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        manifest = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CommandError(
            _("Cannot read the manifest %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(manifest, dict):
        raise CommandError(_("The manifest %(path)s is not a JSON object.") % {"path": path})
    return manifest


def _dumps(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=True)
