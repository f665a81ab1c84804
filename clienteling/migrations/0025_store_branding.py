from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0024_ingest")]

    operations = []
