"""The associate's conversations: inboxes, a thread with its composer, outreach lists."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from catalog.replica import heavy_reads
from catalog.selectors import prices_in, product_search
from clienteling import services as clienteling_services
from clienteling.access import access_customer, access_store, managed_stores_for, stores_for
from clienteling.htmx import bad_request, form_errors_text, with_toast
from clienteling.models import BulkJob, Tag

from . import selectors, services
from .access import access_conversation, conversations_enabled, conversations_view
from .demo import provider_is_demo, simulate_customer_reply
from .drafts import composer_draft_pop
from .forms import (
    AssignForm,
    ConversationStartForm,
    MessageForm,
    OutreachSendForm,
    PreviewForm,
    ProductShareForm,
    SimulateReplyForm,
    colleagues_for,
    outreach_templates,
)
from .models import Conversation, Message
from .outreach import (
    campaign_conversations,
    campaign_progress_recent,
    outreach_report,
    outreach_rows,
    outreach_tag_counts,
)
from .providers import ProviderError
from .registry import thread_actions_for
from .selectors.composer import composer_quick_replies, composer_templates, template_version
from .templating import TemplateRenderError

PAGE = 50


def _inbox_context(request, conversations, *, tab, store=None, archived=False):
    today = timezone.localdate()
    return {
        "today": today.isoformat(),
        "this_year": str(today.year),
        "conversations": list(conversations[:PAGE]),
        "tab": tab,
        "store": store,
        "archived": archived,
        "show_assignee": tab == "store" or archived,
        "stores": list(stores_for(request.user).order_by("name")),
    }


@conversations_view
@require_GET
def inbox(request):
    context = _inbox_context(request, selectors.my_inbox(user=request.user), tab="mine")
    return _render_inbox(request, context)


@conversations_view
@require_GET
def store_inbox(request, store_id: int):
    store = access_store(request.user, store_id)
    context = _inbox_context(request, selectors.store_inbox(user=request.user, store=store),
                             tab="store", store=store)
    return _render_inbox(request, context)


@conversations_view
@require_GET
def archived(request):
    """My archived threads."""
    context = _inbox_context(request, selectors.archived_inbox(user=request.user), tab="archived",
                             archived=True)
    return _render_inbox(request, context)


@conversations_view
@require_GET
def archived_store(request, store_id: int):
    """A store's archived threads, for its staff."""
    store = access_store(request.user, store_id)
    context = _inbox_context(request, selectors.archived_inbox(user=request.user, store=store),
                             tab="archived", store=store, archived=True)
    return _render_inbox(request, context)


def _render_inbox(request, context):
    template = "conversations/inbox.html"
    if request.htmx and request.htmx.target == "inbox-rows":
        template += "#rows"
    return render(request, template, context)


@login_required
@require_GET
def unread_badge(request):
    """Polled by the navigation so the badge updates without a reload; it polls itself again.

    Open to any signed-in user, not gated by the module: with conversations off or
    without the right it answers an empty badge that stops polling.
    """
    place = "bottom" if request.GET.get("place") == "bottom" else "top"
    allowed = conversations_enabled() and request.user.has_perm("conversations.access_conversations")
    return render(request, "conversations/partials/unread_badge.html", {
        "unread": selectors.unread_count(user=request.user) if allowed else 0,
        "place": place, "poll": allowed,
        "every": max(1, int(settings.CONVERSATIONS_BADGE_POLL_SECONDS)),
    })


# --- A conversation --------------------------------------------------------------------


def _thread_context(request, conversation, *, before_id=None, form=None):
    page = selectors.conversation_messages(conversation=conversation, before_id=before_id,
                                           limit=PAGE + 1)
    has_older = len(page) > PAGE
    page = page[:PAGE]
    return {
        "conversation": conversation,
        "customer": conversation.customer,
        "messages_page": list(reversed(page)),
        "poll_seconds": selectors.thread_poll_seconds(list(reversed(page)), now=timezone.now()),
        "has_older": has_older,
        "oldest_id": page[-1].pk if page else None,
        "state": selectors.composer_state(conversation=conversation),
        # One version of each, in the customer's language when there is one.
        "quick_replies": composer_quick_replies(conversation=conversation),
        "templates": composer_templates(conversation=conversation),
        "colleagues": list(colleagues_for(conversation)),
        "simulate_replies": provider_is_demo(channel=conversation.channel),
        "thread_actions": thread_actions_for(user=request.user, conversation=conversation),
        "form": form,
    }


