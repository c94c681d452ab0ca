"""Local development: `make run`. Never used in production."""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, database_pool, document_storage, env, env_list

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# The development server answers each request in a thread of its own, and each thread kept a
# connection of its own: a burst of requests ran PostgreSQL out of connections ("too many
# clients already"). A small pool makes a burst wait its turn instead.
database_pool(DATABASES["default"], int(env("DB_POOL_MAX_SIZE", "8")))
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Links in alert e-mails (printed on the console) point at `make run`'s server.
ALERT_SITE_URL = env("SITE_URL", f"http://127.0.0.1:{env('PORT', '8000')}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": document_storage(),
}
