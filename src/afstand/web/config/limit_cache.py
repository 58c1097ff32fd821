"""The database cache of the rate-limit counters (``CACHES["limits"]`` and ``["accounts"]``).

Django's :class:`~django.core.cache.backends.db.DatabaseCache` counts a hit with seven statements
in three transactions: ``add`` runs ``SELECT COUNT(*)`` over the whole table, a ``SELECT`` and an
``INSERT`` that fails on the existing key (a rolled-back transaction, and an error line in the
PostgreSQL log for every request); ``incr`` then reads the value and writes it back in another
``COUNT(*)``, ``SELECT``, ``UPDATE`` transaction — so two requests at once can count one hit
(lost update). On PostgreSQL the ``UPDATE`` holds the counter's row lock until its commit is
flushed to disk, so every request of one client address (a school or office behind one NAT,
a proxy without ``AFSTAND_TRUSTED_PROXIES``) queues behind the previous one's fsync: the load
benchmark (bench/load.py, 32 clients on 127.0.0.1) stopped at about 340 submissions/s on
PostgreSQL with the rate limit on, about 600/s with it off.

:meth:`CounterCache.hit` counts a hit with one statement, an atomic upsert that returns the new
count (``INSERT … ON CONFLICT (cache_key) DO UPDATE … RETURNING``, PostgreSQL and SQLite ≥ 3.35):
one round trip, no lost update, no failing insert. Counters are stored as plain decimal text
under their own key prefix (``count``), so an entry pickled by Django's backend (before an
upgrade) is never read as a counter; :meth:`get_many` reads both kinds.
The table is culled as Django's backend culls it (expired entries first, then a third), but the
``COUNT(*)`` behind that decision runs once per :data:`CULL_CHECK_EVERY` new keys of a process,
not on every write: a table with many clients no longer costs a full count per request, and it
can exceed ``MAX_ENTRIES`` by at most that many entries per worker.
"""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils.timezone import now as tz_now

CULL_CHECK_EVERY = 64  # new keys (first hits) of a process between two looks at the table's size


class CounterCache(DatabaseCache):
    def __init__(self, table, params):
        super().__init__(table, {**params, "KEY_PREFIX": params.get("KEY_PREFIX") or "count"})
        self._new_keys = 0

    def hit(self, key: str, timeout: int) -> int:
        """Count one hit of ``key`` (expiring ``timeout`` seconds from now when it is new): the count, this hit included."""
        key = self.make_and_validate_key(key)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, value, expires = quote(self._table), quote("value"), quote("expires")
        now = tz_now().replace(microsecond=0)
        timestamp = self.get_backend_timeout(timeout)
        exp = datetime.fromtimestamp(timestamp, tz=UTC if settings.USE_TZ else None).replace(microsecond=0)
        now_db, exp_db = connection.ops.adapt_datetimefield_value(now), connection.ops.adapt_datetimefield_value(exp)
        fresh = f"{table}.{expires} < %s"  # an expired entry starts again from one
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({quote('cache_key')}, {value}, {expires}) VALUES (%s, '1', %s) "
                f"ON CONFLICT ({quote('cache_key')}) DO UPDATE SET "
                f"{value} = CASE WHEN {fresh} THEN '1' ELSE CAST(CAST({table}.{value} AS bigint) + 1 AS text) END, "
                f"{expires} = CASE WHEN {fresh} THEN %s ELSE {table}.{expires} END "
                f"RETURNING {value}",
                [key, exp_db, now_db, now_db, exp_db],
            )
            count = int(cursor.fetchone()[0])
            if count == 1:
                self._new_keys += 1
                if self._new_keys >= CULL_CHECK_EVERY:
                    self._new_keys = 0
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                    entries = cursor.fetchone()[0]
                    if entries > self._max_entries:
                        self._cull(db, cursor, now, entries)
        return count

    def get_many(self, keys, version=None):
        if not keys:
            return {}
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        db = router.db_for_read(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('cache_key')}, {quote('value')} FROM {quote(self._table)} "
                f"WHERE {quote('cache_key')} IN ({', '.join(['%s'] * len(key_map))}) AND {quote('expires')} >= %s",
                [*key_map, connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))],
            )
            rows = cursor.fetchall()
        return {key_map[key]: _decoded(connection.ops.process_clob(value)) for key, value in rows}


def _decoded(value: str):
    """A counter (decimal text) as an int; anything else as Django's backend stored it (pickled, base64)."""
    if value.isdigit():
        return int(value)
    return pickle.loads(base64.b64decode(value.encode()))
