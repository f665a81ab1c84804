import conversations.fields
import phonenumber_field.modelfields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0008_template_message_types'),
    ]

    operations = [
        migrations.CreateModel(
            name='MetaWhatsAppAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(default='WhatsApp (Meta)', max_length=80, verbose_name='name')),
                ('phone_number_id', models.CharField(help_text='WhatsApp Manager → API setup: the ID of the sending number (not the number).', max_length=32, unique=True, verbose_name='phone number ID')),
                ('business_account_id', models.CharField(max_length=32, verbose_name='WhatsApp Business Account ID')),
                ('whatsapp_number', phonenumber_field.modelfields.PhoneNumberField(help_text='The number customers write to, as Meta shows it.', max_length=128, region=None, verbose_name='WhatsApp number')),
                ('access_token', conversations.fields.EncryptedTextField(verbose_name='access token')),
                ('app_secret', conversations.fields.EncryptedTextField(verbose_name='app secret')),
                ('verify_token', models.CharField(help_text="Any secret text; type the same in the app's webhook settings at Meta.", max_length=128, verbose_name='webhook verify token')),
                ('api_version', models.CharField(default='v21.0', max_length=10, verbose_name='Graph API version')),
                ('api_base_url', models.URLField(blank=True, help_text='Leave empty for Meta. Set only to point at a test double.', verbose_name='API base URL')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'WhatsApp account (Meta)',
                'verbose_name_plural': 'WhatsApp accounts (Meta)',
            },
        ),
    ]
