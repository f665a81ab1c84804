"""Where images sent to customers are kept: an unguessable name under one folder."""

import re

IMAGE_MAX_BYTES = 5 * 1024 * 1024  # Twilio's limit for one MMS
# Sniffed from the first bytes: the browser's content type is the client's word only.
IMAGE_SIGNATURES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"),
                    (b"GIF89a", "gif"))
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}
MEDIA_FOLDER = "conversations/outbound"
MEDIA_NAME = re.compile(r"^[A-Za-z0-9_-]{32}\.(jpg|png|gif)$")
