"""Rendering: a planned Draft -> Markdown through the Jinja2 template."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from curator.compose.draft import Draft
from curator.compose.markdown import inert, md_text, md_url, yaml_str
from curator.config import DraftConfig
from curator.errors import TemplateError
from curator.text import collapse

TEMPLATE_NAME = "issue.md.j2"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# strftime's locale-dependent names; "%%" is matched too, so "%%B" stays a literal "%B".
_NAME_DIRECTIVE = re.compile("%([BbAa%])")


def render_draft(draft: Draft, config: DraftConfig) -> str:
    """The draft as Markdown through `config.template`, or the default template.

    A missing template or a Jinja2 error raises TemplateError with one line naming the
    template, the line where known, and the problem.
    """
    path = config.template or default_template()
    environment = _environment(path.parent)
    try:
        template = environment.get_template(path.name)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{path}: template not found") from None
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{path}:{err.lineno}: {_message(err)}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise TemplateError(f"{path}: cannot read the template: {err}") from None
    try:
        text = template.render(_context(draft, config))
    # A template can also fail in plain Python: {{ title + 1 }}, {{ number / 0 }}.
    except (jinja2.TemplateError, TypeError, ArithmeticError) as err:
        raise TemplateError(f"{path}{_line(err, template)}: {_message(err)}") from None
    return text.rstrip("\n") + "\n"  # one final newline, whichever blocks were empty


def issue_title(draft: Draft, config: DraftConfig) -> str:
    """The issue's title: the front matter's, an email's subject, a Ghost post's title."""
    return f"{config.title} #{draft.number}"


def default_template() -> Path:
    """templates/issue.md.j2: inside the installed package, or at the top of the checkout."""
    package = Path(__file__).parent.parent
    packaged = package / "templates"
    return (packaged if packaged.is_dir() else package.parent / "templates") / TEMPLATE_NAME


def format_date(day: date, style: str = "long") -> str:
    """`day` as `[draft] date_format` says, whatever the locale.

    "long" is "5 January 2024", "iso" is "2024-01-05" (ISO 8601, the one form Hugo, Astro
    and Jekyll all read as that day); anything else is a strftime pattern whose month and
    weekday names (%B %b %A %a) are English.
    """
    if style == "long":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if style == "iso":
        return day.isoformat()
    return day.strftime(_NAME_DIRECTIVE.sub(lambda m: _english(m[1], day), style))


def _english(directive: str, day: date) -> str:
    month, weekday = MONTHS[day.month - 1], WEEKDAYS[day.weekday()]
    names = {"B": month, "b": month[:3], "A": weekday, "a": weekday[:3]}
    return names.get(directive, "%" + directive)


def describe(draft: Draft) -> str:
    """The front matter description: a starting point the author rewrites."""
    if draft.featured:
        label, entries = "Featured", list(draft.featured)
    else:
        label, entries = "In this issue", [e for s in draft.sections for e in s.entries][:3]
    if not entries:
        return ""
    text = "; ".join(inert(entry.title) for entry in entries)
    return f"{label}: {text}" + ("" if text.endswith((".", "!", "?")) else ".")


@functools.lru_cache(maxsize=8)
def _environment(folder: Path) -> jinja2.Environment:
    # Markdown, not HTML: the filters escape for Markdown, so HTML autoescape stays off.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(md_text=md_text, md_url=md_url, yaml_str=yaml_str)
    return environment


def _context(draft: Draft, config: DraftConfig) -> dict[str, Any]:
    return {
        "draft": draft,
        "title": issue_title(draft, config),
        "number": draft.number,
        "publish_date": format_date(draft.publish_date, config.date_format),
        "date_key": config.date_key,
        "description": describe(draft),
        "tags": list(config.tags),
        "since": draft.since,
        "until": draft.until,
        "featured": draft.featured,
        "sections": draft.sections,
    }


def _line(err: Exception, template: jinja2.Template) -> str:
    """Jinja2 rewrites tracebacks so the template's own lines appear as frames."""
    line = None
    frame = err.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == template.filename:
            line = frame.tb_lineno
        frame = frame.tb_next
    return f":{line}" if line else ""


def _message(err: Exception) -> str:
    if isinstance(err, jinja2.TemplateError):
        text = err.message or type(err).__name__
    else:
        text = f"{type(err).__name__}: {err}"
    return collapse(text)
