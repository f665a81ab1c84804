"""Every client book has its identifier now (0014 numbered the existing ones)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0014_client_book_numbers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='clientbook',
            name='number',
            field=models.CharField(editable=False, max_length=40, unique=True, verbose_name='identifier'),
        ),
    ]
