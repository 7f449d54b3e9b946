"""curator: collect links during the week, draft a link-roundup newsletter on Friday."""

__version__ = "0.1.0"
