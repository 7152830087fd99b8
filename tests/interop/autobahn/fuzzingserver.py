#!/usr/bin/env python3
"""Runs the Autobahn|Testsuite cases against a WebSocket client.

    fuzzingserver.py --client-cmd "build/bin/wsframe-autobahn-client --url ws://127.0.0.1:{port} --agent A"
                     [--deflate] [--cases '1.*,2.*' ...] [--exclude '9.*'] [--report out.json]

Listens on a free 127.0.0.1 port and serves the fuzzingserver's client
protocol, as `wstest -m fuzzingserver` does: `/getCaseCount` answers with
the number of selected cases, `/runCase?case=N&agent=A` runs the N-th of
them with this side as the server, `/updateReports` closes. It starts the
client command, waits for it to exit (bounded), and stops it by PID. The
cases and their verdicts are the suite's own (suite.py, fuzzer.py).

Strict verdicts as in fuzzingclient.py; a selected case the client never
ran fails too. --deflate: the client offers permessage-deflate, so 12.* and
13.* must pass (without it UNIMPLEMENTED is accepted for them). Exits 1 if
any case fails or the client exits non-zero.
"""

import argparse
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pmd  # noqa: E402
import suite  # noqa: E402
from fuzzer import Fuzzer, Loop  # noqa: E402
from fuzzingclient import case_limit, verdict  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--client-cmd", required=True, help="{port} is replaced by the server's port")
    ap.add_argument("--deflate", action="store_true")
    ap.add_argument("--cases", default="*")
    ap.add_argument("--exclude", default="")
    ap.add_argument("--report")
    ap.add_argument("--agent", default="client")
    ap.add_argument("--timeout", type=float, default=1800, help="bound on the whole run, seconds")
    args = ap.parse_args()

    cases, _, case_id = suite.load(pmd)
    ids = [case_id(c) for c in cases]
    pick = set(suite.matches(ids, args.cases.split(","), [x for x in args.exclude.split(",") if x]))
    selected = [(c, i) for c, i in zip(cases, ids) if i in pick]

    loop = Loop()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    lsock.setblocking(False)
    port = lsock.getsockname()[1]
    results, live = {}, set()

    def lost(p):
        live.discard(p)
        if p.case is None:
            return
        cid = selected[p.case_number - 1][1]
        ok, line = verdict(cid, p.case, p, args.deflate, int((time.monotonic() - p.started) * 1000))
        results[cid] = dict(line, ok=ok)
        print(line["text"], flush=True)

    def accept(_events):
        try:
            sock, _ = lsock.accept()
        except BlockingIOError:
            return
        p = Fuzzer(loop, sock, True, case_for=lambda n: selected[n - 1][0] if 1 <= n <= len(selected) else None,
                   case_count=len(selected))
        p.on_lost = lost
        live.add(p)

    def reap():
        # A case that outlives its bound is cut off and fails.
        now = time.monotonic()
        for p in list(live):
            if p.case is not None and now - p.started > case_limit(type(p.case)):
                p.case.behavior, p.case.result = "FAILED", "case did not end in time"
                p.dropConnection()
        loop.call_later(1, reap)

    loop.sel.register(lsock, selectors.EVENT_READ, accept)
    loop.call_later(1, reap)
    cmd = args.client_cmd.format(port=port)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, shell=True, start_new_session=True)
    finished = loop.run_until(lambda: proc.poll() is not None and not live, started + args.timeout)
    if not finished:
        print("client did not finish within %.0f s" % args.timeout)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    failed = [i for _, i in selected if i not in results or not results[i]["ok"]]
    missing = [i for _, i in selected if i not in results]
    print("%s: %d of %d cases run, %d passed strictly, %d failed%s; client exit %s; %.0f s" % (
        args.agent, len(results), len(selected), len(selected) - len(failed), len(failed),
        (": " + ", ".join(failed[:20])) if failed else "", proc.returncode, time.monotonic() - started))
    if missing:
        print("never run: %s" % ", ".join(missing[:20]))
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"agent": args.agent, "results": list(results.values())}, f, indent=1)
    sys.exit(1 if failed or not finished or proc.returncode != 0 else 0)


if __name__ == "__main__":
    main()
