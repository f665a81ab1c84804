"""Database helpers shared by every app (catalog is the bottom of the stack).

PostgreSQL-only speed-ups (trigram and GIN indexes, partial indexes that use
operators SQLite lacks) are created by `PostgresOnlySQL` in migrations, so the
embedded SQLite default migrates cleanly and the model state stays portable.
"""

import logging

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


def insert_once(model, *, unique: tuple[str, ...], **values) -> int | None:
    """Insert a row unless one with the same `unique` fields exists: its id, or None.

    One round trip (INSERT ... ON CONFLICT DO NOTHING RETURNING, on PostgreSQL and on
    SQLite 3.35+): the one way an incoming webhook is recorded, so a replay changes
    nothing and two deliveries at once record one row. Names come from the model, values
    are parameters.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    values = fit_fields(model, values)
    fields = [meta.get_field(name) for name in values]
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique)
    params = [field.get_db_prep_save(values[field.name], connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(meta.pk.column)}", params)
        row = cursor.fetchone()
    return row[0] if row else None


def fit(model, field_name: str, value: str) -> str:
    """`value` cut to the model field's max_length: lengths come from the model, never by hand."""
    limit = model._meta.get_field(field_name).max_length
    return value[:limit] if value and limit else value


def fit_fields(model, values: dict) -> dict:
    """The same for every text value of an update or insert (others pass through)."""
    return {name: fit(model, name, value) if isinstance(value, str) else value
            for name, value in values.items()}


def update_rows(model, rows: dict, *, add: tuple[str, ...] = ()) -> int:
    """Set each row's own values in one statement: `rows` is {pk: {field: value}}, every row
    with the same fields; the `add` fields are added to the row's current value.

    One UPDATE ... FROM a table of the new values (PostgreSQL: arrays through unnest, typed
    from the model's fields; SQLite 3.33+: SELECT ... UNION ALL). Django's bulk_update
    builds a CASE per row and field, which costs more Python than the update itself.
    Names come from the model, values are parameters.
    """
    if not rows:
        return 0
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.pk, *(meta.get_field(name) for name in next(iter(rows.values())))]
    table, columns = quote(meta.db_table), [quote(field.column) for field in fields]
    sets = ", ".join(
        f"{column} = {table}.{column} + v.{column}" if field.name in add else f"{column} = v.{column}"
        for field, column in zip(fields[1:], columns[1:], strict=True))
    records = [[meta.pk.get_db_prep_save(pk, connection),
                *(field.get_db_prep_save(values[field.name], connection) for field in fields[1:])]
               for pk, values in rows.items()]
    if connection.vendor == "postgresql":
        # A serial key is cast as the integer it is (rel_db_type), every other field as its column.
        types = [meta.pk.rel_db_type(connection), *(field.db_type(connection) for field in fields[1:])]
        source = f"unnest({', '.join(f'%s::{db_type}[]' for db_type in types)}) AS v({', '.join(columns)})"
        params = [list(column) for column in zip(*records, strict=True)]
    else:
        first = "SELECT " + ", ".join(f"%s AS {column}" for column in columns)
        more = " UNION ALL SELECT " + ", ".join(["%s"] * len(columns))
        source = f"({first}{more * (len(records) - 1)}) AS v"
        params = [value for record in records for value in record]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} FROM {source} "  # noqa: S608
                       f"WHERE {table}.{columns[0]} = v.{columns[0]}", params)
        return cursor.rowcount


class DatabaseUnavailableMiddleware:
    """A lost or refused database connection is a 503 "try again", not a 500 "our bug".

    The request's transaction was rolled back with the connection, so nothing it wrote
    stays; Django drops the broken connection at the end of the request. The page is
    rendered without the request (its context processors would need the database).
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse
        from django.template.loader import render_to_string

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logging.getLogger(__name__).error("database unavailable during %s %s: %s",
                                          request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
