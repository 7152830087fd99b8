"""The fuzzing peer: the protocol object the Autobahn|Testsuite cases drive.

The suite's cases call into autobahn 0.10's WebSocketProtocol as `self.p`
(sendFrame, sendMessage, sendClose, killAfter, continueLater, ...) and read
its close bookkeeping (closedByMe, failedByMe, droppedByMe, wasClean,
remoteCloseCode) to reach their verdicts. `Fuzzer` is that object, written
for this harness from the behaviour autobahn 0.10 documents and the suite
relies on, as a client (testing servers, fuzzingclient.py) or as a server
(testing clients, fuzzingserver.py):

- frames go out exactly as a case builds them, valid or not; `chopsize`
  and `sync` writes are queued and written one per loop turn, as autobahn's
  send queue does;
- frames coming in are checked as autobahn checks them (reserved bits,
  opcodes, masking by role, control frame rules, minimal lengths, UTF-8 of
  text as it arrives, close codes and reasons); a violation fails the
  connection with 1002 or 1007 by a closing handshake (the suite runs with
  failByDrop off);
- the closing handshake: a Close received while open is answered with 1000;
  a server then drops the TCP connection, a client waits 1 s for the server
  to drop it; a Close we sent waits 1 s for its answer;
- the opening handshake times out after 5 s.

The cases' verdicts stay the suite's own (`Case.onConnectionLost`).
"""

import base64
import hashlib
import heapq
import os
import selectors
import socket
import struct
import time
import types
from urllib.parse import parse_qs, urlsplit

import pmd
import suite

WSP = suite.WebSocketProtocol
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


as_bytes = suite.as_bytes


def header(b0, n, key):
    """A frame header: first byte, length, mask bit when there is a key."""
    m = 0x80 if key else 0
    if n <= 125:
        return struct.pack("!BB", b0, m | n)
    if n <= 0xFFFF:
        return struct.pack("!BBH", b0, m | 126, n)
    return struct.pack("!BBQ", b0, m | 127, n)


def xor_mask(data, key, offset=0):
    """`data` masked with `key` (none: unchanged), continuing at byte
    `offset` of the frame's payload."""
    if not data or not key:
        return data
    k = offset % 4
    key = key[k:] + key[:k]
    n = len(data)
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(k, "little")).to_bytes(n, "little")


