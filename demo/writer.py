"""Fast bulk inserts for the demo data (COPY on PostgreSQL) and a progress bar."""

import time
from collections.abc import Sequence
from itertools import islice

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Model

# --- Output ---------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal; a line every ~10% in logs."""

    def __init__(self, out, total: int, label: str, width: int = 28):
        self.out, self.total, self.label, self.width = out, max(total, 1), label, width
        self.done = 0
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_decile = -1
        self.last_length = 0
        self.tty = out.isatty()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.tty:
            if now - self.last_draw >= 0.2 or self.done >= self.total:
                self.last_draw = now
                line = self._line(now)
                # Pad over a longer previous line so no stale characters remain.
                self.out.write("\r" + line.ljust(self.last_length), ending="")
                self.last_length = len(line)
                self.out.flush()
            return
        decile = self.done * 10 // self.total
        if decile != self.last_decile:
            self.last_decile = decile
            self.out.write(self._line(now))

    def close(self) -> None:
        if self.tty:
            self.out.write("")

    def _line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        fraction = min(self.done / self.total, 1.0)
        filled = int(self.width * fraction)
        eta = (self.total - self.done) / rate if rate else 0
        return (
            f"{self.label} [{'#' * filled}{'-' * (self.width - filled)}] {fraction:6.1%} "
            f"{self.done:,}/{self.total:,}  {rate:,.0f}/s  ETA {_clock(eta)}"
        )


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


# --- Bulk writer ------------------------------------------------------------------------


class BulkWriter:
    """Inserts plain tuples fast: COPY on PostgreSQL, prepared executemany elsewhere.

    Rows skip Model instances and save(): at a million customers, building
    instances costs more than the database does.
    """

    BATCH = 2000

    def __init__(self, models: Sequence[type[Model]]):
        self.copy = connection.vendor == "postgresql"
        self.quote = connection.ops.quote_name
        self.types: dict[tuple, list[str]] = {}
        self.skip_fk_triggers = False
        if self.copy:
            tables = [model._meta.db_table for model in models]
            with connection.cursor() as cursor:
                # Only superusers may skip triggers, and only the FK checks may be
                # skipped: a table with a trigger of its own keeps them all.
                cursor.execute(
                    "SELECT current_setting('is_superuser') = 'on' AND NOT EXISTS ("
                    " SELECT 1 FROM pg_trigger WHERE NOT tgisinternal"
                    " AND tgrelid::regclass::text = ANY(%s))",
                    [tables],
                )
                self.skip_fk_triggers = cursor.fetchone()[0]

    def begin_chunk(self) -> None:
        """Inside the chunk's transaction: skip per-row foreign key triggers if we may.

        Deferred FK checks cost about as much as the COPY itself. Every id we
        write was reserved in this transaction or read from the database, so,
        like pg_restore --disable-triggers, a superuser load skips them (SET
        LOCAL: this transaction only). Other roles keep the checks, just slower.
        """
        if not self.copy:
            return
        with connection.cursor() as cursor:
            # A crash loses at most this chunk, which the next run redoes.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if self.skip_fk_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def check_columns(self, model: type[Model], columns: Sequence[str]) -> None:
        """Fail early, and clearly, if a model gained a required column we do not write."""
        names = set(columns)
        for model_field in model._meta.concrete_fields:
            if model_field.attname in names:
                if model_field.column != model_field.attname:
                    raise CommandError(f"{model.__name__}.{model_field.name}: custom db_column.")
                continue
            if not (model_field.null or model_field.primary_key or model_field.has_db_default()):
                raise CommandError(
                    f"seed_demo does not fill {model.__name__}.{model_field.attname}; "
                    "update TABLES in demo/clienteling.py."
                )

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        if not count:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.copy:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                    "FROM generate_series(1, %s)",
                    [self.quote(table), count],
                )
                return [row[0] for row in cursor.fetchall()]
            # Elsewhere the chunk's transaction holds the write lock (SQLite:
            # BEGIN IMMEDIATE), so max(id) cannot move under us.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.quote(table)}")  # noqa: S608
            start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))

    def insert(self, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        table = self.quote(model._meta.db_table)
        names = ", ".join(self.quote(column) for column in columns)
        with connection.cursor() as cursor:
            if self.copy:
                # Binary COPY: the server parses no text, the client formats less.
                sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
                with cursor.cursor.copy(sql) as copy:
                    copy.set_types(self._pg_types(model, columns))
                    for row in rows:
                        copy.write_row(row)
                return
            fields = [model._meta.get_field(column) for column in columns]
            prepare = [f.get_db_prep_save for f in fields]
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            rows_iter = iter(rows)
            while batch := list(islice(rows_iter, self.BATCH)):
                cursor.executemany(sql, [
                    [prep(value, connection) for prep, value in zip(prepare, row, strict=True)]
                    for row in batch
                ])

    def _pg_types(self, model: type[Model], columns: Sequence[str]) -> list[str]:
        """Column types for binary COPY, from the fields (varchar(80) -> varchar)."""
        key = (model, tuple(columns))
        if key not in self.types:
            self.types[key] = [
                model._meta.get_field(column).db_type(connection).split("(")[0]
                for column in columns
            ]
        return self.types[key]

    def analyze(self, tables: Sequence[type[Model]], *, vacuum: bool = False) -> None:
        """Fresh statistics keep the per-chunk measures query on its index.

        With `vacuum`, the tables also get their visibility maps, as autovacuum would
        give them later: until then no index-only scan can skip the table.
        VACUUM cannot run inside a transaction (the tests'), where it is left out.
        """
        if not self.copy:
            return
        command = "VACUUM (ANALYZE)" if vacuum and not connection.in_atomic_block else "ANALYZE"
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"{command} {self.quote(model._meta.db_table)}")
