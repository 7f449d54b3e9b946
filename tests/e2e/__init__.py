"""End to end: the whole pipeline as a user runs it, several commands over one queue."""
