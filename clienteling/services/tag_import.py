"""Tags put on customers from a file: a CSV of customer numbers, external ids, emails or phones.

The file is read and checked while the user waits (size, encoding, an identifier column);
the matching runs inline for a small file and in the background for a large one, a chunk
per transaction with its progress, so a run after a crash carries on where the last one
stopped and two runs never do a chunk twice. Only customers the user may see are tagged.
"""

import csv
import io
import re
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling.access import can_see_sensitive, customers_for
from clienteling.models import AuditAction, Customer, CustomerTag, Tag, TagUpload

from .audit import audit_record

__all__ = [
    "TagFile",
    "tag_file_read",
    "tag_create_for_upload",
    "tag_upload_run",
    "tag_upload_start",
    "tag_uploads_requeue_stale",
]

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_ROWS = 200_000
INLINE_ROWS = 2_000  # up to this many rows the user waits; more run in the background
CHUNK_SIZE = 1_000
Kind = TagUpload.Kind

# Header names (lowercased, without spaces, dashes or underscores) and what they hold.
HEADERS = {
    "id": Kind.ID,
    "customerid": Kind.ID,
    "customer": Kind.ID,
    "customernumber": Kind.ID,
    "atelierid": Kind.ID,
    "externalid": Kind.EXTERNAL_ID,
    "posid": Kind.EXTERNAL_ID,
    "clientid": Kind.EXTERNAL_ID,
    "loyaltyid": Kind.EXTERNAL_ID,
    "email": Kind.EMAIL,
    "emailaddress": Kind.EMAIL,
    "mail": Kind.EMAIL,
    "phone": Kind.PHONE,
    "phonenumber": Kind.PHONE,
    "mobile": Kind.PHONE,
    "mobilephone": Kind.PHONE,
    "tel": Kind.PHONE,
    "telephone": Kind.PHONE,
    "cell": Kind.PHONE,
}
FIELD = {Kind.ID: "pk", Kind.EXTERNAL_ID: "external_id", Kind.EMAIL: "email", Kind.PHONE: "phone"}
SENSITIVE_KINDS = {Kind.EMAIL, Kind.PHONE}
_PHONEISH = re.compile(r"^\+?[\d\s().-]{7,}$")


@dataclass
class TagFile:
    """A file read and checked: which column, matched on what, and its rows."""

    kind: str
    column: int
    column_label: str
    rows: list = field(default_factory=list)  # [line, as written, normalised]
    invalid: list = field(default_factory=list)  # [line, as written, reason]


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError(
            _(
                "This is not a CSV text file (it looks like a spreadsheet or UTF-16 text). "
                "Save it as “CSV UTF-8” and try again."
            )
        )
    # UTF-8 (with or without a BOM) first, then Excel's "CSV" on Windows: Western European text.
    for encoding in ("utf-8-sig", "cp1252"):
        with suppress(UnicodeDecodeError):
            return data.decode(encoding)
    raise ValidationError(
        _("The file's characters could not be read. Save it as “CSV UTF-8” and try again."))


def _header_kind(cell: str) -> str | None:
    return HEADERS.get(re.sub(r"[\s_\-.]", "", cell.strip().lower()))


