"""Django settings, all from the environment (see docs/deploy.md).

AFSTAND_DB_URL        sqlite:///path/to/afstand.sqlite3 (default: var/afstand.sqlite3) or
                      postgresql://user:pass@host:port/name
AFSTAND_SECRET_KEY    required unless AFSTAND_DEBUG=1
AFSTAND_DEBUG         1 for development only
AFSTAND_ALLOWED_HOSTS comma-separated (default: localhost,127.0.0.1)
AFSTAND_STUDIES       folder with the study folders (default: the repository's studies/)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent  # the afstand.web package
DEBUG = os.environ.get("AFSTAND_DEBUG") == "1"
SECRET_KEY = os.environ.get("AFSTAND_SECRET_KEY") or (secrets.token_urlsafe(50) if DEBUG or os.environ.get("AFSTAND_TESTING") else "")
if not SECRET_KEY:
    raise RuntimeError("AFSTAND_SECRET_KEY is not set (or set AFSTAND_DEBUG=1 for development)")
if os.environ.get("AFSTAND_HTTPS") == "1" and len(SECRET_KEY) < 50:
    raise RuntimeError("AFSTAND_SECRET_KEY must have at least 50 characters in production (AFSTAND_HTTPS=1): "
                       "python3 -c \"import secrets; print(secrets.token_urlsafe(50))\"")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("AFSTAND_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]

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
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "django.template.context_processors.i18n",
    ]},
}]


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
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
            },
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


_default_db = Path(os.environ.get("AFSTAND_VAR", Path.cwd() / "var")) / "afstand.sqlite3"
DATABASES = {"default": database_from_url(os.environ.get("AFSTAND_DB_URL", f"sqlite:///{_default_db}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Amsterdam"
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("AFSTAND_VAR", Path.cwd() / "var")) / "static"

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
if os.environ.get("AFSTAND_HTTPS") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # the proxy must set (and overwrite) this header
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("AFSTAND_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("AFSTAND_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("AFSTAND_HSTS_PRELOAD") == "1"
    # Entering the browsers' preload list is the domain owner's decision, not the app's: not a defect.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Rate limits (afstand.web.ratelimit; every one documented in docs/deploy.md). Counted in the cache
# alias "limits" shared by all workers, keyed by a salted hash of the client address.
AFSTAND_TRUSTED_PROXIES = os.environ.get("AFSTAND_TRUSTED_PROXIES", "")  # e.g. 127.0.0.1,::1: read X-Forwarded-For from these
AFSTAND_RATE_LIMIT = int(os.environ.get("AFSTAND_RATE_LIMIT", "20000"))  # API submissions per address per window
AFSTAND_RATE_WINDOW = int(os.environ.get("AFSTAND_RATE_WINDOW", "60"))  # seconds
AFSTAND_MAX_BODY = 256 * 1024
AFSTAND_WITHDRAW_LIMIT = int(os.environ.get("AFSTAND_WITHDRAW_LIMIT", "10"))  # failed withdrawal codes per address per window
AFSTAND_WITHDRAW_WINDOW = int(os.environ.get("AFSTAND_WITHDRAW_WINDOW", "900"))
AFSTAND_SIGNUP_LIMIT = int(os.environ.get("AFSTAND_SIGNUP_LIMIT", "20"))  # sign-ups per address per window
AFSTAND_SIGNUP_WINDOW = int(os.environ.get("AFSTAND_SIGNUP_WINDOW", "3600"))
AFSTAND_LOGIN_LIMIT = int(os.environ.get("AFSTAND_LOGIN_LIMIT", "5"))  # failed logins per (username, address or device) per window
AFSTAND_LOGIN_WINDOW = int(os.environ.get("AFSTAND_LOGIN_WINDOW", "900"))
AFSTAND_LOGIN_ADDRESS_LIMIT = int(os.environ.get("AFSTAND_LOGIN_ADDRESS_LIMIT", "30"))  # failed logins per address (any username) per window
AFSTAND_LOGIN_USER_LIMIT = int(os.environ.get("AFSTAND_LOGIN_USER_LIMIT", "50"))  # failed logins per username from unknown browsers
AFSTAND_LOGIN_USER_WINDOW = int(os.environ.get("AFSTAND_LOGIN_USER_WINDOW", "3600"))
AFSTAND_LOGIN_DEVICE_DAYS = int(os.environ.get("AFSTAND_LOGIN_DEVICE_DAYS", "180"))  # a browser that logged in skips the per-username limit
AFSTAND_LIMIT_MAX_ENTRIES = int(os.environ.get("AFSTAND_LIMIT_MAX_ENTRIES", "1000000"))
AFSTAND_LIMIT_SALT_DIR = os.environ.get("AFSTAND_LIMIT_SALT_DIR", str(Path(os.environ.get("AFSTAND_VAR", Path.cwd() / "var"))))
_REDIS = os.environ.get("AFSTAND_REDIS_URL", "")


def _limit_cache(table: str, max_entries: int) -> dict:
    if _REDIS:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS, "KEY_PREFIX": table}
    return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table,
            "OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 3}}


CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": _limit_cache("afstand_limits", AFSTAND_LIMIT_MAX_ENTRIES),
    "accounts": _limit_cache("afstand_limits_accounts", AFSTAND_LIMIT_MAX_ENTRIES),
}
AFSTAND_DRAFT_DAYS = int(os.environ.get("AFSTAND_DRAFT_DAYS", "30"))  # how long a resume link works

# Uploads (XLSForms, focus-group notes) are parsed in a child process with these limits (afstand.bounded)
AFSTAND_PARSE_SECONDS = float(os.environ.get("AFSTAND_PARSE_SECONDS", "4"))  # wall clock and CPU time
AFSTAND_PARSE_MEMORY_MB = int(os.environ.get("AFSTAND_PARSE_MEMORY_MB", "768"))  # address space beyond the worker's own

# Sign-ups are spooled outside the database and written in shuffled batches (afstand.services.signup_spool)
_VAR = Path(os.environ.get("AFSTAND_VAR", Path.cwd() / "var"))
AFSTAND_SIGNUP_SPOOL = os.environ.get("AFSTAND_SIGNUP_SPOOL", str(_VAR / "signup-spool"))
AFSTAND_SIGNUP_BATCH = int(os.environ.get("AFSTAND_SIGNUP_BATCH", "10"))  # k: sign-ups written together, at least

LOGGING = {  # every line passes afstand.web.config.logs.NoAddresses: no client address at any level
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_addresses": {"()": "afstand.web.config.logs.NoAddresses"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_addresses"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
AFSTAND_DEFAULT_STUDY = os.environ.get("AFSTAND_DEFAULT_STUDY", "werken-op-afstand")
LOGIN_URL = "/onderzoek/inloggen/"
LOGIN_REDIRECT_URL = "/onderzoek/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
