"""Reset a person's two-factor sign-in (lost phone, no recovery code): their authenticator and
recovery codes are removed; if their court or office requires a second factor, they set up a
new one at their next sign-in. Unlock a locked-out account with `axes_reset_username`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import mfa


class Command(BaseCommand):
    help = "Remove a person's authenticator app and recovery codes (they set it up again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        for username in options["username"]:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            removed = mfa.second_factor_remove(user=user)
            self.stdout.write(f"{username}: two-factor sign-in reset ({removed} devices removed).")
