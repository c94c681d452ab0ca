"""Operators' command for API clients, for set-up scripts and when the pages are not at hand.

    manage.py api_client create --court 3 --name "County docket" --as clerk [--owner alice]
                                [--role court_staff]
    manage.py api_client token --client 7 --name "docket server 1" --as clerk
    manage.py api_client revoke --client 7 --as clerk
    manage.py api_client list [--court 3]

`--as` names the person who acts (court staff of the court, or a superuser); the same rules as
on the pages apply. A new token is printed once, on its own line, and never again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.context import AuditContext, acting
from cases.models import Court
from integrations import services
from integrations.models import ApiClient
from parties.models import Role


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user is called {username!r}.")
    return user


def _client(pk: int) -> ApiClient:
    client = ApiClient.objects.select_related("court", "account").filter(pk=pk).first()
    if client is None:
        raise CommandError(f"No API client has id {pk}.")
    return client


class Command(BaseCommand):
    help = "Make, list and revoke API clients and their tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a client and its service account.")
        create.add_argument("--court", type=int, required=True, help="The court's id.")
        create.add_argument("--name", required=True)
        create.add_argument("--as", dest="actor", required=True, help="Who acts (username).")
        create.add_argument("--owner", help="Who hears of its problems (default: --as).")
        create.add_argument(
            "--role",
            default=Role.COURT_STAFF,
            choices=[Role.COURT_STAFF, Role.PROSECUTOR, Role.DEFENSE_COUNSEL],
        )
        token = sub.add_parser("token", help="Make a token for a client; printed once.")
        token.add_argument("--client", type=int, required=True)
        token.add_argument("--name", required=True)
        token.add_argument("--as", dest="actor", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a client and every token it has.")
        revoke.add_argument("--client", type=int, required=True)
        revoke.add_argument("--as", dest="actor", required=True)
        listing = sub.add_parser("list", help="List the clients (of one court).")
        listing.add_argument("--court", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            self._list(options.get("court"))
            return
        actor = _user(options["actor"])
        try:
            with acting(AuditContext(via="command", actor=lambda: actor)):
                self._act(action, actor, options)
        except PermissionDenied as denied:
            raise CommandError(str(denied)) from None
        except ValidationError as invalid:
            messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in invalid.message_dict.items())
            raise CommandError(messages) from None

    def _act(self, action: str, actor: User, options: dict[str, Any]) -> None:
        if action == "create":
            court = Court.objects.filter(pk=options["court"]).first()
            if court is None:
                raise CommandError(f"No court has id {options['court']}.")
            owner = _user(options["owner"]) if options.get("owner") else actor
            client = services.api_client_create(
                court=court, name=options["name"], owner=owner, by=actor, role=options["role"]
            )
            self.stdout.write(f"Client {client.pk} made: {client.name} ({client.account.username})")
        elif action == "token":
            _token, key = services.api_token_create(
                client=_client(options["client"]), name=options["name"], by=actor
            )
            self.stderr.write("The token (shown this once):")
            self.stdout.write(key)
        elif action == "revoke":
            client = services.api_client_revoke(client=_client(options["client"]), by=actor)
            self.stdout.write(f"Client {client.pk} revoked.")

    def _list(self, court_id: int | None) -> None:
        clients = ApiClient.objects.select_related("court", "account", "owner").order_by("pk")
        if court_id is not None:
            clients = clients.filter(court_id=court_id)
        for client in clients:
            state = "revoked" if client.revoked_at else "active"
            self.stdout.write(
                f"{client.pk}\t{client.court.name}\t{client.name}\t{client.account.username}\t"
                f"owner {client.owner.username}\t{state}"
            )
