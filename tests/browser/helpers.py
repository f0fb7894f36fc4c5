"""Helpers of the browser tests."""


def watch_requests(page) -> list[str]:
    """The requests of ``page`` that failed (HTTP ≥ 400, or refused by the network) — not
    those the browser itself aborted because the page moved on (a favicon still loading when
    the next page is opened)."""
    failed: list[str] = []

    def on_failed(request) -> None:
        if request.failure != "net::ERR_ABORTED":
            failed.append(f"{request.url} {request.failure}")

    page.on("requestfailed", on_failed)
    page.on("response", lambda response: failed.append(f"{response.url} {response.status}")
            if response.status >= 400 else None)
    return failed
