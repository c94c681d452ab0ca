"""Settings shared by every environment. Everything that differs comes from the environment."""

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = False
SECRET_KEY = env("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "core",
    "parties",
    "cases",
    "negotiations",
    "deadlines",
    "records",
    "audit",
    "integrations",
    "webhooks",
    "docketsync",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "demo",
]

MIDDLEWARE = [
    # Outermost: every error answered under /api/ is JSON, whatever raised it.
    "core.api.middleware.ApiErrorBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "records.uploads.UploadNamesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language, or the language cookie) for everyone; a
    # signed-in person's own choice replaces it below, once they are known.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.PreferredLanguageMiddleware",
    "audit.middleware.AuditContextMiddleware",
    # A GET request reads each fact a permission rests on once (core.reads).
    "core.reads.ReadOnceMiddleware",
    "core.api.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its answer (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "deadlines.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parley"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}


def database_pool(database: Any, max_size: int) -> None:
    """Share at most `max_size` connections among the process's threads (psycopg's pool):
    a request that finds them all busy waits up to DB_POOL_TIMEOUT seconds for one, instead
    of opening one more. 0: no pool; each thread keeps its own connection (DB_CONN_MAX_AGE),
    which suits one thread per process (gunicorn's sync workers)."""
    if max_size <= 0:
        return
    database["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django refuses both
    database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": max_size,
        "timeout": float(env("DB_POOL_TIMEOUT", "30")),
    }


database_pool(DATABASES["default"], int(env("DB_POOL_MAX_SIZE", "0")))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "parley",
        # A Redis that stops answering costs a request at most this long; the throttle then
        # leaves it alone for a while (core.api.throttling).
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in of a locked-out account or address (django-axes).
    "accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: revokes the person's API tokens when their password changes.
    {"NAME": "accounts.passwords.RevokeTokensOnPasswordChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sign-in (accounts; docs/deployment.md). Failed sign-ins on the page and the token endpoint
# are counted per account and per client address; reaching either limit refuses every sign-in
# of that account (or from that address) until the cool-off has passed since the last failure.
SIGNIN_ACCOUNT_FAILURE_LIMIT = int(env("SIGNIN_ACCOUNT_FAILURE_LIMIT", "10"))
SIGNIN_ADDRESS_FAILURE_LIMIT = int(env("SIGNIN_ADDRESS_FAILURE_LIMIT", "30"))
SIGNIN_COOLOFF_MINUTES = int(env("SIGNIN_COOLOFF_MINUTES", "15"))
# Reverse proxies in front of the web process that append to X-Forwarded-For (0: none, the
# client's address is REMOTE_ADDR).
SIGNIN_TRUSTED_PROXIES = int(env("SIGNIN_TRUSTED_PROXIES", "0"))
AXES_HANDLER = "accounts.lockout.SignInLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The handler counts the limits reached (each parameter has its own, above), not failures.
AXES_FAILURE_LIMIT = 1
AXES_COOLOFF_TIME = dt.timedelta(minutes=SIGNIN_COOLOFF_MINUTES)
# Tries during a lockout do not extend it: nobody can keep an account locked for ever by
# guessing now and then, and the person gets in once the cool-off has passed.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail already
AXES_VERBOSE = False
# Personal API tokens expire this many days after they are made.
PERSONAL_TOKEN_DAYS = int(env("PERSONAL_TOKEN_DAYS", "90"))
# Two-factor sign-in (TOTP): how long the one-time-code step waits after the password, and how
# often a signed-in session re-reads whether its court or office now requires a second factor.
MFA_PENDING_SECONDS = int(env("MFA_PENDING_SECONDS", "300"))
MFA_RECHECK_SECONDS = int(env("MFA_RECHECK_SECONDS", "300"))
OTP_TOTP_ISSUER = env("MFA_ISSUER", "Parley")

# Every page: no inline script or style, nothing from another origin. Downloads (anything but
# HTML) get `sandbox` instead (accounts.middleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


# Guardian: the anonymous user is never granted anything, so do not create one.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# The languages Parley has a catalogue for (docs/translating.md): adding one is a line here
# and its catalogues, no code. A person's preferred language is one of these codes.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
]
# The project catalogue (messages of templates/ and config/); each app keeps its own in
# <app>/locale/. The compiled .mo files are committed: `make messages` rebuilds them.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Other names people give a language of LANGUAGES (a defendant's "preferred language" is
# free text), lower case; Django already knows each language's English and own names.
LANGUAGE_NAMES = {
    "chinese": "zh-hans",
    "mandarin": "zh-hans",
    "mandarin chinese": "zh-hans",
    "putonghua": "zh-hans",
    "普通话": "zh-hans",
    "中文": "zh-hans",
    "汉语": "zh-hans",
}
LANGUAGE_COOKIE_NAME = "parley_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # fonts/parley-cjk.woff2: the CJK font of the installed dependencies, subset for the web
    # on first use (core.fonts); no font file is in the repository.
    "core.fonts.CjkFontFinder",
]
# Where core.fonts keeps the fonts it derives from the installed one.
FONT_CACHE_DIR = Path(env("FONT_CACHE_DIR", str(BASE_DIR / ".data" / "fonts")))
# Uploaded case documents (records.storage). Never served as static media: every download
# goes through the app's permission check. DOCUMENT_STORAGE=s3 keeps them in any S3-compatible
# store instead (docs/deployment.md).
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))


