"""The compose stage: the window's links -> a planned Draft -> the issue's Markdown.

Contract: takes Link values and the `[draft]` config, returns values (a Draft, its text,
its warnings); never fetches, never touches the store, the pipeline or the CLI.
`selection` chooses and orders the items, `sections` places them, `summaries` and
`markdown` shape their text, `llm` makes an LLM's prompts and checks its answers,
`template` renders the issue, `checks` lists what the author should look at before
publishing and what keeps the draft from being published.
"""

from curator.compose.checks import check_draft, unready
from curator.compose.draft import Draft, Entry, Placed, Section, placed, summary_source
from curator.compose.sections import AI_PAPERS, OTHER, section_for
from curator.compose.selection import eligible, is_automatic, plan_draft
from curator.compose.template import (
    default_template,
    describe,
    format_date,
    issue_title,
    render_draft,
)

__all__ = [
    "AI_PAPERS",
    "OTHER",
    "Draft",
    "Entry",
    "Placed",
    "Section",
    "check_draft",
    "default_template",
    "describe",
    "eligible",
    "format_date",
    "is_automatic",
    "issue_title",
    "placed",
    "plan_draft",
    "render_draft",
    "section_for",
    "summary_source",
    "unready",
]
