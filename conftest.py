"""Test configuration shared by every app's tests."""


import pytest


def pytest_report_header(config):
    from django.conf import settings

    return f"KAMS database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

pytest_plugins = ["kams.org.testing"]
pytest_plugins += ["kams.customers.testing"]
pytest_plugins += ["kams.service.testing"]
pytest_plugins += ["kams.club.testing"]
pytest_plugins += ["kams.channels.testing"]
