import os
import sys

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit import context, signals, subscribers

        signals.connect()
        subscribers.connect()
        # A management command's writes are the command's (requests and tasks bind their own).
        program = os.path.basename(sys.argv[0]) if sys.argv else ""
        command = sys.argv[1] if len(sys.argv) > 1 else "runserver"
        if program in {"manage.py", "django-admin"} and command != "runserver":
            name = f"manage.py {command}"[:64]
            context.bind(context.AuditContext(via="command", request_id=name))
