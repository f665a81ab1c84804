"""The Company Admin's site: Django's admin, branded, and never a 5xx for a bad query string."""

import logging

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ValidationError
from django.db import DataError, transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
# What a hand-edited filter value can raise deep in a list query: a number too big for
# the column (OverflowError on SQLite, DataError on PostgreSQL), a date out of range...
BAD_QUERY_ERRORS = (OverflowError, DataError, ValidationError, ValueError)


class AtelierAdminSite(admin.AdminSite):
    site_header = _("Atelier")
    site_title = _("Atelier admin")
    index_title = _("Company configuration")

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.method != "GET" or not request.GET:
                return wrapped(request, *args, **kwargs)
            try:
                with transaction.atomic():  # a failed statement must not spoil the connection
                    return wrapped(request, *args, **kwargs)
            except BAD_QUERY_ERRORS as error:
                # What the admin does for a filter it does not understand: the list, unfiltered,
                # with "?e=1" (its "invalid filter" notice).
                logger.warning("admin %s: bad query string %r (%s)", request.path, request.GET.urlencode(),
                            error.__class__.__name__)
                return HttpResponseRedirect(f"{request.path}?e=1")

        guarded.__wrapped__ = wrapped
        guarded.admin_site = self
        return guarded


class AtelierAdminConfig(AdminConfig):
    default_site = "config.admin.AtelierAdminSite"
