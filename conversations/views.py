"""The associate's conversations: inboxes, a thread with its composer, outreach lists."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from catalog import services as catalog_services
from catalog.models import Product
from catalog.selectors import product_search
from clienteling.access import access_customer, stores_for
from clienteling.htmx import with_toast
from clienteling.models import Channel, StaffProfile, Tag

from . import selectors, services
from .access import access_conversation, require_conversations
from .demo import provider_is_console, simulate_customer_reply
from .models import Conversation, Message, MessageTemplate, QuickReply
from .outreach import outreach_rows, outreach_tag_counts
from .registry import thread_actions_for

User = get_user_model()
PAGE = 50


class ConsoleLoginView(auth_views.LoginView):
    """Login that tells the associate straight away when messages are waiting."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if user.has_perm("conversations.access_conversations"):
            unread = selectors.unread_count(user=user)
            if unread:
                messages.info(self.request, ngettext(
                    "You have %(n)s unread message.", "You have %(n)s unread messages.",
                    unread) % {"n": unread})
        return response


def _inbox_context(request, conversations, *, tab, store=None):
    return {
        "conversations": list(conversations[:PAGE]),
        "tab": tab,
        "store": store,
        "stores": list(stores_for(request.user)),
    }


@login_required
@require_GET
def inbox(request):
    require_conversations(request.user)
    context = _inbox_context(request, selectors.my_inbox(user=request.user), tab="mine")
    return _render_inbox(request, context)


@login_required
@require_GET
def store_inbox(request, store_id: int):
    require_conversations(request.user)
    store = get_object_or_404(stores_for(request.user), pk=store_id)
    context = _inbox_context(request, selectors.store_inbox(user=request.user, store=store),
                             tab="store", store=store)
    return _render_inbox(request, context)


@login_required
@require_GET
def archived(request):
    require_conversations(request.user)
    context = _inbox_context(request, selectors.archived_inbox(user=request.user),
                             tab="archived")
    return _render_inbox(request, context)


def _render_inbox(request, context):
    template = "conversations/inbox.html"
    if request.htmx and request.htmx.target == "inbox-rows":
        template += "#rows"
    return render(request, template, context)


@login_required
@require_GET
def unread_badge(request):
    """Polled by the navigation so the badge updates without a reload."""
    if not request.user.has_perm("conversations.access_conversations"):
        return HttpResponse("")
    return render(request, "conversations/partials/unread_badge.html",
                  {"unread": selectors.unread_count(user=request.user)})


# --- A conversation --------------------------------------------------------------------


def _thread_context(request, conversation, *, before_id=None):
    page = selectors.conversation_messages(conversation=conversation, before_id=before_id,
                                           limit=PAGE + 1)
    has_older = len(page) > PAGE
    page = page[:PAGE]
    state = services.composer_state(conversation=conversation)
    store_staff = (User.objects.filter(staff_profile__active=True,
                                       staff_profile__stores=conversation.store)
                   .exclude(staff_profile__role=StaffProfile.Role.COMPANY_ADMIN)
                   .order_by("first_name", "last_name"))
    return {
        "conversation": conversation,
        "customer": conversation.customer,
        "messages_page": list(reversed(page)),
        "has_older": has_older,
        "oldest_id": page[-1].pk if page else None,
        "state": state,
        "quick_replies": QuickReply.objects.filter(
            Q(store__isnull=True) | Q(store=conversation.store), active=True),
        "templates": MessageTemplate.objects.filter(
            channel=conversation.channel, status=MessageTemplate.Status.MAPPED, active=True),
        "colleagues": store_staff,
        "simulate_replies": provider_is_console(channel=conversation.channel),
        "thread_actions": thread_actions_for(user=request.user, conversation=conversation),
    }


@login_required
@require_GET
def conversation_detail(request, conversation_id: int):
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    before_id = request.GET.get("before")
    before_id = int(before_id) if before_id and before_id.isdigit() else None
    context = _thread_context(request, conversation, before_id=before_id)
    if request.htmx and request.htmx.target in ("messages", "older"):
        return render(request, "conversations/conversation.html#messages", context)
    services.conversation_mark_read(conversation=conversation, user=request.user)
    return render(request, "conversations/conversation.html", context)


@login_required
@require_GET
def conversation_poll(request, conversation_id: int):
    """New messages and delivery states, polled while the thread is open."""
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    services.conversation_mark_read(conversation=conversation, user=request.user)
    return render(request, "conversations/conversation.html#messages",
                  _thread_context(request, conversation))


def _after_send(request, conversation, toast):
    if request.htmx:
        context = _thread_context(request, conversation)
        response = render(request, "conversations/conversation.html#thread", context)
        return with_toast(response, toast)
    messages.success(request, toast)
    return redirect("conversations:detail", conversation.pk)


def _blocked(request, conversation, error: ValidationError):
    text = " ".join(error.messages)
    if request.htmx:
        context = {**_thread_context(request, conversation), "send_error": text}
        return render(request, "conversations/conversation.html#thread", context, status=400)
    messages.error(request, text)
    return redirect("conversations:detail", conversation.pk)


