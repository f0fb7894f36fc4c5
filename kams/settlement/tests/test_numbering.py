"""Run and extraction numbers stay unique when two settlements start at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from kams.settlement.models import Extraction
from kams.settlement.run import _create_numbered
from kams.settlement.testing import last_period


def test_numbers_count_up_per_period(channels):
    period, unit = last_period(), channels.units["NJ-SCB"]
    first = _create_numbered(Extraction, {"period": period}, period=period, org_unit=unit)
    second = _create_numbered(Extraction, {"period": period}, period=period, org_unit=unit)
    other = period.replace(year=period.year - 1)
    elsewhere = _create_numbered(Extraction, {"period": other}, period=other, org_unit=unit)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sessions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_waits_for_the_first_and_takes_the_next(channels):
    """The first session holds its new number uncommitted; the second reads the same highest
    number, is refused by the unique constraint once the first commits, and takes the next."""
    period, unit = last_period(), channels.units["NJ-SCB"]
    created, second_started, results = threading.Event(), threading.Event(), [None, None]

    def first() -> None:
        try:
            with transaction.atomic():
                results[0] = _create_numbered(Extraction, {"period": period}, period=period, org_unit=unit)
                created.set()
                second_started.wait(5)
                threading.Event().wait(0.5)  # the second session is now blocked on the unique index
        finally:
            connections.close_all()

    def second() -> None:
        try:
            created.wait(5)
            second_started.set()
            results[1] = _create_numbered(Extraction, {"period": period}, period=period, org_unit=unit)
        except Exception as exc:  # noqa: BLE001  (asserted below)
            results[1] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(results[1], Extraction), results
    assert sorted(Extraction.objects.values_list("number", flat=True)) == [1, 2]
