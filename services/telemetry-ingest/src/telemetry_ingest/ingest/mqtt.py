"""The consumer's MQTT connection: paho's public API driven by the asyncio loop, acknowledgement manual.

paho's documented external-loop hooks (``on_socket_open`` / ``on_socket_register_write`` ...) put its
socket on the event loop, so ``on_message`` runs on the loop thread with no queue in between, and
``manual_ack=True`` (a constructor argument, so it holds for the persistent session's backlog that
follows CONNACK) leaves each PUBACK to :meth:`MqttSession.ack`, called after the database commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

#: at most this many packets read per readable event (see :meth:`MqttSession._read`)
READ_BURST = 256


class MqttError(Exception):
    """The connection failed, was refused or was lost."""


def _sock(s: Any) -> socket.socket:
    return s  # type: ignore[no-any-return]


class MqttSession:
    """One connection: :meth:`connect`, :meth:`subscribe`, receive through ``on_message``, :meth:`ack`, :meth:`close`.

    ``disconnected`` completes when the connection ends, whatever the cause.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        client_id: str,
        on_message: Callable[[paho.MQTTMessage], None],
        username: str | None = None,
        password: str | None = None,
        keepalive: int = 30,
        clean_session: bool = False,
    ) -> None:
        self.host, self.port, self.keepalive = host, port, keepalive
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean_session,
            manual_ack=True,
            reconnect_on_failure=False,
        )
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.disable_logger()  # paho would log every packet: a measurable cost per message
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self.connected: asyncio.Future[None] = self._loop.create_future()
        self.disconnected: asyncio.Future[None] = self._loop.create_future()
        self._subscribed: dict[int, asyncio.Future[list[Any]]] = {}
        self._misc: asyncio.Task[None] | None = None
        c = self.client
        self._received = 0

        def on_paho_message(_c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
            self._received += 1
            on_message(message)

        c.on_message = on_paho_message
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_subscribe = self._on_subscribe
        c.on_socket_open = self._on_socket_open
        c.on_socket_close = self._on_socket_close
        c.on_socket_register_write = self._on_register_write
        c.on_socket_unregister_write = self._on_unregister_write

    # paho calls these on the loop thread, except during its blocking connect() in the executor thread
    def _soon(self, fn: Callable[[int], object], s: Any) -> None:
        fd = _sock(s).fileno()  # now: paho closes the socket right after on_socket_close returns
        if threading.get_ident() == self._thread:
            fn(fd)
        else:
            self._loop.call_soon_threadsafe(fn, fd)

    def _read(self) -> None:
        """paho's ``loop_read`` handles one packet per call (its ``max_packets`` is ignored for QoS 1): keep
        reading while each call delivered a message, so a backlog costs one event-loop turn per
        :data:`READ_BURST` messages instead of one per message. A call that delivers none (no complete
        packet buffered, another packet type, a disconnection) ends the burst; the socket stays registered."""
        client = self.client
        for _ in range(READ_BURST):
            before = self._received
            client.loop_read()
            if self._received == before:
                return

    def _on_socket_open(self, _c: paho.Client, _u: Any, s: Any) -> None:
        self._soon(lambda fd: self._loop.add_reader(fd, self._read), s)

    def _on_socket_close(self, _c: paho.Client, _u: Any, s: Any) -> None:
        self._soon(self._remove, s)

    def _on_register_write(self, _c: paho.Client, _u: Any, s: Any) -> None:
        self._soon(lambda fd: self._loop.add_writer(fd, self.client.loop_write), s)

    def _on_unregister_write(self, _c: paho.Client, _u: Any, s: Any) -> None:
        self._soon(self._loop.remove_writer, s)

    def _remove(self, fd: int) -> None:
        if fd >= 0:
            self._loop.remove_reader(fd)
            self._loop.remove_writer(fd)

    def _on_connect(self, _c: paho.Client, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if self.connected.done():
            return
        if reason.is_failure:
            self.connected.set_exception(MqttError(f"connection refused: {reason}"))
        else:
            self.connected.set_result(None)

    def _on_disconnect(self, _c: paho.Client, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not self.connected.done():
            self.connected.set_exception(MqttError(f"disconnected before CONNACK: {reason}"))
        if not self.disconnected.done():
            self.disconnected.set_result(None)

    def _on_subscribe(self, _c: paho.Client, _u: Any, mid: int, reasons: list[Any], _props: Any) -> None:
        waiter = self._subscribed.pop(mid, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(reasons)

    async def _keepalive(self) -> None:
        while not self.disconnected.done():
            self.client.loop_misc()  # PINGREQ, and the keep-alive timeout of a silent broker
            await asyncio.sleep(1)

    async def connect(self) -> None:
        try:
            async with asyncio.timeout(10):
                await self._loop.run_in_executor(None, self.client.connect, self.host, self.port, self.keepalive)
                self._misc = asyncio.create_task(self._keepalive())
                await self.connected
        except (OSError, TimeoutError, paho.WebsocketConnectionError) as exc:
            await self.close()
            raise MqttError(f"cannot connect to {self.host}:{self.port}: {exc!r}") from exc
        except MqttError:
            await self.close()
            raise

    async def subscribe(self, topics: list[tuple[str, int]]) -> None:
        result, mid = self.client.subscribe(topics)
        if result != paho.MQTT_ERR_SUCCESS or mid is None:
            raise MqttError(f"subscribe failed: {paho.error_string(result)}")
        waiter = self._subscribed[mid] = self._loop.create_future()
        try:
            async with asyncio.timeout(10):
                done, _ = await asyncio.wait([waiter, self.disconnected], return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError as exc:
            raise MqttError("no SUBACK") from exc
        if waiter not in done:
            raise MqttError("disconnected while subscribing")
        refused = [r for r in waiter.result() if r.is_failure]
        if refused:
            raise MqttError(f"subscription refused: {refused}")

    def ack(self, mid: int) -> None:
        self.client.ack(mid, 1)

    async def close(self) -> None:
        if self.connected.done() and not self.disconnected.done():
            self.client.disconnect()  # the broker keeps the persistent session; a clean DISCONNECT is polite
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.disconnected), 1)
        if self._misc is not None:
            self._misc.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._misc
        sock = self.client.socket()
        if sock is not None:
            self._remove(_sock(sock).fileno())
        if not self.disconnected.done():
            self.disconnected.set_result(None)
