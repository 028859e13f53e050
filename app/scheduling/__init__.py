"""Recurrence expansion, exceptions, rotation and conflicts."""
