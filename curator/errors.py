"""The exception tree. Imports nothing from curator.

Anything that is not a CuratorError is a bug and is allowed to propagate. FetchError and
its subclasses are expected per link or feed: they are recorded and the run goes on.
"""

from __future__ import annotations


class CuratorError(Exception):
    """Base of every error curator expects and reports in one line."""


class ConfigError(CuratorError):
    """curator.toml is missing, unreadable or has a bad value. The CLI exits 2."""


class UsageError(CuratorError):
    """Bad input from the user: a URL that is not http(s), an unknown link id. Exit 2."""


class StoreError(CuratorError):
    """The database cannot be opened or written. The CLI exits 1."""


class WriteError(CuratorError):
    """A file could not be written (disk full, I/O error); the old one is intact. Exit 1."""


class NotReadyError(CuratorError):
    """Publishing refused: the draft holds links that failed or are not enriched. Exit 1."""


class TemplateError(CuratorError):
    """The draft template is missing or refers to something that does not exist. Exit 2."""


class ExportError(CuratorError):
    """Buttondown or Ghost refused an export: one line with the service's own message (issue
    16, item 4). Exit 1."""


class FetchError(CuratorError):
    """A request for one URL failed. `transient` says whether a later run should retry.

    `reason` is the short text stored on the link ("HTTP 404"); str() adds the URL.
    The constructor arguments stay in `args` so errors survive pickling across processes.
    """

    transient = False

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason}: {self.url}"


class NetworkError(FetchError):
    """DNS, refused connection, reset, TLS: worth retrying later."""

    transient = True


class UnreachableError(NetworkError):
    """The server cannot be reached at all: connection refused, or no TLS on an https port.
    A link that also arrived as http is then fetched over http."""


class NameNotFoundError(UnreachableError):
    """The host name does not resolve (DNS): a dead link, for `draft --check --links`."""


class CertificateError(FetchError):
    """The server's TLS certificate failed verification (self-signed, expired, wrong host).
    Never retried on its own: a certificate does not fix itself within a backoff."""


class FetchTimeout(NetworkError):
    """No complete answer within the deadline."""

    def __init__(self, url: str, seconds: float) -> None:
        super().__init__(url, f"timed out after {seconds:g} s")
        self.args = (url, seconds)


class HTTPStatusError(FetchError):
    """The server answered with an error status. 408, 425, 429 and 5xx are transient."""

    def __init__(self, url: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(url, f"HTTP {status}")
        self.args = (url, status, retry_after)
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:  # type: ignore[override]
        return self.status in (408, 425, 429) or self.status >= 500


class TooLargeError(FetchError):
    """The body is larger than [fetch] max_bytes; never retried."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(url, f"body larger than {limit:,} bytes")
        self.args = (url, limit)


class ContentError(FetchError):
    """The body is not what was asked for: not a feed, not HTML, empty, unknown arXiv id."""


class ExtractionError(ContentError):
    """A page curator will not extract, whatever a later run tries (issue 12): too large
    for the limits on elements and CPU time, nested too deep, or one that crashed the
    process extracting it. `reason` is one of the constants below."""

    TOO_LARGE = "page too large to extract"
    TOO_DEEP = "page too deeply nested"
    CRASHED = "extraction crashed"


class BlockedURLError(FetchError):
    """A URL or redirect target that curator refuses to fetch: not http(s), or a redirect
    from a public site to a private address."""


class InvalidURLError(UsageError):
    """Text that is not an absolute http(s) URL curator is willing to fetch."""
