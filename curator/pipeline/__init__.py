"""Orchestration: the only code that touches both the network and the store.

One module per command family, imported by the CLI only when that command runs, so
`curator draft` and `curator list` never pay for the network stack's imports:
- queue: add, import, list, and the author's decisions
- collecting: feeds and arXiv queries -> store
- enriching: pending links -> metadata -> store
- drafting: window -> selection -> Markdown, publish
"""
