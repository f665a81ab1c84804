"""Associate-facing remote cart URLs, mounted at /carts/."""

from django.urls import path

from . import views

app_name = "carts"

urlpatterns = [
    path("", views.index, name="index"),
    path("conversation/<int:conversation_id>/open/", views.open_for_conversation,
         name="open_for_conversation"),
    path("customer/<int:customer_id>/open/", views.open_for_customer, name="open_for_customer"),
    path("<int:cart_id>/", views.detail, name="detail"),
    path("<int:cart_id>/products/", views.product_results, name="product_results"),
    path("<int:cart_id>/scan/", views.scan, name="scan"),
    path("<int:cart_id>/lines/add/", views.line_add, name="line_add"),
    path("<int:cart_id>/lines/<int:line_id>/", views.line_update, name="line_update"),
    path("<int:cart_id>/lines/<int:line_id>/remove/", views.line_remove, name="line_remove"),
    path("<int:cart_id>/lines/<int:line_id>/discount/", views.line_discount, name="line_discount"),
    path("<int:cart_id>/discount/", views.cart_discount, name="discount"),
    path("<int:cart_id>/delivery/", views.delivery, name="delivery"),
    path("<int:cart_id>/shipping/", views.shipping, name="shipping"),
    path("<int:cart_id>/share/", views.share, name="share"),
    path("<int:cart_id>/link/", views.link_state, name="link_state"),
    path("<int:cart_id>/save/", views.save, name="save"),
    path("<int:cart_id>/clear/", views.clear, name="clear"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<int:product_id>/", views.catalog_product, name="catalog_product"),
    path("conversation/<int:conversation_id>/share/", views.share_picker, name="share_picker"),
    path("conversation/<int:conversation_id>/share/send/", views.share_send, name="share_send"),
]
