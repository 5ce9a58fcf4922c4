"""Live workout stats over MQTT, with Home Assistant discovery and H10-safe remote commands.

Topics, payloads and setup: docs/mqtt.md. The pieces: :mod:`.settings` (the broker URL
and options), :mod:`.topics`, :mod:`.discovery` (Home Assistant configs), :mod:`.state`
(the state and event payloads), :mod:`.commands` (H10 policy), :mod:`.publisher` (the
connection task: reconnects, backoff, bounded outbox) and :mod:`.sink` (the workout sink
that ties them to a run).

The package imports none of them: aiomqtt loads only when MQTT is used.
"""
