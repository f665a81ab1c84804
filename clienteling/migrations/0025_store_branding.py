import django.db.models
from django.db import migrations

import clienteling.branding


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0024_ingest")]

    operations = [
        migrations.AddField(
            model_name="store",
            name="logo",
            field=django.db.models.ImageField(
                blank=True, upload_to="stores/logos/", verbose_name="logo",
                help_text="Shown on the customer-facing pages, on the primary colour: a light logo on a "
                          "transparent background, about 64 px high."),
        ),
        migrations.AddField(
            model_name="store",
            name="brand_primary",
            field=django.db.models.CharField(
                blank=True, max_length=7, validators=[clienteling.branding.validate_hex_colour],
                verbose_name="primary colour",
                help_text="The header and buttons of the customer-facing pages, e.g. #1f4c80; white text "
                          "must read on it. Empty: Atelier's ink."),
        ),
        migrations.AddField(
            model_name="store",
            name="brand_accent",
            field=django.db.models.CharField(
                blank=True, max_length=7, validators=[clienteling.branding.validate_hex_colour],
                verbose_name="accent colour",
                help_text="Links and highlights on a white page, e.g. #8a4b08. Empty: the primary colour."),
        ),
    ]
