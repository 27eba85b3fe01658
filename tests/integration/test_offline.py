"""No network at runtime: ingest, ask and serve with the real packaged MiniLM model while every
non-loopback connection (TCP connect, UDP sendto, DNS lookups of other hosts) is refused and
recorded.

It runs in a fresh interpreter so that the guard is in place before anything is imported and
nothing cached by earlier tests helps. Only ``HF_HUB_OFFLINE=1`` is set from outside (the test
suite's rule); the product has to switch off telemetry and other downloads by itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "corpus"

GUARD = r'''
import ipaddress, json, socket, sys
BLOCKED = []

def _loopback(host):
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False

def _check(what, address):
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return
    if not _loopback(host):
        BLOCKED.append(f"{what} {address!r}")
        raise OSError(101, f"network disabled by the test: {what} {address!r}")

_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
_getaddrinfo = socket.getaddrinfo

def connect(self, address):
    _check("connect", address)
    return _connect(self, address)

def connect_ex(self, address):
    _check("connect_ex", address)
    return _connect_ex(self, address)

def sendto(self, data, *args):
    _check("sendto", args[-1])
    return _sendto(self, data, *args)

def getaddrinfo(host, *args, **kw):
    _check("getaddrinfo", (host.decode() if isinstance(host, bytes) else host, 0))
    return _getaddrinfo(host, *args, **kw)

socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo = getaddrinfo
'''

SCRIPT = GUARD + r'''
import tempfile, time
from pathlib import Path
import httpx
from qa import ArticleQA

home = Path(tempfile.mkdtemp()) / "home"
bot = ArticleQA(home=home)  # default settings: the real packaged all-MiniLM-L6-v2
assert bot.settings.embedder == "minilm"
report = bot.ingest([sys.argv[1]])
answer = bot.ask("who met Tillerson?")
refusal = bot.ask("What is the boiling point of mercury on Mars?")

served = "skipped"
if sys.argv[2] == "serve":
  import app
  config = app.AppConfig(upload_dir=home / "uploads")
  demo = app.build_app(bot, config)
  with socket.socket() as s:
      s.bind(("127.0.0.1", 0))
      port = s.getsockname()[1]
  app.launch(demo, "127.0.0.1", port, None, config, block=False, quiet=True)
  with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
      event = c.post("/gradio_api/call/ask", json={"data": ["who met Tillerson?", None, None,
                                                             "fast", "extractive"]}).json()["event_id"]
      served = c.get(f"/gradio_api/call/ask/{event}").text
  demo.close()
time.sleep(2)  # give background telemetry threads, if any, a chance to try
bot.close()
print("RESULT " + json.dumps({
    "added": len(report.added), "answer": answer.text, "citations": len(answer.citations),
    "refused": not refusal.citations, "served": served == "skipped" or "Tillerson" in served,
    "blocked": BLOCKED,
}))
'''


def run_guarded(tmp_path: Path, serve: bool) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED")}
    env.update(HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT), HOME=str(tmp_path), TMPDIR=str(tmp_path))  # no caches
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(CORPUS), "serve" if serve else "no"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    out: dict[str, Any] = json.loads([x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1][7:])
    assert out["blocked"] == [], out["blocked"]  # nothing even tried to leave the machine
    assert out["added"] >= 5
    assert "Tillerson" in out["answer"] and out["citations"] >= 1, out
    assert out["refused"] and out["served"], out
    return out


def test_ingest_and_ask_with_the_real_model_and_no_network(tmp_path: Path) -> None:
    run_guarded(tmp_path, serve=False)


@pytest.mark.slow
@pytest.mark.ci_slow
def test_serving_the_app_with_no_network(tmp_path: Path) -> None:
    """The same, plus the Gradio app launched on loopback and asked over HTTP (~1 min)."""
    run_guarded(tmp_path, serve=True)


def test_the_guard_really_blocks() -> None:
    """The guard itself works: an outside connection attempt is refused and recorded."""
    script = GUARD + r'''
try:
    socket.create_connection(("203.0.113.1", 80), timeout=1)
except OSError as exc:
    print("RESULT " + json.dumps({"error": str(exc), "blocked": BLOCKED}))
'''
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    out = json.loads(proc.stdout.split("RESULT ", 1)[1])
    assert "network disabled" in out["error"] and out["blocked"]
