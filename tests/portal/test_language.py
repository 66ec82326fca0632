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


def test_it_shows_the_services_errors_in_chinese(world, client_for):
    client = client_for(world.reviewer)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.post(
        f"/brands/{world.brand.pk}/do/suspend/", {"suspend-days": "30", "suspend-note": "x"}, follow=True
    )
    assert "暂停品牌前须先对其发出警告" in response.content.decode()  # "Warn the brand before suspending it"
    owner = client_for(world.owner)
    owner.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = owner.post(
        f"/brands/{world.brand.pk}/members/", {"username": "viewer", "role": "agent"}
    ).content.decode()
    assert "代理人需要品牌出具的授权书。" in page  # "An agent needs an authorisation letter from the brand."


def test_the_export_progress_speaks_the_readers_language(world, client_for):
    client = client_for(world.compliance)
    english = client.get("/reports/").content.decode()
    assert 'data-downloaded="Downloaded {name}"' in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = client.get("/reports/").content.decode()
    assert (
        'data-downloaded="已下载 {name}"' in chinese and 'data-failed="{name}：导出失败，请重试。"' in chinese
    )
