"""Contact history: the facts list filters need, written by conversations."""

__all__: list[str] = []
