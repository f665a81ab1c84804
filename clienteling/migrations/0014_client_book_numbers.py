"""Client book identifiers from a number sequence the admin shapes.

The existing books are numbered here in the order they were made, and the sequence continues
after them; 0015 then makes the identifier required.
"""

from django.db import migrations, models


def number_books(apps, schema_editor):
    NumberSequence = apps.get_model("clienteling", "NumberSequence")
    ClientBook = apps.get_model("clienteling", "ClientBook")
    sequence, _created = NumberSequence.objects.get_or_create(
        scope="client_book", defaults={"prefix": "CB-", "padding": 6, "next_number": 1})
    number = sequence.next_number
    for book in ClientBook.objects.filter(number__isnull=True).order_by("created_at", "pk"):
        book.number = f"{sequence.prefix}{number:0{sequence.padding}d}"
        book.save(update_fields=["number"])
        number += 1
    NumberSequence.objects.filter(pk=sequence.pk).update(next_number=number)


class Migration(migrations.Migration):

    dependencies = [
        ('clienteling', '0013_contact_facts'),
    ]

    operations = [
        migrations.CreateModel(
            name='NumberSequence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(choices=[('client_book', 'Client books')], max_length=32, unique=True, verbose_name='numbers')),
                ('prefix', models.CharField(blank=True, default='CB-', max_length=12, verbose_name='prefix')),
                ('padding', models.PositiveSmallIntegerField(default=6, help_text='Numbers are padded with zeros to this many digits.', verbose_name='digits')),
                ('next_number', models.PositiveBigIntegerField(default=1, verbose_name='next number')),
            ],
            options={
                'verbose_name': 'number sequence',
                'verbose_name_plural': 'number sequences',
                'ordering': ['scope'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('padding__gte', 1), ('padding__lte', 12)), name='number_sequence_padding_1_12'),
                    models.CheckConstraint(condition=models.Q(('next_number__gte', 1)), name='number_sequence_next_positive'),
                ],
            },
        ),
        migrations.AddField(
            model_name='clientbook',
            name='number',
            field=models.CharField(editable=False, max_length=40, null=True, unique=True, verbose_name='identifier'),
        ),
        migrations.RunPython(number_books, migrations.RunPython.noop),
    ]
