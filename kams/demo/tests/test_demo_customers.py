import re
from collections import Counter

from django.db.models import Count

from kams.customers.enums import CertificateType, CustomerStatus, CustomerType, RelationKind
from kams.customers.models import Customer, Member, PayingAccount, Relation
from kams.customers.selectors import level_suggest
from kams.demo.customers import credit_code_check_char, id_card_check_digit
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit

ID_CARD = re.compile(r"^32\d{4}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$")
CREDIT_CODE = re.compile(r"^[19][1-3]32\d{4}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_key_account_base(counts: dict) -> None:
    """The demo's key accounts are realistic: called by the one test that loads the demo
    (``test_demo.py``), so the suite builds the province once."""
    from kams.channels.models import AgentSubscriber

    # The agents' subscribers (channels demo) are customers entered from return forms, not the key-account base.
    customers = list(Customer.objects.exclude(pk__in=AgentSubscriber.objects.values("customer"))
                     .select_related("org_unit", "account_manager__user"))
    assert 1800 <= len(customers) <= 2400
    assert counts["customers"] == len(customers)

    cities = {u.path: u.code for u in OrgUnit.objects.filter(kind=UnitKind.CITY)}

    def city_of(customer):
        return next(code for path, code in cities.items() if customer.org_unit.path.startswith(path))

    by_city = Counter(city_of(c) for c in customers)
    assert set(by_city) == set(cities.values()) and len(by_city) == 13
    assert by_city.most_common(2)[0][0] in ("NJ", "SZ") and by_city.most_common(2)[1][0] in ("NJ", "SZ")
    types = Counter(c.customer_type for c in customers)
    assert 0.3 < types[CustomerType.GROUP] / len(customers) < 0.5
    statuses = Counter(c.status for c in customers)
    assert statuses[CustomerStatus.POTENTIAL] and statuses[CustomerStatus.HISTORICAL]
    assert all(c.cancelled_at for c in customers if c.status == CustomerStatus.HISTORICAL)
    assert len({c.code for c in customers}) == len(customers)

    # The demo logins have a book of their own, inside their city.
    books = Counter(c.account_manager.user.username for c in customers if c.account_manager)
    for username in ("nj_manager1", "nj_manager2", "sz_manager1"):
        assert 15 <= books[username] <= 45, (username, books[username])
    assert {
        city_of(c) for c in customers if c.account_manager and c.account_manager.user.username == "nj_manager1"
    } == {"NJ"}
    # Every manager works inside the customer's region (what customer_create checks).
    for c in customers:
        if c.account_manager:
            assert c.account_manager.org_unit.path.startswith(c.org_unit.path), c.code

    # Every group customer pays through an account and has member subscribers.
    groups = {c.pk for c in customers if c.customer_type == CustomerType.GROUP}
    with_accounts = set(PayingAccount.objects.filter(customer__in=groups).values_list("customer", flat=True))
    with_members = set(Member.objects.filter(customer__in=groups).values_list("customer", flat=True))
    assert with_accounts == groups and with_members == groups
    assert not PayingAccount.objects.filter(
        customer__status=CustomerStatus.HISTORICAL, cancelled_with_customer=False
    ).exists()
    active_numbers = Member.objects.filter(is_active=True).values("msisdn").annotate(n=Count("id")).filter(n__gt=1)
    assert not active_numbers.exists()

    # Certificates: unique while not historical, and well formed.
    live = [c for c in customers if c.status != CustomerStatus.HISTORICAL and c.certificate_no]
    assert len({(c.certificate_type, c.certificate_no) for c in live}) == len(live)
    for c in customers:
        if c.certificate_type == CertificateType.ID_CARD:
            assert ID_CARD.match(c.certificate_no), c.certificate_no
            assert id_card_check_digit(c.certificate_no[:17]) == c.certificate_no[17], c.certificate_no
        elif c.certificate_no:
            assert CREDIT_CODE.match(c.certificate_no), c.certificate_no
            assert credit_code_check_char(c.certificate_no[:17]) == c.certificate_no[17], c.certificate_no

    # The level stored is the one the rule suggests.
    for c in customers[::37]:
        assert c.level_id == getattr(level_suggest(c), "pk", None), c.code

    relations = Counter(Relation.objects.values_list("kind", flat=True))
    assert relations[RelationKind.PARENT_OF] >= 20 and relations[RelationKind.HOUSEHOLD] >= 10
    # Near-duplicates for the merge feature: the same company entered twice.
    twins = [c for c in customers if c.status == CustomerStatus.POTENTIAL and c.customer_type == CustomerType.GROUP]
    names = {c.name for c in customers if c.status == CustomerStatus.CURRENT}
    normalised = [re.sub(r"[\s\u3000]|[（(].*[）)]$", "", c.name) for c in twins]
    assert sum(1 for n, c in zip(normalised, twins) if n != c.name and n in names) >= 5


def test_check_digits_follow_the_standards():
    assert id_card_check_digit("11010519491231002") == "X"  # the GB 11643 example
    assert id_card_check_digit("44052418800101001") == "4"
    assert credit_code_check_char("91350100M000100Y4") == "3"
