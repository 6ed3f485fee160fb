"""The knowledge base in Django's admin. An entry saved here goes through the services like one
saved on the pages: it checks who acts, refuses a stale version and writes a revision, so the
history stays complete. Revisions and uses are records: read here, never changed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import User
from hotline.workorders.errors import WorkOrderError

from .choices import EntryStatus
from .models import Entry, Revision, Use
from .services import EDITABLE, NOTE_MAX, knowledge_entry_create, knowledge_entry_update

NEW_STATUSES = [
    (EntryStatus.DRAFT, EntryStatus.DRAFT.label),
    (EntryStatus.PENDING, EntryStatus.PENDING.label),
    (EntryStatus.PUBLISHED, EntryStatus.PUBLISHED.label),
]


class EntryAdminForm(forms.ModelForm):
    """The editable fields, the note of the change and the version the editor loaded.

    The write happens when the form is validated (after every field is clean), so what the
    services refuse is shown beside the field it names, as on the pages; the admin's view runs
    in one transaction, and nothing else writes after a refusal."""

    actor: User  # set by EntryAdmin.get_form

    note = forms.CharField(label=_("修改说明"), max_length=NOTE_MAX, required=False)
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    new_status = forms.ChoiceField(
        label=_("状态"), choices=NEW_STATUSES, initial=EntryStatus.DRAFT, required=False
    )

    class Meta:
        model = Entry
        fields = EDITABLE

    saved: Entry | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
            del self.fields["new_status"]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # not in django-stubs
        if self.errors:
            return
        data = self.cleaned_data
        changes: dict[str, Any] = {name: data.get(name) for name in EDITABLE}
        for name in ("keywords", "basis"):
            changes[name] = changes[name] or ""
        try:
            if self.instance.pk:
                self.saved = knowledge_entry_update(
                    actor=self.actor,
                    entry=self.instance.pk,
                    version=data.get("seen_version") or 0,
                    note=data.get("note") or "",
                    **changes,
                )
            else:
                self.saved = knowledge_entry_create(
                    actor=self.actor,
                    status=data.get("new_status") or EntryStatus.DRAFT,
                    note=data.get("note") or "",
                    **changes,
                )
        except WorkOrderError as e:
            self.add_error(e.field if e.field in self.fields else None, e.message)


class RevisionInline(admin.TabularInline):
    model = Revision
    fields = ("version", "action", "actor", "at", "status", "note", "title")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-version",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    form = EntryAdminForm
    list_display = (
        "title",
        "unit",
        "category",
        "status",
        "valid_until",
        "version",
        "updated_by",
        "updated_at",
    )
    list_filter = ("status", "unit", "request_type", "valid_until")
    search_fields = ("title", "keywords", "answer")
    list_select_related = ("unit", "category", "updated_by")
    autocomplete_fields = ()
    readonly_fields = ("status", "version", "created_by", "created_at", "updated_by", "updated_at")
    inlines = (RevisionInline,)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [*EDITABLE, "note", "seen_version"]
        if obj is None:
            return ["new_status", *fields]
        return [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Entry, form: Any, change: bool) -> None:
        # The services wrote the entry and its revision while validating the form; the admin
        # goes on (messages, its log, the redirect) with the row they saved.
        saved: Entry = form.saved
        for field in Entry._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # retire an entry instead: its history and uses stay


class ReadOnly(admin.ModelAdmin):
    """Records written by the services: read here, never changed."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnly):
    list_display = ("entry", "version", "action", "actor", "at", "status", "note")
    list_filter = ("action", "status")
    search_fields = ("title", "note")
    list_select_related = ("entry", "actor")


@admin.register(Use)
class UseAdmin(ReadOnly):
    list_display = ("entry", "version", "order", "used_by", "used_at")
    list_select_related = ("entry", "order", "used_by")
    date_hierarchy = "used_at"
