from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .customer import Customer
from .org import LegalEntity


class ClientBook(models.Model):
    """An associate's book of key customers, one per associate per legal entity.

    A customer may sit in several associates' books (stylists often share a
    client); the store client book is the union of the books of associates
    whose stores share the store group.
    """

    # From the client book number sequence (services.client_book_get_or_create); never changes.
    number = models.CharField(_("identifier"), max_length=40, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="client_books")
    legal_entity = models.ForeignKey(LegalEntity, models.PROTECT, related_name="client_books")
    created_at = models.DateTimeField(auto_now_add=True)
    customers = models.ManyToManyField(
        Customer, through="ClientBookEntry", related_name="client_books"
    )

    class Meta:
        verbose_name = _("client book")
        verbose_name_plural = _("client books")
        constraints = [
            models.UniqueConstraint(fields=["owner", "legal_entity"], name="client_book_unique_owner")
        ]

    def __str__(self):
        return f"{self.number} {self.owner}" if self.number else str(self.owner)


class ClientBookEntry(models.Model):
    book = models.ForeignKey(ClientBook, models.CASCADE, related_name="entries")
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="client_book_entries")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client book entry")
        verbose_name_plural = _("client book entries")
        constraints = [
            models.UniqueConstraint(fields=["book", "customer"], name="client_book_entry_unique")
        ]
        indexes = [models.Index(fields=["customer", "book"], name="client_book_entry_customer")]
