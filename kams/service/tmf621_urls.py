"""TMF621 Trouble Ticket Management v4 under its specification's basePath (this module is
included at ``tmf-api/troubleTicket/v4/``). See ``kams.service.tmf621``."""

from django.urls import path

from kams.service.tmf621 import TroubleTicketViewSet
from kams.tmf.routers import TMFRouter


class _SlashTolerantViewSet(TroubleTicketViewSet):
    """``troubleTicket/`` with a trailing slash answers like ``troubleTicket`` (the public TMF
    kit posts there); left out of the OpenAPI schema, which names the canonical address."""

    schema = None


app_name = "tmf621"
router = TMFRouter()
router.register("troubleTicket", TroubleTicketViewSet, basename="troubleTicket")
urlpatterns = [
    *router.urls,
    path(
        "troubleTicket/",
        _SlashTolerantViewSet.as_view({"get": "list", "post": "create"}, basename="troubleTicket", detail=False),
        name="troubleTicket-list-slash",
    ),
]
