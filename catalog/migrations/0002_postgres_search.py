from django.db import migrations

from catalog.db import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm"),
        # Ranked word search over the catalog (title, SKU, designer via join).
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS product_title_trgm ON catalog_product "
            "USING gin (UPPER(title::text) gin_trgm_ops)",
            "DROP INDEX IF EXISTS product_title_trgm",
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS product_search_fts ON catalog_product "
            "USING gin (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, '')))",
            "DROP INDEX IF EXISTS product_search_fts",
        ),
    ]
