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

# Submission API rate limit (in memory, per hashed client address; never stored).
AFSTAND_RATE_LIMIT = int(os.environ.get("AFSTAND_RATE_LIMIT", "20000"))  # submissions per window
AFSTAND_RATE_WINDOW = int(os.environ.get("AFSTAND_RATE_WINDOW", "60"))  # seconds
AFSTAND_MAX_BODY = 256 * 1024
AFSTAND_WITHDRAW_LIMIT = int(os.environ.get("AFSTAND_WITHDRAW_LIMIT", "10"))  # failed withdrawal codes per 15 min per address
AFSTAND_SIGNUP_LIMIT = int(os.environ.get("AFSTAND_SIGNUP_LIMIT", "20"))  # sign-ups per hour per address
AFSTAND_LOGIN_LIMIT = int(os.environ.get("AFSTAND_LOGIN_LIMIT", "5"))  # failed logins per username per 15 min
AFSTAND_DRAFT_DAYS = int(os.environ.get("AFSTAND_DRAFT_DAYS", "30"))  # how long a resume link works

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
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
