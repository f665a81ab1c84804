"""A message another screen wrote for the associate to review in a thread's composer.

Kept in the associate's session, not the database: nothing is sent or stored until they
press Send, and the text (a cart link, say) stays out of URLs and server logs.
"""

SESSION_KEY = "composer_drafts"
KEEP = 5  # threads with a draft waiting; the oldest goes first


def composer_draft_set(request, *, conversation_id: int, body: str) -> None:
    drafts = dict(request.session.get(SESSION_KEY, {}))
    drafts.pop(str(conversation_id), None)
    drafts[str(conversation_id)] = body
    request.session[SESSION_KEY] = dict(list(drafts.items())[-KEEP:])


def composer_draft_pop(request, *, conversation_id: int) -> str:
    """The thread's waiting draft, once: a reload after sending starts empty."""
    drafts = request.session.get(SESSION_KEY)
    if not drafts or str(conversation_id) not in drafts:
        return ""
    drafts = dict(drafts)
    body = drafts.pop(str(conversation_id))
    request.session[SESSION_KEY] = drafts
    return body
