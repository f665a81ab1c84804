from django.db import migrations

from catalog.db import PostgresOnlySQL


class Migration(migrations.Migration):
    """Drop the first search indexes: product_search reads search_text since 0004.

    product_title_trgm (trigrams of UPPER(title)) and product_search_fts (full
    text of title and description) serve no query: word search uses
    product_search_words and product_search_text_trgm, exact codes use
    product_sku_upper, variant_sku_upper and the barcode indexes, and the
    admin's product search ORs title with SKUs and barcodes across the variant
    join, which no single-column index answers (EXPLAIN: sequential scan with
    or without them). Each costs every product write a GIN update.
    """

    dependencies = [("catalog", "0005_prices_per_currency_and_labels")]

    operations = [
        PostgresOnlySQL(
            "DROP INDEX IF EXISTS product_title_trgm",
            "CREATE INDEX IF NOT EXISTS product_title_trgm ON catalog_product "
            "USING gin (UPPER(title::text) gin_trgm_ops)",
        ),
        PostgresOnlySQL(
            "DROP INDEX IF EXISTS product_search_fts",
            "CREATE INDEX IF NOT EXISTS product_search_fts ON catalog_product "
            "USING gin (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, '')))",
        ),
    ]
