#!/usr/bin/env python3
"""The interop matrix (tests/interop/matrix/README.md): every wsframe face against
independent WebSocket implementations, one server process and one client process per cell,
each cell plain and with permessage-deflate. Prints the matrix and writes INTEROP.md.

    .venv/bin/python tests/interop/matrix/run.py                     # everything (make interop)
    .venv/bin/python tests/interop/matrix/run.py --only 'C server'   # cells whose server or
                                                                     # client name contains it
    .venv/bin/python tests/interop/matrix/run.py --only websockets --only aiohttp --no-write

Exit status 1 if any cell FAILs. Every process runs in its own session on 127.0.0.1 and is
stopped by its process group (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TARGET = os.environ.get("CARGO_TARGET_DIR") or "target"
PY = ".venv/bin/python"
NODE_BIN = "tests/interop/node/node_modules/.bin"
DENO = f"{NODE_BIN}/deno"
BUN = f"{NODE_BIN}/bun"
M = "tests/interop/matrix"
WHATWG = f"{M}/clients/whatwg-client.mjs"
DENO_RUN = [DENO, "run", "--no-prompt", "--allow-net=127.0.0.1"]

SERVER_START_TIMEOUT = 60.0
CLIENT_TIMEOUT = 120.0
STOP_GRACE = 3.0
SERVER_CLOSE_WAIT = 3.0
CLOSE_CODE, CLOSE_REASON = 4001, "matrix-bye ü"

REQUIRED_CASES = (
    ["subprotocol"]
    + [f"{k}-{n}" for n in (0, 125, 126, 65535, 65536, 4194304)
       for k in ("text-ascii", "text-utf8", "binary")]
    + ["fragmented", "pipelined-1000", "ping", f"close-{CLOSE_CODE}"]
)


@dataclass
class Peer:
    """One face or independent implementation in one role. argv holds {port} (servers) or
    {url} (clients); `--deflate` is appended for the deflate run. `needs` are the files that
    must exist (relative to the repository) for the cell to start. `deflate`: it negotiates
    permessage-deflate in this role; `fragments`: it can send a fragmented message."""

    name: str
    argv: list[str]
    needs: list[str]
    deflate: bool
    fragments: bool
    independent: bool
    versions: list[str]  # keys into the versions table (the implementation, its runtime)
    env: dict[str, str] = field(default_factory=dict)


def _files(argv: list[str]) -> list[str]:
    """The repository files an argv names (executables and scripts)."""
    return [a for a in argv if "/" in a and not a.startswith("-") and "{" not in a
            and not a.startswith("/")] + [a for a in argv if a.startswith("/") and "{" not in a]


def peer(name, argv, *, deflate, fragments, independent, version, needs=(), env=None) -> Peer:
    keys = [version] if isinstance(version, str) else list(version)
    return Peer(name, argv, _files(argv) + list(needs), deflate, fragments, independent,
                keys, env or {})


# ---- the commands (paths relative to the repository root) -----------------------------------

WSFRAME_SERVERS = [
    peer("C server", ["build/bin/wsframe-echo-server", "--port", "{port}"],
         deflate=True, fragments=False, independent=False, version="wsframe"),
    peer("Rust server", [f"{TARGET}/release/examples/echo_server", "--port", "{port}"],
         deflate=True, fragments=False, independent=False, version="wsframe"),
    peer("Node server", ["node", "examples/node/echo-server.mjs", "--port", "{port}"],
         needs=["pkg/dist/node"], deflate=True, fragments=False, independent=False,
         version=["wsframe", "node"]),
]

INDEPENDENT_CLIENTS = [
    peer("Python websockets", [PY, f"{M}/clients/websockets_client.py", "--url", "{url}"],
         deflate=True, fragments=True, independent=True, version="websockets"),
    peer("Python aiohttp", [PY, f"{M}/clients/aiohttp_client.py", "--url", "{url}"],
         deflate=True, fragments=False, independent=True, version="aiohttp"),
    peer("Node ws", ["node", f"{M}/clients/ws-client.mjs", "--url", "{url}"],
         deflate=True, fragments=True, independent=True, version=["ws", "node"]),
    peer("Node WebSocket (undici)",
         ["node", "--experimental-websocket", WHATWG, "--impl", "native", "--url", "{url}"],
         deflate=True, fragments=False, independent=True, version="undici"),
    peer("Deno WebSocket",
         DENO_RUN + ["--allow-read", "--allow-env", WHATWG, "--impl", "native", "--url", "{url}"],
         deflate=False, fragments=False, independent=True, version="deno"),
    peer("Bun WebSocket", [BUN, WHATWG, "--impl", "native", "--url", "{url}"],
         deflate=True, fragments=False, independent=True, version="bun"),
    peer("Chromium", ["node", f"{M}/clients/chromium-client.mjs", "--url", "{url}"],
         deflate=True, fragments=False, independent=True, version=["chromium", "node"]),
]

WSFRAME_CLIENTS = [
    peer("C client", ["build/bin/wsframe-client", "--suite", "--url", "{url}"],
         deflate=True, fragments=True, independent=False, version="wsframe"),
    peer("Rust client", [f"{TARGET}/release/examples/echo_client", "--suite", "--url", "{url}"],
         deflate=True, fragments=True, independent=False, version="wsframe"),
    peer("JS client (Node)", ["node", WHATWG, "--impl", "wsframe", "--url", "{url}"],
         needs=["pkg/dist/node"], deflate=True, fragments=False, independent=False,
         version=["wsframe", "node"]),
    peer("JS client (Deno)",
         DENO_RUN + ["--allow-read", "--allow-env", WHATWG, "--impl", "wsframe", "--url", "{url}"],
         needs=["pkg/dist/web"], deflate=True, fragments=False, independent=False,
         version=["wsframe", "deno"]),
    peer("JS client (Bun)", [BUN, WHATWG, "--impl", "wsframe", "--url", "{url}"],
         needs=["pkg/dist/web"], deflate=True, fragments=False, independent=False,
         version=["wsframe", "bun"]),
]

INDEPENDENT_SERVERS = [
    peer("Python websockets", [PY, f"{M}/servers/websockets_server.py", "--port", "{port}"],
         deflate=True, fragments=True, independent=True, version="websockets"),
    peer("Python aiohttp", [PY, f"{M}/servers/aiohttp_server.py", "--port", "{port}"],
         deflate=True, fragments=False, independent=True, version="aiohttp"),
    peer("Node ws", ["node", f"{M}/servers/ws-server.mjs", "--port", "{port}"],
         deflate=True, fragments=True, independent=True, version=["ws", "node"]),
    peer("Deno.serve", DENO_RUN + ["--allow-env", f"{M}/servers/deno-server.mjs", "--port", "{port}"],
         deflate=False, fragments=False, independent=True, version="deno"),
    peer("Bun.serve", [BUN, f"{M}/servers/bun-server.mjs", "--port", "{port}"],
         deflate=True, fragments=False, independent=True, version="bun"),
]

DIRECTIONS = [
    ("wsframe servers × independent clients", WSFRAME_SERVERS, INDEPENDENT_CLIENTS),
    ("independent servers × wsframe clients", INDEPENDENT_SERVERS, WSFRAME_CLIENTS),
]

# Peer behaviours that needed a workaround or shape a column (what was found, not guessed).
PEER_NOTES = [
    "Python websockets 17.4: the server's default subprotocol choice follows the server's "
    "preference list; the matrix server passes a `select_subprotocol` that returns the "
    "client's first offer. Its permessage-deflate defaults are server_max_window_bits=12, "
    "client_max_window_bits=12 and memLevel 5, so the wsframe clients are exercised with "
    "12-bit windows in both directions.",
    "Python aiohttp 3.14.5 cannot send a fragmented message (its writer sets FIN on every "
    "frame), so in its cells the `fragmented` case relies on the other side, and with a "
    "wsframe echo server (which echoes whole) it is N/A.",
    "Python aiohttp: `ClientWebSocketResponse.close()` keeps the server's close code but "
    "drops its reason, so the client driver sends the Close with `send_frame(..., CLOSE)` "
    "and reads the server's Close with `autoclose=False`. The server's automatic reply to a "
    "Close is 1000 with no reason, so the server runs with `autoclose=False` and echoes the "
    "client's code and reason itself; with `autoping=False` it answers Pings itself so that "
    "the Pong to its own Ping reaches the handler.",
    "Python aiohttp: `WebSocketResponse(protocols=...)` picks the first client offer that is "
    "in the server's list; the server passes only the client's first offer. It answers a "
    "`permessage-deflate; client_max_window_bits` offer with plain `permessage-deflate`. The "
    "handshake response headers are not public on the client, so the driver reads the "
    "negotiated extension from the private `_response`.",
    "Deno 2.9.6: neither its WebSocket client nor `Deno.upgradeWebSocket` negotiates "
    "permessage-deflate (checked against a websockets server/client offering it), so Deno's "
    "deflate cells run uncompressed and pass as long as both sides agree on that.",
    "Node 20.20.2: the built-in WebSocket (undici 6.24.1) needs `--experimental-websocket` and "
    "does offer permessage-deflate (`client_max_window_bits`).",
    "Deno 2.9.6: `Deno.upgradeWebSocket` cannot send a Ping on demand; its only Ping is the "
    "`idleTimeout` keepalive (an empty Ping after idleTimeout/2 s of silence, a close when no "
    "frame follows). servers/deno-server.mjs answers `matrix-ping-me` after waiting for that "
    "keepalive, so a cell whose client cannot ping takes about 8 s against Deno.serve.",
    "Bun 1.4.5: `Bun.serve` with permessage-deflate answers every offer with "
    "`client_no_context_takeover; server_no_context_takeover`, so its column checks the "
    "wsframe clients without context takeover.",
    "The WHATWG clients (undici, Deno, Bun, Chromium) can neither ping nor fragment; against "
    "the wsframe echo servers, which echo whole messages and do not ping on request, "
    "`fragmented` and `ping` are N/A.",
    "Deno runs with DENO_NO_UPDATE_CHECK=1 and a DENO_DIR in a temporary directory. Debian's "
    "`chromium --version` wrapper prints a harmless shell warning on stderr.",
]


# ---- processes ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kill_group(proc: subprocess.Popen, grace: float = STOP_GRACE) -> None:
    """SIGTERM to the process group, SIGKILL after the grace period; reaps the process."""
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = proc.pid
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Anything the leader left in its group (a browser, a worker) goes too.
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Server:
    def __init__(self, p: Peer, port: int, deflate: bool, env: dict[str, str]):
        self.peer = p
        self.port = port
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.stderr = tempfile.TemporaryFile()
        argv = [a.replace("{port}", str(port)) for a in p.argv] + (["--deflate"] if deflate else [])
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.stderr, start_new_session=True, env=env)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        want = f"listening on 127.0.0.1:{self.port}"
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.lines.append(line)
            if line.strip() == want:
                self.ready.set()
        self.ready.set()  # EOF: wake the waiter, which sees the exit

    def wait_ready(self, timeout: float) -> str | None:
        """None when listening, else why not."""
        self.ready.wait(timeout)
        want = f"listening on 127.0.0.1:{self.port}"
        if any(line.strip() == want for line in self.lines):
            return None
        if self.proc.poll() is not None:
            return f"server exited with {self.proc.returncode} before `{want}`: {self.stderr_tail()}"
        return f"no `{want}` within {timeout:.0f} s: {self.stderr_tail()}"

    def server_close(self, wait: float) -> dict | None:
        deadline = time.monotonic() + wait
        while True:
            for line in self.lines:
                if line.startswith("{") and "server_close" in line:
                    try:
                        return json.loads(line)["server_close"]
                    except (ValueError, KeyError, TypeError):
                        pass
            if time.monotonic() >= deadline or self.proc.poll() is not None:
                return None
            time.sleep(0.05)

    def stderr_tail(self, n: int = 300) -> str:
        self.stderr.seek(0)
        text = self.stderr.read().decode("utf-8", "replace").strip()
        return ("…" + text[-n:]) if len(text) > n else (text or "(no stderr)")

    def stop(self) -> None:
        kill_group(self.proc)
        self.reader.join(timeout=2)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.stderr.close()


# ---- one cell -----------------------------------------------------------------------------

@dataclass
class Result:
    server: Peer
    client: Peer
    deflate: bool
    ok: bool = True
    extensions: str | None = None
    failures: list[str] = field(default_factory=list)  # "case: detail"
    na: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, why: str) -> None:
        self.ok = False
        self.failures.append(" ".join(why.split()))  # one line: it goes into a Markdown list


def run_cell(server: Peer, client: Peer, deflate: bool, env: dict[str, str]) -> Result:
    r = Result(server, client, deflate)
    t0 = time.monotonic()
    missing = [f for f in server.needs + client.needs if not (ROOT / f).exists()]
    if missing:
        r.fail("driver missing: " + ", ".join(missing))
        return r
    port = free_port()
    srv = Server(server, port, deflate, {**env, **server.env})
    try:
        why = srv.wait_ready(SERVER_START_TIMEOUT)
        if why:
            r.fail(why)
            return r
        url = f"ws://127.0.0.1:{port}/"
        argv = [a.replace("{url}", url) for a in client.argv] + (["--deflate"] if deflate else [])
        proc = subprocess.Popen(
            argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, env={**env, **client.env})
        try:
            out, err = proc.communicate(timeout=CLIENT_TIMEOUT)
            timed_out = False
        except subprocess.TimeoutExpired:
            kill_group(proc, grace=1.0)
            out, err = proc.communicate()
            timed_out = True
        else:
            kill_group(proc, grace=0.5)  # leftovers in its group (a browser)
        evaluate(r, proc.returncode, timed_out, out.decode("utf-8", "replace"),
                 err.decode("utf-8", "replace"), srv)
    finally:
        srv.stop()
        r.seconds = time.monotonic() - t0
    return r


def evaluate(r: Result, rc: int, timed_out: bool, out: str, err: str, srv: Server) -> None:
    server, client = r.server, r.client
    err_tail = err.strip()[-300:] or "(no stderr)"
    if timed_out:
        r.fail(f"client timed out after {CLIENT_TIMEOUT:.0f} s; stderr: {err_tail}")
    elif rc != 0:
        r.fail(f"client exited with {rc}; stderr: {err_tail}")
    opened = None
    cases: dict[str, dict] = {}
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        if "open" in obj and opened is None:
            opened = obj
        elif "case" in obj:
            cases[str(obj["case"])] = obj
    if opened is None:
        if not r.failures:
            r.fail(f"no `open` line from the client; stderr: {err_tail}")
        return
    ext = opened.get("extensions") or ""
    r.extensions = ext
    for name in REQUIRED_CASES:
        c = cases.get(name)
        if c is None:
            r.fail(f"{name}: missing")
            continue
        ok, detail = c.get("ok"), c.get("detail") or ""
        if ok is True and name == "fragmented" and not (server.fragments or client.fragments):
            ok = None
            detail = (f"neither {client.name} (client) nor {server.name} (server) sends "
                      f"fragments; the whole message was echoed")
        if ok is False:
            r.fail(f"{name}: {detail or 'failed'}")
        elif ok is None:
            r.na.append(f"{name}: {detail or 'not applicable'}")
        elif ok is not True:
            r.fail(f"{name}: ok is {ok!r}")
    negotiated = "permessage-deflate" in ext.lower()
    if r.deflate:
        if server.deflate and client.deflate and not negotiated:
            r.fail(f"deflate: both sides support permessage-deflate, none negotiated "
                   f"(extensions {ext!r})")
        elif not (server.deflate and client.deflate):
            who = " and ".join(p.name for p in (client, server) if not p.deflate)
            r.notes.append(f"{who}: no permessage-deflate" + ("" if not negotiated else
                           f", yet negotiated {ext!r}"))
    elif negotiated:
        r.fail(f"plain run negotiated {ext!r} (no side was given --deflate)")
    if server.independent:
        sc = srv.server_close(SERVER_CLOSE_WAIT)
        want = {"code": CLOSE_CODE, "reason": CLOSE_REASON}
        if sc is None:
            r.fail(f"server_close: no `server_close` line from {server.name}")
        elif sc != want:
            r.fail(f"server_close: {json.dumps(sc, ensure_ascii=False)}, expected "
                   f"{json.dumps(want, ensure_ascii=False)}")


# ---- versions -----------------------------------------------------------------------------

def _first_line(argv: list[str], env: dict[str, str]) -> str:
    try:
        p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=30, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({type(e).__name__})"
    lines = [line.strip() for line in p.stdout.splitlines() if line.strip()]
    return lines[0] if p.returncode == 0 and lines else f"unavailable (exit {p.returncode})"


def versions(env: dict[str, str]) -> dict[str, str]:
    node_pkg = ("const p=require('path').resolve('tests/interop/node/node_modules/{}/package.json');"
                "console.log(require(p).version)")
    cargo = (ROOT / "Cargo.toml").read_text()
    wsframe = next((line.split('"')[1] for line in cargo.splitlines()
                    if line.startswith("version = ")), "?")
    return {
        "wsframe": f"wsframe {wsframe} (this tree)",
        "websockets": "websockets " + _first_line([PY, "-c", "import websockets; print(websockets.__version__)"], env),
        "aiohttp": "aiohttp " + _first_line([PY, "-c", "import aiohttp; print(aiohttp.__version__)"], env),
        "ws": "ws " + _first_line(["node", "-e", node_pkg.format("ws")], env),
        "node": "Node " + _first_line(["node", "--version"], env),
        "undici": "undici " + _first_line(["node", "-p", "process.versions.undici"], env)
                  + " (in Node " + _first_line(["node", "--version"], env) + ")",
        "deno": _first_line([DENO, "--version"], env),
        "bun": "Bun " + _first_line([BUN, "--version"], env),
        "chromium": _first_line(["chromium", "--version"], env)
                    + ", playwright-core " + _first_line(["node", "-e", node_pkg.format("playwright-core")], env),
    }


# ---- output -------------------------------------------------------------------------------

def status(r: Result | None) -> str:
    return "—" if r is None else ("PASS" if r.ok else "FAIL")


def deflate_params(r: Result | None) -> str:
    if r is None or r.extensions is None:
        return ""
    ext = r.extensions.strip()
    if "permessage-deflate" not in ext.lower():
        return "none negotiated"
    params = ext.split(";", 1)[1].strip() if ";" in ext else ""
    return params or "permessage-deflate"


def cell_text(plain: Result | None, defl: Result | None, md: bool) -> str:
    text = f"{status(plain)} · {status(defl)}"
    params = deflate_params(defl)
    if params:
        text += (f"<br>`{params}`" if md else f" [{params}]")
    return text


def render(results: list[Result], vers: dict[str, str], only: list[str]) -> str:
    by = {(r.server.name, r.client.name, r.deflate): r for r in results}
    out = ["# Interop matrix", "",
           "Generated by `make interop` (`.venv/bin/python tests/interop/matrix/run.py`; the "
           "cases and drivers are described in `tests/interop/matrix/README.md`). Rows are "
           "servers, columns clients. Each cell reads `plain · deflate`: the run without and "
           "with permessage-deflate enabled on both sides; below it, the extension parameters "
           "the deflate run negotiated. N/A cases count as passes and are listed below with "
           "their reason."]
    if only:
        out += ["", "Subset run: " + ", ".join(f"`--only {o}`" for o in only) + " (— = not run)."]
    total = len(results)
    failed = sum(not r.ok for r in results)
    out += ["", f"**{total - failed} of {total} runs passed.**"]
    for title, servers, clients in DIRECTIONS:
        ran = [c for c in clients if any(k[1] == c.name and k[0] in {s.name for s in servers} for k in by)]
        rows = [s for s in servers if any(k[0] == s.name and k[1] in {c.name for c in clients} for k in by)]
        if not ran or not rows:
            continue
        out += ["", f"## {title}", "",
                "| server \\ client | " + " | ".join(c.name for c in ran) + " |",
                "|---|" + "---|" * len(ran)]
        for s in rows:
            cells = [cell_text(by.get((s.name, c.name, False)), by.get((s.name, c.name, True)), True)
                     for c in ran]
            out.append(f"| {s.name} | " + " | ".join(cells) + " |")
    out += ["", "## Failures and N/A cases", ""]
    listed = False
    pairs: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        pairs.setdefault((r.server.name, r.client.name), []).append(r)

    def lines(r: Result) -> list[str]:
        return ([f"  - FAIL {f}" for f in r.failures] + [f"  - N/A {n}" for n in r.na]
                + [f"  - note: {n}" for n in r.notes])

    for (s_name, c_name), rs in pairs.items():
        if len(rs) == 2 and lines(rs[0]) == lines(rs[1]) and rs[0].ok == rs[1].ok:
            rs_groups = [("plain and deflate", rs[0])]
        else:
            rs_groups = [("deflate" if r.deflate else "plain", r) for r in rs]
        for mode, r in rs_groups:
            if lines(r):
                listed = True
                out.append(f"- **{s_name} ← {c_name}, {mode}: {status(r)}**")
                out += lines(r)
    if not listed:
        out.append("None.")
    out += ["", "## Peer versions", ""]
    used = []
    for r in results:
        for p in (r.server, r.client):
            used += [k for k in p.versions if k not in used]
    for key in used:
        out.append(f"- {vers.get(key, key)}")
    out += ["", "## Peer notes", "", "Peer behaviours that needed a workaround or explain a column:", ""]
    out += [f"- {n}" for n in PEER_NOTES]
    return "\n".join(out) + "\n"


def print_plain(results: list[Result]) -> None:
    w_s = max(len(r.server.name) for r in results)
    w_c = max(len(r.client.name) for r in results)
    pairs: dict[tuple[str, str], dict[bool, Result]] = {}
    for r in results:
        pairs.setdefault((r.server.name, r.client.name), {})[r.deflate] = r
    print(f"\n{'server':<{w_s}}  {'client':<{w_c}}  plain  deflate  negotiated")
    for (s, c), d in pairs.items():
        print(f"{s:<{w_s}}  {c:<{w_c}}  {status(d.get(False)):<5}  {status(d.get(True)):<7}  "
              f"{deflate_params(d.get(True))}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", default=[],
                    help="run only cells whose server or client name contains this (case-insensitive); repeatable")
    ap.add_argument("--output", default="INTEROP.md", help="the Markdown file to write (relative to the repository)")
    ap.add_argument("--no-write", action="store_true", help="print only, do not write the Markdown file")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="wsframe-interop-")
    env = dict(os.environ)
    env.update(DENO_NO_UPDATE_CHECK="1", DENO_DIR=os.path.join(tmp, "deno"), NO_COLOR="1",
               PYTHONUNBUFFERED="1")
    env.pop("NODE_OPTIONS", None)
    only = [o.lower() for o in args.only]

    def selected(s: Peer, c: Peer) -> bool:
        return not only or any(o in s.name.lower() or o in c.name.lower() for o in only)

    cells = [(s, c, d) for _, servers, clients in DIRECTIONS for s in servers for c in clients
             if selected(s, c) for d in (False, True)]
    if not cells:
        print(f"run.py: no cell matches {args.only}", file=sys.stderr)
        return 2
    print(f"interop matrix: {len(cells)} runs ({len(cells) // 2} cells, plain and deflate)", flush=True)
    t0 = time.monotonic()
    results = []
    try:
        vers = versions(env) if not args.no_write else {}
        for s, c, d in cells:
            r = run_cell(s, c, d, env)
            results.append(r)
            mode = "deflate" if d else "plain"
            extra = f" [{deflate_params(r)}]" if d and r.extensions is not None else ""
            print(f"{status(r)}  {s.name} <- {c.name}, {mode} ({r.seconds:.1f} s){extra}", flush=True)
            for f in r.failures:
                print(f"      FAIL {f}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - t0
    print_plain(results)
    failed = sum(not r.ok for r in results)
    print(f"\ninterop matrix: {elapsed:.0f} s")
    print(f"{len(results) - failed} passed, {failed} failed")
    if not args.no_write:
        text = render(results, vers, args.only)
        (ROOT / args.output).write_text(text)
        print(f"wrote {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
