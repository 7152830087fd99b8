"""A deterministic corpus of real-world-like WebSocket payloads for integrity tests.

    from corpus import corpus, image_stream
    for name, data in corpus(): ...        # (name, str | bytes), same every run

The interop suites used to send friendly payloads (short ASCII, repeating patterns) and
missed two data-integrity bugs (issue 9): permessage-deflate output dropped for
incompressible and image-like data at some sizes, and a leading U+FEFF dropped from text.
This corpus is what real traffic looks like instead: compressible text, multilingual text
with every UTF-8 length and its edge code points, uncompressed and already-compressed
images and documents, random bytes, and every size at which a buffer, a frame-length form
or a deflate block could end. Standard library only; everything is seeded, so a failing
item is reproducible by name.
"""

from __future__ import annotations

import json
import math
import random
import struct
import zlib
from functools import lru_cache

KIB = 1024
MIB = 1024 * KIB
SEED = 9  # issue 9

# ---- sizes ---------------------------------------------------------------------------------


def boundary_sizes() -> list[int]:
    """Payload sizes where something changes: frame length forms (125/126/127, 65535/65536),
    powers of two and their neighbours (buffer and block sizes, k = 7..20), and 31,745 and
    31,746 bytes, where the old compressor lost the last byte of random data."""
    sizes = {0, 1, 125, 126, 127, 31_745, 31_746, 65_535, 65_536, 65_537, MIB}
    for k in range(7, 21):
        sizes.update((2**k - 1, 2**k, 2**k + 1))
    return sorted(sizes)


# ---- text ------------------------------------------------------------------------------------

ENGLISH = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
    "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it "
    "was the season of Light, it was the season of Darkness, it was the spring of hope, it "
    "was the winter of despair.\n"
)

# Words by script, chosen for their UTF-8 lengths: 1 byte (ASCII), 2 (Latin-1 supplement,
# Latin Extended, Greek, Cyrillic), 3 (CJK, Hangul, symbols) and 4 (emoji, musical symbols,
# CJK Extension B), plus combining marks and ZWJ sequences that are several code points.
WORDS = {
    "latin": ["the", "quick", "brown", "fox", "data", "frame", "socket", "message", "42"],
    "latin_ext": ["façade", "naïve", "Straße", "Łódź", "crème", "brûlée", "Ærø", "señor", "ğüşıöç"],
    "greek": ["Καλημέρα", "κόσμε", "λόγος", "Ἀθῆναι", "ψυχή"],
    "cyrillic": ["Привет", "мир", "Москва", "съешь", "ещё", "этих", "Ґанок", "їжак"],
    "cjk": ["日本語", "中文", "漢字", "한국어", "テキスト", "東京", "北京", "。", "、"],
    "symbols": ["€", "✓", "→", "∑", "№", "‰", "™", "…"],
    "astral": ["😀", "🎉", "👩\u200d💻", "🇺🇦", "𝄞", "𠜎", "🦀", "👍🏽", "🧪"],
    "combining": ["e\u0301", "n\u0303", "a\u030a", "\u0915\u094d\u0937"],
}


def multilingual_text(rng: random.Random, n_words: int) -> str:
    """Space-separated words from every script, mixed as in a chat log or a web page."""
    scripts = list(WORDS.values())
    out = []
    for i in range(n_words):
        out.append(rng.choice(rng.choice(scripts)))
        if i % 17 == 16:
            out.append("\n")
    return " ".join(out)


# One character of each UTF-8 length, for padding text to an exact byte length.
PAD_BY_LEN = {1: "a", 2: "é", 3: "日", 4: "😀"}


