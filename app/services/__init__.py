"""Use cases: one transaction each, called by both the CLI and the UI."""
