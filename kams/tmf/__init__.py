"""TM Forum Open API toolkit (TMF630 REST guidelines) shared by every domain's TMF API.

A domain exposes a TMF resource by subclassing ``TMFModelSerializer`` and ``TMFModelViewSet``
and mounting the viewset with ``tmf_api_path``; paging (``offset``/``limit`` and the
``X-Total-Count``/``X-Result-Count`` headers), attribute selection (``fields=``), attribute
filtering and sorting, JSON merge-patch and the TMF error body then come for free, and every
read still goes through the data-scope filter (ORG-03).
"""
