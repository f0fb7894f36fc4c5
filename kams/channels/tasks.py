"""Background jobs of the channels, run by ``kams worker`` and ``kams scheduler``."""

from django_tasks import task


@task()
def regrade_monthly_task(period: str = "") -> dict:
    """Early each month: re-grade every registered agent on the months up to last month."""
    from kams.channels.levels import last_month, regrade

    result = regrade(period=period or last_month(), apply=True)
    return {"period": f"{result.period:%Y-%m}", "evaluated": result.evaluated, "upgrades": result.upgrades,
            "downgrades": result.downgrades}


@task()
def register_qualified_task() -> dict:
    """Daily: agents whose qualification case passed its step "register" are registered."""
    from kams.channels.services import agents_register_qualified

    return {"registered": agents_register_qualified()}
