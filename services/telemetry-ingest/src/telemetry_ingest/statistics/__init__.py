"""Statistics: the yearly energy statistics of public institutions (areas, headcounts, goals, investments)."""
