"""Remove what a delete leaves behind in the database files, where that is cheap.

* **PostgreSQL.** A deleted or rewritten row stays on its heap page as a dead tuple (with its
  ``xmin``) until a ``VACUUM`` prunes it; autovacuum waits for 50 rows + 20 % of the table, which a
  few withdrawals or one sign-up flush never reach. :func:`after_delete` runs ``VACUUM`` on the
  given tables (outside any transaction). The WAL, WAL archives and physical backups keep the
  deleted rows all the same (docs/security.md, threat model).
* **SQLite.** Deleted cells are zeroed (``PRAGMA secure_delete=ON``, set for every connection in
  the settings), but the ``-wal`` file keeps the pages as they were until a checkpoint:
  :func:`after_delete` runs ``PRAGMA wal_checkpoint(TRUNCATE)``, which copies them into the main
  file and empties the ``-wal``.

Inside a transaction (a test's, or a caller's) nothing can be done: returns False.
"""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import OperationalError, connection, connections, router
from django.utils import timezone


def after_delete(*models) -> bool:
    """VACUUM the models' tables (PostgreSQL) or checkpoint the WAL (SQLite): True if done."""
    if connection.in_atomic_block:
        return False
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for model in models:
                    cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                return False
    except OperationalError:  # busy (a reader holds the WAL): the next checkpoint catches up
        return False
    return True


def maintenance() -> dict[str, int]:
    """What ``afstand signups flush`` (cron) does: write the sign-ups of every wave with at least k
    waiting and the rest of every ended wave the rules allow (the flush vacuums the sign-up table),
    vacuum the response table (withdrawn answers), delete expired rate-limit counters. The counts:
    ``written`` (``closed`` of them the rest of ended waves) and ``expired``. How many still wait
    is not counted: the output goes to cron's mail and logs, where a number below k per run would
    be what the owner's page does not show (docs/security.md)."""
    from afstand.services import signup_spool
    from afstand.web.models import Response

    done = signup_spool.flush_report()
    after_delete(Response)
    return {**done, "expired": sweep_limits()}


def sweep_limits() -> int:
    """Delete the expired counters of every rate-limit store (:mod:`afstand.web.ratelimit`: files,
    a database table; Redis expires its own): how many."""
    removed = 0
    for alias in ("limits", "accounts"):
        cache = caches[alias]
        if isinstance(cache, FileBasedCache):
            for name in cache._list_cache_files():
                try:
                    with open(name, "rb") as handle:
                        removed += bool(cache._is_expired(handle))  # deletes the file when expired
                except FileNotFoundError:
                    pass  # culled or swept by another process meanwhile
        elif isinstance(cache, DatabaseCache):
            db = connections[router.db_for_write(cache.cache_model_class)]
            now = db.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
            with db.cursor() as cursor:
                cursor.execute(f"DELETE FROM {db.ops.quote_name(cache._table)} WHERE expires < %s", [now])
                removed += max(cursor.rowcount, 0)
    return removed
