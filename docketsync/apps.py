from django.apps import AppConfig


class DocketSyncConfig(AppConfig):
    name = "docketsync"
    verbose_name = "Docket sync: cases, charges, parties and hearings from a court docket system"
