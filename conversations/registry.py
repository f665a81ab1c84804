"""Registries that let higher apps plug into the conversation screen.

conversations never imports carts; carts registers its thread actions (open
the customer's remote cart, share from the catalog) here from its
AppConfig.ready(), the way conversations registers into clienteling.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clienteling.registry import Registry


@dataclass(frozen=True)
class ThreadAction:
    key: str
    label: Any  # lazy translation
    icon: str
    # url(conversation) -> where the action lives
    url: Callable[..., str]
    # available(user) -> bool; None means every user who may open the thread
    available: Callable[..., bool] | None = None
    # "post" for an action that creates something (a form button, never a link)
    method: str = "get"


thread_actions = Registry("thread action")


def thread_actions_for(*, user, conversation) -> list[dict]:
    """Plain data for the template: the actions this user has on this thread."""
    return [
        {"key": action.key, "label": action.label, "icon": action.icon, "url": action.url(conversation),
         "method": action.method}
        for action in thread_actions
        if action.available is None or action.available(user)
    ]
