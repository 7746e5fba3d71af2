"""KPIs: the per-period energy and vehicle indicators the appraisal reads."""
