//! The lab and the fault plan of a session: which peers each lab host
//! runs, and, for each fault kind the seed enabled, its episodes: random
//! instants, durations and intensities, each fault undone at its end.

use super::rng::Rng;
use super::session::*;

/// The peers: each lab host (one per link ID) runs a random subset of a
/// sink, an echo, a closer and a UDP echo.
pub(super) fn peers(r: &mut Rng) -> Vec<PeerPlan> {
    let mut out = Vec::new();
    for id in 0..5 {
        let ip = peer_ip(id);
        let closer = PeerKind::TcpCloser {
            after_ms: r.range(20, 1500),
        };
        for (port, kind, percent) in [
            (SINK, PeerKind::TcpSink, 85),
            (ECHO, PeerKind::TcpEcho, 70),
            (CLOSER, closer, 40),
            (UDP_ECHO, PeerKind::UdpEcho, 60),
        ] {
            if r.chance(percent) {
                out.push(PeerPlan { ip, port, kind });
            }
        }
    }
    out
}

/// The fault plan: each enabled kind's episodes within `horizon` ms.
pub(super) fn faults(r: &mut Rng, s: &Session, horizon: u64) -> Vec<(u64, Fault)> {
    let mut out = Vec::new();
    let dns = sim::DNS_IP;
    let tcp: Vec<usize> = (0..s.peers.len())
        .filter(|&p| s.peers[p].kind != PeerKind::UdpEcho)
        .collect();
    let mut flow = s.flow_control;
    for &kind in &s.kinds {
        let episodes = r.range(1, 3);
        let mut t = 0;
        for _ in 0..episodes {
            let at = t + r.below(horizon / episodes + 1);
            let peer = peer_ip(r.below(5) as u32);
            let (start, end, dur) = match kind {
                FaultKind::Cut => {
                    let ip = if r.chance(10) { dns } else { peer };
                    (Fault::Cut(ip), Some(Fault::Restore(ip)), r.range(20, 4000))
                }
                FaultKind::Delay => (
                    Fault::Delay(peer, r.range(5, 400)),
                    Some(Fault::Delay(peer, s.latency_ms)),
                    r.range(100, 5000),
                ),
                FaultKind::Crash => {
                    let ip = if r.chance(10) { dns } else { peer };
                    (
                        Fault::Crash(ip),
                        Some(Fault::Restart(ip)),
                        r.range(50, 3000),
                    )
                }
                FaultKind::Stall if !tcp.is_empty() => {
                    let p = *r.pick(&tcp);
                    (Fault::Pause(p), Some(Fault::Resume(p)), r.range(100, 6000))
                }
                FaultKind::Loss => {
                    let ip = *r.pick(&[peer, dns, SNTP_IP]);
                    let pct = r.range(10, 100) as u8;
                    (
                        Fault::Loss(ip, pct),
                        Some(Fault::Loss(ip, 0)),
                        r.range(200, 8000),
                    )
                }
                FaultKind::DnsSilence => (
                    Fault::DnsSilent(true),
                    Some(Fault::DnsSilent(false)),
                    r.range(200, 5000),
                ),
                FaultKind::PowerLoss => (Fault::PowerCycle, None, 0),
                FaultKind::FlowControl => {
                    flow = !flow;
                    (Fault::FlowControl(flow), None, 0)
                }
                FaultKind::HostStall => (
                    Fault::HostRts(false),
                    Some(Fault::HostRts(true)),
                    r.range(5, 1500),
                ),
                FaultKind::Budget => (
                    Fault::Budget(r.range(256, 16384) as usize),
                    Some(Fault::Budget(sim::flight::DEFAULT_BUDGET)),
                    r.range(100, 6000),
                ),
                FaultKind::Stall => continue,
            };
            out.push((at, start));
            if let Some(end) = end {
                out.push((at + dur, end));
            }
            t = at + dur;
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}
