"""ORG-07: health endpoint and the job runs page."""

import pytest
from django.db import connection

from kams.system.jobs import job_run
from kams.system.models import JobRun, JobState


@pytest.mark.django_db
def test_healthz_answers_200_with_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == connection.vendor


@pytest.mark.django_db
def test_healthz_answers_503_when_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "error": "OperationalError"}


@pytest.mark.django_db(transaction=True)
def test_job_run_records_success_with_progress():
    with job_run("test.job", label="测试任务", total=4) as job:
        job.advance(2)
        job.advance(2, message="完成")

    run = JobRun.objects.get(name="test.job")
    assert run.state == JobState.SUCCEEDED
    assert (run.progress_done, run.progress_total, run.percent) == (4, 4, 100)
    assert run.started_at <= run.finished_at


@pytest.mark.django_db(transaction=True)
def test_job_run_records_failure_and_reraises():
    with pytest.raises(ValueError), job_run("test.fail", total=10) as job:
        job.advance(3)
        raise ValueError("坏数据 in row 3")

    run = JobRun.objects.get(name="test.fail")
    assert run.state == JobState.FAILED
    assert run.error == "ValueError: 坏数据 in row 3"
    assert run.progress_done == 3 and run.finished_at is not None


@pytest.mark.django_db
def test_jobs_page_shows_progress_and_polls_while_running(province, page_client_for):
    JobRun.objects.create(name="points.run", label="月度积分计算", state=JobState.RUNNING, progress_done=30, progress_total=120)
    client = page_client_for("admin")

    page = client.get("/system/jobs/").content.decode()
    partial = client.get("/system/jobs/", HTTP_HX_REQUEST="true").content.decode()

    assert "月度积分计算" in page and "25%" in page
    assert 'hx-trigger="every 2s"' in page
    assert partial.lstrip().startswith("<tbody") and "25%" in partial


@pytest.mark.django_db
def test_jobs_page_links_a_finished_jobs_result(province, page_client_for):
    JobRun.objects.create(name="settlement.run", state=JobState.SUCCEEDED, progress_done=1, progress_total=1,
                          result={"run": 7, "url": "/channels/settlement/runs/7/"})
    JobRun.objects.create(name="settlement.run", state=JobState.RUNNING, result={"url": "/not/yet/"})

    page = page_client_for("admin").get("/system/jobs/").content.decode()

    assert 'href="/channels/settlement/runs/7/" class="job-result"' in page and "/not/yet/" not in page


@pytest.mark.django_db
def test_jobs_api_lists_runs(province, api_client_for):
    JobRun.objects.create(name="demo.load", state=JobState.SUCCEEDED, progress_done=2, progress_total=2)

    rows = api_client_for("admin").get("/api/v1/system/jobs/").json()["results"]

    assert [(r["name"], r["percent"]) for r in rows] == [("demo.load", 100)]
