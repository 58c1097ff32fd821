"""Django settings, all from the environment through :mod:`afstand.config` (the one list of
AFSTAND_* settings; docs/configuration.md)."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from afstand import config

BASE_DIR = Path(__file__).resolve().parent.parent  # the afstand.web package
DEBUG = config.get("AFSTAND_DEBUG")
SECRET_KEY = config.get("AFSTAND_SECRET_KEY") or (secrets.token_urlsafe(50) if DEBUG or config.get("AFSTAND_TESTING") else "")
if not SECRET_KEY:
    raise RuntimeError("AFSTAND_SECRET_KEY is not set (or set AFSTAND_DEBUG=1 for development)")
if config.get("AFSTAND_HTTPS") and len(SECRET_KEY) < 50:
    raise RuntimeError(
        "AFSTAND_SECRET_KEY must have at least 50 characters in production (AFSTAND_HTTPS=1): "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
ALLOWED_HOSTS = config.get("AFSTAND_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "afstand.web",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "afstand.web.respondent.compress.RespondentGZipMiddleware",
    "afstand.web.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "afstand.web.outage.DatabaseOutageMiddleware",  # last: its process_exception sees the view's database errors first
]
ROOT_URLCONF = "afstand.web.config.urls"
WSGI_APPLICATION = "afstand.web.config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]


def database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme in ("sqlite", "sqlite3"):
        path = unquote(parsed.path[1:] if parsed.path.startswith("//") else parsed.path) or ":memory:"
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "timeout": 20,  # busy timeout, seconds
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; PRAGMA secure_delete=ON;",
            },
            # one connection per worker thread, kept: opening one runs three PRAGMAs and closing the
            # last one checkpoints the WAL — 1.2 of the 2 ms CPU a submission cost (bench/submission.py)
            "CONN_MAX_AGE": None,
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise RuntimeError(f"AFSTAND_DB_URL: unsupported database {parsed.scheme!r} (use sqlite:/// or postgresql://)")


VAR = config.get("AFSTAND_VAR") or Path.cwd() / "var"
DATABASES = {"default": database_from_url(config.get("AFSTAND_DB_URL") or f"sqlite:///{VAR / 'afstand.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Amsterdam"
STATIC_URL = "static/"
STATIC_ROOT = VAR / "static"

# Anonymity: no access logs for survey URLs (see afstand.web.config.server), no IPs stored,
# sessions only for researchers (the survey flow keeps its draft in the page, not a cookie).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin: nothing is sent to other sites, while cookie forms keep a real Origin header for the
# CSRF check (under no-referrer browsers send "Origin: null"); survey pages use no-referrer.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# Production behind a TLS-terminating reverse proxy (docs/deploy.md): AFSTAND_HTTPS=1.
if config.get("AFSTAND_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # the proxy must set (and overwrite) this header
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = config.get("AFSTAND_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = config.get("AFSTAND_HSTS_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = config.get("AFSTAND_HSTS_PRELOAD")
    # Entering the browsers' preload list is the domain owner's decision, not the app's: not a defect.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# afstand's own settings (afstand.config; tests override them with Django's override_settings).
# Rate limits: afstand.web.ratelimit, counted in the cache alias "limits" shared by all workers
# (files in AFSTAND_LIMIT_DIR, or Redis; never the database).
AFSTAND_TRUSTED_PROXIES = config.get("AFSTAND_TRUSTED_PROXIES")
AFSTAND_RATE_LIMIT = config.get("AFSTAND_RATE_LIMIT")
AFSTAND_RATE_WINDOW = config.get("AFSTAND_RATE_WINDOW")
AFSTAND_MAX_BODY = config.get("AFSTAND_MAX_BODY")
AFSTAND_WITHDRAW_LIMIT = config.get("AFSTAND_WITHDRAW_LIMIT")
AFSTAND_WITHDRAW_WINDOW = config.get("AFSTAND_WITHDRAW_WINDOW")
AFSTAND_SIGNUP_LIMIT = config.get("AFSTAND_SIGNUP_LIMIT")
AFSTAND_SIGNUP_WINDOW = config.get("AFSTAND_SIGNUP_WINDOW")
AFSTAND_LOGIN_LIMIT = config.get("AFSTAND_LOGIN_LIMIT")
AFSTAND_LOGIN_WINDOW = config.get("AFSTAND_LOGIN_WINDOW")
AFSTAND_LOGIN_ADDRESS_LIMIT = config.get("AFSTAND_LOGIN_ADDRESS_LIMIT")
AFSTAND_LOGIN_USER_LIMIT = config.get("AFSTAND_LOGIN_USER_LIMIT")
AFSTAND_LOGIN_USER_WINDOW = config.get("AFSTAND_LOGIN_USER_WINDOW")
AFSTAND_LOGIN_DEVICE_DAYS = config.get("AFSTAND_LOGIN_DEVICE_DAYS")
AFSTAND_LIMIT_MAX_ENTRIES = config.get("AFSTAND_LIMIT_MAX_ENTRIES")
AFSTAND_DRAFT_DAYS = config.get("AFSTAND_DRAFT_DAYS")
AFSTAND_STUDY = config.get("AFSTAND_STUDY")
AFSTAND_SIGNUP_BATCH = config.get("AFSTAND_SIGNUP_BATCH")
AFSTAND_PARSE_SECONDS = config.get("AFSTAND_PARSE_SECONDS")
AFSTAND_PARSE_MEMORY_MB = config.get("AFSTAND_PARSE_MEMORY_MB")
AFSTAND_LIMIT_SALT_DIR = str(config.get("AFSTAND_LIMIT_SALT_DIR") or VAR)
AFSTAND_SIGNUP_SPOOL = str(config.get("AFSTAND_SIGNUP_SPOOL") or VAR / "signup-spool")  # afstand.services.signup_spool
_REDIS = config.get("AFSTAND_REDIS_URL")


AFSTAND_LIMIT_DIR = str(config.get("AFSTAND_LIMIT_DIR") or VAR / "limits")


def _limit_cache(table: str, max_entries: int, files: bool = False) -> dict:
    if _REDIS:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS, "KEY_PREFIX": table}
    if files:  # outside the database: a respondent's request writes no row (afstand.web.ratelimit)
        return {
            "BACKEND": "afstand.web.ratelimit.FileCounts",
            "LOCATION": AFSTAND_LIMIT_DIR,
            "OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 3},
        }
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": table,
        "OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 3},
    }


CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": _limit_cache("afstand_limits", config.get("AFSTAND_LIMIT_FILE_MAX_ENTRIES"), files=True),
    "accounts": _limit_cache("afstand_limits_accounts", AFSTAND_LIMIT_MAX_ENTRIES),
}

LOGGING = {  # every line passes afstand.web.config.logs.NoAddresses: no client address at any level
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_addresses": {"()": "afstand.web.config.logs.NoAddresses"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_addresses"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
LOGIN_URL = "/onderzoek/inloggen/"
LOGIN_REDIRECT_URL = "/onderzoek/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
