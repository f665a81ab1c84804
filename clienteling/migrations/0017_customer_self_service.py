"""Customers edit their own details from a signed link; tags are put on customers from a file."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0016_client_book_attribute_group'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('customer.view_sensitive', 'Viewed unmasked customer details'), ('customers.export', 'Exported a customer list'), ('customers.bulk_action', 'Ran a bulk action'), ('client_book.reassign', 'Reassigned a client book'), ('consent.change', 'Changed consent'), ('staff.role_change', 'Changed a role or store access'), ('staff.permission_change', 'Changed permissions'), ('provider.credentials_change', 'Changed provider credentials'), ('auth.sign_in', 'Signed in'), ('auth.sign_in_failed', 'Failed to sign in'), ('auth.locked_out', 'Locked out after failed sign-ins'), ('customer.data_export', "Exported a customer's personal data"), ('customer.erasure', "Erased a customer's personal data"), ('customer.self_service_link', 'Sent or revoked a my-details link'), ('customer.self_service', 'Customer changed their own details')], db_index=True, max_length=40, verbose_name='action'),
        ),
        migrations.CreateModel(
            name='TagUpload',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file_name', models.CharField(blank=True, max_length=200, verbose_name='file')),
                ('kind', models.CharField(choices=[('id', 'Customer number'), ('external_id', 'External id (POS)'), ('email', 'Email'), ('phone', 'Phone')], max_length=12, verbose_name='matched on')),
                ('region', models.CharField(blank=True, max_length=2, verbose_name='phone region')),
                ('rows', models.JSONField(blank=True, default=list)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=12)),
                ('total', models.PositiveIntegerField(default=0)),
                ('processed', models.PositiveIntegerField(default=0)),
                ('tagged', models.PositiveIntegerField(default=0)),
                ('already', models.PositiveIntegerField(default=0)),
                ('not_found', models.PositiveIntegerField(default=0)),
                ('invalid', models.JSONField(blank=True, default=list)),
                ('invalid_count', models.PositiveIntegerField(default=0)),
                ('unmatched', models.JSONField(blank=True, default=list)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clienteling.tag', verbose_name='tag')),
            ],
            options={
                'verbose_name': 'tag upload',
                'verbose_name_plural': 'tag uploads',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='SelfServiceLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_digest', models.CharField(max_length=64, unique=True, verbose_name='token digest')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='self_service_links', to='clienteling.customer', verbose_name='customer')),
            ],
            options={
                'verbose_name': 'my details link',
                'verbose_name_plural': 'my details links',
                'indexes': [models.Index(fields=['customer', '-created_at'], name='selfservice_customer'), models.Index(condition=models.Q(('revoked_at__isnull', True)), fields=['customer'], name='selfservice_live')],
            },
        ),
    ]
