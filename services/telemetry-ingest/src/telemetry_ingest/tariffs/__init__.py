"""Tariffs: the energy prices by time of use that turn consumption into cost."""
