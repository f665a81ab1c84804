"""Database helpers shared by every app (catalog is the bottom of the stack).

PostgreSQL-only speed-ups (trigram and GIN indexes, partial indexes that use
operators SQLite lacks) are created by `PostgresOnlySQL` in migrations, so the
embedded SQLite default migrates cleanly and the model state stays portable.
"""

from django.db import connection
from django.db.migrations.operations.base import Operation


class PostgresOnlySQL(Operation):
    """Run SQL on PostgreSQL only; a no-op on every other backend."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, sql: str, reverse_sql: str = ""):
        self.sql = sql
        self.reverse_sql = reverse_sql

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.sql], {"reverse_sql": self.reverse_sql})

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(self.sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql" and self.reverse_sql:
            schema_editor.execute(self.reverse_sql)

    def describe(self):
        return "PostgreSQL-only SQL"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"
