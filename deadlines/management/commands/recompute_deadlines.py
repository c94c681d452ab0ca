from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cases.models import Court
from deadlines import services


class Command(BaseCommand):
    help = (
        "Recompute the open computed deadlines due today or later of every court (or one) "
        "against its calendar and its jurisdiction's counting as they are now, with a history "
        "row for each that moves. Run it after a release changes deadline rules or counting, "
        "or after a court's subdivision is edited in the admin (docs/deployment.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--court", type=int, metavar="ID", help="Only this court.")
        parser.add_argument(
            "--reason",
            default="",
            help="Why, for the history (default: the court's deadline counting changed).",
        )

    def handle(self, *args: Any, court: int | None, reason: str, **options: Any) -> None:
        courts = Court.objects.order_by("pk")
        if court is not None:
            courts = courts.filter(pk=court)
            if not courts.exists():
                raise CommandError(_("No court with id %(id)s.") % {"id": court})
        why = reason.strip() or _("the court's deadline counting changed.")
        total = 0
        for each in courts:
            moved = services.court_deadlines_recompute(court=each, reason=why)
            total += moved
            if moved:
                self.stdout.write(
                    _("%(court)s: deadlines moved: %(count)s.") % {"court": each, "count": moved}
                )
        self.stdout.write(_("Deadlines moved in all: %(count)s.") % {"count": total})
