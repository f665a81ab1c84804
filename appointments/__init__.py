"""Appointments: types, availability, bookings by associates and by customers, reminders."""
