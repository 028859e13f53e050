"""iCalendar import and export (RFC 5545) for session series."""
