"""The draft as one HTML document for email editors: CommonMark rendered by markdown-it-py,
the front matter dropped, the stylesheet inlined into style attributes (css-inline), since
Gmail, Outlook and the editors of Substack and Buttondown drop <style> blocks."""

from __future__ import annotations

import html
import re

import css_inline
from markdown_it import MarkdownIt

# YAML front matter as static-site generators read it: the first line `---`, up to the
# next line `---` (Jekyll's and Hugo's rule).
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
STYLESHEET = """
body { font-family: Georgia, 'Times New Roman', serif; font-size: 17px; line-height: 1.5;
       color: #1f2328; max-width: 640px; margin: 0 auto; padding: 16px; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; line-height: 1.25; }
h2 { font-size: 22px; margin: 28px 0 8px; }
h3 { font-size: 18px; margin: 20px 0 8px; }
a { color: #0b5cad; }
img { max-width: 100%; height: auto; }
hr { border: 0; border-top: 1px solid #d0d7de; margin: 24px 0; }
li { margin: 0 0 8px; }
"""


def strip_front_matter(markdown: str) -> str:
    """The draft without its front matter: email editors and Buttondown show it as text
    (Buttondown refuses it: 400 body_contains_frontmatter)."""
    return _FRONT_MATTER.sub("", markdown, count=1).lstrip("\n")


def html_fragment(markdown: str) -> str:
    """The draft's body as HTML with the stylesheet inlined, front matter dropped."""
    return css_inline.inline_fragment(_render(markdown), STYLESHEET)


def email_html(markdown: str, title: str) -> str:
    """One complete HTML document, CSS inlined, ready to paste into an email editor."""
    document = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLESHEET}</style>\n</head>\n"
        f"<body>\n{_render(markdown)}</body>\n</html>\n"
    )
    return css_inline.inline(document)


def _render(markdown: str) -> str:
    # Raw HTML stays text: titles and summaries come from the web (markdown-it's
    # commonmark preset would pass it through).
    renderer = MarkdownIt("commonmark", {"html": False})
    return str(renderer.render(strip_front_matter(markdown)))
