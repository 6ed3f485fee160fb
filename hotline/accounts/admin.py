"""Django admin for the organisation: regions, units, users, memberships and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Membership, Region, Unit, User


def _indented(name: str, path: str) -> str:
    # The list is ordered by materialised path, so indenting by depth draws the tree.
    depth = max(path.count("/") - 2, 0)
    return format_html("{}{}", "\u3000" * depth + ("└ " if depth else ""), name)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["tree_name", "code", "level"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]

    @admin.display(description=_("名称"), ordering="path")
    def tree_name(self, obj: Region) -> str:
        return _indented(obj.name, obj.path)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["tree_name", "code", "kind", "region", "phone", "is_active"]
    list_filter = ["kind", "is_active", "region__level"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent", "region"]
    list_select_related = ["region"]
    ordering = ["path"]

    @admin.display(description=_("名称"), ordering="path")
    def tree_name(self, obj: Unit) -> str:
        return _indented(obj.name, obj.path)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "is_active"]


class UserCreationForm(AdminUserCreationForm):
    # Django's forms name auth.User in Meta; ours is swapped in, so the forms must name it.
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "display_name")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "roles_display", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "is_system", "memberships__role"]
    search_fields = ["username", "display_name", "phone", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["display_name", "phone", "email", "is_system"]}),
        (
            _("权限"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "display_name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("memberships__unit")

    @admin.display(description=_("岗位"))
    def roles_display(self, obj: User) -> str:
        return gettext("；").join(
            f"{m.unit.name}·{m.get_role_display()}" for m in obj.memberships.all() if m.is_active
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["user__username", "user__display_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name"]


def _show_key_once(request: HttpRequest, token: ApiToken, key: str) -> None:
    messages.warning(
        request,
        gettext(
            "令牌「{token}」（用户 {user}）的密钥：{key}　请立即复制保存：系统只保存其摘要，此后无法再次查看。"
        ).format(token=token.name, user=token.user, key=key),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Adding a token here issues it (ApiToken.issue) and shows the key once; the stored hash is
    never shown. Tokens are not edited: they are revoked and, if needed, issued anew."""

    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    actions = ["revoke", "reissue"]

    def get_fields(self, request, obj=None):  # the add form differs from the change form
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = ApiToken.issue(user=obj.user, name=obj.name)
        # The admin goes on to log and redirect with `obj`; make it the issued row.
        obj.pk = token.pk
        obj.refresh_from_db()
        obj._state.adding = False
        _show_key_once(request, token, key)

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request, gettext("已吊销 {count} 个令牌。").format(count=count), messages.SUCCESS
        )

    @admin.action(description=_("重新签发所选令牌（旧令牌吊销，新密钥只显示一次）"))
    def reissue(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        issued = []
        with transaction.atomic():
            for old in queryset.select_related("user"):
                issued.append(ApiToken.issue(user=old.user, name=old.name))
                if old.revoked_at is None:
                    old.revoked_at = timezone.now()
                    old.save(update_fields=["revoked_at"])
        for token, key in issued:
            _show_key_once(request, token, key)
