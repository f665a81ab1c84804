"""Profile writes: notes, follow-ups, activities, contact details and tags."""

__all__: list[str] = []
