"""The reminder planner: what is due when, what was missed, digests (no timers here)."""
