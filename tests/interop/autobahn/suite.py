"""The Autobahn|Testsuite case definitions, loaded from the published package.

The cases are the conformance suite's own code: the `autobahntestsuite` sdist
from PyPI (pinned by version and SHA-256 below) is downloaded once into
`.cache/autobahn/`, its `case/` package is converted from Python 2 with
lib2to3 when loaded, and it runs against the small stand-ins this module
puts in place of the `autobahn` 0.10 library modules it imports (constants,
a UTF-8 validator, permessage-deflate offers). Nothing of the suite is kept
in this repository; what decides pass or fail (each case's expected events
and close behaviour, `Case.onConnectionLost`) is the suite's, unchanged.

The suite itself runs on Python 2.7 and Twisted, which a Debian 12 machine
does not have; `fuzzingclient.py` drives these cases the way its
fuzzingclient does.
"""

import binascii
import hashlib
import importlib
import os
import subprocess
import sys
import tarfile
import types
import warnings

VERSION = "25.10.1"
SHA256 = "b083d6e15330fc16f3e5f0975cce2b15f21bfa0c6db09547316b1852c6dbd6df"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CACHE = os.path.join(ROOT, ".cache", "autobahn")


def sdist():
    """The pinned sdist's path, downloaded on first use and checked by hash."""
    name = f"autobahntestsuite-{VERSION}.tar.gz"
    path = os.path.join(CACHE, name)
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             f"autobahntestsuite=={VERSION}", "-d", CACHE],
            check=True,
        )
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != SHA256:
        os.remove(path)
        raise SystemExit(f"{name}: SHA-256 {digest}, expected {SHA256}")
    return path


def converted_cases():
    """The suite's `case` package converted to Python 3, as a directory."""
    out = os.path.join(CACHE, f"py3-{VERSION}")
    done = os.path.join(out, ".done")
    if os.path.exists(done):
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lib2to3 import refactor
    tool = refactor.RefactoringTool(refactor.get_fixers_from_package("lib2to3.fixes"))
    prefix = f"autobahntestsuite-{VERSION}/autobahntestsuite/"
    os.makedirs(os.path.join(out, "case"), exist_ok=True)
    with tarfile.open(sdist()) as tar:
        for m in tar.getmembers():
            rel = m.name[len(prefix):] if m.name.startswith(prefix) else None
            if rel is None or not m.isfile():
                continue
            data = tar.extractfile(m).read()
            dest = os.path.join(out, rel)
            if rel.startswith("testdata/"):
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as f:
                    f.write(data)
            elif rel.startswith("case/") and rel.endswith(".py"):
                # Python 2 string literals are bytes: read the source as
                # Latin-1 so each literal's characters are its bytes, and
                # the run turns payload strings back into those bytes.
                src = data.decode("latin-1").replace("# -*- coding: utf-8 -*-", "")
                # lib2to3's fix_import cannot see sibling modules of a tree
                # it is not given; make the package imports relative here.
                src = src.replace("\nfrom case", "\nfrom .case")
                # Python 2 classes listed `object` before the (old-style)
                # Case base; a Python 3 MRO cannot put object first.
                src = src.replace("(object, Case, )", "(Case, )")
                # Integer division, and hex dumps of byte strings.
                src = src.replace("/ self.p.autoFragmentSize", "// self.p.autoFragmentSize")
                src = src.replace("binascii.b2a_hex(", "_py2.b2a_hex(")
                src = "import _py2\n" + src if "_py2." in src else src
                tree = tool.refactor_string(src + "\n", rel)
                with open(dest, "w", encoding="latin-1") as f:
                    f.write("# -*- coding: latin-1 -*-\n" + str(tree))
    open(done, "w").close()
    return out


