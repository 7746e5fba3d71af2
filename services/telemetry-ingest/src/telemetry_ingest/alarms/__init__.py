"""Alarm panels and their events (issue 26): registry, events, the watcher that opens hazards in appraisal."""
