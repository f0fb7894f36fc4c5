"""The shell as a person uses it: log in, read the charts, find a colleague, switch
language, watch a job's progress bar move, use it on a phone."""

import re

import pytest
from playwright.sync_api import expect

from kams.system.models import JobRun, JobState
from tests.browser.helpers import watch_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_home_charts_and_staff_search(login, province, live_server, page):
    failed = watch_requests(page)

    login(page, "nj_director")

    expect(page.locator("#chart-units canvas")).to_have_count(1)
    expect(page.locator("#chart-activity canvas")).to_have_count(1)
    expect(page.locator("#stat-staff")).to_have_text(re.compile(r"^\d+$"))
    page.click("#main-menu >> text=员工")
    page.fill("#id_q", "陈志强")
    page.click(".filter-form button[type=submit]")
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    expect(page.locator("#list-table tbody")).to_contain_text("陈志强")
    assert failed == [], failed


def test_wrong_password_shows_a_generic_error(province, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "nj_director")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")

    expect(page.locator("#login-error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_language_switch(login, province, live_server, page):
    login(page, "nj_director")

    page.select_option("#language-form select", "en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#main-menu")).to_contain_text("Operation log")


def test_job_progress_bar_moves_without_reload(login, province, live_server, page):
    job = JobRun.objects.create(name="points.run", label="月度积分计算", state=JobState.RUNNING, progress_total=200, progress_done=20)
    login(page, "admin")
    page.goto(f"{live_server.url}/system/jobs/")
    expect(page.locator("#job-rows .progress-bar").first).to_have_text("10%")

    JobRun.objects.filter(pk=job.pk).update(progress_done=150)

    expect(page.locator("#job-rows .progress-bar").first).to_have_text("75%", timeout=10000)


def test_phone_menu_opens_from_the_toggler(login, province, live_server, phone):
    login(phone, "nj_manager1")
    expect(phone.locator("#sidebar")).not_to_be_visible()

    phone.click(".navbar-toggler")
    phone.locator("#sidebar").get_by_text("操作日志").click()

    expect(phone).to_have_url(f"{live_server.url}/audit/")
