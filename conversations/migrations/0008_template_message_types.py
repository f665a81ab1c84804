"""Template message types (text, media, quick replies) and the publish-on-save lifecycle.

The free-text message type becomes the nearest choice; "mapped" (approved and every
placeholder linked) is gone: every linked, approved template is usable, so mapped
becomes approved. Email and SMS templates no longer wait for anyone's approval.
"""

import django.db.models.deletion
from django.db import migrations, models

MEDIA_WORDS = ("media", "image", "photo", "picture", "mms", "header", "video")
BUTTON_WORDS = ("quick", "button", "reply", "interactive", "action")


def nearest_type(value: str, channel: str) -> str:
    value = (value or "").strip().lower()
    if any(word in value for word in BUTTON_WORDS):
        # Quick replies exist on WhatsApp only: elsewhere such a template was text.
        return "quick_reply" if channel == "whatsapp" else "text"
    if any(word in value for word in MEDIA_WORDS):
        return "media"
    return "text"


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("conversations", "MessageTemplate")
    for template in MessageTemplate.objects.only("pk", "message_type", "channel").iterator():
        kind = nearest_type(template.message_type, template.channel)
        if kind != template.message_type:
            MessageTemplate.objects.filter(pk=template.pk).update(message_type=kind)
    MessageTemplate.objects.filter(status="mapped").update(status="approved")
    MessageTemplate.objects.filter(status="received").exclude(channel="whatsapp").update(status="approved")


def backwards(apps, schema_editor):
    # Approved templates were usable, as mapped ones were.
    MessageTemplate = apps.get_model("conversations", "MessageTemplate")
    MessageTemplate.objects.filter(status="approved").update(status="mapped")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_search_text_statistics"),
        ("conversations", "0007_message_queued_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="messagetemplate",
            name="buttons",
            field=models.JSONField(blank=True, default=list, verbose_name="quick-reply buttons"),
        ),
        migrations.AddField(
            model_name="messagetemplate",
            name="header_image_url",
            field=models.URLField(blank=True, help_text="Media templates: a public https address of the image sent above the text.", max_length=500, verbose_name="header image URL"),  # noqa: E501
        ),
        migrations.AddField(
            model_name="messagetemplate",
            name="header_product",
            field=models.ForeignKey(blank=True, help_text="Media templates: send this product's image (when no image URL is given).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="catalog.product", verbose_name="header image from product"),  # noqa: E501
        ),
        migrations.AddField(
            model_name="messagetemplate",
            name="submitted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True,
                                       verbose_name="submitted to WhatsApp at"),
        ),
        migrations.AddField(
            model_name="templatevariable",
            name="sample",
            field=models.CharField(blank=True, help_text="WhatsApp reviews the template with this value in place.", max_length=200, verbose_name="sample value"),  # noqa: E501
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="content_sid",
            field=models.CharField(blank=True, help_text="WhatsApp: the content template in Twilio's Content API (made when submitted).", max_length=64, verbose_name="Twilio Content SID"),  # noqa: E501
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="rejection_reason",
            field=models.CharField(blank=True, max_length=1000, verbose_name="rejection reason"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="messagetemplate",
            name="message_type",
            field=models.CharField(choices=[("text", "Text"), ("media", "Text with a header image"), ("quick_reply", "Text with quick-reply buttons (WhatsApp)")], default="text", max_length=20, verbose_name="message type"),  # noqa: E501
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="status",
            field=models.CharField(choices=[("received", "Waiting for WhatsApp approval"), ("approved", "Approved"), ("rejected", "Rejected")], default="received", max_length=12, verbose_name="status"),  # noqa: E501
        ),
    ]
