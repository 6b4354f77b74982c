//! Passthrough throughput on any DUT: the same session on the simulator
//! (simulated time, so the same figure on every machine), on `atmodule`
//! behind a pty paced at its line rate, or on a device on a serial line
//! (real time), with the lab's sink as the peer. Every byte is checked.

use std::net::Ipv4Addr;
use std::time::Duration;

use sim::peers::{Outgoing, Service};

use crate::dut::Dut;

/// Which way the payload goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Way {
    /// Host → peer: UART in, packets out.
    Up,
    /// Peer → host: packets in, UART out.
    Down,
    /// Both at once, the same amount each way (the UART is full duplex).
    Both,
}

impl Way {
    /// `up`, `down` or `both`.
    ///
    /// # Errors
    /// Anything else.
    pub fn parse(s: &str) -> Result<Way, String> {
        match s {
            "up" => Ok(Way::Up),
            "down" => Ok(Way::Down),
            "both" => Ok(Way::Both),
            _ => Err(format!("{s:?}: up, down or both")),
        }
    }

    /// As the table and the JSON file name it.
    pub fn name(self) -> &'static str {
        match self {
            Way::Up => "up",
            Way::Down => "down",
            Way::Both => "both",
        }
    }
}

/// How the payload travels, and what the line and the network do to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Path {
    /// UDP to the lab's sink instead of TCP (host → peer only).
    pub udp: bool,
    /// Percent of datagrams the link loses (UDP, simulator).
    pub loss: u8,
    /// RTS/CTS on both sides of the UART.
    pub rts_cts: bool,
}

/// One transfer's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    /// Payload bytes each way.
    pub payload: usize,
    /// First byte written → last byte delivered (both ways, for `Both`).
    pub elapsed: Duration,
    /// Payload ÷ elapsed ÷ line rate (baud / 10, 8N1).
    pub efficiency: f64,
    /// The same between 10 % and 90 % of the payload delivered (the
    /// slower way, for `Both`): without one transfer's fixed costs.
    pub steady: f64,
    /// Share of the payload that never arrived (UDP with loss).
    pub lost: f64,
}

/// The peer: the scenarios' TCP host.
const PEER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 103);
const PORT: u16 = 9000;

/// How long a UDP transfer is given after the last byte left the host:
/// a flush (PT-2) and the network, with room to spare.
const UDP_TAIL: Duration = Duration::from_millis(500);

/// How long a command of the set-up may take.
const COMMAND_LIMIT: Duration = Duration::from_secs(10);

/// Opens a passthrough link on a freshly booted `dut` and moves
/// `seconds` of line-rate payload (at `baud`) the `way` asked.
///
/// # Errors
/// When the set-up is refused, the data stalls (twice the line time plus
/// 10 s), or arrives altered.
pub fn measure(
    dut: &mut dyn Dut,
    way: Way,
    baud: u32,
    seconds: f64,
    path: Path,
) -> Result<Measure, String> {
    let line_rate = f64::from(baud) / 10.0;
    let total = (line_rate * seconds) as usize;
    if path.udp && way != Way::Up {
        return Err("UDP is measured host → peer only".into());
    }
    let unsupported = |e: crate::dut::Unsupported| e.0;
    if path.rts_cts {
        dut.set_flow_control(true).map_err(unsupported)?;
    }
    if path.loss > 0 {
        dut.set_datagram_loss(PEER, path.loss)
            .map_err(unsupported)?;
    }
    let (service, kind) = match path.udp {
        true => (Service::UdpSink { port: PORT }, "UDP"),
        false => (Service::TcpSink { port: PORT }, "TCP"),
    };
    let sink = dut.add_service(PEER, service);
    let mut seen = Vec::new();
    expect(dut, &mut seen, "ready\r\n")?;
    let start_link = format!("AT+CIPSTART=0,\"{kind}\",\"192.168.0.103\",{PORT}");
    for (line, want) in [
        ("ATE0", "\r\nOK\r\n"),
        ("AT+CIPMODE=1", "\r\nOK\r\n"),
        (start_link.as_str(), "\r\nOK\r\n"),
        ("AT+CIPSEND", "\r\n>"),
    ] {
        dut.host_write(format!("{line}\r\n").as_bytes());
        expect(dut, &mut seen, want).map_err(|e| format!("{line}: {e}"))?;
    }
    let payload: Vec<u8> = (0..total).map(|k| (k % 251) as u8).collect();
    let up = way != Way::Down;
    let down = way != Way::Up;
    let start = dut.now();
    let limit = start + Duration::from_secs_f64(seconds * 2.0) + Duration::from_secs(10);
    if down {
        sink.borrow_mut().push(Outgoing::Send(payload.clone()));
    }
    // A tenth of a second of the line at a time: the lab (and the marks)
    // keep up while a serial write drains.
    let chunk = (total / 100).clamp(64, (line_rate / 10.0) as usize + 64);
    let mut written = 0;
    let mut got = Vec::with_capacity(if down { total } else { 0 });
    let mut marks = [Marks::default(), Marks::default()];
    // UDP: when the last datagram arrived, and until when to wait for more.
    let mut last_arrival = start;
    let mut arrived = 0;
    loop {
        if up && written < total {
            let end = (written + chunk).min(total);
            dut.host_write(&payload[written..end]);
            written = end;
        }
        dut.tick();
        if down {
            got.extend(dut.host_read());
            marks[1].note(dut.now(), got.len(), total);
        }
        let sent = sink.borrow().received.len();
        if up {
            marks[0].note(dut.now(), sent, total);
        }
        if sent > arrived {
            (arrived, last_arrival) = (sent, dut.now());
        }
        // A lossy link never delivers it all: done once the host's bytes
        // are out and nothing more came for a while.
        let udp_over = path.udp
            && written == total
            && dut.host_pending() == 0
            && dut.now() > last_arrival + UDP_TAIL;
        let done = udp_over || ((!up || sent >= total) && (!down || got.len() >= total));
        if done {
            break;
        }
        if dut.now() > limit {
            return Err(format!(
                "stalled: {sent} of {} bytes reached the peer, {} of {} the host",
                if up { total } else { 0 },
                got.len(),
                if down { total } else { 0 }
            ));
        }
    }
    let elapsed = if path.udp {
        last_arrival - start
    } else {
        dut.now() - start
    };
    let delivered = if path.udp { arrived } else { total };
    // Lost datagrams leave gaps; without loss every byte must be there.
    if up && path.loss == 0 && sink.borrow().received[..total] != payload[..] {
        return Err("the peer got other bytes than the host sent".into());
    }
    if down && got[..total] != payload[..] {
        return Err("the host got other bytes than the peer sent".into());
    }
    let steady = marks
        .iter()
        .zip([up, down])
        .filter(|(_, on)| *on)
        .map(|(m, _)| m.rate() / line_rate)
        .fold(f64::INFINITY, f64::min);
    Ok(Measure {
        payload: total,
        elapsed,
        efficiency: delivered as f64 / elapsed.as_secs_f64().max(f64::EPSILON) / line_rate,
        steady,
        lost: 1.0 - delivered as f64 / total as f64,
    })
}

