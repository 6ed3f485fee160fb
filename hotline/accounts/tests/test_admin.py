import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from hotline.accounts.choices import Role
from hotline.accounts.models import ApiToken, Membership, Unit, User

OUR_APPS = {"accounts", "catalog", "workorders"}


def registered_models():
    return sorted(
        (m._meta.app_label, m._meta.model_name)
        for m in admin.site._registry
        if m._meta.app_label in OUR_APPS
    )


def test_it_registers_every_model_of_accounts_and_catalog():
    names = set(registered_models())
    for model in ("region", "unit", "user", "membership", "apitoken"):
        assert ("accounts", model) in names
    for model in ("requesttype", "urgency", "category", "dispatchrule"):
        assert ("catalog", model) in names
    assert {("workorders", "workorder"), ("workorders", "workorderevent")} <= names


@pytest.mark.parametrize("app_label,model_name", registered_models())
def test_it_loads_every_changelist_for_a_superuser(admin_client, app_label, model_name):
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "子洲"}).status_code == 200


def test_it_refuses_the_admin_to_a_handler(client, org):
    client.force_login(org.bob)
    response = client.get(reverse("admin:accounts_unit_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_lists_units_in_tree_order_with_indentation(admin_client, org):
    response = admin_client.get(reverse("admin:accounts_unit_changelist"))
    body = response.content.decode()
    # The community sits right below its street office, indented one step deeper.
    assert body.index("双湖峪街道办") < body.index("东城社区")
    assert "\u3000\u3000└ 东城社区" in body


def test_it_shows_a_user_with_memberships_inline(admin_client, org):
    response = admin_client.get(reverse("admin:accounts_user_change", args=[org.bob.pk]))
    assert response.status_code == 200
    assert "县自来水公司" in response.content.decode()


def test_it_creates_a_user_through_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newbie",
            "display_name": "新人",
            "usable_password": "true",
            "password1": "a-Long-pass-4321",
            "password2": "a-Long-pass-4321",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newbie")
    assert user.display_name == "新人" and user.check_password("a-Long-pass-4321")


def test_it_adds_a_membership_through_the_user_inline(admin_client, org):
    user = org.cora
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = admin_client.get(url)
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "phone": "",
        "email": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "08:00:00",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(user.memberships.get().pk),
        "memberships-0-user": str(user.pk),
        "memberships-0-unit": str(org.community.pk),
        "memberships-0-role": Role.UNIT_HANDLER,
        "memberships-0-is_active": "on",
        "memberships-1-user": str(user.pk),
        "memberships-1-unit": str(org.street_office.pk),
        "memberships-1-role": Role.UNIT_MANAGER,
        "memberships-1-is_active": "on",
    }
    assert page.status_code == 200
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert set(Membership.objects.filter(user=user).values_list("unit__code", "role")) == {
        ("U-COMM", Role.UNIT_HANDLER),
        ("U-STREET", Role.UNIT_MANAGER),
    }


def test_it_issues_a_token_and_shows_the_key_once(admin_client, org):
    response = admin_client.post(
        reverse("admin:accounts_apitoken_add"), {"user": org.bob.pk, "name": "水务系统对接"}
    )
    assert response.status_code == 302
    token = ApiToken.objects.get(name="水务系统对接")
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(m.split("密钥：")[1].split("\u3000")[0] for m in shown if "密钥：" in m)
    assert ApiToken.hash_key(key) == token.key_hash and token.prefix == key[:8]
    assert token.user == org.bob and token.revoked_at is None
    change_url = reverse("admin:accounts_apitoken_change", args=[token.pk])
    first = admin_client.get(change_url).content.decode()
    assert key in first  # the message, on the page the admin lands on
    again = admin_client.get(change_url).content.decode()
    assert token.prefix in again and key not in again
    assert token.key_hash not in first and token.key_hash not in again


def test_it_revokes_tokens_by_action(admin_client, org):
    token, _key = ApiToken.issue(user=org.bob, name="旧系统")
    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_reissues_a_token_and_revokes_the_old_one(admin_client, org):
    old, old_key = ApiToken.issue(user=org.bob, name="对接")
    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "reissue", "_selected_action": [old.pk]},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = ApiToken.objects.exclude(pk=old.pk).get(name="对接")
    assert old.revoked_at is not None and new.revoked_at is None and new.user == org.bob
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    key = shown.split("密钥：")[1].split("\u3000")[0]
    assert ApiToken.hash_key(key) == new.key_hash != ApiToken.hash_key(old_key)


def test_it_moves_a_unit_through_the_admin_with_its_subtree(admin_client, org):
    url = reverse("admin:accounts_unit_change", args=[org.street_office.pk])
    response = admin_client.post(
        url,
        {
            "parent": org.sub_centre.pk,
            "code": "U-STREET",
            "name": "双湖峪街道办",
            "short_name": "",
            "kind": "street",
            "region": org.street.pk,
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    community = Unit.objects.get(pk=org.community.pk)
    assert (
        community.path
        == f"{org.centre.path}{org.sub_centre.pk}/{org.street_office.pk}/{community.pk}/"
    )
