
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0022_staff_language_regions'),
    ]

    operations = [
        migrations.CreateModel(
            name='ExternalMeasure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(max_length=60, verbose_name='source')),
                ('name', models.CharField(max_length=80, verbose_name='measure')),
                ('value', models.CharField(max_length=255, verbose_name='value')),
                ('imported_at', models.DateTimeField(verbose_name='imported at')),
            ],
            options={
                'verbose_name': 'external measure',
                'verbose_name_plural': 'external measures',
                'ordering': ['source', 'name'],
            },
        ),
        migrations.CreateModel(
            name='ExternalMeasuresSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source_name', models.CharField(max_length=60, verbose_name='source name')),
                ('match_field', models.CharField(choices=[('external_id', 'External id'), ('email', 'Email'), ('phone', 'Phone')], default='external_id', max_length=12, verbose_name='customer field that matches the external id')),
                ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                ('disabled_reason', models.CharField(blank=True, max_length=255, verbose_name='why it was switched off')),
                ('disabled_at', models.DateTimeField(blank=True, null=True, verbose_name='switched off at')),
            ],
            options={
                'verbose_name': 'external measures settings',
                'verbose_name_plural': 'external measures settings',
            },
        ),
        migrations.CreateModel(
            name='MeasuresModel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fitted_at', models.DateTimeField(auto_now_add=True, verbose_name='fitted at')),
                ('cutoff', models.DateField(verbose_name='cutoff')),
                ('horizon_days', models.PositiveIntegerField(verbose_name='horizon (days)')),
                ('features', models.JSONField(default=list, verbose_name='features')),
                ('payload', models.BinaryField()),
                ('quality', models.JSONField(default=dict, verbose_name='quality')),
                ('training_rows', models.PositiveIntegerField(default=0, verbose_name='training rows')),
            ],
            options={
                'verbose_name': 'measures model',
                'verbose_name_plural': 'measures models',
                'ordering': ['-fitted_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='average_order_value',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='first_purchase_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='next_purchase_from',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='next_purchase_to',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='preferred_category_ids',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='preferred_designer_ids',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='rfm_frequency',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='rfm_monetary',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='rfm_recency',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='scored_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='segment',
            field=models.CharField(blank=True, choices=[('champions', 'Champions'), ('loyal', 'Loyal'), ('potential_loyalist', 'Potential loyalist'), ('new', 'New'), ('at_risk', 'At risk'), ('cant_lose', "Can't lose"), ('hibernating', 'Hibernating'), ('lost', 'Lost')], max_length=20, verbose_name='segment'),
        ),
        migrations.AddField(
            model_name='customermeasures',
            name='usual_interval_days',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='customercardproperty',
            name='measure',
            field=models.CharField(blank=True, choices=[('last_purchase_at', 'Last purchase'), ('sales_12mo', 'Sales 12 months'), ('sales_all', 'Sales all time'), ('churn_risk', 'Churn risk'), ('predicted_spend_12mo', 'Predicted spend'), ('segment', 'Segment'), ('average_order_value', 'Average order value'), ('usual_interval_days', 'Usual interval (days)'), ('next_purchase_window', 'Next purchase expected'), ('days_since_last_purchase', 'Days since last purchase'), ('orders_count', 'Orders')], max_length=32, verbose_name='measure'),
        ),
        migrations.AddIndex(
            model_name='customermeasures',
            index=models.Index(fields=['segment', 'customer'], name='measures_segment'),
        ),
        migrations.AddIndex(
            model_name='customermeasures',
            index=models.Index(fields=['churn_risk', 'customer'], name='measures_churn_risk'),
        ),
        migrations.AddField(
            model_name='externalmeasure',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='external_measures', to='clienteling.customer'),
        ),
        migrations.AddField(
            model_name='externalmeasuressettings',
            name='legal_entity',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='external_measures_settings', to='clienteling.legalentity', verbose_name='legal entity'),
        ),
        migrations.AddConstraint(
            model_name='externalmeasure',
            constraint=models.UniqueConstraint(fields=('customer', 'source', 'name'), name='external_measure_unique'),
        ),
    ]
