"""Devices: the registry of meters and vehicles (with their terminals) and the energy code tree."""
