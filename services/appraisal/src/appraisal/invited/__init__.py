"""Invited services (邀请服务): a calendar of invited providers and public-interest consultations."""
