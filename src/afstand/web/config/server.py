"""Run the web app: migrations on start, then gunicorn (a production server, not runserver).

No access log is written: a survey platform that promises anonymity keeps no record of who
(IP address, user agent) fetched which survey page when.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from afstand import config


def configure(db_url: str | None = None, var_dir: Path | None = None) -> None:
    """Point Django at the database and a persistent secret key, then set it up."""
    var = Path(var_dir or config.get("AFSTAND_VAR") or Path.cwd() / "var")
    var.mkdir(parents=True, exist_ok=True)
    os.environ["AFSTAND_VAR"] = str(var)
    if db_url:
        os.environ["AFSTAND_DB_URL"] = db_url
    if not config.get("AFSTAND_SECRET_KEY"):
        # withdrawal codes are derived with this key, so it must survive restarts
        key_file = var / "secret-key"
        if not key_file.exists():
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        os.environ["AFSTAND_SECRET_KEY"] = key_file.read_text(encoding="utf-8").strip()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afstand.web.config.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def serve(host: str, port: int, workers: int, threads: int = 1, fd: int | None = None) -> None:
    """gunicorn on host:port, or on an inherited listening socket ``fd`` (socket activation, test harnesses)."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from afstand.web.config.wsgi import application

    # The master process migrated and loaded the demo over its own database connection. A forked
    # worker must never inherit it: two processes on one PostgreSQL socket read each other's
    # results (found by bench/load.py: wrong 200/404/410 answers and 500s under load).
    connections.close_all()

    def post_fork(server, worker):
        connections.close_all()

    class App(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"fd://{fd}" if fd is not None else f"{host}:{port}",
                "workers": workers,
                "threads": threads,  # > 1: gunicorn's gthread worker (keep-alive, overlapping database waits)
                "accesslog": None,  # no access log: see the module docstring
                "errorlog": "-",
                "logger_class": "afstand.web.config.logs.ScrubbingLogger",  # no client address in any line
                "loglevel": "warning",
                "timeout": 60,
                "graceful_timeout": 10,
                "post_fork": post_fork,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    App().run()
