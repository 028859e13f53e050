"""Everything Qt: bootstrap, windows, views, item models, scheduler wiring."""
