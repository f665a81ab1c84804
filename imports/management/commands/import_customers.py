"""`manage.py import_customers FILE`: customers from a CSV file (Atelier, Shopify or Square format)."""

from imports.formats import CUSTOMERS
from imports.management.base import ImportCommand


class Command(ImportCommand):
    help = "Import customers from a CSV file: the format is detected from the header row (docs/imports.md)."
    kind = CUSTOMERS