/// Reads until what came ends with `want` (what came before is dropped).
fn expect(dut: &mut dyn Dut, seen: &mut Vec<u8>, want: &str) -> Result<(), String> {
    let end = dut.now() + COMMAND_LIMIT;
    loop {
        seen.extend(dut.host_read());
        if seen.ends_with(want.as_bytes()) {
            seen.clear();
            return Ok(());
        }
        if dut.now() > end {
            return Err(format!(
                "expected {want:?}, got {:?}",
                String::from_utf8_lossy(seen)
            ));
        }
        dut.tick();
    }
}

/// When 10 % and 90 % of a way's payload had arrived.
#[derive(Debug, Default, Clone, Copy)]
struct Marks([Option<(Duration, usize)>; 2]);

impl Marks {
    fn note(&mut self, now: Duration, n: usize, total: usize) {
        for (slot, share) in self.0.iter_mut().zip([10, 90]) {
            if slot.is_none() && n * 100 >= total * share {
                *slot = Some((now, n));
            }
        }
    }

    /// Bytes per second between the marks.
    fn rate(&self) -> f64 {
        match self.0 {
            [Some((t10, n10)), Some((t90, n90))] => {
                (n90 - n10) as f64 / (t90 - t10).as_secs_f64().max(f64::EPSILON)
            }
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dut::SimDut;
    use sim::UartConfig;
    use sim::World;

    fn sim(baud: u32) -> SimDut {
        let world = World::builder()
            .seed(1)
            .latency(Duration::from_millis(5))
            .uart(UartConfig {
                baud,
                ..UartConfig::default()
            })
            .build();
        SimDut::from_world(world)
    }

    /// The simulator's figures are simulated time: the same on every run,
    /// near the line rate, and below it.
    #[test]
    fn every_way_moves_the_payload_near_the_line_rate() {
        for way in [Way::Up, Way::Down, Way::Both] {
            let m =
                measure(&mut sim(921_600), way, 921_600, 0.5, Path::default()).expect("measures");
            assert_eq!(m.payload, 46_080);
            assert!(
                (0.8..=1.0).contains(&m.efficiency) && m.steady <= 1.01,
                "{way:?}: {m:?}"
            );
            assert_eq!(
                m,
                measure(&mut sim(921_600), way, 921_600, 0.5, Path::default()).unwrap(),
                "{way:?}: deterministic"
            );
        }
    }

    /// UDP loses what the link loses, and says so; RTS/CTS costs nothing
    /// when the module keeps up.
    #[test]
    fn udp_loss_and_rts_cts_show_in_the_figures() {
        let udp = |loss| Path {
            udp: true,
            loss,
            rts_cts: false,
        };
        let clean = measure(&mut sim(921_600), Way::Up, 921_600, 0.5, udp(0)).unwrap();
        assert_eq!(clean.lost, 0.0);
        assert!(clean.efficiency > 0.9, "{clean:?}");
        let lossy = measure(&mut sim(921_600), Way::Up, 921_600, 0.5, udp(10)).unwrap();
        assert!((0.03..0.2).contains(&lossy.lost), "{lossy:?}");
        let rts = Path {
            rts_cts: true,
            ..Path::default()
        };
        let with = measure(&mut sim(921_600), Way::Up, 921_600, 0.5, rts).unwrap();
        assert!(with.efficiency > 0.9, "{with:?}");
        assert!(measure(&mut sim(921_600), Way::Down, 921_600, 0.5, udp(0)).is_err());
    }
}
