from hotline.catalog.models import Category, DispatchRule


def test_it_lists_regions_and_units_as_trees(org, client):
    client.force_login(org.bob)
    regions = client.get("/api/regions").json()
    street = next(r for r in regions if r["code"] == "610831100")
    assert street == {
        "id": org.street.pk,
        "code": "610831100",
        "name": "双湖峪街道",
        "level": 4,
        "parent": org.county.pk,
    }
    units = client.get("/api/units").json()
    community = next(u for u in units if u["code"] == "U-COMM")
    assert community["parent"] == org.street_office.pk
    assert community["region"] == "610831100"
    assert (community["kind"], community["kind_label"]) == ("community", "社区/村")
    below = client.get("/api/units", {"parent": org.street_office.pk}).json()
    assert [u["code"] for u in below] == ["U-COMM"]


def test_it_lists_request_types_and_urgencies(org, client):
    client.force_login(org.bob)
    types = client.get("/api/request-types").json()
    assert {"code": "complaint", "name": "投诉"} in types
    urgencies = client.get("/api/urgencies").json()
    assert [u["code"] for u in urgencies] == ["normal", "urgent", "critical"]


def test_it_lists_categories_with_their_full_path(org, client):
    root = Category.objects.create(name="接口一级")
    mid = Category.objects.create(name="接口二级", parent=root, level=2)
    leaf = Category.objects.create(name="接口三级", parent=mid, level=3)
    client.force_login(org.alice)
    rows = client.get("/api/categories", {"parent": mid.pk}).json()
    assert rows == [
        {
            "id": leaf.pk,
            "name": "接口三级",
            "code": "",
            "level": 3,
            "parent": mid.pk,
            "full_name": "接口一级 / 接口二级 / 接口三级",
            "is_active": True,
        }
    ]
    assert client.get("/api/categories", {"level": 9}).status_code == 400


def test_it_suggests_units_from_the_dispatch_catalogue(org, client):
    root = Category.objects.create(name="接口供水")
    leaf = Category.objects.create(name="接口停水", parent=root, level=2)
    rule = DispatchRule.objects.create(category=root, lead_unit=org.water, duties="供水管网")
    rule.assisting_units.add(org.street_office)
    client.force_login(org.dave)
    r = client.get("/api/dispatch-catalogue/suggest", {"category": leaf.pk, "region": "610831100"})
    assert r.status_code == 200
    body = r.json()
    assert body["found"] is True and body["rule"] == rule.pk
    assert body["lead_unit"]["code"] == "U-WATER"
    assert [u["code"] for u in body["assisting_units"]] == ["U-STREET"]
    assert body["duties"] == "供水管网"


def test_it_says_when_the_catalogue_has_no_rule(org, client):
    lonely = Category.objects.create(name="接口无规则")
    client.force_login(org.dave)
    body = client.get("/api/dispatch-catalogue/suggest", {"category": lonely.pk}).json()
    assert body["found"] is False and body["lead_unit"] is None


def test_it_refuses_an_unknown_category_or_region_for_a_suggestion(org, client):
    client.force_login(org.dave)
    r = client.get("/api/dispatch-catalogue/suggest", {"category": 999999})
    assert (r.status_code, r.json()["field"]) == (400, "category")
    assert r.json()["message"] == "诉求分类「999999」不存在"
    root = Category.objects.create(name="接口一级")
    r = client.get("/api/dispatch-catalogue/suggest", {"category": root.pk, "region": "000"})
    assert (r.status_code, r.json()["field"]) == (400, "region")
    r = client.get("/api/dispatch-catalogue/suggest")
    assert (r.status_code, r.json()["field"]) == (400, "category")


def test_it_requires_authentication_for_reference_data(db, client):
    for url in ["/api/regions", "/api/units", "/api/categories", "/api/request-types"]:
        assert client.get(url).status_code == 401, url


def test_it_serves_the_openapi_docs(db, client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/workorders/{number}/actions/{action}" in schema["paths"]
