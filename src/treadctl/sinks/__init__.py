"""Consumers of the runner's events: the session recorder, MQTT, exporters."""
