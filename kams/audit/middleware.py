from kams.audit import context


class AuditContextMiddleware:
    """Binds the client address and a request ID for every audit entry of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR") or None
        token = context.bind(ip=ip, request_id=request.headers.get("X-Request-ID"))
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = context.current().request_id
            return response
        finally:
            context.reset(token)
