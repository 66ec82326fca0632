"""Takedown Desk settings. Everything comes from the environment; a `.env` file is read when present.

The defaults give a first start that needs no services: SQLite, tasks run in-process, e-mail printed to the
console. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
# A local run keeps its settings in `.env` (`make start` writes one); the environment always wins over it.
# ENV_FILE names another file, or none at all when set empty (the settings tests: a checkout where `make
# start` ran must still start as a bare production environment would).
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Signed merchant links, sessions and password resets all rest on this key: never run on a known one.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Takedown Desk refuses to start without it: set SECRET_KEY "
            "in the environment or in .env (`make start` writes a random one to .env for a local run)."
        )
    SECRET_KEY = "insecure-development-key-only-with-DEBUG-on"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "pgtrigger",
    "csp",
    "core",
    "brands",
    "merchants",
    "takedowns",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.NullCharacterMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.twofactor.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# --- accounts -------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Proxies in front of the app that append to X-Forwarded-For; 0: use the connecting address, so a client
# cannot pick its own address by sending the header.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
# Lock out a user name, and separately an address, after repeated failed sign-ins (portal, admin, API).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
AXES_VERBOSE = False
# Reviewers and compliance officers confirm a TOTP code after their password (core/twofactor.py).
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Takedown Desk")
# API tokens: only a hash is stored; each expires (django-rest-knox).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 24 * 30)),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

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
                "core.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A kept connection is checked before a request reuses it: after a database restart the next
        # request reconnects instead of failing on a dead socket.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (the dev server, in-process tasks) write; wait for the lock instead of failing
    # (and past the wait, answer 503: core/outages.py).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = env_int("SQLITE_BUSY_SECONDS", 20)
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so a second writer waits out the
    # timeout above. With the default (deferred), two transactions that read and then write fail at once
    # with "database is locked": SQLite cannot wait there without a deadlock.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A read replica for reports and exports (core/replica.py); in tests it mirrors `default` unless a test
# makes a database of its own for it.
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["REPLICA_DATABASE_URL"],
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# PostgreSQL without JIT compilation: the requests' queries are too short for it to pay, and on the reports'
# big reads compiling the expressions cost more than it saved (0.26 s of a 2.3 s summary at a million claims,
# 4 s of a 23 s export: docs/scaling.md).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# A missing manifest entry (no collectstatic yet, as in tests) falls back to the plain name instead of a 500.
WHITENOISE_MANIFEST_STRICT = False
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Bodies larger than this are refused from their Content-Length, before they are read (several evidence
# files in one filing fit); each file is also cut off while it arrives once it passes EVIDENCE_MAX_BYTES.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 48 * 1024 * 1024)
# Bulk filing's ZIP of per-row evidence (300 screenshots of up to ~1 MB each fit); each file in it is still
# held to EVIDENCE_MAX_BYTES. Requests to the two bulk paths may be this much larger (core.uploads).
EVIDENCE_ARCHIVE_MAX_BYTES = env_int("EVIDENCE_ARCHIVE_MAX_BYTES", 512 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.FileSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- e-mail ---------------------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 15
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Takedown Desk <takedowns@localhost>")

# --- the marketplace and the DSA Transparency Database ----------------------------------------------------
PLATFORM_WEBHOOK_URL = os.environ.get("PLATFORM_WEBHOOK_URL", "")
PLATFORM_WEBHOOK_SECRET = os.environ.get("PLATFORM_WEBHOOK_SECRET", "")
if PLATFORM_WEBHOOK_URL and not PLATFORM_WEBHOOK_SECRET and not DEBUG:
    # Unsigned (empty-key) removals and restores could be forged by anyone who can reach the marketplace.
    raise ImproperlyConfigured(
        "PLATFORM_WEBHOOK_URL is set but PLATFORM_WEBHOOK_SECRET is not: webhooks would be signed with an empty "
        "key. Set PLATFORM_WEBHOOK_SECRET (shared with the marketplace), or unset PLATFORM_WEBHOOK_URL."
    )
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
DSA_TDB_URL = os.environ.get("DSA_TDB_URL", "")
DSA_TDB_TOKEN = os.environ.get("DSA_TDB_TOKEN", "")

# --- Celery ---------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# With no Redis the first start needs no services: tasks run in the request that sends them.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker keeps its database connection between tasks, as a web process does between requests
# (DB_CONN_MAX_AGE, checked before reuse: config/celery_app.py); Celery closes it only every 1,000 tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Above the longest task and the longest retry countdown, so Redis does not hand a task to a second worker
# while the first still holds it. "priority": a worker always takes from the urgent queue first (the order of
# CELERY_TASK_QUEUES below), where Redis's default round robin would alternate, so a removal webhook could
# wait for a batch of e-mails.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "queue_order_strategy": "priority"}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request whose broker is down must not hang: fail fast, the outbox sweep sends the task later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "takedowns")
# Removal webhooks and enforcement go to their own queue so that a backlog of e-mails never delays a
# takedown. A plain `celery -A config worker` consumes both; `-Q takedowns-urgent` makes a dedicated worker.
CELERY_URGENT_QUEUE = os.environ.get("CELERY_URGENT_QUEUE", "takedowns-urgent")
CELERY_TASK_QUEUES: dict[str, dict] = {CELERY_URGENT_QUEUE: {}, CELERY_TASK_DEFAULT_QUEUE: {}}
CELERY_TIMEZONE = TIME_ZONE
SWEEP_SECONDS = env_int("SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "core.tasks.sweep_outbox", "schedule": timedelta(seconds=SWEEP_SECONDS)},
    "sweep-claims": {"task": "takedowns.tasks.sweep_claims", "schedule": timedelta(seconds=SWEEP_SECONDS)},
    "run-deadlines": {"task": "takedowns.tasks.run_deadlines", "schedule": timedelta(minutes=5)},
    "recompute-programmes": {"task": "takedowns.tasks.recompute_programmes", "schedule": timedelta(hours=24)},
    "purge-exports": {"task": "reports.tasks.purge_exports", "schedule": timedelta(hours=1)},
    "purge-staged": {"task": "core.tasks.purge_staged", "schedule": timedelta(hours=1)},
    "purge-expired-tokens": {"task": "core.tasks.purge_expired_tokens", "schedule": timedelta(hours=1)},
    "purge-bulk-previews": {"task": "takedowns.tasks.purge_bulk_previews", "schedule": timedelta(hours=1)},
}

# --- the rules the product encodes (docs/contract.md §4–§6) ---------------------------------------------------------
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
INFO_REQUEST_DAYS = env_int("INFO_REQUEST_DAYS", 7)
COUNTER_NOTICE_WINDOW_DAYS = env_int("COUNTER_NOTICE_WINDOW_DAYS", 180)
RESTORE_BUSINESS_DAYS = env_int("RESTORE_BUSINESS_DAYS", 10)
# A brand may appeal a rejection for this many days after it (DSA Art. 20(1): at least six months).
APPEAL_WINDOW_DAYS = env_int("APPEAL_WINDOW_DAYS", 183)
HOLIDAY_COUNTRY = os.environ.get("HOLIDAY_COUNTRY", "US")
EXTRA_HOLIDAYS = env_list("EXTRA_HOLIDAYS")  # ISO dates, e.g. 2026-12-24,2026-12-31
SLA_HOURS_HIGH = env_int("SLA_HOURS_HIGH", 24)
SLA_HOURS_NORMAL = env_int("SLA_HOURS_NORMAL", 72)
STRIKE_DAYS = env_int("STRIKE_DAYS", 365)
STRIKES_TO_BAN = env_int("STRIKES_TO_BAN", 3)
# A ban (or its lifting) waits for a second reviewer when the merchant has at least this many active listings.
BAN_SECOND_APPROVAL_LISTINGS = env_int("BAN_SECOND_APPROVAL_LISTINGS", 50)
# Merchant identifiers are kept only as HMAC-SHA256 digests under this key (merchants/identifiers.py). Set it in
# production and never change it: a new key makes every stored digest unrelated to the next ones, and the seller
# networks fall apart until the marketplace resends every merchant. Unset, it derives from SECRET_KEY.
IDENTIFIER_HASH_KEY = (
    os.environ.get("IDENTIFIER_HASH_KEY", "")
    or hashlib.sha256(f"identifiers:{SECRET_KEY}".encode()).hexdigest()
)
# Two images are the same photo when their perceptual hashes differ in at most this many bits (of 64).
IMAGE_MATCH_DISTANCE = env_int("IMAGE_MATCH_DISTANCE", 6)
FAST_TRACK_ENABLED = env_bool("FAST_TRACK_ENABLED", False)
GOOD_FAITH_MIN_DECIDED = env_int("GOOD_FAITH_MIN_DECIDED", 20)
GOOD_FAITH_MIN_RATE = float(os.environ.get("GOOD_FAITH_MIN_RATE", "0.90"))
GOOD_FAITH_MAX_COUNTER_RATE = float(os.environ.get("GOOD_FAITH_MAX_COUNTER_RATE", "0.05"))
MISUSE_MIN_DECIDED = env_int("MISUSE_MIN_DECIDED", 20)
MISUSE_REJECTED_SHARE = float(os.environ.get("MISUSE_REJECTED_SHARE", "0.50"))
ENFORCEMENT_STUCK_ATTEMPTS = env_int("ENFORCEMENT_STUCK_ATTEMPTS", 3)
NOTICE_MAX_BACKOFF_SECONDS = env_int("NOTICE_MAX_BACKOFF_SECONDS", 600)
# How long a worker may hold a notice it is sending before another worker may take it over.
NOTICE_LEASE_SECONDS = env_int("NOTICE_LEASE_SECONDS", 120)
# How many notices of one channel a worker leases and sends over one connection (core.outbox).
NOTICE_BATCH_SIZE = env_int("NOTICE_BATCH_SIZE", 50)
REVIEWERS_EMAIL = os.environ.get("REVIEWERS_EMAIL", "")
MERCHANT_LINK_MAX_AGE_DAYS = env_int("MERCHANT_LINK_MAX_AGE_DAYS", 180)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 72)
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", MEDIA_ROOT / "exports"))
EXPORT_INLINE_MAX_CLAIMS = env_int("EXPORT_INLINE_MAX_CLAIMS", 20000)  # above: XLSX and PDF built by a worker
# How many connections a report made of several summaries reads on at once (core.reads); 1: one at a time.
REPORT_READ_CONNECTIONS = env_int("REPORT_READ_CONNECTIONS", 2)
PLATFORM_NAME = os.environ.get("PLATFORM_NAME", "")  # named in reports and the Lumen export
DSA_PUID_PREFIX = os.environ.get(
    "DSA_PUID_PREFIX", "tdesk"
)  # statements' puid: unique for the platform forever
DSA_TERRITORIAL_SCOPE = env_list("DSA_TERRITORIAL_SCOPE")  # empty: every EU/EEA country

# --- API ------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "100000/hour"),
        "login": os.environ.get("API_THROTTLE_LOGIN", "30/minute"),
        "login_username": os.environ.get("API_THROTTLE_LOGIN_USERNAME", "10/minute"),
    },
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Takedown Desk API",
    "DESCRIPTION": "Notice-and-takedown case management: brands, IP rights, listings, claims and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: nothing is fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, where the same field name holds different choices in different models.
    "ENUM_NAME_OVERRIDES": {
        "ClaimStateEnum": "takedowns.models.ClaimState",
        "IPRightKindEnum": "brands.models.IPRight.Kind",
        "EvidenceKindEnum": "takedowns.models.Evidence.Kind",
        "LanguageEnum": "config.settings.LANGUAGES",
        "IPRightStatusEnum": "brands.models.IPRight.Status",
        "MerchantStatusEnum": "merchants.models.Merchant.Status",
        "ListingStatusEnum": "merchants.models.Listing.Status",
        "ClaimBatchStatusEnum": "takedowns.models.ClaimBatch.Status",
        "RejectReasonEnum": "takedowns.models.RejectReason",
    },
}

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            # The cache only holds throttle counters: when Redis is down they fail open (no throttling, a
            # logged warning) instead of taking every request down, and a dead Redis is given up on quickly.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- transport and browser security ----------------------------------------------------------------------
# Safe by default with DEBUG off (HTTPS only, HSTS, secure cookies); a local run over plain HTTP turns these
# off in its .env (`make start` writes them). `manage.py check --deploy` is clean with the defaults.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto only when told to (a direct client could set it).
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks from the load balancer come over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every page: scripts only from our own files (no inline script, no eval), nothing framed, nothing fetched
# from elsewhere. Inline style attributes stay allowed; they cannot run code. File downloads set their own,
# stricter policy (`core.files`).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # blob: the filing form's previews of chosen files
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django logs the path of a 404 or 500; a merchant link's token must not reach the logs that way either.
    "filters": {"redact_merchant_links": {"()": "core.logging.RedactMerchantLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_merchant_links"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
