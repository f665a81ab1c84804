import re
import unicodedata

from django.db import migrations, models

from catalog.db import PostgresOnlySQL


def _normalize(*parts) -> str:
    # A frozen copy of catalog.models.normalize_search_text.
    text = " ".join(str(part) for part in parts if part)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


def _search_text(title, designer, category, item_type, sku) -> str:
    # A frozen copy of catalog.models.product_search_text.
    parts = " ".join(part for part in re.split(r"[^0-9A-Za-z]+", sku or "") if part)
    return _normalize(title, designer, category, item_type, sku, parts)


def fill_search_text(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    batch = []
    rows = Product.objects.values_list("pk", "title", "designer__name", "category__name",
                                       "item_type__name", "sku").order_by("pk")
    for pk, *parts in rows.iterator(chunk_size=2000):
        batch.append(Product(pk=pk, search_text=_search_text(*parts)))
        if len(batch) == 2000:
            Product.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Product.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_alter_productimage_options_and_more'),
    ]

    operations = [
        migrations.AddField(
            model_name='product',
            name='search_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        # Word search: every word a prefix (full text), then ranked and typo-tolerant (trigrams).
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS product_search_words ON catalog_product "
            "USING gin (to_tsvector('simple', search_text)) WHERE active",
            "DROP INDEX IF EXISTS product_search_words",
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS product_search_text_trgm ON catalog_product "
            "USING gin (search_text gin_trgm_ops) WHERE active",
            "DROP INDEX IF EXISTS product_search_text_trgm",
        ),
        # Exact SKU whatever the case an associate types it in (sku__iexact).
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS product_sku_upper ON catalog_product (UPPER(sku::text))",
            "DROP INDEX IF EXISTS product_sku_upper",
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS variant_sku_upper ON catalog_productvariant "
            "(UPPER(sku::text))",
            "DROP INDEX IF EXISTS variant_sku_upper",
        ),
    ]
