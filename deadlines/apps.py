from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"

    def ready(self) -> None:
        from deadlines import subscribers
        from deadlines.sections import sections_register

        subscribers.connect()
        sections_register()
