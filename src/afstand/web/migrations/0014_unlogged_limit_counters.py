"""PostgreSQL: the rate-limit counter tables are UNLOGGED (afstand.web.config.limit_cache).

A counter is not data anyone was promised: it only slows down a flood. Written to WAL, every
counted request waited for its own fsync while it held the counter row's lock, so the requests of
one client address queued behind each other's disk flushes; unlogged, a counter's update commits
without a WAL flush (bench/load.py: about 10% more submissions per second, a tenth less
PostgreSQL CPU per submission). After a crash PostgreSQL empties these tables: every count starts
again from zero (documented in docs/deploy.md). Responses, sign-ups and everything else stay
logged and fsynced. Nothing to do on SQLite, or when Redis holds the counters (no tables)."""

from django.db import migrations

TABLES = ("afstand_limits", "afstand_limits_accounts")


def _set(schema_editor, persistence: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    existing = set(schema_editor.connection.introspection.table_names())
    for table in TABLES:
        if table in existing:
            schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET {persistence}")


def unlogged(apps, schema_editor):
    _set(schema_editor, "UNLOGGED")


def logged(apps, schema_editor):
    _set(schema_editor, "LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("afstand", "0013_signups_and_drafts_per_wave"),
    ]

    operations = [migrations.RunPython(unlogged, logged)]
