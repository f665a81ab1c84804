"""The client book attribute group (Dynamics 365 Commerce), picked once in module settings."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0015_client_book_number_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='modulesettings',
            name='client_book_attribute_group',
            field=models.ForeignKey(blank=True, help_text='Client book refinement and customer cards use this group\'s attributes (those marked "can be refined" and "show on customer card"); a customer\'s profile shows them only while the customer is in a client book. Empty: every attribute.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='clienteling.attributegroup', verbose_name='client book attribute group'),
        ),
    ]
