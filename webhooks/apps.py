from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks: signed event deliveries to API clients"

    def ready(self) -> None:
        from deadlines.models import AlertSubject
        from deadlines.notifications import register_renderer
        from webhooks import subscribers
        from webhooks.services import render_notifications

        subscribers.connect()

        register_renderer(AlertSubject.INTEGRATION, render_notifications)
