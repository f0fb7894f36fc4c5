"""Mounting TMF resources under their API's base path.

TMF URLs have no trailing slash (``/tmf-api/customerManagement/v4/customer/42``) and each API
has its own base path, so every API gets its own router and URL namespace::

    urlpatterns += [
        tmf_api_path(
            "tmf-api/customerManagement/v4/", {"customer": CustomerViewSet}, namespace="tmf629"
        ),
    ]

The resource name is also the route's basename: ``reverse("tmf629:customer-detail", ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import URLResolver, include, path
from rest_framework.routers import SimpleRouter
from rest_framework.viewsets import ViewSetMixin


class TMFRouter(SimpleRouter):
    def __init__(self) -> None:
        super().__init__(trailing_slash=False)


def tmf_api_path(
    base_path: str, resources: Mapping[str, type[ViewSetMixin]], *, namespace: str
) -> URLResolver:
    """One ``path()`` that serves ``resources`` (resource name → viewset) under ``base_path``."""
    router = TMFRouter()
    for resource, viewset in resources.items():
        router.register(resource, viewset, basename=resource)
    return path(base_path, include((router.urls, namespace)))
