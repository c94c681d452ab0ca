"""The test suite: real PostgreSQL and Redis, fast password hashing, mail kept in memory."""

import os
import re


def _per_test_worker(url: str) -> str:
    """pytest-xdist runs the suite in several processes (gw0, gw1, …): each gets a Redis
    database of its own, next to the one configured, for the cache and the Celery broker, as
    pytest-django gives each its own test database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not url.startswith("redis"):
        return url
    match = re.match(r"^(redis://[^/]*)(?:/(\d+))?$", url)
    if match is None:
        return url
    base = int(match.group(2) or 0)
    return f"{match.group(1)}/{(base + 1 + int(worker[2:])) % 16}"


# Once per worker: the processes a test starts (Celery workers) inherit the moved URLs.
if "PYTEST_XDIST_WORKER" in os.environ and "PARLEY_TEST_REDIS_MOVED" not in os.environ:
    os.environ["REDIS_URL"] = _per_test_worker(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    if "CELERY_BROKER_URL" in os.environ:
        os.environ["CELERY_BROKER_URL"] = _per_test_worker(os.environ["CELERY_BROKER_URL"])
    os.environ["PARLEY_TEST_REDIS_MOVED"] = "1"

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import document_storage, env  # noqa: E402

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
