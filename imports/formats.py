"""The file formats an import reads, told apart by their header row.

Each format turns the rows of one record (a customer is one row; an order or a product
with variants is a run of rows with the same key) into the record the ingest services
take. Atelier's own CSV (docs/imports.md) and the exports retailers already have:
Shopify's customers, orders and products exports and Square's customers export, with
the headers of older exports too.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

CUSTOMERS, SALES, PRODUCTS = "customers", "sales", "products"
KINDS = {CUSTOMERS: _("Customers"), SALES: _("Sales"), PRODUCTS: _("Products")}


def header_key(cell: str) -> str:
    """ "Accepts Email Marketing" -> "accepts email marketing" (BOM, case, spacing, _ and - ignored)."""
    cell = (cell or "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-]+", " ", cell)


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _no_quote_mark(value: str | None) -> str:
    """Spreadsheets keep a leading apostrophe that forced text ("'+44 7911 123456", "'0012")."""
    return _clean(value).lstrip("'").strip()


def _yes_no(value: str | None) -> str:
    text = _clean(value).lower()
    return {
        "yes": "opted_in",
        "true": "opted_in",
        "subscribed": "opted_in",
        "y": "opted_in",
        "no": "opted_out",
        "false": "opted_out",
        "unsubscribed": "opted_out",
        "n": "opted_out",
    }.get(text, text)


def _tags(value: str | None) -> list[str]:
    return [tag.strip() for tag in _clean(value).split(",") if tag.strip()]


def _date(value: str | None) -> str:
    """ISO dates pass; 06/15/1985 and 15.06.1985 become ISO; a birthday without a year is dropped."""
    text = _clean(value)
    if not text or text.startswith("0000-"):
        return ""
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text[:10], pattern).date().isoformat()
        except ValueError:
            continue
    return text  # the ingest service says what is wrong with it


def _money(value: str | None) -> Decimal | None:
    try:
        return Decimal(_clean(value).replace(",", "")) if _clean(value) else None
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Format:
    """One file format: what it holds, how to recognise it and how its rows become records.

    `aliases` maps each record field to the header names that mean it, current first and
    then those of older exports; `required` fields must have a column; `key` names the
    field whose value groups consecutive rows into one record (orders, products).
    """

    code: str
    label: str
    kind: str
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    signature: tuple[str, ...]  # headers that tell this format apart (all present)
    build: Callable[[list[dict]], dict]
    key: str = ""
    prefixed: tuple[str, ...] = ()  # columns named by a prefix and a name: "attribute:shoe_size", "stock:nyc"

    def columns(self, header: list[str]) -> dict[str, int]:
        """field -> column index, for the fields this header holds."""
        keys = [header_key(cell) for cell in header]
        found = {}
        for name, names in self.aliases.items():
            for alias in names:
                if alias in keys:
                    found[name] = keys.index(alias)
                    break
        for index, cell in enumerate(header):
            raw = cell.replace("\ufeff", "").strip()
            for prefix in self.prefixed:
                if raw.lower().startswith(prefix) and len(raw) > len(prefix):
                    found[prefix + raw[len(prefix) :].strip()] = index
        return found

    def missing(self, header: list[str]) -> list[str]:
        found = self.columns(header)
        return [self.aliases[name][0] for name in self.required if name not in found]

    def matches(self, header: list[str]) -> bool:
        keys = {header_key(cell) for cell in header}
        return all(any(alias in keys for alias in group.split("|")) for group in self.signature)


# Atelier's own CSV -------------------------------------------------------------------------

ATELIER_CUSTOMER_FIELDS = {
    "external_id": ("external id", "customer id", "pos id", "client id"),
    "first_name": ("first name", "firstname", "given name"),
    "last_name": ("last name", "lastname", "surname", "family name"),
    "email": ("email", "email address", "e mail"),
    "phone": ("phone", "mobile", "phone number", "mobile phone", "cell"),
    "birth_date": ("birth date", "birthday", "date of birth", "dob"),
    "anniversary": ("anniversary",),
    "partner_name": ("partner name",),
    "partner_birth_date": ("partner birth date", "partner birthday"),
    "address_line1": ("address line1", "address line 1", "address1", "street"),
    "address_line2": ("address line2", "address line 2", "address2"),
    "city": ("city", "town"),
    "state": ("state", "region", "province"),
    "zip_code": ("zip code", "zip", "postal code", "postcode"),
    "country": ("country", "country code"),
    "language": ("language",),
    "currency": ("currency",),
    "home_store": ("home store", "store", "store code"),
    "tags": ("tags",),
    "mailing_lists": ("mailing lists",),
    "consent_sms": ("consent sms", "sms opt in", "accepts sms marketing"),
    "consent_whatsapp": ("consent whatsapp", "whatsapp opt in"),
    "consent_email": ("consent email", "email opt in", "accepts email marketing"),
}
PLAIN_CUSTOMER_FIELDS = (
    "external_id",
    "first_name",
    "last_name",
    "email",
    "partner_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip_code",
    "country",
    "language",
    "currency",
    "home_store",
)


def _consents(row: dict) -> dict:
    consent = {}
    for channel in ("sms", "whatsapp", "email"):
        if _clean(row.get(f"consent_{channel}")):
            consent[channel] = _yes_no(row[f"consent_{channel}"])
    return consent


def build_atelier_customer(rows: list[dict]) -> dict:
    row = rows[0]
    record = {name: _clean(row[name]) for name in PLAIN_CUSTOMER_FIELDS if name in row}
    record["external_id"] = _no_quote_mark(row.get("external_id"))
    if "phone" in row:
        record["phone"] = _no_quote_mark(row["phone"])
    for name in ("birth_date", "anniversary", "partner_birth_date"):
        if name in row:
            record[name] = _date(row[name])
    if _clean(row.get("tags")):
        record["tags"] = _tags(row["tags"])
    if _clean(row.get("mailing_lists")):
        record["mailing_lists"] = _tags(row["mailing_lists"])
    if consent := _consents(row):
        record["consent"] = consent
    attributes = {}
    for key, value in row.items():
        if key.startswith("attribute:") and _clean(value):
            slug = key[len("attribute:") :]
            values = [v.strip() for v in value.split("|") if v.strip()]
            attributes[slug] = values if len(values) > 1 else values[0]
    if attributes:
        record["attributes"] = attributes
    return record


ATELIER_SALE_FIELDS = {
    "external_id": ("receipt", "receipt number", "sale id", "external id", "order id"),
    "customer": ("customer", "customer external id", "customer id"),
    "customer_email": ("customer email", "email"),
    "store": ("store", "store code"),
    "salesperson": ("salesperson", "associate", "staff"),
    "sold_at": ("sold at", "date", "sale date"),
    "channel": ("channel",),
    "kind": ("kind", "line kind", "type"),
    "sku": ("sku", "variant sku"),
    "title": ("title", "description", "item"),
    "quantity": ("quantity", "qty"),
    "amount": ("amount", "line total"),
}


def build_atelier_sale(rows: list[dict]) -> dict:
    first = rows[0]
    record = {
        name: _no_quote_mark(first.get(name))
        for name in (
            "external_id",
            "customer",
            "customer_email",
            "store",
            "salesperson",
            "sold_at",
            "channel",
        )
        if _clean(first.get(name))
    }
    record["lines"] = [
        {
            name: _clean(row.get(name))
            for name in ("kind", "sku", "title", "quantity", "amount")
            if _clean(row.get(name))
        }
        for row in rows
    ]
    return record


ATELIER_PRODUCT_FIELDS = {
    "sku": ("sku", "product sku"),
    "title": ("title", "name"),
    "description": ("description",),
    "designer": ("designer", "brand", "vendor"),
    "category": ("category",),
    "item_type": ("item type", "type"),
    "price": ("price",),
    "currency": ("currency",),
    "barcode": ("barcode", "ean", "upc"),
    "image_url": ("image url", "image"),
    "active": ("active",),
    "variant_sku": ("variant sku",),
    "size": ("size",),
    "colour": ("colour", "color"),
    "variant_price": ("variant price",),
    "variant_barcode": ("variant barcode",),
}


def build_atelier_product(rows: list[dict]) -> dict:
    first = rows[0]
    record = {
        name: _clean(first[name])
        for name in (
            "sku",
            "title",
            "description",
            "designer",
            "category",
            "item_type",
            "price",
            "currency",
            "barcode",
            "image_url",
            "active",
        )
        if name in first and (_clean(first[name]) or name == "description")
    }
    prices = {
        key[len("price:") :].upper(): _clean(v)
        for key, v in first.items()
        if key.startswith("price:") and _clean(v)
    }
    if prices:
        record["prices"] = prices
    variants = []
    for row in rows:
        if not _clean(row.get("variant_sku")):
            continue
        variant = {"sku": _clean(row["variant_sku"])}
        for name, field in (("size", "size"), ("colour", "colour"), ("variant_barcode", "barcode")):
            if name in row:
                variant[field] = _clean(row[name])
        if "variant_price" in row:
            variant["price"] = _clean(row["variant_price"])
        stock = {
            key[len("stock:") :]: _clean(v)
            for key, v in row.items()
            if key.startswith("stock:") and _clean(v)
        }
        if stock:
            variant["stock"] = stock
        variants.append(variant)
    if variants:
        record["variants"] = variants
    return record


# Shopify -----------------------------------------------------------------------------------

SHOPIFY_CUSTOMER_FIELDS = {
    "external_id": ("customer id", "id"),
    "first_name": ("first name",),
    "last_name": ("last name",),
    "email": ("email",),
    "phone": ("phone", "default address phone"),
    "address_line1": ("default address address1", "address1"),
    "address_line2": ("default address address2", "address2"),
    "city": ("default address city", "city"),
    "state": ("default address province code", "province code", "province"),
    "zip_code": ("default address zip", "zip"),
    "country": ("default address country code", "country code"),
    "consent_email": ("accepts email marketing", "accepts marketing"),
    "consent_sms": ("accepts sms marketing",),
    "tags": ("tags",),
}


def build_shopify_customer(rows: list[dict]) -> dict:
    row = rows[0]
    record = {
        name: _clean(row[name])
        for name in (
            "first_name",
            "last_name",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "zip_code",
            "country",
        )
        if name in row
    }
    email = _clean(row.get("email")).lower()
    # Older exports have no customer id: the email is the customer's key there.
    record["external_id"] = _no_quote_mark(row.get("external_id")) or email
    if "email" in row:
        record["email"] = email
    if "phone" in row:
        record["phone"] = _no_quote_mark(row["phone"])
    if _clean(row.get("tags")):
        record["tags"] = _tags(row["tags"])
    if consent := _consents(row):
        record["consent"] = consent
    return record


SHOPIFY_ORDER_FIELDS = {
    "external_id": ("name", "order name"),
    "customer_email": ("email",),
    "sold_at": ("created at", "paid at"),
    "currency": ("currency",),
    "location": ("location",),
    "quantity": ("lineitem quantity",),
    "title": ("lineitem name",),
    "price": ("lineitem price",),
    "sku": ("lineitem sku",),
    "discount": ("lineitem discount",),
}


def build_shopify_order(rows: list[dict]) -> dict:
    first = rows[0]
    record = {
        "external_id": _clean(first.get("external_id")),
        "customer_email": _clean(first.get("customer_email")),
        "sold_at": _clean(first.get("sold_at")).replace(" ", "T", 1),
        "channel": "web",
        "source": "ecommerce",
    }
    if _clean(first.get("location")):
        record["location"] = _clean(first["location"])
        record["channel"] = "store"
    lines = []
    for row in rows:
        quantity = _clean(row.get("quantity")) or "1"
        price = _money(row.get("price"))
        try:
            amount = (
                (price * int(quantity) - (_money(row.get("discount")) or 0)) if price is not None else None
            )
        except ValueError:
            amount = None
        line = {
            "sku": _clean(row.get("sku")),
            "title": _clean(row.get("title")),
            "quantity": quantity,
            "amount": "" if amount is None else str(amount),
        }
        if not line["sku"]:
            line["kind"] = "custom"
        lines.append(line)
    record["lines"] = lines
    return record


SHOPIFY_PRODUCT_FIELDS = {
    "sku": ("handle",),
    "title": ("title",),
    "description": ("body (html)", "body html"),
    "designer": ("vendor",),
    "category": ("product category", "standard product type"),
    "item_type": ("type", "custom product type"),
    "published": ("published",),
    "status": ("status",),
    "option1_name": ("option1 name",),
    "option1_value": ("option1 value",),
    "option2_name": ("option2 name",),
    "option2_value": ("option2 value",),
    "variant_sku": ("variant sku",),
    "variant_price": ("variant price",),
    "variant_barcode": ("variant barcode",),
    "variant_qty": ("variant inventory qty",),
    "image_url": ("image src",),
}


def _strip_html(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def build_shopify_product(rows: list[dict]) -> dict:
    first = rows[0]
    record = {
        "sku": _clean(first.get("sku")),
        "title": _clean(first.get("title")),
        "designer": _clean(first.get("designer")),
        "item_type": _clean(first.get("item_type")),
        "category": _clean(first.get("category")).split(">")[-1].strip(),
    }
    if "description" in first:
        record["description"] = _strip_html(_clean(first["description"]))
    status = _clean(first.get("status")).lower()
    if status:
        record["active"] = status == "active"
    elif _clean(first.get("published")):
        record["active"] = _clean(first["published"]).lower() in ("true", "yes", "1")
    if _clean(first.get("image_url")):
        record["image_url"] = _clean(first["image_url"])
    options = {}
    for number in ("1", "2"):
        name = _clean(first.get(f"option{number}_name")).lower()
        if name in ("size", "taille", "größe", "talla"):
            options[number] = "size"
        elif name in ("color", "colour", "couleur", "farbe"):
            options[number] = "colour"
    variants, price = [], ""
    for row in rows:
        sku = _no_quote_mark(row.get("variant_sku"))
        if not sku and not _clean(row.get("variant_price")):
            continue  # an image-only row
        price = price or _clean(row.get("variant_price"))
        variant = {"sku": sku or record["sku"], "barcode": _no_quote_mark(row.get("variant_barcode"))}
        for number, field in options.items():
            variant[field] = _clean(row.get(f"option{number}_value"))
        if _clean(row.get("variant_price")) and _clean(row.get("variant_price")) != price:
            variant["price"] = _clean(row["variant_price"])
        if _clean(row.get("variant_qty")):
            variant["quantity"] = _clean(
                row["variant_qty"]
            )  # the stock of the import's store, if one is named
        variants.append(variant)
    record["price"] = price
    if variants:
        record["variants"] = variants
    return record


# Square ------------------------------------------------------------------------------------

SQUARE_CUSTOMER_FIELDS = {
    "external_id": ("square customer id", "reference id"),
    "first_name": ("first name",),
    "last_name": ("surname", "last name"),
    "email": ("email address",),
    "phone": ("phone number",),
    "address_line1": ("street address 1", "address line 1"),
    "address_line2": ("street address 2", "address line 2"),
    "city": ("city",),
    "state": ("state",),
    "zip_code": ("postal code",),
    "birth_date": ("birthday",),
    "consent_email": ("email subscription status",),
    "tags": ("groups",),
}


def build_square_customer(rows: list[dict]) -> dict:
    row = rows[0]
    record = {
        name: _clean(row[name])
        for name in ("first_name", "last_name", "address_line1", "address_line2", "city", "state", "zip_code")
        if name in row
    }
    record["external_id"] = _no_quote_mark(row.get("external_id"))
    if "email" in row:
        record["email"] = _clean(row["email"]).lower()
    if "phone" in row:
        record["phone"] = _no_quote_mark(row["phone"])
    if "birth_date" in row:
        record["birth_date"] = _date(row["birth_date"])
    if _clean(row.get("tags")):
        record["tags"] = _tags(row["tags"])
    if consent := _consents(row):
        record["consent"] = consent
    return record


FORMATS = (
    Format(
        "shopify_customers",
        _("Shopify customers export"),
        CUSTOMERS,
        SHOPIFY_CUSTOMER_FIELDS,
        required=("email",),
        signature=("accepts email marketing|accepts marketing", "total spent"),
        build=build_shopify_customer,
    ),
    Format(
        "square_customers",
        _("Square customers export"),
        CUSTOMERS,
        SQUARE_CUSTOMER_FIELDS,
        required=("external_id",),
        signature=("square customer id|reference id", "email address"),
        build=build_square_customer,
    ),
    Format(
        "shopify_orders",
        _("Shopify orders export"),
        SALES,
        SHOPIFY_ORDER_FIELDS,
        required=("external_id", "customer_email", "sold_at", "price"),
        signature=("lineitem name", "financial status"),
        build=build_shopify_order,
        key="external_id",
    ),
    Format(
        "shopify_products",
        _("Shopify products export"),
        PRODUCTS,
        SHOPIFY_PRODUCT_FIELDS,
        required=("sku", "variant_price"),
        signature=("handle", "variant price"),
        build=build_shopify_product,
        key="sku",
    ),
    Format(
        "atelier_customers",
        _("Atelier customers CSV"),
        CUSTOMERS,
        ATELIER_CUSTOMER_FIELDS,
        required=("external_id",),
        signature=("external id|customer id|pos id|client id",),
        build=build_atelier_customer,
        prefixed=("attribute:",),
    ),
    Format(
        "atelier_sales",
        _("Atelier sales CSV"),
        SALES,
        ATELIER_SALE_FIELDS,
        required=("external_id", "store", "sold_at", "amount"),
        signature=("receipt|receipt number|sale id",),
        build=build_atelier_sale,
        key="external_id",
    ),
    Format(
        "atelier_products",
        _("Atelier products CSV"),
        PRODUCTS,
        ATELIER_PRODUCT_FIELDS,
        required=("sku",),
        signature=("sku|product sku", "price|variant sku"),
        build=build_atelier_product,
        key="sku",
        prefixed=("price:", "stock:"),
    ),
)
BY_CODE = {f.code: f for f in FORMATS}


def detect(header: list[str], kind: str) -> Format | None:
    """The first format of this kind whose signature the header holds."""
    for candidate in FORMATS:
        if candidate.kind == kind and candidate.matches(header):
            return candidate
    return None
