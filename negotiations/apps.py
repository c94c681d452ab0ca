from django.apps import AppConfig


class NegotiationsConfig(AppConfig):
    name = "negotiations"

    def ready(self) -> None:
        from negotiations.sections import sections_register

        sections_register()