class Loop:
    """One thread: sockets through a selector, timers on a heap."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.timers = []
        self.seq = 0

    def call_later(self, delay, fn, *args):
        self.seq += 1
        t = [time.monotonic() + delay, self.seq, fn, args, False]
        heapq.heappush(self.timers, t)
        return t

    @staticmethod
    def cancel(t):
        if t is not None:
            t[4] = True

    def run_until(self, done, deadline):
        while not done():
            now = time.monotonic()
            if now >= deadline:
                return False
            while self.timers and self.timers[0][4]:
                heapq.heappop(self.timers)
            wait = deadline - now
            if self.timers:
                wait = min(wait, max(0.0, self.timers[0][0] - now))
            # Twisted's epoll reactor waits int(ms) milliseconds, so a write
            # queued 10 us ahead goes out on the next turn; Python's selector
            # would round it up to a whole millisecond.
            wait = 0.0 if wait < 0.001 else wait
            for key, events in self.sel.select(wait):
                key.data(events)
            now = time.monotonic()
            while self.timers and (self.timers[0][4] or self.timers[0][0] <= now):
                t = heapq.heappop(self.timers)
                if not t[4]:
                    t[2](*t[3])
                if done():
                    break
        return True


def has_token(fields, name, token):
    """Whether the comma-separated header `name` lists `token` (any case)."""
    return token in [t.strip().lower() for t in fields.get(name, "").split(",")]


class Fuzzer:
    """One connection, client or server side: the protocol object a case
    calls `p`."""

    CLOSE_HANDSHAKE_TIMEOUT = 1
    SERVER_DROP_TIMEOUT = 1
    OPEN_HANDSHAKE_TIMEOUT = 5
    QUEUED_WRITE_DELAY = 0.00001

    def __init__(self, loop, sock, is_server, case_for=None, case_class=None, case_count=0):
        """A client connection on `sock` (connected) running `case_class`,
        or a server connection on `sock` (accepted) that reads the request
        and asks `case_for(n)` for case n's class."""
        for name in dir(WSP):
            if name.startswith(("CLOSE_STATUS", "STATE_", "MESSAGE_TYPE")):
                setattr(self, name, getattr(WSP, name))
        self.loop = loop
        self.factory = types.SimpleNamespace(isServer=is_server)
        self.is_server = is_server
        self.case_for = case_for
        self.case_count = case_count
        self.path = None
        self.case_number = None
        self.state = WSP.STATE_CONNECTING
        self.connectionWasOpen = False
        self.closedByMe = self.failedByMe = self.droppedByMe = self.wasClean = False
        self.wasNotCleanReason = None
        self.remoteCloseCode = self.remoteCloseReason = None
        self.localCloseCode = self.localCloseReason = None
        self.createWirelog = True
        # Copied by the 12.x/13.x cases for their report; not counted here.
        self.trafficStats = types.SimpleNamespace()
        self.txFrameStats = {}
        self.autoFragmentSize = 0
        self._perMessageCompress = None
        self.perMessageCompressionOffers = []
        self.perMessageCompressionAccept = lambda _: None
        self.timers = []
        self.close_timer = None
        self.inbuf = b""
        self.outbuf = bytearray()
        self.queue = []
        self.triggered = False
        self.frame = None
        self.inside_message = False
        self.message = []
        self.message_binary = False
        self.message_compressed = False
        self.utf8 = suite.Utf8Validator()
        self.utf8_last = (True, True, 0, 0)
        self.send_state = "ground"
        self.lost = False
        self.error = None
        self.case = None
        self.on_lost = None
        self.started = time.monotonic()
        self.sock = sock
        self.addr = sock.getpeername()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        loop.sel.register(self.sock, selectors.EVENT_READ, self.on_events)
        self.open_timer = self.later(self.OPEN_HANDSHAKE_TIMEOUT, self.open_timeout)
        if not is_server:
            self.case = case_class(self)
            self.handshake()

    # ---- timers the cases use -------------------------------------------
    def later(self, delay, fn, *args):
        t = self.loop.call_later(delay, fn, *args)
        self.timers.append(t)
        return t

    def continueLater(self, delay, fun, tag=None):
        self.later(delay, lambda: self.state != WSP.STATE_CLOSED and fun())

    def killAfter(self, delay):
        self.later(delay, lambda: self.state != WSP.STATE_CLOSED and self.failConnection())

    def closeAfter(self, delay):
        self.later(delay, lambda: self.state != WSP.STATE_CLOSED and self.sendClose())

    def enableWirelog(self, enable):
        self.createWirelog = enable

    def registerProducer(self, producer, streaming):
        raise NotImplementedError("case 9.9.1 is not in the suite's list")

    # ---- transport -------------------------------------------------------
    def write(self, data):
        if self.state == WSP.STATE_CLOSED or self.lost:
            return
        self.outbuf += data
        self.flush()

    def flush(self):
        while self.outbuf and not self.lost:
            try:
                n = self.sock.send(self.outbuf)
            except BlockingIOError:
                break
            except OSError:
                # The peer is gone; what it sent is still to be read.
                self.outbuf.clear()
                break
            del self.outbuf[:n]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.outbuf else 0)
        if not self.lost:
            self.loop.sel.modify(self.sock, events, self.on_events)

    def sendData(self, data, sync=False, chopsize=None):
        if chopsize and chopsize > 0:
            for i in range(0, len(data), chopsize):
                self.queue.append(data[i:i + chopsize])
            self.trigger()
        elif sync or self.queue:
            self.queue.append(data)
            self.trigger()
        else:
            self.write(data)

    def trigger(self):
        if not self.triggered:
            self.triggered = True
            self.send_queued()

    def send_queued(self):
        if self.queue:
            self.write(self.queue.pop(0))
            self.later(self.QUEUED_WRITE_DELAY, self.send_queued)
        else:
            self.triggered = False

    def on_events(self, events):
        if events & selectors.EVENT_WRITE:
            self.flush()
        if events & selectors.EVENT_READ and not self.lost:
            try:
                data = self.sock.recv(1 << 20)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.connection_lost()
                return
            self.inbuf += data
            self.consume()

    def dropConnection(self):
        if self.state != WSP.STATE_CLOSED:
            self.droppedByMe = True
            self.state = WSP.STATE_CLOSED
            if self.outbuf and not self.lost:
                # What is queued (a Close answer) goes out before the FIN.
                try:
                    self.sock.setblocking(True)
                    self.sock.settimeout(1)
                    self.sock.sendall(self.outbuf)
                except OSError:
                    pass
            self.connection_lost()

    def connection_lost(self):
        if self.lost:
            return
        self.lost = True
        self.state = WSP.STATE_CLOSED
        for t in self.timers:
            Loop.cancel(t)
        try:
            self.loop.sel.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        self.sock.close()
        if self.case is not None:
            self.case_lost()
        if self.on_lost:
            self.on_lost(self)

    def case_lost(self):
        if self.connectionWasOpen and not self.wasClean and not self.droppedByMe \
                and self.wasNotCleanReason is None:
            self.wasNotCleanReason = "peer dropped the TCP connection without previous WebSocket closing handshake"
        self.case.onConnectionLost(self.failedByMe)

    # ---- opening handshake ----------------------------------------------
    def handshake(self):
        self.key = base64.b64encode(os.urandom(16))
        ext = ""
        # The case sets its offers in its constructor (init), as in autobahn.
        self.offers = list(self.perMessageCompressionOffers)
        if self.offers:
            ext = "Sec-WebSocket-Extensions: %s\r\n" % ", ".join(o.extension_string() for o in self.offers)
        host, port = self.addr
        req = (f"GET / HTTP/1.1\r\nUser-Agent: AutobahnTestSuite/{suite.VERSION}\r\n"
               f"Host: {host}:{port}\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
               "Pragma: no-cache\r\nCache-Control: no-cache\r\n"
               f"Sec-WebSocket-Key: {self.key.decode()}\r\n{ext}"
               "Sec-WebSocket-Version: 13\r\n\r\n")
        self.write(req.encode())

    def open_timeout(self):
        if self.state == WSP.STATE_CONNECTING:
            self.wasNotCleanReason = "peer did not finish (in time) the opening handshake"
            self.dropConnection()

    def fail_handshake(self, why):
        self.error = "handshake: " + why
        self.dropConnection()

    def take_head(self):
        """(start line, fields by lower-case name, repeats joined by ", ")
        once a whole HTTP head is in; None until then."""
        end = self.inbuf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head, self.inbuf = self.inbuf[:end].decode("latin-1"), self.inbuf[end + 4:]
        lines = head.split("\r\n")
        fields = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            k = k.strip().lower()
            fields[k] = (fields[k] + ", " if k in fields else "") + v.strip()
        return lines[0], fields

    def process_handshake(self):
        head = self.take_head()
        if head is None:
            return False
        start, fields = head
        status = start.split(" ", 2)
        if len(status) < 2 or status[1] != "101":
            self.fail_handshake("status line %r" % start)
            return False
        want = base64.b64encode(hashlib.sha1(self.key + GUID).digest()).decode()
        if fields.get("sec-websocket-accept") != want:
            self.fail_handshake("Sec-WebSocket-Accept %r" % fields.get("sec-websocket-accept"))
            return False
        if fields.get("upgrade", "").lower() != "websocket":
            self.fail_handshake("Upgrade %r" % fields.get("upgrade"))
            return False
        if not has_token(fields, "connection", "upgrade"):
            self.fail_handshake("Connection %r" % fields.get("connection"))
            return False
        ext = fields.get("sec-websocket-extensions")
        if ext:
            if not self.offers:
                self.fail_handshake("extension %r not offered" % ext)
                return False
            r = pmd.parse_response(ext, self.offers)
            if isinstance(r, str):
                self.fail_handshake(r)
                return False
            if self.perMessageCompressionAccept(r) is None:
                self.fail_handshake("permessage-deflate response denied by the case")
                return False
            self._perMessageCompress = pmd.Deflate.for_client(r)
        Loop.cancel(self.open_timer)
        self.state = WSP.STATE_OPEN
        self.connectionWasOpen = True
        self.case.onOpen()
        return True

    def process_request(self):
        """The server's side: the client's request, then 101 and onOpen."""
        head = self.take_head()
        if head is None:
            return False
        start, fields = head
        parts = start.split(" ")
        if len(parts) != 3 or parts[0] != "GET" or parts[2] != "HTTP/1.1":
            self.error = "request line %r" % start
            self.dropConnection()
            return False
        if fields.get("upgrade", "").lower() != "websocket" or fields.get("sec-websocket-version") != "13" \
                or not has_token(fields, "connection", "upgrade") \
                or len(base64.b64decode(fields.get("sec-websocket-key", ""), validate=False)) != 16:
            self.error = "not a valid WebSocket upgrade: %r" % fields
            self.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            self.dropConnection()
            return False
        url = urlsplit(parts[1])
        self.path, q = url.path, parse_qs(url.query)
        if self.path == "/runCase":
            self.case_number = int(q.get("case", ["0"])[0])
            klass = self.case_for(self.case_number)
            if klass is None:
                self.error = "no case %s" % self.case_number
                self.dropConnection()
                return False
            self.case = klass(self)
        ext = ""
        offers = pmd.parse_offers(fields.get("sec-websocket-extensions", ""))
        if offers and self.case is not None:
            accept = self.perMessageCompressionAccept(offers)
            if accept is not None:
                ext = "Sec-WebSocket-Extensions: %s\r\n" % accept.extension_string()
                self._perMessageCompress = pmd.Deflate.for_server(accept)
        key = fields["sec-websocket-key"].encode()
        accept_key = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        self.write(("HTTP/1.1 101 Switching Protocols\r\nServer: AutobahnTestSuite/%s\r\n"
                    "Upgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n"
                    % (suite.VERSION, accept_key, ext)).encode())
        Loop.cancel(self.open_timer)
        self.state = WSP.STATE_OPEN
        self.connectionWasOpen = True
        if self.case is not None:
            self.case.onOpen()
        elif self.path == "/getCaseCount":
            self.sendMessage(str(self.case_count).encode())
            self.sendClose()
        else:
            self.sendClose()
        return True

    # ---- receiving -------------------------------------------------------
    def consume(self):
        if self.state == WSP.STATE_CONNECTING:
            done = self.process_request() if self.is_server else self.process_handshake()
            if not done:
                return
        while self.state in (WSP.STATE_OPEN, WSP.STATE_CLOSING) and self.process_data():
            pass

    def protocolViolation(self, reason):
        self.error = reason
        self.failConnection(WSP.CLOSE_STATUS_CODE_PROTOCOL_ERROR, reason)
        return False

    def invalidPayload(self, reason):
        self.error = reason
        self.failConnection(WSP.CLOSE_STATUS_CODE_INVALID_PAYLOAD, reason)
        return False

    def process_data(self):
        """One step of autobahn's processDataHybi; False when it needs more."""
        buf = self.inbuf
        if self.frame is None:
            if len(buf) < 2:
                return False
            fin, rsv, opcode = buf[0] >> 7, (buf[0] >> 4) & 7, buf[0] & 15
            masked, len1 = buf[1] >> 7, buf[1] & 127
            if rsv and not (self._perMessageCompress and rsv == 4):
                return self.protocolViolation("RSV = %d and no extension negotiated" % rsv)
            if masked != self.is_server:
                return self.protocolViolation("unmasked client-to-server frame" if self.is_server
                                              else "masked server-to-client frame")
            if opcode > 7:
                if not fin:
                    return self.protocolViolation("fragmented control frame")
                if len1 > 125:
                    return self.protocolViolation("control frame with payload length > 125 octets")
                if opcode not in (8, 9, 10):
                    return self.protocolViolation("control frame using reserved opcode %d" % opcode)
                if opcode == 8 and len1 == 1:
                    return self.protocolViolation("received close control frame with payload len 1")
                if rsv == 4:
                    return self.protocolViolation("received compressed control frame")
            else:
                if opcode not in (0, 1, 2):
                    return self.protocolViolation("data frame using reserved opcode %d" % opcode)
                if not self.inside_message and opcode == 0:
                    return self.protocolViolation("continuation frame outside fragmented message")
                if self.inside_message and opcode != 0:
                    return self.protocolViolation("non-continuation data frame inside fragmented message")
                if rsv == 4 and self.inside_message:
                    return self.protocolViolation("continuation frame with compress bit set")
            hlen = 2 + {126: 2, 127: 8}.get(len1, 0) + 4 * masked
            if len(buf) < hlen:
                return False
            if len1 == 126:
                length = struct.unpack("!H", buf[2:4])[0]
                if length < 126:
                    return self.protocolViolation("not using minimal length encoding")
            elif len1 == 127:
                length = struct.unpack("!Q", buf[2:10])[0]
                if length > 0x7FFFFFFFFFFFFFFF:
                    return self.protocolViolation("invalid data frame length (>2^63)")
                if length < 65536:
                    return self.protocolViolation("not using minimal length encoding")
            else:
                length = len1
            self.inbuf = buf[hlen:]
            key = buf[hlen - 4:hlen] if masked else None
            self.frame = dict(fin=fin, rsv=rsv, opcode=opcode, length=length, got=0, data=[], key=key)
            self.frame_begin()
            return length == 0 or len(self.inbuf) > 0
        f = self.frame
        take = min(f["length"] - f["got"], len(buf))
        data, self.inbuf = buf[:take], buf[take:]
        data = xor_mask(data, f["key"], f["got"])
        f["got"] += take
        if take and not self.frame_data(data):
            return False
        if f["got"] == f["length"]:
            if self.frame_end() is False:
                return False
        return len(self.inbuf) > 0

    def frame_begin(self):
        f = self.frame
        if f["opcode"] > 7 or self.inside_message:
            return
        self.inside_message = True
        self.message = []
        self.message_binary = f["opcode"] == 2
        self.message_compressed = bool(self._perMessageCompress and f["rsv"] == 4)
        if self.message_compressed:
            self._perMessageCompress.start_inflate()
        self.utf8.reset()
        self.utf8_last = (True, True, 0, 0)

    def frame_data(self, data):
        f = self.frame
        if f["opcode"] > 7:
            f["data"].append(data)
            return True
        if self.message_compressed:
            data = self._perMessageCompress.inflate(data)
        return self.message_data(data)

    def message_data(self, data):
        if not self.message_binary:
            self.utf8_last = self.utf8.validate(data)
            if not self.utf8_last[0]:
                return self.invalidPayload("invalid UTF-8 in text message at octet %d" % self.utf8_last[3])
        self.message.append(data)
        return True

    def frame_end(self):
        f, self.frame = self.frame, None
        if f["opcode"] > 7:
            return self.control_frame(f["opcode"], b"".join(f["data"]))
        if f["fin"]:
            if self.message_compressed and not self.message_data(self._perMessageCompress.end_inflate()):
                return False
            if not self.message_binary and not self.utf8_last[1]:
                return self.invalidPayload("text message ends inside a code point")
            self.inside_message = False
            if not self.failedByMe:
                self.case.onMessage(b"".join(self.message), self.message_binary)
        return True

    def control_frame(self, opcode, payload):
        if opcode == 8:
            code = reason = None
            if len(payload) > 1:
                code = struct.unpack("!H", payload[:2])[0]
                if len(payload) > 2:
                    reason = payload[2:]
            return self.on_close_frame(code, reason)
        if opcode == 9:
            # autobahn answers a Ping itself; the cases do not see it.
            if self.state == WSP.STATE_OPEN:
                self.sendFrame(opcode=10, payload=payload)
        elif opcode == 10:
            self.case.onPong(payload)
        return True

    def on_close_frame(self, code, reason):
        self.remoteCloseCode = code
        if code is not None and (code < 1000 or (code <= 2999 and code not in WSP.CLOSE_STATUS_CODES_ALLOWED)
                                 or code >= 5000):
            return self.protocolViolation("invalid close code %d" % code)
        if reason is not None:
            if not suite.Utf8Validator().validate(reason)[:2] == (True, True):
                return self.invalidPayload("invalid close reason (non-UTF-8 payload)")
            self.remoteCloseReason = reason.decode("utf-8")
        if self.state == WSP.STATE_CLOSING:
            Loop.cancel(self.close_timer)
            self.wasClean = True
            if self.is_server:
                self.dropConnection()
            else:
                # A client expects the server to drop the TCP connection.
                self.later(self.SERVER_DROP_TIMEOUT, self.server_drop_timeout)
        elif self.state == WSP.STATE_OPEN:
            self.wasClean = True
            self.sendCloseFrame(code=WSP.CLOSE_STATUS_CODE_NORMAL, isReply=True)
            if self.is_server:
                self.dropConnection()
        return False if self.state == WSP.STATE_CLOSED else True

    def server_drop_timeout(self):
        if self.state != WSP.STATE_CLOSED:
            self.wasClean = False
            self.wasNotCleanReason = "server did not drop TCP connection (in time)"
            self.dropConnection()

    def close_handshake_timeout(self):
        if self.state != WSP.STATE_CLOSED:
            self.wasClean = False
            self.wasNotCleanReason = "peer did not respond (in time) in closing handshake"
            self.dropConnection()

    # ---- sending (what the cases call) -------------------------------------
    def sendFrame(self, opcode, payload=b"", fin=True, rsv=0, mask=None, payload_len=None,
                  chopsize=None, sync=False):
        payload = as_bytes(payload)
        if payload_len is not None:
            if not payload:
                raise ValueError("repeated payload from an empty one")
            pl = payload * (payload_len // len(payload)) + payload[:payload_len % len(payload)]
        else:
            pl = payload
        n = len(pl)
        # A server masks only when the case gives a key (autobahn's
        # maskServerFrames is off); a client always does.
        key = as_bytes(mask) if mask else (b"" if self.is_server else os.urandom(4))
        b0 = (0x80 if fin else 0) | ((rsv % 8) << 4) | (opcode % 128)
        self.txFrameStats[opcode] = self.txFrameStats.get(opcode, 0) + 1
        self.sendData(header(b0, n, key) + key + xor_mask(pl, key), sync, chopsize)

    def sendCloseFrame(self, code=None, reasonUtf8=None, isReply=False):
        if self.state != WSP.STATE_OPEN:
            return
        payload = b""
        if code is not None:
            payload += struct.pack("!H", code)
        if reasonUtf8 is not None:
            payload += as_bytes(reasonUtf8)
        self.sendFrame(opcode=8, payload=payload)
        self.state = WSP.STATE_CLOSING
        self.closedByMe = not isReply
        self.localCloseCode = code
        self.localCloseReason = reasonUtf8
        if self.closedByMe:
            self.close_timer = self.later(self.CLOSE_HANDSHAKE_TIMEOUT, self.close_handshake_timeout)

    def sendClose(self, code=None, reason=None):
        reason_utf8 = None
        if reason is not None:
            reason_utf8 = reason.encode("utf-8") if isinstance(reason, str) else bytes(reason)
            if len(reason_utf8) + 2 > 125:
                reason_utf8 = reason_utf8[:120] + b"..."
        self.sendCloseFrame(code=code, reasonUtf8=reason_utf8, isReply=False)

    def failConnection(self, code=WSP.CLOSE_STATUS_CODE_GOING_AWAY, reason="Going Away"):
        # failByDrop is off in the fuzzingclient ("spec conformance").
        if self.state == WSP.STATE_CLOSED:
            return
        self.failedByMe = True
        if self.state != WSP.STATE_CLOSING:
            self.sendCloseFrame(code=code, reasonUtf8=reason.encode("utf-8")[:123], isReply=False)
        else:
            self.dropConnection()

    def sendMessage(self, payload, isBinary=False, fragmentSize=None, sync=False, doNotCompress=False):
        payload = as_bytes(payload)
        if self.state != WSP.STATE_OPEN:
            return
        opcode = 2 if isBinary else 1
        compressed = self._perMessageCompress is not None and not doNotCompress
        if compressed:
            payload = self._perMessageCompress.compress(payload)
        rsv = 4 if compressed else 0
        pfs = fragmentSize if fragmentSize is not None else (self.autoFragmentSize or None)
        if pfs is None or len(payload) <= pfs:
            self.sendFrame(opcode=opcode, payload=payload, sync=sync, rsv=rsv)
            return
        # As autobahn 0.10 splits: fin only on a piece that runs short, so
        # an exact multiple ends with an empty frame.
        for i in range(0, len(payload) + 1, pfs):
            piece = payload[i:i + pfs]
            last = i + pfs > len(payload)
            self.sendFrame(opcode=opcode if i == 0 else 0, payload=piece, fin=last, sync=sync,
                           rsv=rsv if i == 0 else 0)

    def beginMessage(self, isBinary=False, doNotCompress=False, opcode=None):
        if self.state != WSP.STATE_OPEN:
            return
        if opcode is not None:
            isBinary = opcode == WSP.MESSAGE_TYPE_BINARY
        self.send_opcode = 2 if isBinary else 1
        self.send_state = "begin"

    def beginMessageFrame(self, length):
        if self.state != WSP.STATE_OPEN:
            return
        b0 = self.send_opcode if self.send_state == "begin" else 0
        self.frame_key = b"" if self.is_server else os.urandom(4)
        self.frame_left = length
        self.frame_pos = 0
        self.txFrameStats[b0] = self.txFrameStats.get(b0, 0) + 1
        self.sendData(header(b0, length, self.frame_key) + self.frame_key)
        self.send_state = "frame"

    def sendMessageFrameData(self, payload, sync=False):
        if self.state != WSP.STATE_OPEN:
            return
        payload = as_bytes(payload)[:self.frame_left]
        # The key continues from where the frame's last write stopped.
        self.sendData(xor_mask(payload, self.frame_key, self.frame_pos), sync=sync)
        self.frame_pos += len(payload)
        self.frame_left -= len(payload)
        if self.frame_left == 0:
            self.send_state = "inside"

    def endMessage(self):
        if self.state != WSP.STATE_OPEN:
            return
        self.sendFrame(opcode=0, payload=b"", fin=True)
        self.send_state = "ground"


