"""What an ingest batch did: shared by every app's ingest services (catalog is the bottom).

`clienteling.services.ingest` (customers, sales) and `catalog.ingest` (products) answer
with an `IngestResult`; the file imports (`imports`) and the REST API (`api`) report it.
"""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

MAX_BATCH = 1000


@dataclass
class Rejection:
    """One record refused: its position in the batch, its key and why, per field.

    `errors` maps a field name (dotted for nested values: "lines.2.sku",
    "attributes.shoe_size") to its messages; "__all__" holds what concerns the record.
    """

    index: int
    external_id: str
    errors: dict[str, list[str]]

    def messages(self) -> list[str]:
        return [
            message if name == "__all__" else f"{name}: {message}"
            for name, messages in self.errors.items()
            for message in messages
        ]


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    dry_run: bool = False
    # True when all_or_nothing refused the whole batch because of its rejections.
    rolled_back: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def add(self, other: "IngestResult", *, offset: int = 0) -> None:
        """Fold a later batch's result into this one (indexes shifted by `offset`)."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rolled_back = self.rolled_back or other.rolled_back
        self.rejected.extend(Rejection(r.index + offset, r.external_id, r.errors) for r in other.rejected)

    def as_dict(self) -> dict:
        return asdict(self)


class BatchTooLarge(ValueError):
    def __init__(self, size: int):
        super().__init__(
            _("A batch holds at most %(max)s records, not %(size)s.") % {"max": MAX_BATCH, "size": size}
        )


def batch_check(records) -> list:
    """The records as a list; BatchTooLarge past MAX_BATCH, TypeError if not a list of objects."""
    records = list(records)
    if len(records) > MAX_BATCH:
        raise BatchTooLarge(len(records))
    return records


class Errors:
    """Collects one record's errors by field."""

    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message) -> None:
        self.by_field.setdefault(name, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.by_field)
