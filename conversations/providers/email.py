"""Email through Django's email backend (SMTP in production)."""

import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from .addresses import recipient_of
from .base import BaseProvider, PermanentError, SendResult, TransientError, UnknownOutcome


class EmailProvider(BaseProvider):
    name = "email"

    def send(self, message) -> SendResult:
        conversation = message.conversation
        to = recipient_of(message)
        store = conversation.store
        subject = message.subject or _("A message from %(store)s") % {"store": store.name}
        body = message.body
        if message.media_urls:
            body += "\n\n" + "\n".join(message.media_urls)
        from_address = settings.MESSAGING_EMAIL_FROM or settings.DEFAULT_FROM_EMAIL
        email = EmailMessage(
            subject=subject, body=body, from_email=formataddr((store.name, from_address)), to=[to],
            # The same id on every attempt lets mail systems drop a duplicate.
            headers={"Message-ID": f"<{message.idempotency_key}@atelier>",
                     "X-Atelier-Message": str(message.pk)},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(_("The mail server refused the address %(to)s.") % {"to": to},
                                 code="rcpt_refused") from exc
        except smtplib.SMTPResponseException as exc:
            code = str(exc.smtp_code)
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
                else str(exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                raise TransientError(text, code=code) from exc
            raise PermanentError(text, code=code) from exc
        except smtplib.SMTPServerDisconnected as exc:
            # The server may have taken the message before the connection dropped.
            raise UnknownOutcome(_("The mail server hung up mid-send."), code="disconnected") from exc
        except TimeoutError as exc:
            raise UnknownOutcome(_("No answer from the mail server."), code="timeout") from exc
        except (smtplib.SMTPConnectError, ConnectionError, OSError) as exc:
            raise TransientError(_("The mail server could not be reached."), code="connection") from exc
        return SendResult(provider_sid=f"email:{message.idempotency_key.hex}", status="sent")