@login_required
@require_POST
def message_create(request, conversation_id: int):
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    body = (request.POST.get("body") or "").strip()
    template = None
    variables = {}
    if request.POST.get("template"):
        template = MessageTemplate.objects.filter(
            pk=request.POST["template"], channel=conversation.channel,
            status=MessageTemplate.Status.MAPPED, active=True).first()
        if template is None:
            return HttpResponseBadRequest(_("Choose a template that is ready to send."))
        variables = {"custom_text": body}
        body = ""
    elif not body:
        return _blocked(request, conversation, ValidationError(_("Type a message first.")))
    if len(body) > 1600:
        return _blocked(request, conversation,
                        ValidationError(_("A message holds at most 1,600 characters.")))
    try:
        with transaction.atomic():
            services.message_send(conversation=conversation, sender=request.user, body=body,
                                  kind=Message.Kind.TEMPLATE if template else Message.Kind.TEXT,
                                  template=template, variables=variables)
    except ValidationError as error:
        return _blocked(request, conversation, error)
    return _after_send(request, conversation, _("Message queued."))


@login_required
@require_POST
def product_share(request, conversation_id: int):
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    product = get_object_or_404(Product, pk=request.POST.get("product"), active=True)
    try:
        with transaction.atomic():
            share = catalog_services.product_share_create(product=product,
                                                          created_by=request.user)
            link = request.build_absolute_uri(reverse("catalog:shared", args=[share.token]))
            services.message_send(conversation=conversation, sender=request.user,
                                  kind=Message.Kind.PRODUCT,
                                  body=f"{product.title} {link}")
    except ValidationError as error:
        return _blocked(request, conversation, error)
    return _after_send(request, conversation, _("Product shared."))


@login_required
@require_GET
def product_picker(request, conversation_id: int):
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    query = request.GET.get("q", "")[:100]
    return render(request, "conversations/partials/product_results.html", {
        "conversation": conversation, "products": product_search(query=query), "query": query})


@login_required
@require_POST
def opt_in_send(request, conversation_id: int):
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    try:
        with transaction.atomic():
            services.opt_in_request(conversation=conversation, sender=request.user)
    except ValidationError as error:
        return _blocked(request, conversation, error)
    return _after_send(request, conversation, _("Opt-in request sent."))


@login_required
@require_POST
def conversation_start(request, customer_id: int):
    """Open (or create) the customer's thread for a store and channel."""
    require_conversations(request.user)
    customer = access_customer(request.user, customer_id)
    store = get_object_or_404(stores_for(request.user), pk=request.POST.get("store"))
    channel = request.POST.get("channel", Channel.SMS)
    if channel not in Channel.values:
        return HttpResponseBadRequest(_("Unknown channel."))
    conversation = services.conversation_for(customer=customer, store=store, channel=channel,
                                             user=request.user)
    if request.POST.get("opt_in") == "1":
        try:
            with transaction.atomic():
                services.opt_in_request(conversation=conversation, sender=request.user)
            messages.success(request, _("Opt-in request sent."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("conversations:detail", conversation.pk)


@login_required
@require_POST
def conversation_assign(request, conversation_id: int):
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    assignee = User.objects.filter(pk=request.POST.get("assignee")).first()
    if assignee is None:
        return HttpResponseBadRequest(_("Choose a colleague."))
    try:
        services.conversation_assign(conversation=conversation, assignee=assignee,
                                     by=request.user)
    except ValidationError as error:
        return _blocked(request, conversation, error)
    messages.success(request, _("Conversation handed to %(name)s.") % {
        "name": assignee.get_full_name() or assignee.username})
    return redirect("conversations:detail", conversation.pk)


@login_required
@require_POST
def conversation_archive(request, conversation_id: int):
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    if conversation.status == Conversation.Status.ARCHIVED:
        services.conversation_unarchive(conversation=conversation, by=request.user)
        messages.success(request, _("Conversation moved back to the inbox."))
        return redirect("conversations:detail", conversation.pk)
    services.conversation_archive(conversation=conversation, by=request.user)
    messages.success(request, _("Conversation archived."))
    return redirect("conversations:inbox")


@login_required
@require_POST
def simulate_reply(request, conversation_id: int):
    """Embedded demo only: play the customer's reply through the real inbound path."""
    require_conversations(request.user)
    conversation = access_conversation(request.user, conversation_id)
    if not provider_is_console(channel=conversation.channel):
        raise Http404
    body = (request.POST.get("body") or "").strip()[:1600]
    if not body:
        return HttpResponseBadRequest(_("Type the customer's reply."))
    simulate_customer_reply(conversation=conversation, body=body)
    return _after_send(request, conversation, _("Customer reply simulated."))


# --- Outreach lists ----------------------------------------------------------------------


def _outreach_tags(user):
    return Tag.objects.filter(Q(store__isnull=True) | Q(store__in=stores_for(user)),
                              is_outreach_list=True, active=True).order_by("name")


@login_required
@require_GET
def outreach_lists(request):
    require_conversations(request.user)
    return render(request, "conversations/outreach_lists.html",
                  {"tags": outreach_tag_counts(tags=_outreach_tags(request.user),
                                                         user=request.user)})


@login_required
@require_GET
def outreach_detail(request, tag_id: int):
    require_conversations(request.user)
    tag = get_object_or_404(_outreach_tags(request.user), pk=tag_id)
    store = (tag.store if tag.store_id else None) or _home_store(request.user)
    rows = outreach_rows(tag=tag, user=request.user, store=store)
    return render(request, "conversations/outreach_detail.html", {
        "tag": tag, "rows": rows, "store": store,
        "templates": MessageTemplate.objects.filter(status=MessageTemplate.Status.MAPPED,
                                                    active=True, channel=Channel.SMS),
    })


def _home_store(user):
    from clienteling.selectors.navigation import home_store_for

    return home_store_for(user)


