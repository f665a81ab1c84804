"""The API's URLs alone (with the admin), so these tests do not hang on other apps' URLconfs."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
]
