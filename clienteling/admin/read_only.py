from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record to look at: nobody adds, changes or deletes one by hand in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
