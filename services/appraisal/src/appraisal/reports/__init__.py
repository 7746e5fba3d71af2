"""Reports: the yearly and per-campaign appraisal reports as downloadable files."""
