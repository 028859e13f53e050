"""Case notes: templates and sections, aliases and tags, the PHI guard's bookkeeping
(replacements, dismissal hashes) and the full-text query language. Pure Python; the use
cases that touch the database live in app/services/notes.py."""
