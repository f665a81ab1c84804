from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("store/<int:store_id>/", views.store_inbox, name="store_inbox"),
    path("archived/", views.archived, name="archived"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("outreach/", views.outreach_lists, name="outreach_lists"),
    path("outreach/<int:tag_id>/", views.outreach_detail, name="outreach_detail"),
    path("start/<int:customer_id>/", views.conversation_start, name="start"),
    path("<int:conversation_id>/", views.conversation_detail, name="detail"),
    path("<int:conversation_id>/poll/", views.conversation_poll, name="poll"),
    path("<int:conversation_id>/send/", views.message_create, name="send"),
    path("<int:conversation_id>/opt-in/", views.opt_in_send, name="opt_in"),
    path("<int:conversation_id>/products/", views.product_picker, name="product_picker"),
    path("<int:conversation_id>/products/share/", views.product_share, name="product_share"),
    path("<int:conversation_id>/assign/", views.conversation_assign, name="assign"),
    path("<int:conversation_id>/archive/", views.conversation_archive, name="archive"),
    path("<int:conversation_id>/simulate-reply/", views.simulate_reply, name="simulate_reply"),
]
