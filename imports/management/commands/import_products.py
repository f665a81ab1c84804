"""`manage.py import_products FILE`: products from a CSV file (Atelier, Shopify format)."""

from imports.formats import PRODUCTS
from imports.management.base import ImportCommand


class Command(ImportCommand):
    help = "Import products from a CSV file: the format is detected from the header row (docs/imports.md)."
    kind = PRODUCTS
