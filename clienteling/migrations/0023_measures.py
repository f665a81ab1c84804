from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0022_staff_language_regions")]

    operations = []
