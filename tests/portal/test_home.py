def test_it_sends_anonymous_users_to_sign_in(client_for):
    response = client_for().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_sends_each_role_to_its_start_page(world, client_for):
    assert client_for(world.owner).get("/")["Location"] == "/dashboard/"
    assert client_for(world.reviewer).get("/")["Location"] == "/queue/"
    assert client_for(world.compliance).get("/")["Location"] == "/reports/"
    assert client_for(world.merchant_user).get("/")["Location"] == "/claims/"
    assert client_for(world.platform).get("/")["Location"] == "/account/"


def test_it_shows_each_role_only_its_navigation(world, client_for):
    brand_page = client_for(world.owner).get("/dashboard/").content.decode()
    assert (
        "File a claim" in brand_page and "Review queue" not in brand_page and "Audit trail" not in brand_page
    )
    reviewer_page = client_for(world.reviewer).get("/queue/").content.decode()
    assert "Review queue" in reviewer_page and "File a claim" not in reviewer_page
    viewer_page = client_for(world.viewer).get("/dashboard/").content.decode()
    assert "File a claim" not in viewer_page  # viewers read, they do not file
