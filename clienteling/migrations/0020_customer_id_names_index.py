from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0019_staff_language")]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["id"], include=("legal_entity", "erased_at", "last_name", "first_name"),
                               name="customer_id_names"),
        ),
    ]