def _value_kind(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if "@" in value:
        return Kind.EMAIL
    if value.isdigit() and len(value) <= 9:
        return Kind.ID
    if _PHONEISH.match(value):
        return Kind.PHONE
    return None


def _normalise(kind: str, value: str, region: str | None) -> tuple[str | None, str]:
    """(normalised value, "") or (None, reason)."""
    value = value.strip()
    if kind == Kind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            return None, _("not an email address")
        return value.lower(), ""
    if kind == Kind.PHONE:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            return None, _("not a phone number")
        if not phonenumbers.is_valid_number(number):
            return None, _("not a valid phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
    if kind == Kind.ID:
        if not value.isdigit() or not 0 < int(value) < 2**63:
            return None, _("not a customer number")
        return str(int(value)), ""
    if len(value) > Customer._meta.get_field("external_id").max_length:
        return None, _("too long for an external id")
    return value, ""


def tag_file_read(*, data: bytes, region: str | None, kind: str | None = None, column: str = "") -> TagFile:
    """Read an uploaded file: ValidationError with a message the user can act on when it is unusable.

    `kind` forces what the values are (else worked out from the header or the values);
    `column` picks the column by its header or its number from 1 (else the first that fits).
    """
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB. Split it and upload the parts.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel  # one column, or nothing to tell the delimiter by
    try:
        table = [
            (number, row)
            for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as error:
        raise ValidationError(_("The file is not a readable CSV: %(error)s") % {"error": error}) from None
    if not table:
        raise ValidationError(_("The file has no rows."))
    first = table[0][1]
    header_kinds = [_header_kind(cell) for cell in first]
    has_header = any(header_kinds) or not any(_value_kind(cell) for cell in first)
    body = table[1:] if has_header else table
    if not body:
        raise ValidationError(_("The file has a header but no rows."))
    if len(body) > MAX_ROWS:
        raise ValidationError(
            _("The file has more than %(n)s rows. Split it and upload the parts.") % {"n": f"{MAX_ROWS:,}"}
        )
    width = max(len(row) for _n, row in table)
    labels = [
        (first[i].strip() if has_header and i < len(first) else "") or _("column %(n)d") % {"n": i + 1}
        for i in range(width)
    ]
    index = _pick_column(column, first if has_header else [], width)
    if index is None:
        # The first column whose header or values name a kind we can match on.
        index = next((i for i, k in enumerate(header_kinds) if k and (kind is None or k == kind)), None)
        if index is None:
            index = next(
                (
                    i
                    for i in range(width)
                    if _column_kind(body, i) and (kind is None or _column_kind(body, i) == kind)
                ),
                None,
            )
        if index is None and kind is not None:
            # What it holds was chosen: a lone column, or the one whose header names an identifier.
            index = 0 if width == 1 else next((i for i, k in enumerate(header_kinds) if k), None)
        if index is None:
            raise ValidationError(
                _(
                    "No column of customer numbers, external ids, emails or phones was found. "
                    "Choose the column and what it holds."
                )
            )
    found = (
        kind
        or (header_kinds[index] if has_header and index < len(header_kinds) else None)
        or _column_kind(body, index)
    )
    if found is None:
        raise ValidationError(
            _("Could not tell what “%(column)s” holds. Choose what it holds.") % {"column": labels[index]}
        )
    result = TagFile(kind=found, column=index, column_label=labels[index])
    for number, row in body:
        value = row[index].strip() if index < len(row) else ""
        if not value:
            result.invalid.append([number, "", _("empty")])
            continue
        normalised, reason = _normalise(found, value, region)
        if normalised is None:
            result.invalid.append([number, value, reason])
        else:
            result.rows.append([number, value, normalised])
    return result


def _pick_column(column: str, header: list[str], width: int) -> int | None:
    column = (column or "").strip()
    if not column:
        return None
    if column.isdigit():
        if not 1 <= int(column) <= width:
            raise ValidationError(_("The file has no column %(n)s.") % {"n": column})
        return int(column) - 1
    for i, cell in enumerate(header):
        if cell.strip().lower() == column.lower():
            return i
    raise ValidationError(_("The file has no column named “%(name)s”.") % {"name": column})


def _column_kind(body, index: int) -> str | None:
    """What most of a column's first values look like."""
    counts: dict[str, int] = {}
    for _n, row in body[:50]:
        if index < len(row):
            found = _value_kind(row[index])
            if found:
                counts[found] = counts.get(found, 0) + 1
    return max(counts, key=counts.get) if counts else None


def tag_create_for_upload(*, user, name: str, store) -> Tag:
    """A new tag for the user's store, when they may create tags."""
    if not user.has_perm("clienteling.add_tag"):
        raise PermissionDenied
    name = fit(Tag, "name", (name or "").strip())
    if not name:
        raise ValidationError(_("Name the new tag."))
    if Tag.objects.filter(name__iexact=name, store=store, active=True).exists():
        raise ValidationError(_("A tag with this name already exists: choose it from the list."))
    base = fit(Tag, "slug", slugify(name) or "tag")
    slug, n = base, 2
    while Tag.objects.filter(slug=slug).exists():
        slug, n = f"{base[:90]}-{n}", n + 1
    return Tag.objects.create(name=name, slug=slug, store=store)


def tag_upload_start(
    *, user, tag: Tag, read: TagFile, file_name: str, region: str | None, request=None
) -> TagUpload:
    """Record the upload; a small one runs now, a large one is queued once the row is committed."""
    if read.kind in SENSITIVE_KINDS and not can_see_sensitive(user):
        raise PermissionDenied(_("Matching on emails or phones needs the right to see them."))
    with transaction.atomic():
        upload = TagUpload.objects.create(
            created_by=user,
            tag=tag,
            file_name=fit(TagUpload, "file_name", file_name),
            kind=read.kind,
            region=region or "",
            rows=read.rows,
            total=len(read.rows),
            invalid=read.invalid,
            invalid_count=len(read.invalid),
        )
        audit_record(
            action=AuditAction.BULK_ACTION,
            actor=user,
            target=f"tag_upload (upload {upload.pk})",
            detail={
                "action": "tag_upload",
                "tag": tag.pk,
                "rows": len(read.rows),
                "invalid": len(read.invalid),
                "kind": read.kind,
            },
            request=request,
        )
        if len(read.rows) > INLINE_ROWS:
            from clienteling.tasks import tag_upload_run as task

            task.delay_on_commit(upload.pk)
            return upload
    return tag_upload_run(upload_id=upload.pk)


def tag_upload_run(*, upload_id: int) -> TagUpload | None:
    """Claim the upload (queued -> running) and work through its rows; safe to run twice."""
    TagUpload.objects.filter(pk=upload_id, status=TagUpload.Status.QUEUED).update(
        status=TagUpload.Status.RUNNING
    )
    if not TagUpload.objects.filter(pk=upload_id, status=TagUpload.Status.RUNNING).exists():
        return TagUpload.objects.filter(pk=upload_id).first()
    try:
        while _chunk_run(upload_id=upload_id):
            continue  # the next chunk: each commits with its progress
    except Exception:
        TagUpload.objects.filter(pk=upload_id).update(
            status=TagUpload.Status.FAILED, finished_at=timezone.now()
        )
        raise
    TagUpload.objects.filter(pk=upload_id, status=TagUpload.Status.RUNNING).update(
        status=TagUpload.Status.DONE, finished_at=timezone.now(), rows=[]
    )
    return TagUpload.objects.get(pk=upload_id)


def _chunk_run(*, upload_id: int) -> bool:
    with transaction.atomic():
        upload = (
            TagUpload.objects.select_for_update(of=("self",))
            .select_related("created_by", "tag")
            .get(pk=upload_id)
        )
        chunk = upload.rows[upload.processed : upload.processed + CHUNK_SIZE]
        if upload.status != TagUpload.Status.RUNNING or not chunk:
            return False
        lookup = FIELD[upload.kind]
        values = {normalised for _line, _written, normalised in chunk}
        matches: dict[str, list[int]] = {}
        # Re-scoped to the user on every chunk: only customers they may see now.
        for value, pk in (
            customers_for(upload.created_by).filter(**{f"{lookup}__in": values}).values_list(lookup, "pk")
        ):
            matches.setdefault(str(value), []).append(pk)
        ids = {pk for pks in matches.values() for pk in pks}
        had = set(
            CustomerTag.objects.filter(tag=upload.tag, customer_id__in=ids).values_list(
                "customer_id", flat=True
            )
        )
        new = sorted(ids - had)
        CustomerTag.objects.bulk_create(
            [CustomerTag(customer_id=pk, tag=upload.tag) for pk in new], ignore_conflicts=True
        )
        unmatched = [[line, written] for line, written, normalised in chunk if normalised not in matches]
        TagUpload.objects.filter(pk=upload.pk).update(
            processed=F("processed") + len(chunk),
            tagged=F("tagged") + len(new),
            already=F("already") + len(had),
            not_found=F("not_found") + len(unmatched),
            unmatched=upload.unmatched + unmatched,
        )
    return True


def tag_uploads_requeue_stale(*, user, older_than: timedelta = timedelta(minutes=15)) -> int:
    """The user's uploads still queued long after they were started (the task lost with a broker
    restart) are queued again; a late original finds the upload taken or done."""
    from clienteling.tasks import tag_upload_run as task

    stale = timezone.now() - older_than
    ids = list(
        TagUpload.objects.filter(
            created_by=user, status=TagUpload.Status.QUEUED, created_at__lt=stale
        ).values_list("pk", flat=True)[:10]
    )
    for upload_id in ids:
        task.delay_on_commit(upload_id)
    return len(ids)
