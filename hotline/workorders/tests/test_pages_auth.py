"""Login, landing per role, logout and password change."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from hotline.core.testing import PASSWORD


def _land(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    url, _ = response.redirect_chain[-1]
    parts = urlsplit(url)
    assert parts.path == reverse("workorder_list")
    return parse_qs(parts.query)


def test_it_shows_the_login_page_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(reverse("workorder_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_wrong_password(client, org):
    response = client.post(reverse("login"), {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_logs_out_with_a_post(client, org):
    client.force_login(org.bob)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_changes_the_password(client, org):
    client.force_login(org.bob)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-pass-9876",
            "new_password2": "a-new-pass-9876",
        },
    )
    assert response.status_code == 302
    org.bob.refresh_from_db()
    assert org.bob.check_password("a-new-pass-9876")
    assert "密码已修改" in client.get(response["Location"]).content.decode()
