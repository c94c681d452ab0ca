"""Import a court's docket from a CSV file (docs/docket-sync.md for the format).

    python manage.py import_docket docket.csv --court 3 --as clerk.lee --dry-run
    python manage.py import_docket docket.csv --court "District Court" --as clerk.lee

Runs as the user named by --as, who must be court staff of the court: every record goes
through the same services and permission checks as the API and the pages, and the audit trail
names that user (via "command"). Prints one line per record and a summary; exits with status 1
when a record had an error (the good ones are kept unless --dry-run) or the file is unreadable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.context import AuditContext, acting
from cases.models import Court
from docketsync.csvfile import CsvError, read_csv
from docketsync.services import MAX_BATCH, Outcome, RecordResult, docket_import, summary_of


class Command(BaseCommand):
    help = "Import cases, charges, parties and hearings from a docket CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, with a header).")
        parser.add_argument("--court", required=True, help="The court's id or exact name.")
        parser.add_argument(
            "--as", dest="username", required=True, help="Username of court staff of the court."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=MAX_BATCH,
            help=f"Records per transaction (1 to {MAX_BATCH:,}; default {MAX_BATCH:,}).",
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        court: str,
        username: str,
        dry_run: bool,
        batch_size: int,
        **options: Any,
    ) -> None:
        the_court = _court(court)
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user “{username}”.")
        try:
            parsed = read_csv(file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except CsvError as error:
            raise CommandError(f"{file}: {error}") from None
        with acting(AuditContext(via="command", request_id="import_docket", actor=lambda: user)):
            try:
                results = docket_import(
                    court=the_court,
                    by=user,
                    records=parsed.records,
                    dry_run=dry_run,
                    batch_size=batch_size,
                )
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        for result in results:
            self.stdout.write(_line(parsed.lines[result.index], result, dry_run=dry_run))
        summary = summary_of(results)
        self.stdout.write(
            ("Dry run, nothing written: " if dry_run else "")
            + ", ".join(f"{n:,} {what}" for what, n in summary.items())
            + f" ({len(results):,} records)."
        )
        if summary[Outcome.ERROR]:
            raise CommandError(
                f"{summary[Outcome.ERROR]:,} record{'s' if summary[Outcome.ERROR] > 1 else ''} "
                "had errors" + ("." if dry_run else "; the others were imported.")
            )


def _court(given: str) -> Court:
    found = (
        Court.objects.filter(pk=int(given)).first()
        if given.isdigit()
        else Court.objects.filter(name=given).first()
    )
    if found is None:
        raise CommandError(f"No court “{given}” (give its id or its exact name).")
    return found


def _line(line: int, result: RecordResult, *, dry_run: bool) -> str:
    outcome = str(result.result)
    if dry_run and result.result in (Outcome.CREATED, Outcome.UPDATED):
        outcome = f"would be {outcome}"
    detail = ""
    if result.changed:
        detail = " (" + ", ".join(result.changed) + ")"
    if result.errors:
        detail = ": " + "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in result.errors.items()
        )
    return (
        f"line {line:>6}  {result.type or '?':<7}  {result.external_id or '-':<24}  "
        f"{outcome}{detail}"
    )
