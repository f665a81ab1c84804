"""Who may see what: store scope, customer scope and masking.

Views never fetch by id without one of these. Out-of-scope objects are 404,
not 403, so ids cannot be probed.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .models import Customer, ModuleSettings, SavedCustomerList, StaffProfile, Store


def staff_profile(user) -> StaffProfile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def is_company_admin(user) -> bool:
    profile = staff_profile(user)
    return user.is_superuser or bool(
        profile and profile.role == StaffProfile.Role.COMPANY_ADMIN
    )


def _stores_with(user, codename: str) -> QuerySet[Store]:
    """Active stores the user holds a per-store object permission on (django-guardian).

    staff_sync_access grants work_in_store / manage_store from the staff profile;
    reading them back here keeps one source of truth for store scope. Only the
    user's own object permissions count (no global "work in every store", no
    group object permissions), and the result is a lazy subquery: callers that
    filter by it (``store__in=stores_for(user)``) run no extra query.
    """
    return get_objects_for_user(
        user, codename, klass=Store.objects.filter(active=True), use_groups=False,
        with_superuser=False, accept_global_perms=False,
    )


def stores_for(user) -> QuerySet[Store]:
    """Stores the user works in (every store for company admins)."""
    if is_company_admin(user):
        return Store.objects.filter(active=True)
    profile = staff_profile(user)
    if profile is None or not profile.active:
        return Store.objects.none()
    return _stores_with(user, "work_in_store")


def managed_stores_for(user) -> QuerySet[Store]:
    """Stores the user manages (every store for company admins)."""
    if is_company_admin(user):
        return Store.objects.filter(active=True)
    profile = staff_profile(user)
    if profile is None or not profile.active or profile.role != StaffProfile.Role.STORE_MANAGER:
        return Store.objects.none()
    return _stores_with(user, "manage_store")


def customers_for(user) -> QuerySet[Customer]:
    """Every customer the user may see: those of their legal entity (erased ones are gone)."""
    if user.is_superuser:
        return Customer.objects.filter(erased_at__isnull=True)
    profile = staff_profile(user)
    if profile is None or not profile.active or not user.has_perm(
        "clienteling.view_customer_profile"
    ):
        return Customer.objects.none()
    return Customer.objects.filter(legal_entity_id=profile.legal_entity_id, erased_at__isnull=True)


def access_customer(user, customer_id) -> Customer:
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    customer = (customers_for(user).select_related("home_store", "primary_salesperson")
                .filter(pk=customer_id).first())
    if customer is None:
        raise Http404
    return customer


def access_store(user, store_id) -> Store:
    store = stores_for(user).filter(pk=store_id).first()
    if store is None:
        raise Http404
    return store


def list_templates_managed_by(user) -> QuerySet[SavedCustomerList]:
    """List templates the user may edit, publish and retire.

    Company admins: every template. Store managers: the templates of the stores
    they manage. Company-wide templates (no store) belong to company admins;
    managers see them but do not change them.
    """
    templates = SavedCustomerList.objects.filter(is_template=True)
    if is_company_admin(user):
        return templates
    if not user.has_perm("clienteling.manage_list_templates"):
        return templates.none()
    return templates.filter(store__in=managed_stores_for(user))


def list_templates_listed_for(user) -> QuerySet[SavedCustomerList]:
    """What the manage page lists: the user's manageable templates plus company-wide ones."""
    templates = SavedCustomerList.objects.filter(is_template=True)
    if is_company_admin(user):
        return templates
    if not user.has_perm("clienteling.manage_list_templates"):
        return templates.none()
    return templates.filter(Q(store__isnull=True) | Q(store__in=managed_stores_for(user)))


def list_templates_published_for(user) -> QuerySet[SavedCustomerList]:
    """Published templates an associate may copy: company-wide ones and their stores'."""
    return SavedCustomerList.objects.filter(
        Q(store__isnull=True) | Q(store__in=stores_for(user)),
        is_template=True, template_status=SavedCustomerList.TemplateStatus.PUBLISHED,
    )


def access_list_template(user, template_id) -> SavedCustomerList:
    """A template the user may change; any other id is 404."""
    try:
        template_id = int(template_id)
    except (TypeError, ValueError):
        raise Http404 from None
    template = list_templates_managed_by(user).select_related("store").filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


def access_saved_list(user, list_id) -> SavedCustomerList:
    """One of the user's own saved lists; anyone else's is 404."""
    try:
        list_id = int(list_id)
    except (TypeError, ValueError):
        raise Http404 from None
    saved = SavedCustomerList.objects.filter(pk=list_id, owner=user, is_template=False).first()
    if saved is None:
        raise Http404
    return saved


def customers_available(user) -> bool:
    """require_customer_module as a yes/no, for menus and buttons."""
    return (ModuleSettings.load().customers_enabled
            and user.has_perm("clienteling.view_customer_profile"))


def require_customer_module(user) -> None:
    """The customer module switched off makes its URLs answer 404."""
    if not ModuleSettings.load().customers_enabled:
        raise Http404
    if not user.has_perm("clienteling.view_customer_profile"):
        raise PermissionDenied


def can_see_sensitive(user) -> bool:
    return user.has_perm("clienteling.view_sensitive_customer_data")


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return "•••" if value else ""
    local, domain = value.split("@", 1)
    return f"{local[:1]}•••@{domain[:1]}•••"


def mask_phone(value) -> str:
    text = str(value or "")
    if not text:
        return ""
    return "•••• " + text[-2:]


MASKED = "•••"


def module_view(require):
    """A module's one gate for its views: signed in, then `require(user)`, which answers 404
    when the module is switched off and 403 without its permission; `permission=` adds the
    view's own right (403 without it).

    `@customers_view` or `@customers_view(permission="clienteling.view_own_client_book")`.
    """

    def gate(view=None, *, permission: str | None = None):
        def decorate(view):
            @wraps(view)
            @login_required
            def gated(request, *args, **kwargs):
                require(request.user)
                if permission and not request.user.has_perm(permission):
                    raise PermissionDenied
                return view(request, *args, **kwargs)

            return gated

        return decorate(view) if view is not None else decorate

    return gate


customers_view = module_view(require_customer_module)
