from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .access import require_conversations


@login_required
@require_GET
def inbox(request):
    require_conversations(request.user)
    conversations = selectors.my_inbox(user=request.user)[:50]
    return render(request, "conversations/inbox.html", {"conversations": conversations})
