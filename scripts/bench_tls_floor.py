"""`make bench`, certificates: what HTTPS costs nginx itself, at 1,000 sites.

A second nginx master on its own port (as bench_floor.py), once with 1,000 plain server
blocks and once with the same 1,000 blocks each with its own certificate and key (ECDSA P-256,
as the panel's), HTTP/2 and the panel's TLS settings: `nginx -t`, a reload until new workers
serve, and the proportional memory (PSS) of master and workers, each in the same run.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bench_floor
import stack
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from agent.system.web import nginx as agent_nginx

SITES = int(os.environ.get("JOPANEL_BENCH_CERT_SITES", "1000"))


@dataclass
class TlsFloor:
    label: str
    check_ms: float
    reload_ms: float
    pss_mb: float


def _pair(folder: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name), x509.DNSName(f"www.{name}")]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_path, crt_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    crt_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, crt_path


def _blocks(folder: Path, port: int, tls_port: int, https: bool) -> None:
    sites = folder / "sites"
    for i in range(SITES):
        name = f"site{i:05d}.tls-floor.test"
        block = f"server {{\n    listen 127.0.0.1:{port};\n    server_name {name} www.{name};\n}}\n"
        if https:
            key, crt = _pair(folder, name)
            block += (
                f"server {{\n    listen 127.0.0.1:{tls_port} ssl http2;\n"
                f"    server_name {name} www.{name};\n"
                f"    ssl_certificate {crt};\n    ssl_certificate_key {key};\n"
                "    ssl_session_tickets off;\n"
                "    ssl_session_cache shared:floor:10m;\n}\n"
            )
        (sites / f"{name}.conf").write_text(block)


def measure(https: bool) -> TlsFloor:
    """nginx -t, a reload and PSS with SITES blocks, with or without a certificate each."""
    folder = Path(tempfile.mkdtemp(prefix="jopanel-tls-floor-"))
    main = bench_floor._write(folder, 0, stack.free_port())  # the same layout
    _blocks(folder, stack.free_port(), stack.free_port(), https)
    master = subprocess.Popen(["nginx", "-c", str(main), "-g", "daemon off;"])
    try:
        ready = stack.pid_file_names(folder / "nginx.pid", master.pid)
        stack.wait_for("tls floor nginx", ready, master, folder / "error.log")
        stack.wait_for("tls floor workers", lambda: bool(_children(master.pid)), master, main)
        started = time.perf_counter()
        subprocess.run(["nginx", "-t", "-q", "-c", str(main)], check=True)
        check = time.perf_counter() - started
        started = time.perf_counter()
        asyncio.run(agent_nginx.reload(folder / "nginx.pid"))
        reload = time.perf_counter() - started
        time.sleep(1)  # the old generation's workers exit
        pss = sum(_pss_kib(pid) for pid in [master.pid, *_children(master.pid)]) / 1024
    finally:
        master.terminate()
        master.wait()
        shutil.rmtree(folder)
    label = f"{SITES:,} sites, " + ("each with its certificate" if https else "HTTP only")
    return TlsFloor(label, check * 1000, reload * 1000, pss)


def _children(master: int) -> list[int]:
    text = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in text]


def _pss_kib(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("Pss:")), 0)


def print_table(rows: list[TlsFloor]) -> None:
    print("\nnginx alone (a second master, minimal blocks), HTTP vs HTTPS, same run\n")
    print("| configuration | nginx -t (ms) | reload (ms) | PSS, master + workers (MB) |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r.label} | {r.check_ms:.0f} | {r.reload_ms:.0f} | {r.pss_mb:.1f} |")


if __name__ == "__main__":  # scripts/sandbox.sh DIR .venv/bin/python scripts/bench_tls_floor.py
    print_table([measure(https=False), measure(https=True)])