def document_storage() -> dict[str, object]:
    if env("DOCUMENT_STORAGE", "filesystem") == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("DOCUMENT_S3_BUCKET"),
                "endpoint_url": env("DOCUMENT_S3_ENDPOINT_URL", "") or None,
                "region_name": env("DOCUMENT_S3_REGION", "") or None,
                "access_key": env("DOCUMENT_S3_ACCESS_KEY_ID", "") or None,
                "secret_key": env("DOCUMENT_S3_SECRET_ACCESS_KEY", "") or None,
                "location": env("DOCUMENT_S3_PREFIX", "documents"),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": MEDIA_ROOT / "documents",
            "base_url": "/documents-are-not-served/",
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "documents": document_storage(),
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Parley <parley@localhost>")
# Seconds to wait for the mail server to connect and to answer each step, so that one that
# never answers fails the attempt (retried later) instead of holding the e-mail sweep. Keep it
# well below the e-mail sweep's time limit (deadlines.tasks, 50 s).
EMAIL_TIMEOUT = float(env("EMAIL_TIMEOUT", "10"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.PersonalTokenAuthentication",
        "integrations.auth.ClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    # JSON within limits of depth and text (core.api.parsers); forms and uploads as DRF has them.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.ClientRateThrottle"],
    "DEFAULT_VERSIONING_CLASS": None,
}

# Requests each API client (token, session or anonymous address) may make; "" for no limit.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", "1200/min")

SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": "Plea negotiation case management: cases, parties, charges and negotiations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus",
        "ChargeStatusEnum": "cases.models.ChargeStatus",
        "DispositionEnum": "cases.models.Disposition",
        "KindEnum": "parties.models.OrganizationKind",
        "RoleEnum": "parties.models.Role",
        "OfferStatusEnum": "negotiations.models.OfferStatus",
        "AgreementStatusEnum": "negotiations.models.AgreementStatus",
        "TermDispositionEnum": "negotiations.models.TermDisposition",
        "ConcessionKindEnum": "negotiations.models.ConcessionKind",
    },
}

