"""System parameters of collection and merge (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

COLLECTION = _("Collection and merge")

declare(
    "collection.first_contact_days",
    kind=Kind.INT,
    default=7,
    min_value=1,
    max_value=90,
    group=COLLECTION,
    label=_("Days a manager has for the first contact with an admitted customer"),
)
declare(
    "collection.duplicate_threshold",
    kind=Kind.INT,
    default=90,
    min_value=50,
    max_value=100,
    group=COLLECTION,
    label=_("Similarity (0-100) from which two customers are reported as possible duplicates"),
    help=_("Names are compared after normalisation; a shared phone or address adds to the score."),
)
