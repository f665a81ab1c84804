from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clienteling", "0018_staff_roles")]

    operations = [
        migrations.AddField(
            model_name="staffprofile",
            name="language",
            field=models.CharField(
                blank=True, help_text="Empty: the language the browser asks for.", max_length=10,
                verbose_name="language",
                choices=[("en", "English"), ("ca", "Catalan"), ("zh-hans", "Chinese"), ("cs", "Czech"),
                         ("da", "Danish"), ("nl", "Dutch"), ("fr", "French"), ("de", "German"),
                         ("it", "Italian"), ("ja", "Japanese"), ("ko", "Korean"), ("pl", "Polish"),
                         ("es", "Spanish"), ("sv", "Swedish")]),
        ),
    ]
