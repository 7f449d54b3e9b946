"""The export stage: a rendered draft -> email-ready HTML, a Buttondown or a Ghost draft.

Contract: takes values (the draft's Markdown and title, the `[export]` config, a key from
the environment, a Fetcher for the HTTP) and returns values (the HTML, the remote draft's
id and URL); never touches the store, the pipeline or the CLI, and never prints a key.
`html` renders and inlines the CSS, `buttondown` and `ghost` speak the two services' APIs,
`api` the request and error rules they share.
"""

from curator.export.html import email_html, html_fragment, strip_front_matter

__all__ = ["email_html", "html_fragment", "strip_front_matter"]
