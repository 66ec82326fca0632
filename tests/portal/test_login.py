def test_it_signs_in_and_out(world, client_for):
    client = client_for()
    page = client.get("/login/")
    assert b'for="id_username"' in page.content and b"Forgot your password?" in page.content
    response = client.post("/login/", {"username": "owner", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    client.post("/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_it_says_when_the_password_is_wrong(world, client_for):
    response = client_for().post("/login/", {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert b"did not match" in response.content
