"""The test suite: real PostgreSQL and Redis, fast password hashing, mail kept in memory."""

from config.settings.base import *  # noqa: F403
from config.settings.base import document_storage, env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory (django.core.mail.outbox); a Celery worker started by a test has no memory shared
# with the test, so it writes files there instead (tests/test_alert_worker.py).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", "")
# Or, with the SMTP backend, to a mail server the test runs (tests/test_alert_email.py).
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # tests/conftest.py points this at a fresh temporary directory for every test.
    "documents": document_storage(),
}
# No limit unless a test sets one (tests/test_api_conventions.py): the suite's clients would
# otherwise share budgets across test runs through Redis.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": "parley-test",
    }
}
