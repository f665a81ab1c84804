"""Api URLs, mounted at /api/."""

from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("v1/customers/", views.CustomersView.as_view(), name="customers"),
    path("v1/customers/bulk/", views.CustomersBulkView.as_view(), name="customers-bulk"),
    path("v1/customers/<str:customer_id>/timeline/", views.CustomerTimelineView.as_view(),
         name="customer-timeline"),
    path("v1/customers/<str:customer_id>/conversations/", views.CustomerConversationsView.as_view(),
         name="customer-conversations"),
    path("v1/conversations/<str:conversation_id>/messages/", views.ConversationMessagesView.as_view(),
         name="conversation-messages"),
    path("v1/carts/", views.CartsView.as_view(), name="carts"),
    path("v1/sales/bulk/", views.SalesBulkView.as_view(), name="sales-bulk"),
    path("v1/products/bulk/", views.ProductsBulkView.as_view(), name="products-bulk"),
    path("v1/segments/", views.SegmentOperationsView.as_view(), name="segments"),
    path("v1/webhooks/deliveries/", views.WebhookDeliveriesView.as_view(), name="webhook-deliveries"),
    path("v1/measures/bulk/", views.MeasuresBulkView.as_view(), name="measures-bulk"),
]
