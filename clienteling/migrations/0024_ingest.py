from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0023_measures")]

    operations = []
