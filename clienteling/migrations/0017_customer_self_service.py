from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0016_client_book_attribute_group")]

    operations = []
