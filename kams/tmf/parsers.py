"""Request parsers for TMF ``PATCH``.

TMF630 lets a client ``PATCH`` with ``application/merge-patch+json`` (RFC 7386). Its
semantics for a resource's attributes — keys present are replaced, keys absent are kept,
``null`` clears — are exactly DRF's partial update of the parsed document, so parsing it as
JSON is all that is needed here. JSON Patch (``application/json-patch+json``) is not
supported and answers 415.
"""

from rest_framework.parsers import JSONParser


class MergePatchJSONParser(JSONParser):
    media_type = "application/merge-patch+json"
