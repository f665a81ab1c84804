from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("conversations", "0007_message_queued_index")]

    operations = []
