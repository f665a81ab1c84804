"""Developer machine and the embedded demo (`make run`)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# A development VAPID key pair, so push works in `make run`; production sets its own.
PUSH_VAPID_PRIVATE_KEY = env("PUSH_VAPID_PRIVATE_KEY", default="4e8xAqMRAEaPtHX2CiTPkdZ5oboge0ZJ5X3O952shKo")
PUSH_VAPID_PUBLIC_KEY = env("PUSH_VAPID_PUBLIC_KEY", default=(
    "BKr0wkUYx82Jm2qd1UlYJmIpR4cewh0pcxMWn9tDkcqfY6_ok9TB28rV2V4UPDXw3KfQoNzsZaGeW3X0dNYWzuY"))
