"""Registries that let higher apps plug into clienteling screens.

clienteling never imports conversations or carts; they register their profile
sections and bulk actions here from their AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProfileSectionKind:
    key: str
    label: Any  # lazy translation
    template: str
    # context(user=, customer=, section=) -> dict of plain data for the template
    context: Callable[..., dict] | None = None
    shows_attributes: bool = False
    permission: str | None = None


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: Any
    icon: str
    # run(job, customer_ids) performs the action on one chunk; see services.
    run: Callable[..., None]
    permission: str | None = None
    form_class: Any = None
    runs_in_background: bool = True
    # A finished job's own report (a send's sent/skipped/failed counts): summary(job=) -> dict
    # of plain data for summary_template, shown under the progress bar instead of the generic line.
    summary: Callable[..., dict] | None = None
    summary_template: str = ""


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any
    icon: str
    url_name: str
    # available(user) -> bool: module switches and permissions, decided here, not in templates
    available: Callable[..., bool]
    # The few that fit the phone's bottom bar.
    shortcut: bool = False
    # A URL (by name) the item asks for a count to show beside it (unread messages).
    badge_url_name: str = ""
    # Shorter label for the phone's bottom bar.
    short_label: Any = None
    # Highlighted only on its own URL, not on the pages under it.
    exact: bool = False


@dataclass(frozen=True)
class ModuleSwitch:
    """A module a Company Admin can switch off (Admin > Module control); on by default."""

    key: str
    label: Any
    help_text: Any = ""


@dataclass(frozen=True)
class RolePermissions:
    """The permissions an app gives each built-in role (app.codename strings).

    `company_admin_app` gives the Company Admin every permission of the app.
    """

    key: str  # the app label
    associate: frozenset = frozenset()
    store_manager: frozenset = frozenset()
    company_admin_app: bool = True


@dataclass(frozen=True)
class LoginNotice:
    """A line shown once after signing in: message(user) -> text, or "" for nothing."""

    key: str
    message: Callable[..., str]


@dataclass(frozen=True)
class PersonalDataPart:
    """What one app holds about a customer, for data requests (export and erasure).

    Each app registers the parts it owns, so clienteling exports and erases what
    conversations and carts hold without importing them.
    """

    key: str
    label: Any
    # export(customer) -> list of flat dicts (JSON-ready): one CSV file, one key in the JSON
    export: Callable[..., list[dict]]
    # erase(customer) -> list of follow-ups at providers (their own copies), run inside the
    # erasure's transaction
    erase: Callable[..., list[str]]
    # files(customer) -> [(name, bytes)] stored with the export (message images ...)
    files: Callable[..., list[tuple[str, bytes]]] | None = None


@dataclass(frozen=True)
class LinkComposer:
    """Puts a message carrying a link in a thread's composer, for the associate to review and send.

    compose(request, customer=, body=) -> the thread's URL, or ValidationError when no thread
    can take it now; available(user) -> bool. Conversations registers it; the profile's
    "my details" link uses it.
    """

    key: str
    compose: Callable[..., str]
    available: Callable[..., bool]


@dataclass
class Registry:
    kind: str
    _items: dict = field(default_factory=dict)

    def register(self, item) -> None:
        self._items[item.key] = item

    def get(self, key: str):
        return self._items.get(key)

    def __iter__(self):
        return iter(self._items.values())

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def choices(self) -> list[tuple[str, Any]]:
        return [(item.key, item.label) for item in self._items.values()]


@dataclass(frozen=True)
class ActivityKind:
    """An activity type Atelier creates (by slug): its name in the reader's language, as long as
    the Company Admin keeps the English name it was created with."""

    key: str  # ActivityType.slug
    label: Any  # lazy translation


@dataclass(frozen=True)
class TimelineText:
    """A timeline line an app writes itself (an appointment booked, details a customer changed):
    stored as this key and plain parameters, rendered in the reader's language when shown.
    Activity.summary keeps the line in the site's language, for search and the admin."""

    key: str
    # render(params: dict) -> str, called in the reader's language
    render: Callable[[dict], str]


profile_sections = Registry("profile section")
bulk_actions = Registry("bulk action")
nav_items = Registry("navigation item")
personal_data = Registry("personal data part")
module_switches = Registry("module switch")
role_permissions = Registry("role permissions")
login_notices = Registry("login notice")
link_composers = Registry("link composer")
activity_kinds = Registry("activity kind")
timeline_texts = Registry("timeline text")


@dataclass(frozen=True)
class PushNotice:
    """One notification for some staff members: render() -> {"title", "body", "url", "tag"},
    called in each recipient's language."""

    user_ids: tuple
    render: Callable[[], dict]


@dataclass(frozen=True)
class PushKind:
    """A kind of Web Push notification a higher app sends (a customer's message, a paid cart).

    notices(object_ids) -> [PushNotice]: who is told of these objects, and what they read.
    Sent by clienteling (services.push) from a task, so the app's own service only names the
    kind and the ids.
    """

    key: str
    label: Any
    notices: Callable[..., list]


push_kinds = Registry("push notification kind")


@dataclass(frozen=True)
class TodaySection:
    """A section a higher app puts on Today, above its own panels (the next best actions, goals).

    context(user=, store=, today=) -> dict of plain data for `template` (as `data`), or None to
    show nothing; `order` sorts the sections.
    """

    key: str
    template: str
    context: Callable[..., dict | None]
    order: int = 0


today_sections = Registry("today section")
