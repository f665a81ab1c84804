from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("s/<str:token>/", views.shared, name="shared"),
]
