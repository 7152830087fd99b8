//! Property tests: encode/decode round trips, and every split of the input
//! gives the same events (DESIGN §2).

mod common;

use common::{Ev, feed, test_rng};
use proptest::prelude::*;
use wsframe::{CloseCode, Config, Connection, DataKind, Role};

#[derive(Debug, Clone)]
enum Msg {
    Data { text: bool, payload: Vec<u8>, fragments: usize },
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

fn msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..300), 1usize..5).prop_map(
            |(text, payload, fragments)| {
                let payload = if text {
                    String::from_utf8_lossy(&payload).into_owned().into_bytes()
                } else {
                    payload
                };
                Msg::Data { text, payload, fragments }
            }
        ),
        proptest::collection::vec(any::<u8>(), 0..126).prop_map(Msg::Ping),
        proptest::collection::vec(any::<u8>(), 0..126).prop_map(Msg::Pong),
    ]
}

/// Encodes messages with the sending side of `role`, returning the wire
/// bytes and the events the other side should see.
fn encode(role: Role, msgs: &[Msg], seed: u64) -> (Vec<u8>, Vec<Ev>) {
    let mut tx = Connection::new(role, Config::default(), test_rng(seed));
    let mut wire = Vec::new();
    let mut expect = Vec::new();
    let mut out = vec![0u8; 1024];
    for m in msgs {
        match m {
            Msg::Data { text, payload, fragments } => {
                let kind = if *text { DataKind::Text } else { DataKind::Binary };
                let step = payload.len().div_ceil(*fragments).max(1);
                let mut pieces: Vec<&[u8]> = payload.chunks(step).collect();
                if pieces.is_empty() {
                    pieces.push(&[]);
                }
                let count = pieces.len();
                for (i, piece) in pieces.into_iter().enumerate() {
                    let n = tx.send_frame(kind, piece, i + 1 == count, &mut out).unwrap();
                    wire.extend_from_slice(&out[..n]);
                }
                expect.push(if *text {
                    Ev::Text(payload.clone())
                } else {
                    Ev::Binary(payload.clone())
                });
            }
            Msg::Ping(p) => {
                let n = tx.send_ping(p, &mut out).unwrap();
                wire.extend_from_slice(&out[..n]);
                expect.push(Ev::Ping(p.clone()));
            }
            Msg::Pong(p) => {
                let n = tx.send_pong(p, &mut out).unwrap();
                wire.extend_from_slice(&out[..n]);
                expect.push(Ev::Pong(p.clone()));
            }
        }
    }
    let n = tx.send_close(Some(CloseCode::NORMAL), "end", &mut out).unwrap();
    wire.extend_from_slice(&out[..n]);
    expect.push(Ev::Close(Some((1000, "end".into()))));
    (wire, expect)
}

fn peer(role: Role) -> Role {
    match role {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn roundtrip_in_both_directions(msgs in proptest::collection::vec(msg(), 0..12), seed in any::<u64>()) {
        for role in [Role::Client, Role::Server] {
            let (wire, expect) = encode(role, &msgs, seed);
            let mut rx = Connection::new(peer(role), Config::default(), test_rng(1));
            prop_assert_eq!(feed(&mut rx, &wire, &[wire.len()]), expect);
        }
    }

    #[test]
    fn every_split_gives_the_same_events(
        msgs in proptest::collection::vec(msg(), 1..8),
        sizes in proptest::collection::vec(1usize..40, 1..6),
        seed in any::<u64>(),
    ) {
        let (wire, expect) = encode(Role::Client, &msgs, seed);
        let mut rx = Connection::new(Role::Server, Config::default(), test_rng(1));
        prop_assert_eq!(feed(&mut rx, &wire, &sizes), expect.clone());
        let mut rx = Connection::new(Role::Server, Config::default(), test_rng(1));
        prop_assert_eq!(feed(&mut rx, &wire, &[1]), expect);
    }

    #[test]
    fn a_batch_writes_what_one_final_send_frame_per_message_writes(
        payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..10),
        text in any::<bool>(),
        room in 0usize..400,
        seed in any::<u64>(),
    ) {
        let kind = if text { DataKind::Text } else { DataKind::Binary };
        for role in [Role::Client, Role::Server] {
            let mut a = Connection::new(role, Config::default(), test_rng(seed));
            let mut b = Connection::new(role, Config::default(), test_rng(seed));
            let mut batch = a.batch(kind).unwrap();
            for p in &payloads {
                // The same result into the same room: the frame, or the same
                // InsufficientSize with nothing written and no key drawn.
                let (mut x, mut y) = (vec![0xEEu8; room], vec![0xEEu8; room]);
                let got = batch.send(p, &mut x);
                prop_assert_eq!(got, b.send_frame(kind, p, true, &mut y));
                prop_assert_eq!(&x, &y);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_errors_carry_close_codes(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        sizes in proptest::collection::vec(1usize..64, 1..4),
    ) {
        for role in [Role::Client, Role::Server] {
            let mut rx = Connection::new(role, Config::default().with_max_message_size(4096), test_rng(3));
            let evs = feed(&mut rx, &bytes, &sizes);
            if let Some(Ev::Err(e)) = evs.last() {
                prop_assert!(e.close_code().is_some_and(|c| c.is_valid()));
            }
        }
    }
}

#[test]
fn every_two_way_split_of_a_mixed_stream_gives_the_same_events() {
    let msgs = vec![
        Msg::Data { text: true, payload: "héllo wörld €".as_bytes().to_vec(), fragments: 3 },
        Msg::Ping(b"p".to_vec()),
        Msg::Data { text: false, payload: (0..200).collect(), fragments: 2 },
    ];
    let (wire, expect) = encode(Role::Client, &msgs, 42);
    for split in 0..=wire.len() {
        let mut rx = Connection::new(Role::Server, Config::default(), test_rng(1));
        let sizes = [split.max(1), wire.len()];
        assert_eq!(feed(&mut rx, &wire, &sizes), expect, "split at {split}");
    }
}
