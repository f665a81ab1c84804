"""appointments write services: each write has one public, keyword-only entry point."""

from .booking import (
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_move,
    booking_customer_match_or_create,
    booking_page_get_or_create,
    double_booked_message,
    public_booking_create,
    public_booking_move,
)
from .reminders import appointment_confirmation_send, appointment_reminders_send_due

__all__ = [
    "appointment_book", "appointment_cancel", "appointment_confirmation_send", "appointment_mark",
    "appointment_move", "appointment_reminders_send_due", "booking_customer_match_or_create",
    "booking_page_get_or_create", "double_booked_message", "public_booking_create", "public_booking_move",
]
