from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.context import AuditContext, acting
from demo.data import DEMO_LOGINS, seed_demo


class Command(BaseCommand):
    help = "Load the demo courts, offices, users and cases (once; a second run changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="Only print the demo logins, one 'role<TAB>username<TAB>password' a line.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Seed even though DEBUG is off (never in prod)."
        )

    def handle(self, *args: Any, print_logins: bool, force: bool, **options: Any) -> None:
        if print_logins:
            for login in DEMO_LOGINS:
                self.stdout.write(f"{login.role}\t{login.username}\t{login.password}")
            return
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo loads known passwords; it runs only with DEBUG on.")
        with acting(AuditContext(via="command", request_id="seed_demo")):
            loaded = seed_demo()
        if loaded:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
