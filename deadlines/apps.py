from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"

    def ready(self) -> None:
        from deadlines.sections import sections_register

        sections_register()
