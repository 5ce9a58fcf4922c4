"""Mosquitto run with the configuration and ACL that docs/mqtt.md gives, as written there.

Only what must change on a test machine changes: the listener's port (a free one on
127.0.0.1), the file paths (the test's folder), the bridge's address (the other test
broker). Every other line is the doc's.
"""

from __future__ import annotations

import getpass
import re
import shutil
import subprocess
from pathlib import Path

from tests.sinks.mqtt.brokers import Broker, BrokerKind, Certificates

REPO = Path(__file__).resolve().parents[2]
MQTT_DOC = REPO / "docs" / "mqtt.md"

#: The first lines of the doc's blocks, by what they are.
CONF_BLOCK = "# mosquitto.conf for a treadctl class"
ACL_BLOCK = "# treadctl.acl: each treadmill sees only itself"
BRIDGE_BLOCK = "# bridge.conf on the site broker: treadmills here, the watch on the central broker"
BRIDGE_ACL_BLOCK = (
    "# on the central broker: the gym's bridge carries its treadmills, and their commands"
)

#: The users of the doc's ACL, with the passwords the tests give them; desk-2 is a second
#: watching screen, a copy of the supervisor's block as the doc says.
USERS = {
    "lane-1": "lane-1-secret",
    "lane-2": "lane-2-secret",
    "supervisor": "watch-secret",
    "desk-2": "desk-2-secret",
}
BRIDGE_USER = ("site-gym", "bridge-secret")


def doc_block(first_line: str, doc: Path = MQTT_DOC) -> str:
    """The fenced block of ``doc`` whose first line is ``first_line``."""
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", doc.read_text(), re.M | re.S):
        if block.splitlines()[0] == first_line:
            return str(block)
    raise AssertionError(f"no block starting {first_line!r} in {doc.name}")


def with_second_desk(acl: str) -> str:
    """The doc's ACL with its ``supervisor`` block copied for user ``desk-2``."""
    block = acl[acl.index("user supervisor") :].split("\n\n", maxsplit=1)[0]
    return f"{acl.rstrip()}\n\n{block.replace('user supervisor', 'user desk-2')}\n"


class DocMosquitto(Broker):
    """Mosquitto with a config block from the docs (and an ACL, users, a bridge)."""

    kind: BrokerKind = "mosquitto"

    def __init__(
        self,
        folder: Path,
        conf: str,
        *,
        acl: str | None = None,
        users: dict[str, str] | None = None,
        certs: Certificates | None = None,
        bridge_to: Broker | None = None,
        bridge_password: str | None = None,
    ) -> None:
        self.conf = conf
        self.acl = acl
        self.bridge_to = bridge_to
        self.bridge_password = bridge_password
        super().__init__(folder, users=users, certs=certs)

    def _password_file(self) -> Path:
        path = self.folder / "treadctl.passwd"
        path.write_text("")
        tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
        for user, password in self.users.items():
            subprocess.run([tool, "-b", str(path), user, password], check=True, capture_output=True)
        path.chmod(0o600)
        return path

    def _write_config(self) -> Path:
        lines: list[str] = []
        for line in self.conf.splitlines():
            key = line.split(" ", 1)[0]
            match key:
                case "listener":
                    lines.append(f"listener {self.port} {self.host}")
                case "password_file":
                    lines.append(f"password_file {self._password_file()}")
                case "acl_file":
                    assert self.acl is not None, "the config names an ACL file: give one"
                    acl = self.folder / "treadctl.acl"
                    acl.write_text(self.acl)
                    lines.append(f"acl_file {acl}")
                case "cafile" | "certfile" | "keyfile":
                    assert self.certs is not None, "the config asks for TLS: give certificates"
                    path = {
                        "cafile": self.certs.ca_file,
                        "certfile": self.certs.server_cert,
                        "keyfile": self.certs.server_key,
                    }[key]
                    lines.append(f"{key} {path}")
                case "address":
                    assert self.bridge_to is not None
                    # localhost: the test certificate's name (an IP is not checked by name).
                    lines.append(f"address localhost:{self.bridge_to.port}")
                case "bridge_cafile":
                    assert self.bridge_to is not None
                    assert self.bridge_to.certs is not None
                    lines.append(f"bridge_cafile {self.bridge_to.certs.ca_file}")
                case "remote_username":
                    lines.append(line)
                    if self.bridge_password is not None:
                        lines.append(f"remote_password {self.bridge_password}")
                case _:
                    lines.append(line)
        lines += [
            "persistence false",
            # Run as root, Mosquitto would switch to its own user, who cannot read the
            # test's files: stay the user the test runs as.
            f"user {getpass.getuser()}",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type subscribe",
        ]
        path = self.folder / "mosquitto.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def _command(self) -> list[str]:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        return [binary, "-c", str(self.config_path)]
