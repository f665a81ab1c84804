"""Reading an import file and feeding it to the ingest services, a batch of 1,000 records at a time.

The file is read as a stream (a csv reader over a text stream over the bytes), so memory
stays flat whatever its size: only the current batch, the keys already seen (to refuse a
key repeated further down) and the rejected rows are held. The encoding (UTF-8 with or
without a BOM, else Windows-1252), the delimiter (, ; or tab) and the format (from the
header row) are found from the file's first bytes; Windows line ends and empty lines are
taken as they come.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog import services as catalog_services
from catalog.ingest_result import MAX_BATCH, IngestResult
from clienteling.models import Store
from clienteling.services import ingest

from ..formats import BY_CODE, CUSTOMERS, PRODUCTS, SALES, Format, detect, header_key

__all__ = [
    "FileUnreadable",
    "ImportReport",
    "Preview",
    "RejectedRow",
    "file_import",
    "file_preview",
    "rejected_csv_rows",
]

SAMPLE_BYTES = 64 * 1024
KEEP_REJECTED = 20_000  # rows kept for the report and the download; more are counted
csv.field_size_limit(1024 * 1024)


class FileUnreadable(ValidationError):
    """The file cannot be imported at all (not text, no known header, a required column missing)."""


@dataclass
class RejectedRow:
    line: int
    key: str
    reasons: list[str]
    cells: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    format: Format
    result: IngestResult
    rows_read: int = 0
    records: int = 0
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    rejected_count: int = 0
    header: list[str] = field(default_factory=list)


@dataclass
class Preview:
    format: Format
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[list[str]]
    columns: dict[str, str]  # record field -> the file's column name


class _CountingReader(io.RawIOBase):
    """The bytes read so far, for a progress bar over a stream of text."""

    def __init__(self, raw):
        self.raw, self.count = raw, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        self.count += len(data)
        buffer[: len(data)] = data
        return len(data)


def _sniff(sample: bytes) -> tuple[str, str]:
    if b"\x00" in sample[:4096]:
        raise FileUnreadable(
            _(
                "This is not a CSV text file (it looks like a spreadsheet or UTF-16 text). "
                "Save it as “CSV UTF-8” and try again."
            )
        )
    encoding = "utf-8-sig"
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
    except UnicodeDecodeError:
        encoding, text = "cp1252", sample.decode("cp1252", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise FileUnreadable(_("The file is empty."))
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    return encoding, max(counts, key=counts.get)


def _open(stream) -> tuple[_CountingReader, Iterator, str, str]:
    stream.seek(0)
    sample = stream.read(SAMPLE_BYTES)
    encoding, delimiter = _sniff(sample)
    stream.seek(0)
    counter = _CountingReader(stream)
    text = io.TextIOWrapper(
        io.BufferedReader(counter, buffer_size=SAMPLE_BYTES), encoding=encoding, errors="replace", newline=""
    )
    return counter, csv.reader(text, delimiter=delimiter), encoding, delimiter


def _header(reader) -> list[str]:
    for row in reader:
        if any(cell.strip() for cell in row):
            return [cell.replace("\ufeff", "").strip() for cell in row]
    raise FileUnreadable(_("The file is empty."))


def _format(header: list[str], kind: str, format_code: str = "") -> Format:
    found = BY_CODE.get(format_code) if format_code else detect(header, kind)
    if found is None or found.kind != kind:
        raise FileUnreadable(
            _(
                "The header row is not one of the known formats for %(kind)s "
                "(see the import guide): %(header)s"
            )
            % {"kind": kind, "header": ", ".join(header[:12])}
        )
    missing = found.missing(header)
    if missing:
        raise FileUnreadable(
            _("%(format)s: a required column is missing: %(columns)s.")
            % {"format": found.label, "columns": ", ".join(missing)}
        )
    return found


def file_preview(*, stream, kind: str, rows: int = 5, format_code: str = "") -> Preview:
    """The detected format and the first rows, for the upload page. FileUnreadable if unusable."""
    _counter, reader, encoding, delimiter = _open(stream)
    header = _header(reader)
    found = _format(header, kind, format_code)
    first = []
    for row in reader:
        if any(cell.strip() for cell in row):
            first.append(row)
            if len(first) >= rows:
                break
    columns = {name: header[index] for name, index in found.columns(header).items()}
    stream.seek(0)
    return Preview(found, encoding, delimiter, header, first, columns)


def _records(reader, header: list[str], found: Format) -> Iterator[tuple[int, dict | None, list, str]]:
    """(first line, record or None if repeated, the record's rows' cells, key) for each record."""
    columns = found.columns(header)
    group_by = columns.get(found.key) if found.key else None
    previous_line = reader.line_num
    current_key, rows, cells, start = None, [], [], 0
    for row in reader:
        line, previous_line = previous_line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        values = {name: (row[index] if index < len(row) else "") for name, index in columns.items()}
        key = row[group_by].strip() if group_by is not None and group_by < len(row) else None
        if rows and (group_by is None or key != current_key):
            yield start, rows, cells, current_key
            rows, cells = [], []
        if not rows:
            start, current_key = line, key
        rows.append(values)
        cells.append(row)
    if rows:
        yield start, rows, cells, current_key


class _Run:
    def __init__(self, *, kind, found, legal_entity, store, source, actor, dry_run, all_or_nothing, report):
        self.kind, self.found, self.legal_entity, self.store = kind, found, legal_entity, store
        self.source, self.actor, self.dry_run, self.all_or_nothing = source, actor, dry_run, all_or_nothing
        self.report = report
        self.seen: dict[str, int] = {}
        self.batch: list[tuple[int, dict, list]] = []
        stores = Store.objects.filter(legal_entity=legal_entity)
        self.stores = {header_key(s.name): s.code for s in stores} | {
            header_key(s.code): s.code for s in stores
        }

    def reject(self, line: int, key: str, reasons: list[str], cells: list) -> None:
        self.report.rejected_count += 1
        if len(self.report.rejected_rows) < KEEP_REJECTED:
            self.report.rejected_rows.append(
                RejectedRow(line, key, reasons, [c for row in cells for c in row][:200])
            )

    def add(self, line: int, record: dict, cells: list) -> None:
        key = record.get("sku" if self.kind == PRODUCTS else "external_id") or ""
        if key and key in self.seen:
            self.reject(
                line,
                key,
                [_("%(key)s appears again: first at line %(line)s.") % {"key": key, "line": self.seen[key]}],
                cells,
            )
            return
        if key:
            self.seen[key] = line
        self._complete(record)
        self.batch.append((line, record, cells))
        if len(self.batch) >= MAX_BATCH:
            self.flush()

    def _complete(self, record: dict) -> None:
        store_code = self.store.code if self.store else ""
        if self.kind == CUSTOMERS and store_code and not record.get("home_store"):
            record["home_store"] = store_code
        elif self.kind == SALES and not record.get("store"):
            location = record.pop("location", "")
            record["store"] = self.stores.get(header_key(location), location) if location else store_code
        elif self.kind == PRODUCTS:
            for variant in record.get("variants", []):
                quantity = variant.pop("quantity", "")
                if quantity and store_code:
                    variant["stock"] = {store_code: quantity}

    def flush(self) -> None:
        if not self.batch:
            return
        records = [record for _line, record, _cells in self.batch]
        common = {"records": records, "source": self.source, "actor": self.actor, "dry_run": self.dry_run}
        if self.kind == CUSTOMERS:
            result = ingest.customers_upsert(legal_entity=self.legal_entity, **common)
        elif self.kind == SALES:
            result = ingest.sales_upsert(legal_entity=self.legal_entity, **common)
        else:
            result = catalog_services.ingest.products_upsert(legal_entity=self.legal_entity, **common)
        for rejection in result.rejected:
            line, _record, cells = self.batch[rejection.index]
            self.reject(line, rejection.external_id, rejection.messages(), cells)
        result.rejected = []
        self.report.result.add(result)
        self.batch = []


def file_import(
    *,
    stream,
    kind: str,
    legal_entity,
    source: str,
    actor=None,
    store: Store | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    format_code: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a file of `kind` (customers, sales, products) into `legal_entity`.

    `stream` is the file's bytes, seekable. `store` is the store the file is about when
    it does not say (customers' home store, an order without a location, the stock of a
    products export). `progress(bytes_read, rows_read)` is called after each batch.
    FileUnreadable when the file cannot be read at all; each refused record is reported
    with its line. `all_or_nothing` keeps nothing of the file when one record is refused.
    """
    if kind not in (CUSTOMERS, SALES, PRODUCTS):
        raise ValueError(f"unknown import kind {kind!r}")
    counter, reader, _encoding, _delimiter = _open(stream)
    header = _header(reader)
    found = _format(header, kind, format_code)
    report = ImportReport(format=found, result=IngestResult(dry_run=dry_run), header=header)
    run = _Run(
        kind=kind,
        found=found,
        legal_entity=legal_entity,
        store=store,
        source=source,
        actor=actor,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        report=report,
    )
    # All or nothing: the whole file in one transaction, rolled back on a refusal. Otherwise each
    # batch is its own (the ingest services own theirs): a crash keeps the batches done.
    with transaction.atomic() if all_or_nothing else nullcontext():
        for line, rows, cells, _key in _records(reader, header, found):
            report.rows_read += len(rows)
            report.records += 1
            run.add(line, found.build(rows), cells)
            if progress and not run.batch:
                progress(counter.count, report.rows_read)
        run.flush()
        if all_or_nothing and report.rejected_count:
            transaction.set_rollback(True)
            result = report.result
            result.rolled_back, result.created, result.updated, result.unchanged = True, 0, 0, 0
    report.rejected_rows.sort(key=lambda row: row.line)
    if progress:
        progress(counter.count, report.rows_read)
    return report


def rejected_csv_rows(rejected: list[RejectedRow], header: list[str]) -> Iterator[list[str]]:
    """The rejected rows as CSV rows: line, key, reasons, then the row's own cells (to fix and re-import)."""
    yield [_("line"), _("key"), _("reasons"), *header]
    for row in rejected:
        yield [str(row.line), row.key, " | ".join(row.reasons), *row.cells]
