"""Rollups: the hourly/daily/monthly energy and per-vehicle-day tables kept current from the invalidation log."""
