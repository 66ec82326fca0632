from brands.models import Brand, BrandMembership


def test_it_registers_a_brand_and_makes_its_creator_the_owner(world, client_for):
    response = client_for(world.outsider).post(
        "/brands/new/",
        {"name": "Lumen Works", "website": "https://lumen.example", "contact_email": ""},
        follow=True,
    )
    brand = Brand.objects.get(name="Lumen Works")
    assert BrandMembership.objects.filter(brand=brand, user=world.outsider, role="owner").exists()
    assert brand.contact_email == world.outsider.email  # the service's default, not the view's
    assert response.redirect_chain[-1][0] == "/ip-rights/new/"
    assert b"Lumen Works is registered" in response.content


def test_it_shows_the_services_message_for_a_taken_name(world, client_for):
    response = client_for(world.outsider).post("/brands/new/", {"name": "Aurelia"})
    assert response.status_code == 200
    assert "A brand with that name is already registered." in response.content.decode()
    assert not BrandMembership.objects.filter(user=world.outsider).exists()


def test_it_is_offered_to_a_user_with_no_role(world, client_for):
    account = client_for(world.outsider).get("/account/").content.decode()
    assert "Register your brand" in account and 'href="/brands/new/"' in account
    assert "Register your brand" not in client_for(world.owner).get("/dashboard/").content.decode()


def test_it_is_not_for_staff_or_merchants(world, client_for, nothing_written):
    for user in (world.reviewer, world.compliance, world.platform, world.merchant_user):
        client = client_for(user)
        assert client.get("/brands/new/").status_code == 403
        with nothing_written():
            assert client.post("/brands/new/", {"name": "Sneaky"}).status_code == 403
    assert not Brand.objects.filter(name="Sneaky").exists()
