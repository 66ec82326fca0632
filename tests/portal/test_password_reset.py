import re

from django.core import mail


def test_it_resets_a_password_by_email(world, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = client_for()
    response = client.post("/password-reset/", {"email": world.owner.email})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-pass-2026", "new_password2": "a-new-pass-2026"}
    )
    assert done.status_code == 302
    signed_in = client.post("/login/", {"username": "owner", "password": "a-new-pass-2026"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_it_does_not_reveal_whether_an_address_exists(db, client_for):
    response = client_for().post("/password-reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/password-reset/sent/"
