def test_it_switches_to_simplified_chinese(world, client_for):
    client = client_for(world.owner)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/dashboard/"})
    page = client.get("/dashboard/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "提交投诉" in client.get("/claims/new/").content.decode()  # "Submit claim"
    assert "仪表板" in page  # "Dashboard"


def test_it_switches_back_to_english(world, client_for):
    client = client_for(world.owner)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Submit claim" in client.get("/claims/new/").content.decode()
