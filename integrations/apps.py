from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations: API clients, tokens and the event log"

    def ready(self) -> None:
        from integrations import subscribers

        subscribers.connect()
