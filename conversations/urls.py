from django.urls import path

from . import views, views_whatsapp

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("store/<int:store_id>/", views.store_inbox, name="store_inbox"),
    path("archived/", views.archived, name="archived"),
    path("archived/store/<int:store_id>/", views.archived_store, name="archived_store"),
    path("store/<int:store_id>/whatsapp/", views_whatsapp.whatsapp_setup, name="whatsapp_setup"),
    path("store/<int:store_id>/whatsapp/test/", views_whatsapp.whatsapp_test, name="whatsapp_test"),
    path("store/<int:store_id>/whatsapp/first-message/", views_whatsapp.whatsapp_first_message,
         name="whatsapp_first_message"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("outreach/", views.outreach_lists, name="outreach_lists"),
    path("outreach/<int:tag_id>/", views.outreach_detail, name="outreach_detail"),
    path("outreach/<int:tag_id>/send/", views.outreach_send, name="outreach_send"),
    path("outreach/<int:tag_id>/stores/", views.outreach_campaign, name="outreach_campaign"),
    path("outreach/<int:tag_id>/jobs/<int:job_id>/", views.outreach_job, name="outreach_job"),
    path("start/<int:customer_id>/", views.conversation_start, name="start"),
    path("media/<str:name>", views.public_media, name="public_media"),
    path("<int:conversation_id>/", views.conversation_detail, name="detail"),
    path("<int:conversation_id>/poll/", views.conversation_poll, name="poll"),
    path("<int:conversation_id>/send/", views.message_create, name="send"),
    path("<int:conversation_id>/preview/", views.message_preview, name="preview"),
    path("<int:conversation_id>/scheduled/<int:message_id>/cancel/", views.scheduled_cancel,
         name="scheduled_cancel"),
    path("<int:conversation_id>/media/<int:message_id>/<int:index>/", views.inbound_media,
         name="inbound_media"),
    path("<int:conversation_id>/opt-in/", views.opt_in_send, name="opt_in"),
    path("<int:conversation_id>/products/", views.product_picker, name="product_picker"),
    path("<int:conversation_id>/products/share/", views.product_share, name="product_share"),
    path("<int:conversation_id>/assign/", views.conversation_assign, name="assign"),
    path("<int:conversation_id>/archive/", views.conversation_archive, name="archive"),
    path("<int:conversation_id>/simulate-reply/", views.simulate_reply, name="simulate_reply"),
]
