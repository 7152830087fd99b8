// U+FEFF in text messages (issue 9). A WebSocket text message is UTF-8 in which U+FEFF is an
// ordinary character (RFC 6455 §5.6), but TextDecoder drops a leading one by default: "\ufeffabc"
// arrived as "abc" and "\ufeff" as "". Each text goes through the package's Connection in both
// directions, deflate off and on, whole-message and chunk mode, whole, one byte at a time, and
// fragmented at every byte (text and compressed fragments), on one connection, so a decoder
// that strips a BOM at any message start is caught.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection } from "wsframe";
import { BOM_TEXTS, concat, decodeFrames, encodeFrame } from "../../tests/interop/node/corpus.mjs";

const utf8 = new TextEncoder();
const MASK = new Uint8Array([0xa1, 0xb2, 0xc3, 0xd4]);

/** The text messages in `events`: chunks joined until `last`. */
function texts(events) {
  const out = [];
  let current = "";
  for (const ev of events) {
    assert.equal(ev.type, "text");
    current += ev.data;
    if (ev.last) {
      out.push(current);
      current = "";
    }
  }
  assert.equal(current, "", "a message left unfinished");
  return out;
}

/** Ways to carry one text from `from` to `to`; each returns the receiver's events. */
/** What `conn.method(...args)` queued for the peer. */
function out(conn, method, ...args) {
  conn[method](...args);
  return conn.takeOutgoing();
}

const WAYS = {
  whole: (from, to, text) => [...to.receive(out(from, "sendText", text))],
  "one byte at a time": (from, to, text) => {
    const wire = out(from, "sendText", text);
    const events = [];
    for (let i = 0; i < wire.length; i++) events.push(...to.receive(wire.subarray(i, i + 1)));
    return events;
  },
  // Two text fragments split at every byte (inside U+FEFF's three bytes too), then one byte each.
  "fragmented at every byte": (from, to, text) => {
    const bytes = utf8.encode(text);
    const events = [];
    for (let i = 0; i <= bytes.length; i++) {
      events.push(...to.receive(out(from, "sendFrame", "text", bytes.subarray(0, i), false)));
      events.push(...to.receive(out(from, "sendFrame", "text", bytes.subarray(i), true)));
    }
    for (let i = 0; i < bytes.length; i++) {
      events.push(...to.receive(out(from, "sendFrame", "text", bytes.subarray(i, i + 1), i === bytes.length - 1)));
    }
    return events;
  },
};

/**
 * A compressed message re-sent as two fragments, cut at every byte of its compressed payload
 * (RSV1 on the first only, RFC 7692 §6.1). Each cut is a separate message, so the sender's
 * context advances once per message as the receiver's does.
 */
function compressedFragments(from, to, text) {
  const events = [];
  const mask = from.role === "client" ? MASK : undefined;
  for (let cut = 0, length = 0; cut <= length; cut++) {
    const [frame] = decodeFrames(out(from, "sendText", text));
    assert.equal(frame.rsv, 4, "the message is compressed");
    length = frame.payload.length;
    const first = encodeFrame({ opcode: 1, fin: false, rsv1: true, payload: frame.payload.subarray(0, cut), mask });
    const last = encodeFrame({ opcode: 0, payload: frame.payload.subarray(cut), mask });
    events.push(...to.receive(concat([first, last])));
  }
  return events;
}

for (const deflate of [false, true]) {
  for (const messages of [true, false]) {
    for (const sender of ["client", "server"]) {
      const receiver = sender === "client" ? "server" : "client";
      const mode = messages ? "whole-message mode" : "chunk mode";
      test(`U+FEFF kept, ${sender} to ${receiver}, deflate ${deflate ? "on" : "off"}, ${mode}`, () => {
        const from = new Connection({ role: sender, deflate });
        const to = new Connection({ role: receiver, deflate, messages });
        for (const [way, send] of Object.entries(WAYS)) {
          for (const text of BOM_TEXTS) {
            const got = texts(send(from, to, text));
            assert.ok(got.length > 0);
            for (const t of got) assert.equal(t, text, `${way}: ${JSON.stringify(text)} arrived as ${JSON.stringify(t)}`);
          }
        }
        if (deflate) {
          for (const text of BOM_TEXTS) {
            const got = texts(compressedFragments(from, to, text));
            for (const t of got) assert.equal(t, text, `compressed fragments: ${JSON.stringify(text)} arrived as ${JSON.stringify(t)}`);
          }
        }
        // A close reason is UTF-8 too (RFC 6455 §5.5.1).
        assert.deepEqual([...to.receive(out(from, "close", 1000, "\ufeffbye"))], [{ type: "close", code: 1000, reason: "\ufeffbye" }]);
        from.free();
        to.free();
      });
    }
  }
}
