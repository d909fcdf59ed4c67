"""Two app hosts on one machine: network namespaces, a bridge, and a forwarder to the databases.

Each host is a network namespace with a veth pair whose outer end is on a bridge in the root
namespace. Addresses come from the benchmarking range 198.18.0.0/15 (RFC 2544), a /24 this
module picks and checks is unused: the bridge is .1, the hosts .2 and .3, and extra client
addresses (.10 on) let a test speak from a client of its own. PostgreSQL and Redis listen on
127.0.0.1 only, which a namespace cannot reach, so a forwarder in this process listens on the
bridge address and relays to exactly those two services, nothing else. Everything made here is
removed by `Network.remove()`, which the fixture calls even when a test fails.
"""

from __future__ import annotations

import http.client
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from tests.sharing.flow import hidden_fields

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PORT = 8000


def ip(*args: str) -> None:
    """Run one `ip` command; fail loudly."""
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=15)


def free_subnet() -> str:
    """A 198.18.N.0/24 prefix ("198.18.N") that no interface on this machine uses."""
    used = subprocess.run(
        ["ip", "-o", "-4", "addr"], capture_output=True, text=True, check=True, timeout=15
    ).stdout
    start = os.getpid() % 200 + 20
    for n in (*range(start, 250), *range(20, start)):
        if f" 198.18.{n}." not in used:
            return f"198.18.{n}"
    raise RuntimeError("no free /24 in 198.18.0.0/15")


class Forwarder:
    """Relays TCP from `listen` to one fixed `target` (PostgreSQL or Redis), in threads."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(listen, reuse_port=False)
        self.server.settimeout(0.5)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        with client, upstream:
            pair = {client: upstream, upstream: client}
            while not self.stopping.is_set():
                ready, _, _ = select.select(list(pair), [], [], 0.5)
                for sock in ready:
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    pair[sock].sendall(data)

    def stop(self) -> None:
        """Stop accepting and end every relay (each notices within half a second)."""
        self.stopping.set()
        self.server.close()
        self.thread.join(5)


@dataclass
class Network:
    """A bridge, two namespaces with veth pairs, and the forwarders; all removed by remove()."""

    prefix: str
    tag: str = field(default_factory=lambda: f"{os.getpid() % 100000}")
    namespaces: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    forwarders: list[Forwarder] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        """The bridge's interface name (at most 15 characters)."""
        return f"hb{self.tag}"

    @property
    def gateway(self) -> str:
        """The bridge's address: where the hosts find the forwarders."""
        return f"{self.prefix}.1"

    def create(self, hosts: int, client_addresses: int) -> None:
        """Make the bridge, `hosts` namespaces (.2, .3, ...) and extra client addresses."""
        ip("link", "add", self.bridge, "type", "bridge")
        self.links.append(self.bridge)
        ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        for n in range(client_addresses):
            ip("addr", "add", f"{self.prefix}.{10 + n}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for n in range(hosts):
            namespace = f"heard-{self.tag}-{n}"
            outer, inner = f"hv{self.tag}o{n}", f"hv{self.tag}i{n}"
            ip("netns", "add", namespace)
            self.namespaces.append(namespace)
            ip("link", "add", outer, "type", "veth", "peer", "name", inner)
            self.links.append(outer)
            ip("link", "set", inner, "netns", namespace)
            ip("link", "set", outer, "master", self.bridge, "up")
            inside = ("netns", "exec", namespace, "ip")
            ip(*inside, "addr", "add", f"{self.host(n)}/24", "dev", inner)
            ip(*inside, "link", "set", inner, "up")
            ip(*inside, "link", "set", "lo", "up")

    def host(self, n: int) -> str:
        """Host n's address."""
        return f"{self.prefix}.{2 + n}"

    def client(self, n: int) -> str:
        """Extra client address n, on the bridge."""
        return f"{self.prefix}.{10 + n}"

    def forward(self, port: int, target: tuple[str, int]) -> None:
        """Relay gateway:port to the one target (a database on loopback)."""
        self.forwarders.append(Forwarder((self.gateway, port), target))

    def serve(self, n: int, env: dict, log: Path) -> None:
        """Start gunicorn (2 workers, gunicorn.conf.py) inside host n's namespace."""
        command = [
            *("ip", "netns", "exec", self.namespaces[n]),
            *(str(ROOT / ".venv/bin/python"), "-m", "gunicorn", "-c", "gunicorn.conf.py"),
            *("--workers", "2", "--bind", f"{self.host(n)}:{PORT}", "wsgi:app"),
        ]
        self.processes.append(
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab")
            )
        )

    def remove(self) -> None:
        """Stop the servers and forwarders, delete the links and namespaces (each step runs)."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for forwarder in self.forwarders:
            forwarder.stop()
        for link in self.links:
            subprocess.run(["ip", "link", "del", link], capture_output=True, timeout=15)
        for namespace in self.namespaces:
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=15)


@dataclass
class Answer:
    """One HTTP response."""

    status: int
    text: str
    location: str


class Browser:
    """A cookie-keeping HTTP client that may speak to any of the hosts, from one address."""

    def __init__(self, source: str | None = None) -> None:
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, host: str, method: str, path: str, fields=None) -> Answer:
        """One request to host:8000; redirects are not followed."""
        source = (self.source, 0) if self.source else None
        conn = http.client.HTTPConnection(host, PORT, timeout=20, source_address=source)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return Answer(response.status, text, response.getheader("Location") or "")
        finally:
            conn.close()

    def get(self, host: str, path: str) -> Answer:
        """GET path on host."""
        return self.request(host, "GET", path)

    def post(self, host: str, path: str, fields) -> Answer:
        """POST form fields to path on host."""
        return self.request(host, "POST", path, fields)

    def csrf(self, host: str, path: str) -> str:
        """The CSRF token of the form on path."""
        match = CSRF.search(self.get(host, path).text)
        assert match, f"no CSRF token on {path}"
        return match[1]

    def sign_in(self, host: str, handle: str, password: str) -> Answer:
        """Sign in through the real form."""
        token = self.csrf(host, "/login")
        return self.post(
            host, "/login", {"csrf_token": token, "handle": handle, "password": password}
        )

    def share(self, host: str, title: str) -> Answer:
        """Compose, preview and send a story through /share; the answer to "Send"."""
        page = self.get(host, "/share").text
        fields = [*hidden_fields(page)]
        fields += [("kind", "experience"), ("title", title), ("harm_tags", "not-heard")]
        fields += [("body", f"{title}: for two years I talked and nobody listened.")]
        preview = self.post(host, "/share", [*fields, ("action", "preview")])
        assert preview.status == 200, preview.text[:500]
        return self.post(host, "/share", [*hidden_fields(preview.text), ("action", "submit")])


def wait_until_serving(host: str, seconds: float = 90) -> None:
    """Wait (bounded) until host answers /healthz."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Browser().get(host, "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{host} did not serve within {seconds} s")
