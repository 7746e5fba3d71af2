"""Simulator: synthetic meters and vehicles that publish over MQTT or JT/T 808 for demos and load tests."""
