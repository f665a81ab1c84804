from django.urls import include, path

from .views import customers

app_name = "clienteling"

urlpatterns = [
    path("", customers.today, name="today"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer_detail"),
    # Profile editing (notes, follow-ups, activities, contact, attributes, tags).
    path("customers/<int:customer_id>/", include("clienteling.urls_profile")),
]
