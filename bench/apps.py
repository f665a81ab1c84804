from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks as management commands (not timed tests)."""

    name = "bench"
    verbose_name = "Benchmarks"
