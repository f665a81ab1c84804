"""The admin's list pages, usable by name and by keyboard."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class LabelledListEditableMixin:
    """Each control of `list_editable` is named after its column and its row ("Enabled as filter:
    Shoe size"): a bare checkbox in a table cell has no name for a screen reader."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                if self.instance.pk is None:
                    return
                for name, field in self.fields.items():
                    label = field.label or name.replace("_", " ")
                    field.widget.attrs["aria-label"] = _("%(field)s: %(row)s") % {
                        "field": str(label).capitalize(), "row": self.instance}

        return LabelledForm


class MoveUpDownMixin:
    """"Move selected up/down one place" actions: reordering without dragging (the drag handle
    of the sortable list works with a mouse only). `move_service(section_ids=..., step=...)`."""

    move_service = None

    def _move(self, request, queryset, step):
        moved = type(self).move_service(section_ids=queryset.values_list("pk", flat=True), step=step)
        if moved:
            self.message_user(request, _("Moved %(count)d.") % {"count": moved}, messages.SUCCESS)
        else:
            self.message_user(request, _("Already at the top or the bottom: nothing moved."), messages.INFO)

    @admin.action(description=gettext_lazy("Move selected up one place"))
    def move_up(self, request, queryset):
        self._move(request, queryset, -1)

    @admin.action(description=gettext_lazy("Move selected down one place"))
    def move_down(self, request, queryset):
        self._move(request, queryset, 1)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            for name in ("move_up", "move_down"):
                function = getattr(type(self), name)
                actions[name] = (function, name, function.short_description)
        return actions
