"""Every clienteling write that spans rows or has side effects.

Split by aggregate; callers use `from clienteling import services` and
`services.<noun>_<verb>(...)`.
"""

from .attributes import attribute_parse_value, attribute_values_set
from .audit import audit_events_prune, audit_record
from .branding import store_branding_publish
from .bulk import bulk_job_run, bulk_job_start, bulk_jobs_requeue_stale
from .client_books import (
    client_book_add,
    client_book_add_many,
    client_book_get_or_create,
    client_book_reassign,
    client_book_remove,
    customers_assign,
)
from .contact_history import *  # noqa: F403  written by conversations
from .contact_history import __all__ as _contact_all
from .data_requests import ErasureReport, customer_data_export, customer_erase
from .home_store import customers_store_assign
from .lists import *  # noqa: F403  saved lists, list templates, grid columns
from .lists import __all__ as _lists_all
from .org import staff_sync_access, store_ensure_stock_location
from .profile import *  # noqa: F403  notes, follow-ups, activities, contact details, tags
from .profile import __all__ as _profile_all
from .sales import customer_measures_refresh, customer_measures_refresh_stale, sale_record
from .sections import profile_sections_move
from .sequences import number_sequence_take, number_sequence_update

__all__ = [
    "attribute_parse_value", "attribute_values_set", "audit_events_prune", "audit_record",
    "bulk_job_run", "bulk_job_start", "bulk_jobs_requeue_stale", "ErasureReport", "customer_data_export",
    "customer_erase",
    "client_book_add", "client_book_add_many", "client_book_get_or_create", "client_book_reassign",
    "client_book_remove", "customers_assign", "customers_store_assign", "customer_measures_refresh",
    "customer_measures_refresh_stale", "number_sequence_take", "number_sequence_update", "sale_record",
    "profile_sections_move", "staff_sync_access",
    "store_branding_publish", "store_ensure_stock_location", *_profile_all, *_contact_all, *_lists_all,
]
