"""Customer-facing, login-free cart pages and payment notifications, mounted at /c/."""

from django.urls import path

from . import views_public

app_name = "carts_public"

urlpatterns = [
    path("notify/<slug:provider>/", views_public.notify, name="notify"),
    path("pay/demo/<str:key>/", views_public.demo_pay, name="demo_pay"),
    path("<str:token>/", views_public.cart, name="cart"),
]
