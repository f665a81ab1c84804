"""Reference data that changes when someone saves it, read from the cache between saves.

The customer list offers tags, mailing lists, designers, categories, item types and the
filterable attributes on every page: a handful of small tables an admin edits now and
then. `cached(key, models, build)` keeps `build()`'s result until a row of one of
`models` is saved or deleted (one version number per model, bumped by the save and
again when it commits), or until REFERENCE_CACHE_SECONDS pass for writes that send no signal
(`update()`, `bulk_create()`).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

_watched: set = set()


def _version_key(model) -> str:
    return f"reference-version:{model._meta.label_lower}"


def bump(model) -> None:
    """Retire what is cached from `model`'s rows: now, and again once the change commits
    (a reader between the two may have cached the rows as they were before it)."""
    key = _version_key(model)

    def retire():
        try:
            cache.incr(key)
        except ValueError:  # never read yet: nothing cached under it
            cache.set(key, 1, None)

    retire()
    transaction.on_commit(retire)


def _changed(sender, **kwargs) -> None:
    bump(sender)


def watch(*models) -> None:
    """Bump a model's version on every save and delete; called from AppConfig.ready(), so
    that every process (web, worker, shell) retires the cache, not only the readers."""
    for model in models:
        if model not in _watched:
            _watched.add(model)
            uid = f"reference-{model._meta.label_lower}"
            post_save.connect(_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(_changed, sender=model, dispatch_uid=uid)


def cached(key: str, models: tuple, build):
    if unwatched := [model for model in models if model not in _watched]:
        raise RuntimeError(f"reference.watch() them at startup first: {unwatched}")
    version_keys = [_version_key(model) for model in models]
    versions = cache.get_many(version_keys)
    stamp = ".".join(str(versions.get(name, 0)) for name in version_keys)
    full_key = f"reference:{key}:{stamp}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, settings.REFERENCE_CACHE_SECONDS)
    return value
