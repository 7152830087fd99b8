#!/usr/bin/env python3
"""Runs the Autobahn|Testsuite cases against a WebSocket server.

    fuzzingclient.py --server-cmd "build/bin/wsframe-echo-server --port {port}" [--deflate]
                     [--cases '1.*,2.*' ...] [--exclude '9.*'] [--report out.json]

Starts the server on a free 127.0.0.1 port, waits for its `listening on`
line, then runs each selected case over a fresh connection the way the
suite's `wstest -m fuzzingclient` does, and stops the server by PID. The
cases and their verdicts are the suite's own (see suite.py); this file is
the transport that autobahn 0.10 and Twisted provide there: the opening
handshake, frames sent exactly as a case asks (chopped into separate
writes when it says so), frames received and checked as autobahn checks
them, the closing handshake, and the timers (`killAfter`, `closeAfter`,
`continueLater`) on one event loop, with autobahn's timeouts (close
handshake 1 s, server drop 1 s, opening handshake 5 s).

Strict verdicts: a case passes only with behaviour OK or INFORMATIONAL and
close behaviour OK or INFORMATIONAL (NON-STRICT, UNIMPLEMENTED, WRONG CODE,
UNCLEAN and FAILED BY CLIENT all fail it). UNIMPLEMENTED is accepted only
for the compression cases when --deflate is not given. Prints one line per
case and a summary; exits 1 if any case fails.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pmd  # noqa: E402
import suite  # noqa: E402
from fuzzer import Fuzzer, Loop  # noqa: E402

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(cmd):
    port = free_port()
    proc = subprocess.Popen(cmd.format(port=port), shell=True, stdout=subprocess.PIPE,
                            start_new_session=True, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("listening on"):
            return proc, port
    stop(proc)
    raise SystemExit("server did not print 'listening on': %s" % cmd)


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def case_limit(case_class):
    """A bound on one case's run, beyond the case's own timers."""
    return getattr(case_class, "WAITSECS", 0) + 60


def verdict(cid, c, p, deflate, ms):
    """(strict pass, the case's result record with a printable `text`)."""
    ok_b = ("OK", "INFORMATIONAL")
    if not deflate and cid.startswith(("12.", "13.")):
        ok_b += ("UNIMPLEMENTED",)
    ok = c.behavior in ok_b and c.behaviorClose in ("OK", "INFORMATIONAL")
    r = {"case": cid, "behavior": c.behavior, "behaviorClose": c.behaviorClose,
         "ok": ok, "ms": ms, "result": c.result, "resultClose": c.resultClose,
         "remoteCloseCode": p.remoteCloseCode, "closedByMe": p.closedByMe,
         "wasClean": p.wasClean, "note": p.error or p.wasNotCleanReason}
    r["text"] = "%-8s %-13s %-13s %6d ms  %s" % (
        cid, c.behavior, c.behaviorClose, ms,
        "" if ok else "FAIL: %s / %s (close code %s, %s)" % (c.result, c.resultClose, p.remoteCloseCode, r["note"]))
    return ok, r


def run_case(addr, klass):
    loop = Loop()
    p = Fuzzer(loop, socket.create_connection(addr, timeout=5), False, case_class=klass)
    finished = loop.run_until(lambda: p.lost, time.monotonic() + case_limit(klass))
    c = p.case
    if not finished:
        p.dropConnection()
        c.behavior, c.result = "FAILED", "case did not end within %d s" % case_limit(klass)
    loop.sel.close()
    return c, p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server-cmd", required=True)
    ap.add_argument("--deflate", action="store_true", help="the server accepts permessage-deflate: 12.* and 13.* must pass")
    ap.add_argument("--cases", default="*")
    ap.add_argument("--exclude", default="")
    ap.add_argument("--report")
    ap.add_argument("--agent", default="server")
    args = ap.parse_args()

    cases, _, case_id = suite.load(pmd)
    ids = [case_id(c) for c in cases]
    pick = set(suite.matches(ids, args.cases.split(","), [x for x in args.exclude.split(",") if x]))
    proc, port = start_server(args.server_cmd)
    results, failed = [], []
    started = time.monotonic()
    try:
        for klass, cid in zip(cases, ids):
            if cid not in pick:
                continue
            t0 = time.monotonic()
            c, p = run_case(("127.0.0.1", port), klass)
            ok, r = verdict(cid, c, p, args.deflate, int((time.monotonic() - t0) * 1000))
            results.append(r)
            print(r["text"], flush=True)
            if not ok:
                failed.append(cid)
            if proc.poll() is not None:
                print("server exited with %s after case %s" % (proc.returncode, cid))
                failed.append("server exit")
                break
    finally:
        stop(proc)
    total = time.monotonic() - started
    print("%s: %d cases, %d passed strictly, %d failed%s; %.0f s" % (
        args.agent, len(results), len(results) - len([f for f in failed if f != "server exit"]),
        len(failed), (": " + ", ".join(failed[:20])) if failed else "", total))
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"agent": args.agent, "results": results}, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
