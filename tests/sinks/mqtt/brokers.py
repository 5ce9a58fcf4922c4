"""Real MQTT brokers for tests and benchmarks, each a process on a free loopback port.

Mosquitto where it is installed; amqtt (a pure-Python broker, a dev dependency) where it
is not, so a fresh machine still runs the suite without installing one. Both get a config
file of their own in a temporary folder, optional users (a password file) and optional
TLS (certificates made by :func:`make_certificates` with the ``openssl`` command).

``TREADCTL_TEST_BROKER=amqtt`` (or ``mosquitto``, or ``both``) chooses the broker.
"""

from __future__ import annotations

import contextlib
import getpass
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

BrokerKind = Literal["mosquitto", "amqtt"]
BROKER_ENV = "TREADCTL_TEST_BROKER"
#: How long a broker gets to open its port before the test fails (only catches hangs).
START_TIMEOUT_S = 15.0


def mosquitto_path() -> str | None:
    found = shutil.which("mosquitto")
    if found:
        return found
    return "/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK) else None


def amqtt_available() -> bool:
    return importlib.util.find_spec("amqtt") is not None


def broker_kinds(choice: str | None = None) -> list[BrokerKind]:
    """The brokers to test against: ``choice`` (or $TREADCTL_TEST_BROKER), else the best."""
    choice = (choice if choice is not None else os.environ.get(BROKER_ENV, "")).strip().lower()
    if choice == "both":
        return ["mosquitto", "amqtt"]
    if choice in ("mosquitto", "amqtt"):
        return [choice]  # type: ignore[list-item]
    if choice:
        raise ValueError(f"{BROKER_ENV} must be mosquitto, amqtt or both, not {choice!r}")
    return ["mosquitto"] if mosquitto_path() else ["amqtt"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Certificates:
    """A test CA, a server certificate for 127.0.0.1/localhost, and a client certificate."""

    ca_file: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def openssl_available() -> bool:
    return shutil.which("openssl") is not None


def make_certificates(folder: Path) -> Certificates:
    """Make a CA and certificates signed by it, with the ``openssl`` command."""
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", "ca.key",
        "-out", "ca.pem", "-subj", "/CN=treadctl test CA")  # fmt: skip
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
    )
    (folder / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name, cn in (("server", "localhost"), ("client", "treadctl-test-client")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
            f"{name}.csr", "-subj", f"/CN={cn}")  # fmt: skip
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", f"{name}.pem",
            "-extfile", f"{name}.ext")  # fmt: skip
    return Certificates(
        folder / "ca.pem",
        folder / "server.pem",
        folder / "server.key",
        folder / "client.pem",
        folder / "client.key",
    )


class Broker:
    """A broker process. ``start``/``stop``/``kill`` it; it comes back on the same port."""

    kind: BrokerKind

    def __init__(
        self,
        folder: Path,
        *,
        users: dict[str, str] | None = None,
        certs: Certificates | None = None,
        require_client_cert: bool = False,
        port: int | None = None,
    ) -> None:
        self.folder = folder
        self.users = users or {}
        self.certs = certs
        self.require_client_cert = require_client_cert
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / f"{self.kind}.log"
        self.config_path = self._write_config()

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.certs else 'mqtt'}://{self.host}:{self.port}"

    def _write_config(self) -> Path:
        raise NotImplementedError

    def _command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        assert self.process is None, "already running"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self._command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.folder
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = self.log_path.read_text(errors="replace")
                self.process = None
                raise RuntimeError(f"{self.kind} exited at start:\n{text}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=0.2),
            ):
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.kind} did not open port {self.port}")

    def stop(self) -> None:
        """Stop the broker as an administrator would (clients see the connection close)."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Broker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Mosquitto(Broker):
    kind: BrokerKind = "mosquitto"

    def _write_config(self) -> Path:
        lines = [
            f"listener {self.port} {self.host}",
            f"allow_anonymous {'false' if self.users else 'true'}",
            "persistence false",
            # Run as root, mosquitto would switch to its own user, who cannot read the
            # test's password and key files: stay the user the test runs as.
            f"user {getpass.getuser()}",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            "log_type notice",
        ]
        if self.users:
            password_file = self.folder / "passwords"
            password_file.write_text("")
            tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
            for user, password in self.users.items():
                subprocess.run(
                    [tool, "-b", str(password_file), user, password],
                    check=True,
                    capture_output=True,
                )
            password_file.chmod(0o600)
            lines.append(f"password_file {password_file}")
        if self.certs is not None:
            lines += [
                f"cafile {self.certs.ca_file}",
                f"certfile {self.certs.server_cert}",
                f"keyfile {self.certs.server_key}",
                f"require_certificate {'true' if self.require_client_cert else 'false'}",
            ]
        path = self.folder / "mosquitto.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def _command(self) -> list[str]:
        binary = mosquitto_path()
        assert binary is not None, "mosquitto is not installed"
        return [binary, "-c", str(self.config_path)]


class Amqtt(Broker):
    kind: BrokerKind = "amqtt"

    def _write_config(self) -> Path:
        listener = [
            "  default:",
            "    type: tcp",
            f"    bind: {self.host}:{self.port}",
        ]
        if self.certs is not None:
            listener += [
                "    ssl: true",
                f"    cafile: {self.certs.ca_file}",
                f"    certfile: {self.certs.server_cert}",
                f"    keyfile: {self.certs.server_key}",
            ]
        if self.users:
            from pwdlib import PasswordHash  # noqa: PLC0415 (amqtt's own dependency)

            hasher = PasswordHash.recommended()
            password_file = self.folder / "passwords"
            password_file.write_text(
                "".join(f"{u}:{hasher.hash(p)}\n" for u, p in self.users.items())
            )
            auth = [
                "  amqtt.plugins.authentication.FileAuthPlugin:",
                f"    password_file: {password_file}",
            ]
        else:
            auth = [
                "  amqtt.plugins.authentication.AnonymousAuthPlugin:",
                "    allow_anonymous: true",
            ]
        path = self.folder / "amqtt.yaml"
        path.write_text("\n".join(["listeners:", *listener, "plugins:", *auth]) + "\n")
        return path

    def _command(self) -> list[str]:
        code = "import sys; from amqtt.scripts.broker_script import main; sys.exit(main())"
        return [sys.executable, "-W", "ignore", "-c", code, "-c", str(self.config_path)]


def make_broker(kind: BrokerKind, folder: Path, **options: object) -> Broker:
    cls: type[Broker] = Mosquitto if kind == "mosquitto" else Amqtt
    return cls(folder, **options)  # type: ignore[arg-type]