class Utf8Validator:
    """autobahn's incremental validator interface: `validate(bytes)` gives
    (valid, ends on a code point, bytes taken this call, bytes taken in all),
    failing at the first byte that cannot continue valid UTF-8."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.need = 0
        self.lo, self.hi = 0x80, 0xBF
        self.total = 0

    def validate(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        start = 0
        if not self.need:
            # Fast path: CPython's strict decoder rejects exactly what
            # RFC 3629 does; where it stops, the byte walk below says why.
            try:
                data.decode("utf-8")
                self.total += len(data)
                return (True, True, len(data), self.total)
            except UnicodeDecodeError as e:
                start = e.start
        for i in range(start, len(data)):
            b = data[i]
            if self.need:
                if not self.lo <= b <= self.hi:
                    self.total += i
                    return (False, False, i, self.total)
                self.need -= 1
                self.lo, self.hi = 0x80, 0xBF
                continue
            if b < 0x80:
                continue
            if 0xC2 <= b <= 0xDF:
                self.need = 1
            elif 0xE0 <= b <= 0xEF:
                self.need = 2
                self.lo, self.hi = {0xE0: (0xA0, 0xBF), 0xED: (0x80, 0x9F)}.get(b, (0x80, 0xBF))
            elif 0xF0 <= b <= 0xF4:
                self.need = 3
                self.lo, self.hi = {0xF0: (0x90, 0xBF), 0xF4: (0x80, 0x8F)}.get(b, (0x80, 0xBF))
            else:
                self.total += i
                return (False, False, i, self.total)
        self.total += len(data)
        return (True, self.need == 0, len(data), self.total)


class WebSocketProtocol:
    """The constants the cases read from autobahn's WebSocketProtocol."""

    MESSAGE_TYPE_TEXT = 1
    MESSAGE_TYPE_BINARY = 2
    STATE_CLOSED = 0
    STATE_CONNECTING = 1
    STATE_CLOSING = 2
    STATE_OPEN = 3
    STATE_PROXY_CONNECTING = 4
    CLOSE_STATUS_CODE_NORMAL = 1000
    CLOSE_STATUS_CODE_GOING_AWAY = 1001
    CLOSE_STATUS_CODE_PROTOCOL_ERROR = 1002
    CLOSE_STATUS_CODE_UNSUPPORTED_DATA = 1003
    CLOSE_STATUS_CODE_RESERVED1 = 1004
    CLOSE_STATUS_CODE_NULL = 1005
    CLOSE_STATUS_CODE_ABNORMAL_CLOSE = 1006
    CLOSE_STATUS_CODE_INVALID_PAYLOAD = 1007
    CLOSE_STATUS_CODE_POLICY_VIOLATION = 1008
    CLOSE_STATUS_CODE_MESSAGE_TOO_BIG = 1009
    CLOSE_STATUS_CODE_MANDATORY_EXTENSION = 1010
    CLOSE_STATUS_CODE_INTERNAL_ERROR = 1011
    CLOSE_STATUS_CODE_SERVICE_RESTART = 1012
    CLOSE_STATUS_CODE_TRY_AGAIN_LATER = 1013
    CLOSE_STATUS_CODE_TLS_HANDSHAKE_FAILED = 1015
    CLOSE_STATUS_CODES_ALLOWED = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013]


def _stub_modules(compress):
    """Installs the stand-ins for the modules the cases import."""
    mods = {
        "autobahn": types.ModuleType("autobahn"),
        "autobahn.websocket": types.ModuleType("autobahn.websocket"),
        "autobahn.websocket.protocol": types.ModuleType("autobahn.websocket.protocol"),
        "autobahn.websocket.utf8validator": types.ModuleType("autobahn.websocket.utf8validator"),
        "autobahn.websocket.compress": compress,
        # case9_9_1 (not in the suite's case list) imports these.
        "twisted": types.ModuleType("twisted"),
        "twisted.internet": types.ModuleType("twisted.internet"),
        "zope": types.ModuleType("zope"),
        "zope.interface": types.ModuleType("zope.interface"),
        "pkg_resources": types.ModuleType("pkg_resources"),
    }
    mods["_py2"] = types.ModuleType("_py2")
    mods["_py2"].b2a_hex = lambda b: binascii.b2a_hex(b.encode("latin-1") if isinstance(b, str) else b)
    mods["autobahn.websocket.protocol"].WebSocketProtocol = WebSocketProtocol
    mods["autobahn.websocket.utf8validator"].Utf8Validator = Utf8Validator
    mods["twisted.internet"].reactor = None
    mods["twisted.internet"].interfaces = types.SimpleNamespace(IPushProducer=None)
    mods["zope.interface"].implements = lambda *a: None
    base = os.path.join(CACHE, f"py3-{VERSION}")
    mods["pkg_resources"].resource_filename = lambda pkg, rel: os.path.join(base, rel)
    sys.modules.update(mods)


def as_bytes(x):
    """What Python 2 had as `str`, as bytes: a Latin-1 `str` becomes its
    bytes, inside lists and tuples too; other values stay as they are."""
    if isinstance(x, str):
        return x.encode("latin-1")
    if isinstance(x, bytearray):
        return bytes(x)
    if isinstance(x, (list, tuple)):
        return type(x)(as_bytes(v) for v in x)
    return x


def load(compress):
    """(the suite's ordered case classes, the Case base class, case id of a class).

    `compress` is the module standing in for autobahn.websocket.compress."""
    path = converted_cases()
    _stub_modules(compress)
    if path not in sys.path:
        sys.path.insert(0, path)
    pkg = importlib.import_module("case")
    base = importlib.import_module("case.case").Case
    # The suite compares events by pickling them. In Python 2 a payload
    # literal and a received payload were both `str`; here the first is a
    # Latin-1 `str` and the second `bytes`, so both become bytes first.
    pickled = base.compare
    base.compare = lambda self, a, b: pickled(self, as_bytes(a), as_bytes(b))

    def case_id(klass):
        return ".".join(klass.__name__[len("Case"):].split("_"))

    return pkg.Cases, base, case_id


def matches(ids, patterns, exclude=()):
    """Case ids selected by wstest-style patterns ('1.*', '6.4.1', '*')."""
    import fnmatch

    def hit(i, pats):
        return any(fnmatch.fnmatchcase(i, p) for p in pats)

    return [i for i in ids if hit(i, patterns) and not hit(i, exclude)]


if __name__ == "__main__":
    import pmd

    cases, _, cid = load(pmd)
    print(len(cases), "cases:", ", ".join(cid(c) for c in cases[:5]), "...")
