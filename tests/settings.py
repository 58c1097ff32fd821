"""Settings for the test suite: a throwaway secret key; the database from AFSTAND_DB_URL
(pytest-django creates and drops a test database on it; SQLite by default)."""

import os

os.environ.setdefault("AFSTAND_TESTING", "1")

from afstand.web.config.settings import *  # noqa: E402,F403