# Celery: see DEVELOPERS.md. Late acknowledgement so a task whose worker dies is redelivered;
# never schedule an ETA beyond the visibility timeout, or Redis redelivers it early.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A safety net for any task without limits of its own: soft (an exception the task may clean up
# after), then hard (the worker process is replaced). Tasks that talk to the network set
# tighter ones.
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 330
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # An offer past its expiry is expired by the service whenever someone acts on it; this
    # sweep records the expiry for offers nobody touches. Each run finishes within a minute
    # and nothing is scheduled further ahead than the broker's visibility timeout.
    "expire-offers": {"task": "negotiations.expire_offers", "schedule": 60.0},
    # Marks deadlines missed, then claims and delivers every in-app alert that has come due.
    "sweep-alerts": {"task": "deadlines.sweep_alerts", "schedule": 60.0},
    # Claims and sends every alert e-mail that has come due, on ALERT_EMAIL_QUEUE. A run that
    # could not start within the minute is dropped: the next one does its work.
    "send-alert-emails": {
        "task": "deadlines.send_alert_emails",
        "schedule": 60.0,
        "options": {"expires": 55.0},
    },
    "send-digests": {"task": "deadlines.send_digests", "schedule": 900.0},
    # Queues webhook retries that have come due, and deliveries whose task was lost.
    "webhook-deliveries-due": {"task": "webhooks.deliveries_due", "schedule": 30.0},
    # Deletes deliveries and events past their retention (below).
    "prune-integration-logs": {"task": "webhooks.prune", "schedule": 1800.0},
}
# How long a sweep's claim on an alert lasts: a worker that dies mid-batch leaves its claims,
# and the next sweep after this many seconds sends them (deadlines.alerts). Keep it well above
# the sweeps' hard time limit (deadlines.tasks, 58 s).
ALERT_CLAIM_LEASE_SECONDS = int(env("ALERT_CLAIM_LEASE_SECONDS", "300"))
# A queue of its own for alert e-mail, so that in-app alerts never wait behind a slow mail
# server. A worker started without -Q consumes it with the default queue (CELERY_TASK_QUEUES);
# to keep them apart, run one worker with `-X <name>` and another with `-Q <name>`.
# Empty: the default queue.
ALERT_EMAIL_QUEUE = env("ALERT_EMAIL_QUEUE", "alert-email")
# The address links in alert e-mails start with (e.g. https://parley.example.org).
ALERT_SITE_URL = env("SITE_URL", "")

# Webhooks (docs/webhooks.md). Destinations on loopback, private, link-local and other
# non-public addresses are refused unless this is set (a single-host or intranet install).
WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = env_bool("WEBHOOK_ALLOW_PRIVATE_DESTINATIONS", False)
# Seconds to connect, send and wait for each part of the answer.
WEBHOOK_TIMEOUT = float(env("WEBHOOK_TIMEOUT", "10"))
# Seconds an old secret keeps signing after a rotation.
WEBHOOK_SECRET_OVERLAP = int(env("WEBHOOK_SECRET_OVERLAP", str(24 * 3600)))
# Seconds a delivery is retried before it fails (and its endpoint is disabled).
WEBHOOK_RETRY_WINDOW = int(env("WEBHOOK_RETRY_WINDOW", str(3 * 24 * 3600)))
# Seconds a queued or running attempt holds its delivery before the sweep may queue it again;
# well above WEBHOOK_TIMEOUT, well below the broker's visibility timeout.
WEBHOOK_CLAIM_LEASE = int(env("WEBHOOK_CLAIM_LEASE", "300"))
# A queue of their own for deliveries (run a worker with -Q <name>), so that alerts and offer
# expiry never wait behind slow receivers; empty: the default queue.
WEBHOOK_QUEUE = env("WEBHOOK_QUEUE", "")
# Days finished webhook deliveries (and their attempts) are kept in the delivery log.
WEBHOOK_DELIVERY_RETENTION_DAYS = int(env("WEBHOOK_DELIVERY_RETENTION_DAYS", "30"))
# Days events are kept for the change feed; a feed cursor older than that gets 410.
EVENT_RETENTION_DAYS = int(env("EVENT_RETENTION_DAYS", "90"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
# What a worker started without -Q consumes (WEBHOOK_QUEUE is left to its own worker). Each
# queue has an exchange and routing key of its own, as Celery gives a queue it creates itself:
# sharing the default routing key would put a copy of every task in each queue.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in dict.fromkeys([CELERY_TASK_DEFAULT_QUEUE, ALERT_EMAIL_QUEUE])
    if name
]
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {}
if ALERT_EMAIL_QUEUE:
    CELERY_TASK_ROUTES["deadlines.send_alert_emails"] = {"queue": ALERT_EMAIL_QUEUE}
if WEBHOOK_QUEUE:
    CELERY_TASK_ROUTES["webhooks.deliver"] = {"queue": WEBHOOK_QUEUE}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # fontTools logs a line per table at INFO each time core.fonts subsets the CJK font.
    "loggers": {"fontTools": {"level": "WARNING"}},
}
