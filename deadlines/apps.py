from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"

    def ready(self) -> None:
        from deadlines import subscribers

        subscribers.connect()
