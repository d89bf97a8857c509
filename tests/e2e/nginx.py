"""Debian's nginx in front of app instances, for the failover test: the site config of
``docs/deploy/nginx-draagkracht.conf`` (the one the operator guide gives) rendered for a
test, a self-signed certificate, and an unprivileged nginx (``-p <dir>``, every file in
that directory) on free ports of 127.0.0.1.

:func:`render_site` changes only what differs between a practice's machine and a test:
the listen addresses (free ports on 127.0.0.1, no IPv6 lines), ``server_name``, the
certificate's paths, the log paths and the ports of the upstream instances. Each is
found by its directive, and a config that lacks one fails the rendering, so the test
cannot drift away from the documented file without noticing.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parents[2]
SITE_TEMPLATE = ROOT / "docs" / "deploy" / "nginx-draagkracht.conf"
NGINX_PATHS = ("/usr/sbin/nginx",)  # Debian's; /usr/sbin is not on every PATH
START_TIMEOUT = 20.0


class NginxDidNotStart(RuntimeError):
    """nginx refused its config or did not listen in time (the message holds its log)."""


def nginx_path() -> str | None:
    """Debian's nginx: on PATH, or in /usr/sbin (not on a non-root PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in NGINX_PATHS if os.access(path, os.X_OK)), None)


def self_signed_certificate(directory: Path, name: str = "127.0.0.1") -> tuple[Path, Path]:
    """A throwaway certificate and key for ``name`` (an IP address here), made with
    ``openssl req -x509``; returns (certificate, key)."""
    cert, key = directory / "draagkracht.pem", directory / "draagkracht.key"
    done = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=IP:{name}",
         "-keyout", str(key), "-out", str(cert)],
        capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"openssl req -x509 failed: {done.stderr}")
    key.chmod(0o600)
    return cert, key


def _replace(text: str, pattern: str, replacement: str, *, count: int) -> str:
    """``re.subn`` over whole lines (multiline), that must replace exactly ``count``."""
    new, made = re.subn(pattern, replacement, text, flags=re.M)
    if made != count:
        raise ValueError(f"{SITE_TEMPLATE.name}: expected {count} line(s) matching {pattern!r}, found {made}")
    return new


def render_site(template: str, *, https_port: int, http_port: int, upstream_ports: Sequence[int],
                certificate: Path, key: Path, log_dir: Path, server_name: str = "127.0.0.1") -> str:
    """The documented site config for a test (see the module's docstring)."""
    text = _replace(template, r"^(\s*)listen \[::\]:\d+.*\n", "", count=2)
    text = _replace(text, r"^(\s*)listen 443 ssl(.*);$", rf"\1listen 127.0.0.1:{https_port} ssl\2;", count=1)
    text = _replace(text, r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{http_port};", count=1)
    text = _replace(text, r"^(\s*)server_name \S+;$", rf"\1server_name {server_name};", count=2)
    text = _replace(text, r"^(\s*)ssl_certificate \S+;$", rf"\1ssl_certificate {certificate};", count=1)
    text = _replace(text, r"^(\s*)ssl_certificate_key \S+;$", rf"\1ssl_certificate_key {key};", count=1)
    text = _replace(text, r"^(\s*)access_log \S+ draagkracht;$", rf"\1access_log {log_dir / 'access.log'} draagkracht;",
                    count=2)
    text = _replace(text, r"^(\s*)error_log \S+;$", rf"\1error_log {log_dir / 'error.log'} info;", count=2)
    servers = re.findall(r"^\s*server 127\.0\.0\.1:(\d+) ", text, flags=re.M)
    if len(servers) != len(upstream_ports):
        raise ValueError(f"{SITE_TEMPLATE.name} lists {len(servers)} instances, the test runs {len(upstream_ports)}")
    for documented, port in zip(servers, upstream_ports):
        text = _replace(text, rf"^(\s*)server 127\.0\.0\.1:{documented} ", rf"\g<1>server 127.0.0.1:{port} ", count=1)
    return text


def main_config(directory: Path, site: Path) -> str:
    """nginx.conf for an nginx of its own in ``directory``: Debian's http settings that
    matter here, every path in ``directory``, and the site included as Debian includes
    sites-enabled/*."""
    user = ""
    if os.geteuid() == 0:  # as root the workers would become "nobody", who cannot enter a private temp dir
        user = "user root;\n"
    temp = "\n".join(f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                                 "uwsgi", "scgi"))
    mime = "    include /etc/nginx/mime.types;\n" if Path("/etc/nginx/mime.types").exists() else ""
    return (f"{user}worker_processes 1;\n"
            "daemon off;\n"
            f"pid {directory / 'nginx.pid'};\n"
            f"error_log {directory / 'error.log'} info;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    sendfile on;\n"
            "    tcp_nopush on;\n"
            "    types_hash_max_size 2048;\n"
            f"{mime}"
            "    default_type application/octet-stream;\n"
            f"    access_log {directory / 'access.log'};\n"
            "    gzip on;\n"
            f"{temp}\n"
            f"    include {site};\n"
            "}\n")


@dataclass
class Proxy:
    https_port: int
    http_port: int
    directory: Path
    process: subprocess.Popen

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    def log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_lines(self) -> list[str]:
        return self.access_log.read_text(errors="replace").splitlines() if self.access_log.exists() else []


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def nginx_proxy(nginx: str, directory: Path, *, https_port: int, http_port: int,
                upstream_ports: Sequence[int]) -> Iterator[Proxy]:
    """nginx with the documented site config in front of ``upstream_ports``, in the
    foreground as a child of this process; yielded once it listens; stopped after."""
    directory.mkdir(parents=True, exist_ok=True)
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / kind).mkdir(exist_ok=True)
    certificate, key = self_signed_certificate(directory)
    site = directory / "draagkracht.conf"
    site.write_text(render_site(SITE_TEMPLATE.read_text(encoding="utf-8"), https_port=https_port,
                                http_port=http_port, upstream_ports=upstream_ports, certificate=certificate,
                                key=key, log_dir=directory), encoding="utf-8")
    conf = directory / "nginx.conf"
    conf.write_text(main_config(directory, site), encoding="utf-8")
    base = [nginx, "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise NginxDidNotStart(f"nginx -t refused the config:\n{checked.stderr}\n--- {site}:\n{site.read_text()}")
    with open(directory / "nginx.out", "wb") as out:
        process = subprocess.Popen(base, stdout=out, stderr=subprocess.STDOUT)
    proxy = Proxy(https_port, http_port, directory, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (_listening(https_port) and _listening(http_port)):
            if process.poll() is not None:
                raise NginxDidNotStart(f"nginx exited with code {process.returncode}:\n{proxy.log()}")
            if time.monotonic() > deadline:
                raise NginxDidNotStart(f"nginx did not listen within {START_TIMEOUT:.0f}s:\n{proxy.log()}")
            time.sleep(0.1)  # polling a server process, not a browser
        yield proxy
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
