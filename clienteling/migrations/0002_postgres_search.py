from django.db import migrations

from catalog.db import PostgresOnlySQL

TRIGRAM_COLUMNS = ("first_name", "last_name", "email", "phone")


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0001_initial"), ("catalog", "0002_postgres_search")]

    # Free-text search uses icontains, which Django renders as
    # UPPER(col::text) LIKE UPPER('%q%'): these trigram indexes serve exactly that.
    operations = [
        PostgresOnlySQL(
            f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm ON clienteling_customer "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)",
            f"DROP INDEX IF EXISTS customer_{column}_trgm",
        )
        for column in TRIGRAM_COLUMNS
    ] + [
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS saleline_title_trgm ON clienteling_saleline "
            "USING gin (UPPER(title::text) gin_trgm_ops)",
            "DROP INDEX IF EXISTS saleline_title_trgm",
        ),
    ]
