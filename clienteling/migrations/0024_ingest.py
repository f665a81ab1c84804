from django.db import migrations

# Bulk ingest (clienteling.services.ingest.sales_upsert) finds a batch's receipts by their
# numbers whatever their source; the unique (source, external_id) index starts with the source.
# A plain partial index, the same on PostgreSQL and SQLite, outside the model state: no model
# reads it by name.
SALE_EXTERNAL_ID = (
    "CREATE INDEX IF NOT EXISTS sale_external_id ON clienteling_sale (external_id) "
    "WHERE external_id IS NOT NULL"
)


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0023_measures")]

    operations = [
        migrations.RunSQL(SALE_EXTERNAL_ID, reverse_sql="DROP INDEX IF EXISTS sale_external_id"),
    ]