def text_of_utf8_len(rng: random.Random, n: int) -> str:
    """Multilingual text whose UTF-8 encoding is exactly `n` bytes."""
    # ~7 bytes per word with its space on average; overshoot, then cut at a character.
    words = multilingual_text(rng, n // 5 + 4)
    encoded = words.encode()[:n]
    text = encoded.decode(errors="ignore")  # drops a character cut in half
    short = n - len(text.encode())
    return text + PAD_BY_LEN[4] * (short // 4) + (PAD_BY_LEN[short % 4] if short % 4 else "")


# The code points where UTF-8 changes length or meaning (no surrogates: a str holding one
# cannot be sent as text), U+0000 and the noncharacters, which are valid UTF-8 and must pass.
BOUNDARY_CODE_POINTS = [
    "\u0000",  # NUL: valid text
    "\u007f",  # last 1-byte
    "\u0080",  # first 2-byte
    "\u07ff",  # last 2-byte
    "\u0800",  # first 3-byte
    "\ud7ff",  # last before the surrogates
    "\ue000",  # first after the surrogates
    "\ufeff",  # BOM / ZWNBSP: content, not to be stripped
    "\ufffd",  # the replacement character itself
    "\ufffe",  # noncharacter
    "\uffff",  # noncharacter, last 3-byte
    "\U00010000",  # first 4-byte
    "\U0010ffff",  # noncharacter, last code point
]


def boundary_text() -> str:
    """Each boundary code point alone, doubled, and between ASCII, then all in a row."""
    parts = [f"[{c}][{c}{c}]x{c}y" for c in BOUNDARY_CODE_POINTS]
    return "".join(parts) + "".join(BOUNDARY_CODE_POINTS)


def straddling_text(at: int) -> str:
    """ASCII then a 4-byte character whose bytes span byte offset `at` (2 before, 2 after):
    a reader that splits there must carry the partial character over."""
    return "a" * (at - 2) + "😀" + "z" * 61


def text_groups(rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    bom = "\ufeff"
    ml = multilingual_text(rng, 12_000)  # ~90 KiB of UTF-8
    half = len(ml) // 2
    records = [
        {
            "id": i,
            "user": rng.choice(["alice", "bob", "carol", "dmitri", "émilie", "佐藤", "Ζωή"]),
            "price": round(rng.uniform(1, 500), 2),
            "qty": rng.randint(1, 1000),
            "side": rng.choice(["buy", "sell"]),
            "ts": 1_732_000_000_000 + i * rng.randint(1, 50),
            "tags": rng.sample(["new", "hot", "sale", "eu", "us", "asia"], 2),
        }
        for i in range(3000)
    ]
    compressible = [
        ("text_english_256KiB", (ENGLISH * (256 * KIB // len(ENGLISH) + 1))[: 256 * KIB]),
        ("text_json_records", json.dumps(records, ensure_ascii=False)),
        ("text_json_lines", "\n".join(json.dumps(r, separators=(",", ":")) for r in records[:500])),
    ]
    multilingual = [
        ("text_multilingual", ml),
        ("text_nul", "\u0000"),
        ("text_nul_inside", "before\u0000after\u0000"),
        ("text_boundary_code_points", boundary_text()),
        ("text_boundary_code_points_x1000", boundary_text() * 1000),
    ]
    # U+FEFF alone is text_bom_only, in the BOM group.
    multilingual += [(f"text_code_point_U+{ord(c):04X}", c) for c in BOUNDARY_CODE_POINTS if c != bom]
    for at in (125, 126, 4096, 32_768, 65_536):
        multilingual.append((f"text_4byte_across_{at}", straddling_text(at)))
    # U+FEFF is ZERO WIDTH NO-BREAK SPACE inside a message and content everywhere: a
    # WebSocket text message is not a file, so a leading one is not a byte order mark.
    bom_text = [
        ("text_bom_only", bom),
        ("text_bom_abc", bom + "abc"),
        ("text_bom_bom", bom + bom),
        ("text_bom_start", bom + ml[:2000]),
        ("text_bom_middle", ml[:1000] + bom + ml[1000:2000]),
        ("text_bom_end", ml[:2000] + bom),
        ("text_bom_start_middle_end", bom + ml[:half] + bom + ml[half:] + bom),
        ("text_bom_json", bom + json.dumps(records[:50], ensure_ascii=False)),
        ("text_bom_65536", bom + text_of_utf8_len(rng, 65_536 - 3)),
    ]
    return {"text_compressible": compressible, "text_multilingual": multilingual, "text_bom": bom_text}


# ---- images and documents ---------------------------------------------------------------------

BMP_HEADER_LEN = 14 + 40 + 256 * 4  # file header, BITMAPINFOHEADER, grey palette


def scene_row(width: int, y: int, height: int, top: int) -> bytes:
    """One row of a smooth 'photo' in 0..top: a diagonal gradient, a bright disc and soft waves."""
    row = bytearray(width)
    cx, cy, r2 = width * 0.62, height * 0.4, (min(width, height) * 0.22) ** 2
    for x in range(width):
        v = 0.45 * x / width + 0.35 * y / height
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        if d2 < r2:
            v += 0.35 * (1 - d2 / r2)
        v += 0.08 * (0.5 + 0.5 * math.sin(x / 37 + y / 53) * math.cos(y / 71))
        row[x] = min(top, int(v * top))
    return bytes(row)


# Noise tables: a random byte mapped to a triangular distribution over 0..amp (the sum of two
# nibbles), like sensor noise; amplitudes vary by region as texture does in a photo.
NOISE_AMPS = (6, 14, 28, 48)
NOISE = {amp: bytes(((b & 15) + (b >> 4)) * amp // 30 for b in range(256)) for amp in NOISE_AMPS}


def grey_pixels(rng: random.Random, width: int, height: int) -> list[bytes]:
    """`height` rows of 8-bit grey: a smooth scene plus per-pixel noise. The scene stays
    under 256 - max noise, so rows add as big integers without carries between pixels."""
    top = 255 - max(NOISE_AMPS)
    period = min(height, 512)  # the scene repeats (shifted) every 512 rows in tall images
    scene = [scene_row(width, y, period, top) for y in range(period)]
    rows = []
    for y in range(height):
        base = scene[y % period]
        shift = (y // period * 97) % width
        base = base[shift:] + base[:shift]
        amp = NOISE_AMPS[(y // 40 + (y // 173) * 3) % len(NOISE_AMPS)]
        noise = rng.randbytes(width).translate(NOISE[amp])
        rows.append((int.from_bytes(base, "big") + int.from_bytes(noise, "big")).to_bytes(width, "big"))
    return rows


def bmp(width: int, rows: list[bytes]) -> bytes:
    """An uncompressed 8-bit greyscale BMP (BITMAPINFOHEADER, 256-entry grey palette)."""
    stride = (width + 3) & ~3
    pad = bytes(stride - width)
    pixels = b"".join(r + pad for r in reversed(rows))  # BMP rows go bottom-up
    info = struct.pack("<IiiHHIIiiII", 40, width, len(rows), 1, 8, 0, len(pixels), 2835, 2835, 256, 256)
    palette = b"".join(bytes((g, g, g, 0)) for g in range(256))
    header = struct.pack("<2sIHHI", b"BM", BMP_HEADER_LEN + len(pixels), 0, 0, BMP_HEADER_LEN)
    return header + info + palette + pixels


def png(width: int, rows: list[bytes]) -> bytes:
    """The same pixels as a greyscale PNG: IDAT is zlib data, so already compressed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, len(rows), 8, 0, 0, 0, 0)
    # Filter type 1 (Sub) per row, as encoders pick for photos.
    raw = b"".join(b"\x01" + bytes((r[i] - (r[i - 1] if i else 0)) & 255 for i in range(width)) for r in rows)
    idat = zlib.compress(raw, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf() -> bytes:
    """A minimal valid one-page PDF whose content stream is FlateDecode-compressed."""
    lines = [
        f"BT /F1 11 Tf 56 {780 - 14 * i} Td (Line {i}: the quick brown fox, {i * i}) Tj ET" for i in range(50)
    ]
    content = zlib.compress("\n".join(lines).encode(), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # binary comment: marks the file binary
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@lru_cache(maxsize=1)
def image_512() -> tuple[bytes, bytes]:
    """The 512x512 photo-like greyscale image as (BMP, PNG)."""
    rows = grey_pixels(random.Random(SEED), 512, 512)
    return bmp(512, rows), png(512, rows)


def image_stream(n_bytes: int, width: int = 2048, seed: int = SEED) -> bytes:
    """The first `n_bytes` of a tall uncompressed greyscale BMP (header, palette, then noisy
    photo-like rows): to slice into consecutive messages, as a camera or a file transfer
    would send it. Deflates to roughly 60-90 %, with no repeats within a 32 KiB window."""
    height = max(1, -(-(n_bytes - BMP_HEADER_LEN) // width))
    return bmp(width, grey_pixels(random.Random(seed), width, height))[:n_bytes]


def document_items() -> list[tuple[str, bytes]]:
    bmp_512, png_512 = image_512()
    return [
        ("image_bmp_512x512_grey", bmp_512),
        ("image_png_512x512_grey", png_512),
        ("document_pdf_flate", pdf()),
    ]


# ---- the corpus ------------------------------------------------------------------------------


def sized_groups(rng: random.Random) -> dict[str, list[tuple[str, str | bytes]]]:
    """At every boundary size: random bytes, image-like bytes and multilingual text."""
    sizes = boundary_sizes()
    stream = image_stream(3 * max(sizes), seed=SEED + 1)
    rand: list[tuple[str, str | bytes]] = []
    image: list[tuple[str, str | bytes]] = []
    text: list[tuple[str, str | bytes]] = []
    for n in sizes:
        start = rng.randrange(len(stream) - n)
        rand.append((f"random_{n}", rng.randbytes(n)))
        image.append((f"image_{n}", stream[start : start + n]))
        text.append((f"text_{n}", text_of_utf8_len(rng, n)))
    return {"sized_random": rand, "sized_image": image, "sized_text": text}


# The groups corpus_groups() returns, in order: known without building the corpus (~1.5 s).
GROUPS = (
    "text_compressible",
    "text_multilingual",
    "text_bom",
    "documents",
    "sized_random",
    "sized_image",
    "sized_text",
)


@lru_cache(maxsize=1)
def corpus_groups() -> dict[str, tuple[tuple[str, str | bytes], ...]]:
    """The corpus by kind: {group: ((name, payload), ...)}; names are unique and say what
    the payload is."""
    rng = random.Random(SEED)
    groups = {**text_groups(rng), "documents": document_items(), **sized_groups(rng)}
    names = [n for items in groups.values() for n, _ in items]
    assert len(set(names)) == len(names), "corpus item names must be unique"
    assert tuple(groups) == GROUPS, "GROUPS must list the groups"
    return {g: tuple(items) for g, items in groups.items()}


def corpus() -> list[tuple[str, str | bytes]]:
    """Every item, as (name, payload)."""
    return [item for items in corpus_groups().values() for item in items]


def payload_len(data: str | bytes) -> int:
    return len(data.encode() if isinstance(data, str) else data)


if __name__ == "__main__":
    # Lists the corpus: name, type, bytes on the wire.
    total = 0
    for group, items in corpus_groups().items():
        for name, data in items:
            n = payload_len(data)
            total += n
            print(f"{group:18} {name:34} {'text' if isinstance(data, str) else 'binary':6} {n:>9}")
    print(f"{len(corpus())} items, {total} bytes")
