//! The core alone: passthrough throughput beside a plain copy of the same
//! bytes (read the ratio, not the absolute figures), and short commands.

use std::hint::black_box;
use std::time::Duration;

use atcert_benches::{Bench, PEER};
use bytes::BytesMut;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use firmware_core::{NetEvent, SEED};

/// 64 pieces of 1024 bytes: 64 KiB per iteration.
const PIECES: usize = 64;
const PIECE: usize = 1024;

fn passthrough(c: &mut Criterion) {
    let data: Vec<u8> = (0..PIECE).map(|k| (k % 251) as u8).collect();
    let mut g = c.benchmark_group("passthrough");
    g.throughput(Throughput::Bytes((PIECES * PIECE) as u64));
    g.bench_function("copy (baseline)", |b| {
        let mut sink = Vec::with_capacity(PIECES * PIECE);
        b.iter(|| {
            sink.clear();
            for _ in 0..PIECES {
                sink.extend_from_slice(black_box(&data));
            }
            black_box(&sink);
        })
    });
    // The least any core does under the driver contract: the copy into a
    // buffer, and the packets handed out as `Bytes` (`NetCommand::Send`)
    // and dropped by the driver. No logic: the ratio no core can beat.
    g.bench_function("contract floor (uart to packets)", |b| {
        let mut buf = BytesMut::with_capacity(SEED.passthrough_buffer);
        b.iter(|| {
            for _ in 0..PIECES {
                buf.extend_from_slice(black_box(&data));
                while buf.len() >= SEED.packet_max {
                    black_box(buf.split_to(SEED.packet_max).freeze());
                }
            }
        })
    });
    // One module for the whole run, as on a device: the figure is the
    // steady state of a long transfer, not a fresh module's first bytes.
    let mut up = Bench::passthrough();
    g.bench_function("uart to packets", |b| {
        b.iter(|| {
            for _ in 0..PIECES {
                // 1024 bytes at 921600 baud take 11.1 ms.
                up.now = up.now + Duration::from_micros(11_111);
                up.m.handle_uart(up.now, black_box(&data));
                up.drain();
            }
        })
    });
    let mut down = Bench::passthrough();
    let socket = down.links[0];
    g.bench_function("network to uart", |b| {
        b.iter(|| {
            for _ in 0..PIECES {
                down.m.handle_net(
                    down.now,
                    NetEvent::Received {
                        socket,
                        from: PEER,
                        data: black_box(&data),
                    },
                );
                black_box(down.drain());
            }
        })
    });
    g.finish();
}

fn commands(c: &mut Criterion) {
    let mut g = c.benchmark_group("command");
    let mut at = Bench::new();
    g.bench_function("AT", |b| b.iter(|| at.line(black_box(b"AT\r\n"))));
    let mut status = Bench::new();
    status.line(b"AT+CIPMUX=1\r\n");
    for id in 0..5 {
        status.open_tcp(id);
    }
    g.bench_function("AT+CIPSTATUS? with 5 links", |b| {
        b.iter(|| status.line(black_box(b"AT+CIPSTATUS?\r\n")))
    });
    let mut send = Bench::new();
    send.open_tcp(0);
    g.bench_function("AT+CIPSEND=0,16 + data", |b| {
        b.iter(|| {
            send.line(black_box(b"AT+CIPSEND=0,16\r\n"));
            send.line(black_box(b"0123456789abcdef"));
        })
    });
    g.finish();
}

criterion_group!(benches, passthrough, commands);
criterion_main!(benches);
