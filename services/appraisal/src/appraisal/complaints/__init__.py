"""Complaints: filed by staff or the public against a project's vendor, answered and closed."""
