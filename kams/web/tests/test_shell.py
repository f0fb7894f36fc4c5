"""The UI shell: navigation by permission, languages, local assets, API docs."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def _menu(html: str) -> set[str]:
    nav = html.split('id="main-menu"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


def test_navigation_shows_only_what_the_role_may_use(province, page_client_for):
    menus = {u: _menu(page_client_for(u).get("/").content.decode()) for u in ("nj_manager1", "js_director", "admin")}

    assert {"/", "/customers/", "/org/staff/", "/audit/"} <= menus["nj_manager1"]
    assert not {"/system/parameters/", "/system/jobs/", "/admin/", "/billing/imports/"} & menus["nj_manager1"]
    assert {"/system/parameters/", "/billing/imports/"} <= menus["js_director"] and "/admin/" not in menus["js_director"]
    assert {"/system/parameters/", "/system/jobs/", "/admin/"} <= menus["admin"]
    # Every item a person is shown opens for that person.
    for username, paths in menus.items():
        client = page_client_for(username)
        for path in paths:
            assert client.get(path).status_code == 200, (username, path)


def test_pages_a_role_may_not_use_answer_403(province, page_client_for):
    client = page_client_for("nj_manager1")

    assert client.get("/system/parameters/").status_code == 403
    assert client.get("/system/jobs/").status_code == 403


def test_anonymous_pages_redirect_to_login(client):
    response = client.get("/org/staff/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_language_switch_to_english_and_back(province, page_client_for):
    client = page_client_for("nj_manager1")

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = client.get("/").content.decode()

    assert '<html lang="en">' in english and "Operation log" in english
    assert '<html lang="zh-hans">' in chinese and "操作日志" in chinese


def test_chinese_is_the_default_language(province, page_client_for):
    body = page_client_for("nj_manager1").get("/").content.decode()

    assert '<html lang="zh-hans">' in body and "退出" in body


def test_every_asset_the_templates_use_is_served_locally():
    templates = Path(settings.BASE_DIR).glob("*/templates/**/*.html")
    referenced = set()
    for template in templates:
        text = template.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), template
        referenced |= set(re.findall(r"{% static '([^']+)' %}", text))

    assert referenced, "templates reference no static files?"
    for path in referenced:
        assert finders.find(path), path


def test_api_schema_and_docs_are_served_without_internet(province, page_client_for):
    client = page_client_for("admin")

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/").content.decode()

    assert schema.status_code == 200 and b"/api/v1/org/staff/" in schema.content
    assert "swagger-ui" in docs
    assert not re.search(r'(src|href)="https?://', docs)


def test_admin_is_themed_and_local(province, page_client_for):
    body = page_client_for("admin").get("/admin/").content.decode()

    assert "jazzmin" in body.lower()
    assert not re.search(r'(src|href)="(https?:)?//', body)


def test_admin_shows_service_owned_records_read_only(province, page_client_for):
    client = page_client_for("admin")
    staff = province.staff["nj_manager1"]

    assert client.get(f"/admin/org/staff/{staff.pk}/change/").status_code == 200
    response = client.post(f"/admin/org/staff/{staff.pk}/change/", {"name": "篡改"})
    staff.refresh_from_db()
    assert response.status_code == 403 and staff.name == "张晓燕"
    assert client.get("/admin/org/staff/add/").status_code == 403


def test_chinese_catalogue_is_complete_and_compiled():
    po = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"
    text = po.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header

    untranslated = [e for e in entries if re.search(r'^msgstr(\[0\])? ""$', e, re.M) and not re.search(r'^"', e.split("msgstr", 1)[1], re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]

    assert untranslated == [] and fuzzy == []
    assert po.with_suffix(".mo").stat().st_mtime >= po.stat().st_mtime - 1
