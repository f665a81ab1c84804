from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_search_text_statistics")]

    operations = []
