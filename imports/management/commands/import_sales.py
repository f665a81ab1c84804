"""`manage.py import_sales FILE`: sales from a CSV file (Atelier, Shopify format)."""

from imports.formats import SALES
from imports.management.base import ImportCommand


class Command(ImportCommand):
    help = "Import sales from a CSV file: the format is detected from the header row (docs/imports.md)."
    kind = SALES
