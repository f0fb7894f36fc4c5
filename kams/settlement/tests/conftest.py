import pytest

from kams.settlement.testing import Bills


@pytest.fixture
def bills(channels, customers):
    return Bills(customers["nj_m1"])


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (pages fall back to
    LANGUAGE_CODE; service errors are translated when read)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
