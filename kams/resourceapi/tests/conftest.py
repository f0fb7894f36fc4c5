"""Fixtures of the resourceapi tests."""

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (pages fall back to
    LANGUAGE_CODE; service errors are translated when read)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
