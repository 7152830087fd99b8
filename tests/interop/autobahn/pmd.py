"""permessage-deflate (RFC 7692) for the Autobahn driver, over Python's zlib.

Stands in for the part of autobahn 0.10's `autobahn.websocket.compress` that
the suite's 12.x and 13.x cases use: the offer classes they construct, the
extension strings those offers put on the wire, and the compressor and
decompressor a negotiated extension runs. The deflate itself is zlib's, an
implementation independent of the one under test.
"""

import zlib


def extension_string(*params):
    """`permessage-deflate` with each (name, value) that is set, in order:
    True as a bare parameter, a number as name=number."""
    s = PerMessageDeflateOffer.EXTENSION_NAME
    for name, value in params:
        if value is True:
            s += "; " + name
        elif value:
            s += "; %s=%d" % (name, value)
    return s


class PerMessageDeflateOffer:
    """A client's offer (autobahn's defaults: accept both parameters)."""

    EXTENSION_NAME = "permessage-deflate"

    def __init__(self, acceptNoContextTakeover=True, acceptMaxWindowBits=True,
                 requestNoContextTakeover=False, requestMaxWindowBits=0):
        self.acceptNoContextTakeover = acceptNoContextTakeover
        self.acceptMaxWindowBits = acceptMaxWindowBits
        self.requestNoContextTakeover = requestNoContextTakeover
        self.requestMaxWindowBits = requestMaxWindowBits

    def extension_string(self):
        return extension_string(("client_no_context_takeover", self.acceptNoContextTakeover),
                                ("client_max_window_bits", self.acceptMaxWindowBits),
                                ("server_no_context_takeover", self.requestNoContextTakeover),
                                ("server_max_window_bits", self.requestMaxWindowBits))


class PerMessageDeflateOfferAccept:
    """A server's acceptance of an offer (used by the server side only)."""

    def __init__(self, offer, requestNoContextTakeover=False, requestMaxWindowBits=0):
        self.offer = offer
        self.requestNoContextTakeover = requestNoContextTakeover
        self.requestMaxWindowBits = requestMaxWindowBits

    def extension_string(self):
        return extension_string(("server_no_context_takeover", self.offer.requestNoContextTakeover),
                                ("server_max_window_bits", self.offer.requestMaxWindowBits),
                                ("client_no_context_takeover", self.requestNoContextTakeover),
                                ("client_max_window_bits", self.requestMaxWindowBits))


class PerMessageDeflateResponse:
    """The server's answer, parsed from Sec-WebSocket-Extensions."""

    def __init__(self, params):
        self.serverNoContextTakeover = "server_no_context_takeover" in params
        self.clientNoContextTakeover = "client_no_context_takeover" in params
        self.serverMaxWindowBits = int(params.get("server_max_window_bits") or 0)
        self.clientMaxWindowBits = int(params.get("client_max_window_bits") or 0)


class PerMessageDeflateResponseAccept:
    """The client's acceptance of the server's answer."""

    def __init__(self, response):
        self.response = response


def parse_offers(header):
    """A client's permessage-deflate offers, in its order; others skipped.
    An offer with a parameter autobahn would refuse is left out."""
    offers = []
    for item in (e.strip() for e in header.split(",") if e.strip()):
        parts = [p.strip() for p in item.split(";")]
        if parts[0] != PerMessageDeflateOffer.EXTENSION_NAME:
            continue
        o = PerMessageDeflateOffer(False, False, False, 0)
        ok = True
        for p in parts[1:]:
            k, _, v = p.partition("=")
            k, v = k.strip(), v.strip().strip('"')
            if k == "client_no_context_takeover" and not v:
                o.acceptNoContextTakeover = True
            elif k == "client_max_window_bits" and (not v or (v.isdigit() and 8 <= int(v) <= 15)):
                o.acceptMaxWindowBits = True
            elif k == "server_no_context_takeover" and not v:
                o.requestNoContextTakeover = True
            elif k == "server_max_window_bits" and v.isdigit() and 8 <= int(v) <= 15:
                o.requestMaxWindowBits = int(v)
            else:
                ok = False
        if ok:
            offers.append(o)
    return offers


def parse_response(header, offers):
    """The negotiated response, or a reason the answer is invalid (a string)."""
    items = [e.strip() for e in header.split(",") if e.strip()]
    if len(items) != 1:
        return "expected one extension, got %r" % header
    parts = [p.strip() for p in items[0].split(";")]
    if parts[0] != PerMessageDeflateOffer.EXTENSION_NAME:
        return "unknown extension %r" % parts[0]
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        k, v = k.strip(), v.strip().strip('"')
        if k in params:
            return "parameter %s twice" % k
        if k in ("server_no_context_takeover", "client_no_context_takeover"):
            if v:
                return "%s with a value" % k
        elif k in ("server_max_window_bits", "client_max_window_bits"):
            if not v.isdigit() or not 8 <= int(v) <= 15:
                return "%s=%r" % (k, v)
        else:
            return "unknown parameter %s" % k
        params[k] = v
    r = PerMessageDeflateResponse(params)
    # RFC 7692 section 7.1.2.2: client_max_window_bits only if offered;
    # section 7.1.1.1: client_no_context_takeover any time.
    if r.clientMaxWindowBits and not any(o.acceptMaxWindowBits for o in offers):
        return "client_max_window_bits not offered"
    return r


class Deflate:
    """A negotiated extension: compress what we send with our window and
    context rules, inflate what the peer sends."""

    def __init__(self, bits, reset_send, reset_receive):
        self.bits = bits
        self.reset_send = reset_send
        self.reset_receive = reset_receive
        self.compressor = None
        self.decompressor = None

    @classmethod
    def for_client(cls, r):
        return cls(r.clientMaxWindowBits or 15, r.clientNoContextTakeover, r.serverNoContextTakeover)

    @classmethod
    def for_server(cls, a):
        return cls(a.offer.requestMaxWindowBits or 15, a.offer.requestNoContextTakeover,
                   a.requestNoContextTakeover)

    def compress(self, payload):
        if self.compressor is None or self.reset_send:
            # zlib refuses a raw window of 8 bits; 9 is what it would use.
            self.compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED,
                                               -max(self.bits, 9))
        data = self.compressor.compress(payload) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        return data[:-4] if data.endswith(b"\x00\x00\xff\xff") else data

    def start_inflate(self):
        if self.decompressor is None or self.reset_receive:
            self.decompressor = zlib.decompressobj(-15)

    def inflate(self, data):
        return self.decompressor.decompress(data)

    def end_inflate(self):
        return self.decompressor.decompress(b"\x00\x00\xff\xff")
