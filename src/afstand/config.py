"""Every ``AFSTAND_*`` setting in one place: name, type, default and one line of documentation.

Settings come from the environment and are read when asked for (:func:`get`), so a test or a
command can change them. The Django settings, the CLI and the core read them only through here;
``docs/configuration.md`` lists them for users (a test keeps the two in step).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from afstand.errors import AfstandError


@dataclass(frozen=True)
class Setting:
    name: str
    type: type  # str, int, bool, Path or list (comma-separated)
    default: object
    doc: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        # the study
        Setting(
            "AFSTAND_STUDY",
            str,
            "werken-op-afstand",
            "the default study: its id under AFSTAND_STUDIES (or a folder); the survey URLs without a study name use it",
        ),
        Setting("AFSTAND_STUDIES", Path, None, "folder holding the study folders (default: the repository's studies/)"),
        # the server
        Setting(
            "AFSTAND_DB_URL",
            str,
            None,
            "database: sqlite:///path or postgresql://user:pass@host:port/name (default: SQLite in AFSTAND_VAR)",
        ),
        Setting("AFSTAND_VAR", Path, None, "folder for the SQLite database, the secret key file and static files (default: ./var)"),
        Setting(
            "AFSTAND_SECRET_KEY",
            str,
            None,
            "Django's secret key; withdrawal codes are derived with it. The afstand commands (serve, study, …) keep one in AFSTAND_VAR/secret-key (made on first use, mode 600); without them (another WSGI server) it is required unless AFSTAND_DEBUG=1",
        ),
        Setting("AFSTAND_DEBUG", bool, False, "1 for development only: Django's debug pages, a random secret key"),
        Setting("AFSTAND_TESTING", bool, False, "1 in the test suite: a random secret key without debug pages"),
        Setting("AFSTAND_ALLOWED_HOSTS", list, ["localhost", "127.0.0.1"], "comma-separated host names the server answers to"),
        Setting("AFSTAND_HTTPS", bool, False, "1 behind a TLS-terminating proxy: secure cookies, HTTPS redirect, HSTS"),
        Setting("AFSTAND_HSTS_SECONDS", int, 365 * 24 * 3600, "with AFSTAND_HTTPS: HSTS max-age in seconds"),
        Setting("AFSTAND_HSTS_SUBDOMAINS", bool, True, "with AFSTAND_HTTPS: HSTS includeSubDomains"),
        Setting("AFSTAND_HSTS_PRELOAD", bool, False, "with AFSTAND_HTTPS: HSTS preload (the domain owner's decision)"),
        # limits
        Setting("AFSTAND_RATE_LIMIT", int, 20000, "JSON API submissions per window per client (proxy-aware, counted in the shared cache)"),
        Setting("AFSTAND_RATE_WINDOW", int, 60, "the JSON API rate-limit window in seconds"),
        Setting("AFSTAND_MAX_BODY", int, 256 * 1024, "largest JSON API request body in bytes (larger: 413)"),
        Setting("AFSTAND_WITHDRAW_LIMIT", int, 10, "failed withdrawal codes per client per AFSTAND_WITHDRAW_WINDOW"),
        Setting("AFSTAND_SIGNUP_LIMIT", int, 20, "sign-ups per client per AFSTAND_SIGNUP_WINDOW"),
        Setting("AFSTAND_LOGIN_LIMIT", int, 5, "failed logins per (username, client) per AFSTAND_LOGIN_WINDOW"),
        Setting("AFSTAND_WITHDRAW_WINDOW", int, 900, "the withdrawal-code limit's window in seconds"),
        Setting("AFSTAND_SIGNUP_WINDOW", int, 3600, "the sign-up limit's window in seconds"),
        Setting("AFSTAND_LOGIN_WINDOW", int, 900, "the login limits' window in seconds"),
        Setting("AFSTAND_LOGIN_ADDRESS_LIMIT", int, 30, "failed logins per client, any username, per AFSTAND_LOGIN_WINDOW"),
        Setting(
            "AFSTAND_LOGIN_USER_LIMIT",
            int,
            50,
            "failed logins per existing username from browsers that never logged in as it, per AFSTAND_LOGIN_USER_WINDOW",
        ),
        Setting("AFSTAND_LOGIN_USER_WINDOW", int, 3600, "the per-username login limit's window in seconds"),
        Setting("AFSTAND_LOGIN_DEVICE_DAYS", int, 180, "days a browser that logged in is exempt from the per-username limit"),
        Setting(
            "AFSTAND_TRUSTED_PROXIES",
            str,
            "",
            "addresses or networks of the reverse proxies whose X-Forwarded-For is read (comma-separated)",
        ),
        Setting("AFSTAND_REDIS_URL", str, None, "keep the rate-limit counters in Redis (several app servers) instead of files and a table"),
        Setting(
            "AFSTAND_LIMIT_DIR",
            Path,
            None,
            "folder of the respondents' (and login) rate-limit counters, shared by all workers of the app server, never in "
            "the database (default: AFSTAND_VAR/limits; a tmpfs such as /dev/shm/afstand-limits is best)",
        ),
        Setting(
            "AFSTAND_LIMIT_FILE_MAX_ENTRIES",
            int,
            50_000,
            "rate-limit counter files kept in AFSTAND_LIMIT_DIR before a random third is culled",
        ),
        Setting(
            "AFSTAND_LIMIT_MAX_ENTRIES", int, 1_000_000, "per-account login counters kept in their database table before the cache culls"
        ),
        Setting("AFSTAND_LIMIT_SALT_DIR", Path, None, "folder of the day's random rate-limit key salt (default: AFSTAND_VAR)"),
        Setting("AFSTAND_SIGNUP_SPOOL", Path, None, "folder of the sign-up spool (default: AFSTAND_VAR/signup-spool)"),
        Setting(
            "AFSTAND_SIGNUP_BATCH", int, 10, "k: sign-ups are written to the database in shuffled batches of at least k per study and wave"
        ),
        Setting(
            "AFSTAND_PARSE_SECONDS", int, 4, "an upload is parsed in a child process with this many seconds of wall-clock and CPU time"
        ),
        Setting("AFSTAND_PARSE_MEMORY_MB", int, 768, "memory an upload's parsing child may use beyond the worker's own, in MB"),
        Setting(
            "AFSTAND_DRAFT_DAYS",
            int,
            30,
            "days a respondent's resume link works (an unsent draft expires sooner when its wave's fieldwork ends)",
        ),
        # caches
        Setting(
            "AFSTAND_CACHE_DIR",
            str,
            None,
            "folder for cached compiled forms and columnar copies of large files; off switches the cache off (default: $XDG_CACHE_HOME/afstand)",
        ),
        Setting(
            "AFSTAND_FIGURE_CACHE_MB", int, 200, "megabytes of report drawings the cache keeps; the least recently used go first (0: none)"
        ),
        # commands
        Setting("AFSTAND_RETENTION_DAYS", int, None, "afstand purge: delete responses and sign-ups older than this many days"),
        Setting("AFSTAND_PASSWORD", str, None, "afstand createuser: the password (asked for when not set)"),
    )
}


def get(name: str, environ: dict[str, str] | None = None):
    """The setting's value from the environment, converted to its type; its default when unset or empty."""
    setting = SETTINGS[name]  # an unknown name is a bug in afstand, not bad input
    raw = (os.environ if environ is None else environ).get(name, "")
    if raw.strip() == "":
        return setting.default
    if setting.type is bool:
        if raw.strip() not in ("0", "1"):
            raise AfstandError(f"{name}={raw!r}: expected 0 or 1")
        return raw.strip() == "1"
    if setting.type is int:
        try:
            return int(raw)
        except ValueError:
            raise AfstandError(f"{name}={raw!r}: expected a whole number") from None
    if setting.type is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if setting.type is Path:
        return Path(raw)
    return raw
