from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from clienteling.views.auth import ConsoleLoginView, language_choose

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", ConsoleLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", language_choose, name="language_choose"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("ops.urls")),
    path("api/", include("api.urls")),
    path("webhooks/", include("conversations.urls_webhooks")),
    path("", include("catalog.urls")),
    path("", include("clienteling.urls_pwa")),
    path("conversations/", include("conversations.urls")),
    path("carts/", include("carts.urls")),
    path("c/", include("carts.urls_public")),
    path("d/", include("clienteling.urls_public")),
    path("appointments/", include("appointments.urls")),
    path("b/", include("appointments.urls_public")),
    path("insights/", include("insights.urls")),
    path("", include("clienteling.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
