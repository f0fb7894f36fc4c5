"""Background jobs of the club's partners, run by ``kams worker``."""

from django_tasks import task


@task()
def partners_daily_task() -> dict:
    """Daily: agreements past their last day expire; redemptions of partner items of this and
    last month become outbound exchanges (both safe to run twice)."""
    from kams.partners.services import agreements_expire_due, outbound_collect

    return {"expired": agreements_expire_due(), "recorded": outbound_collect()}
