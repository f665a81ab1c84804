"""URLs under /customers/<id>/ for editing a customer's profile."""

urlpatterns: list = []
