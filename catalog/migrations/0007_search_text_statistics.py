from django.db import migrations

from catalog.db import PostgresOnlySQL


class Migration(migrations.Migration):
    """Finer statistics on search_text, so typo searches plan on the trigram index.

    The typo-tolerant path asks for "the first 250 products whose words are like
    'cashmre' and 'coat'". With the default sample PostgreSQL's estimate of how many
    match swung between runs from hundreds to thousands; at thousands it chose a
    sequential scan expecting to meet 250 soon, and took half a second on 200,000
    products. A 1,000-bucket sample keeps the estimate near the truth.
    """

    dependencies = [("catalog", "0006_drop_unused_search_indexes")]

    operations = [
        PostgresOnlySQL(
            "ALTER TABLE catalog_product ALTER COLUMN search_text SET STATISTICS 1000",
            "ALTER TABLE catalog_product ALTER COLUMN search_text SET STATISTICS -1",
        ),
    ]
