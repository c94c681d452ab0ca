"""Local development: `make run`. Never used in production."""

from config.settings.base import *  # noqa: F403
from config.settings.base import document_storage, env, env_list

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Links in alert e-mails (printed on the console) point at `make run`'s server.
ALERT_SITE_URL = env("SITE_URL", f"http://127.0.0.1:{env('PORT', '8000')}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": document_storage(),
}