def _render_thread(request, conversation, *, status=200, send_error="", toast=""):
    context = {**_thread_context(request, conversation), "send_error": send_error}
    template = "conversations/conversation.html"
    if request.htmx:
        template += "#thread"
    response = render(request, template, context, status=status)
    return with_toast(response, toast) if toast and request.htmx else response


@conversations_view
@require_GET
def conversation_detail(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    before_id = request.GET.get("before")
    before_id = int(before_id) if before_id and before_id.isdigit() else None
    context = _thread_context(request, conversation, before_id=before_id)
    if request.htmx and request.htmx.target in ("messages", "older"):
        return render(request, "conversations/conversation.html#messages", context)
    services.conversation_mark_read(conversation=conversation, user=request.user)
    # A message another screen prepared (a shared cart's) waits in the composer, unsent.
    context["draft"] = composer_draft_pop(request, conversation_id=conversation.pk)
    return render(request, "conversations/conversation.html", context)


@conversations_view
@require_GET
def conversation_poll(request, conversation_id: int):
    """New messages and delivery states, polled while the thread is open."""
    conversation = access_conversation(request.user, conversation_id)
    services.conversation_mark_read(conversation=conversation, user=request.user)
    page = selectors.conversation_messages(conversation=conversation, limit=PAGE + 1)
    shown = list(reversed(page[:PAGE]))
    return render(request, "conversations/conversation.html#messages", {
        "conversation": conversation, "messages_page": shown,
        "poll_seconds": selectors.thread_poll_seconds(shown, now=timezone.now()),
        "has_older": len(page) > PAGE, "oldest_id": page[PAGE - 1].pk if len(page) > PAGE else None})


def _after_send(request, conversation, toast):
    if request.htmx:
        return _render_thread(request, conversation, toast=toast)
    messages.success(request, toast)
    return redirect("conversations:detail", conversation.pk)


def _blocked(request, conversation, error: ValidationError):
    """A rule refused the send: say why, with the composer as it was."""
    text = " ".join(error.messages)
    if request.htmx:
        return _render_thread(request, conversation, status=400, send_error=text)
    messages.error(request, text)
    return redirect("conversations:detail", conversation.pk)


def _bad_input(request, conversation, text: str):
    """Input the form refused: 400 with the reason, on the thread (htmx) or the page."""
    return _render_thread(request, conversation, status=400, send_error=text)


@conversations_view
@require_POST
def message_create(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    form = MessageForm(request.POST, request.FILES, conversation=conversation)
    if not form.is_valid():
        return _bad_input(request, conversation, form_errors_text(form))
    data = form.cleaned_data
    template, body = data["template"], data["body"]
    variables = {"custom_text": body} if template else {}
    try:
        message = services.message_send(
            conversation=conversation, sender=request.user, body="" if template else body,
            kind=Message.Kind.TEMPLATE if template else Message.Kind.TEXT, template=template,
            variables=variables, images=[data["image"]] if data["image"] else [],
            scheduled_for=data["send_at"])
    except ValidationError as error:
        return _blocked(request, conversation, error)
    if message.status == Message.Status.SCHEDULED:
        return _after_send(request, conversation, _("Message scheduled."))
    return _after_send(request, conversation, _("Message queued."))


@conversations_view
@require_GET
def message_preview(request, conversation_id: int):
    """The chosen template rendered with this thread's data, as the customer would read it."""
    conversation = access_conversation(request.user, conversation_id)
    form = PreviewForm(request.GET, conversation=conversation)
    context = {"preview": "", "error": ""}
    if not form.is_valid():
        context["error"] = form_errors_text(form)
        return render(request, "conversations/conversation.html#preview", context, status=400)
    try:
        context["preview"] = selectors.template_preview(
            conversation=conversation, template=form.cleaned_data["template"], sender=request.user,
            variables={"custom_text": form.cleaned_data["body"]})
        context["preview_template"] = form.cleaned_data["template"]  # its header image and buttons
        context["preview_note"] = template_version(conversation=conversation,
                                                   template=form.cleaned_data["template"]).fallback_note
    except TemplateRenderError as error:
        context["error"] = " ".join(error.messages)
    return render(request, "conversations/conversation.html#preview", context)


@conversations_view
@require_POST
def scheduled_cancel(request, conversation_id: int, message_id: int):
    conversation = access_conversation(request.user, conversation_id)
    message = get_object_or_404(Message.objects.select_related("conversation"), pk=message_id,
                                conversation=conversation, direction=Message.Direction.OUTBOUND)
    if not services.message_schedule_cancel(message=message, by=request.user):
        return _bad_input(request, conversation, _("This message is no longer scheduled."))
    return _after_send(request, conversation, _("Scheduled message cancelled."))


@conversations_view
@require_POST
def product_share(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    form = ProductShareForm(request.POST)
    if not form.is_valid():
        return _bad_input(request, conversation, form_errors_text(form))
    try:
        services.catalog_share_send(conversation=conversation, user=request.user,
                                    product=form.cleaned_data["product"])
    except ValidationError as error:
        return _blocked(request, conversation, error)
    return _after_send(request, conversation, _("Product shared."))


@conversations_view
@require_GET
def product_picker(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    query = request.GET.get("q", "")[:100]
    products = list(product_search(query=query))
    currency = conversation.store.currency
    book = prices_in(currency=currency, products=products)
    rows = [{"product": product, "price": book.product_price(product)} for product in products]
    return render(request, "conversations/conversation.html#product_results", {
        "conversation": conversation, "rows": rows, "currency": currency, "query": query})


@conversations_view
@require_POST
def opt_in_send(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    try:
        services.opt_in_request(conversation=conversation, sender=request.user)
    except ValidationError as error:
        return _blocked(request, conversation, error)
    return _after_send(request, conversation, _("Opt-in request sent."))


@conversations_view
@require_POST
def conversation_start(request, customer_id: int):
    """Open (or create) the customer's thread for a store and channel."""
    customer = access_customer(request.user, customer_id)
    form = ConversationStartForm(request.POST, user=request.user)
    if not form.is_valid():
        return bad_request(form_errors_text(form))
    try:
        conversation = services.conversation_get_or_create(
            customer=customer, store=form.cleaned_data["store"], channel=form.cleaned_data["channel"],
            user=request.user)
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    if form.cleaned_data["opt_in"]:
        try:
            services.opt_in_request(conversation=conversation, sender=request.user)
            messages.success(request, _("Opt-in request sent."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("conversations:detail", conversation.pk)


@conversations_view
@require_POST
def conversation_assign(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    form = AssignForm(request.POST, conversation=conversation)
    if not form.is_valid():
        return _bad_input(request, conversation, form_errors_text(form))
    assignee = form.cleaned_data["assignee"]
    try:
        services.conversation_assign(conversation=conversation, assignee=assignee, by=request.user)
    except ValidationError as error:
        return _blocked(request, conversation, error)
    messages.success(request, _("Conversation handed to %(name)s.") % {
        "name": assignee.get_full_name() or assignee.username})
    return redirect("conversations:detail", conversation.pk)


@conversations_view
@require_POST
def conversation_archive(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    if conversation.status == Conversation.Status.ARCHIVED:
        services.conversation_unarchive(conversation=conversation, by=request.user)
        messages.success(request, _("Conversation moved back to the inbox."))
        return redirect("conversations:detail", conversation.pk)
    services.conversation_archive(conversation=conversation, by=request.user)
    messages.success(request, _("Conversation archived."))
    return redirect("conversations:inbox")


@conversations_view
@require_POST
def simulate_reply(request, conversation_id: int):
    """Embedded demo only: play the customer's reply through the real inbound path."""
    conversation = access_conversation(request.user, conversation_id)
    if not provider_is_demo(channel=conversation.channel):
        raise Http404
    form = SimulateReplyForm(request.POST)
    if not form.is_valid():
        return _bad_input(request, conversation, form_errors_text(form))
    simulate_customer_reply(conversation=conversation, body=form.cleaned_data["body"])
    return _after_send(request, conversation, _("Customer reply simulated."))


# --- Images ----------------------------------------------------------------------------


@conversations_view
@require_GET
@cache_control(private=True, max_age=3600)
def inbound_media(request, conversation_id: int, message_id: int, index: int):
    """An image a customer sent, fetched from Twilio with the account's credentials.

    Only for staff who may open the thread; the Twilio link itself never reaches the browser.
    """
    conversation = access_conversation(request.user, conversation_id)
    message = get_object_or_404(Message, pk=message_id, conversation=conversation,
                                direction=Message.Direction.INBOUND)
    urls = message.media_urls or []
    if index >= len(urls):
        raise Http404
    try:
        content_type, content = services.media_fetch(conversation=conversation, url=urls[index])
    except ProviderError as error:
        return HttpResponse(error.message, status=502, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if not content_type.startswith("image/"):
        # Anything but an image is downloaded, never rendered in our origin.
        response["Content-Disposition"] = "attachment"
    return response


@require_GET
@cache_control(public=True, max_age=86400)
def public_media(request, name: str):
    """An image attached to an outbound message, for the provider to fetch (no login).

    Its name is random and unguessable; nothing lists these files.
    """
    found = selectors.media_open(name)
    if found is None:
        raise Http404
    handle, content_type = found
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Outreach lists ----------------------------------------------------------------------


def _outreach_tags(user):
    return (Tag.objects.filter(Q(store__isnull=True) | Q(store__in=stores_for(user)),
                               is_outreach_list=True, active=True)
            .select_related("store").order_by("name"))


def _outreach_store(user, tag):
    return (tag.store if tag.store_id else None) or _home_store(user)


@conversations_view
@require_GET
def outreach_lists(request):
    return render(request, "conversations/outreach_lists.html",
                  {"tags": outreach_tag_counts(tags=_outreach_tags(request.user), user=request.user)})


@conversations_view
@require_GET
def outreach_detail(request, tag_id: int):
    tag = get_object_or_404(_outreach_tags(request.user), pk=tag_id)
    store = _outreach_store(request.user, tag)
    rows = outreach_rows(tag=tag, user=request.user, store=store)
    job_id = request.GET.get("job", "")
    job = (BulkJob.objects.filter(pk=int(job_id), created_by=request.user, action="send_message").first()
           if job_id.isdigit() else None)
    return render(request, "conversations/outreach_detail.html", {
        "tag": tag, "rows": rows, "store": store,
        "templates": list(outreach_templates(user=request.user, store=store)),
        "report": outreach_report(job=job) if job else None,
        "every_store": tag.store_id is None and managed_stores_for(request.user).exists(),
    })


@conversations_view
@heavy_reads()
@require_GET
def outreach_campaign(request, tag_id: int):
    """A global list across stores: each store's progress and conversations, for who manages them."""
    tag = get_object_or_404(_outreach_tags(request.user), pk=tag_id, store__isnull=True)
    stores = list(managed_stores_for(request.user).order_by("name"))
    if not stores:
        raise PermissionDenied
    chosen = next((store for store in stores if str(store.pk) == request.GET.get("store")), None)
    today = timezone.localdate()
    progress, as_of = campaign_progress_recent(tag=tag, user=request.user, stores=stores)
    return render(request, "conversations/outreach_campaign.html", {
        "tag": tag, "stores": stores, "chosen": chosen, "progress": progress, "as_of": as_of,
        "conversations": list(campaign_conversations(tag=tag, stores=[chosen] if chosen else stores)),
        "today": today.isoformat(), "this_year": str(today.year), "show_assignee": True,
    })


@conversations_view
@require_POST
def outreach_send(request, tag_id: int):
    """Bulk send a mapped template to the list, from the list's store (or my home store)."""
    tag = get_object_or_404(_outreach_tags(request.user), pk=tag_id)
    store = _outreach_store(request.user, tag)
    form = OutreachSendForm(request.POST, user=request.user, store=store)
    if store is None:
        return bad_request(_("You work in no store to send from."))
    if not form.is_valid():
        return bad_request(form_errors_text(form))
    try:
        job = clienteling_services.bulk_job_start(
            user=request.user, action_key="send_message",
            params={"template": form.cleaned_data["template"].pk, "language": get_language()},
            query=f"tags={tag.pk}", store=store)
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    if not request.htmx:  # without JavaScript: the list page with the report in place
        return redirect(f"{reverse('conversations:outreach_detail', args=[tag.pk])}?job={job.pk}")
    return render(request, "conversations/outreach_detail.html#outreach_report",
                  {"report": outreach_report(job=job), "tag": tag})


@conversations_view
@require_GET
def outreach_job(request, tag_id: int, job_id: int):
    """Live progress, then the final report of a bulk send (the starter's own jobs only)."""
    tag = get_object_or_404(_outreach_tags(request.user), pk=tag_id)
    job = get_object_or_404(BulkJob, pk=job_id, created_by=request.user, action="send_message")
    return render(request, "conversations/outreach_detail.html#outreach_report",
                  {"report": outreach_report(job=job), "tag": tag})


def _home_store(user):
    from clienteling.selectors.navigation import home_store_for

    return home_store_for(user)
