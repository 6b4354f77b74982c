//! Shrinking a failing session to a short one that fails the same check.
//!
//! Delta debugging (Zeller's ddmin) over the parts a session is made of:
//! the host's actions, the fault plan, the peers, the fault kinds (what
//! the end's repair undoes), then each action's own pieces (data halved,
//! passthrough pieces dropped, waits shortened). A candidate counts when it still gives a finding of the same check: the
//! detail may change as the session shrinks, the kind of failure may not.
//! The seed stays (it drives the world's randomness, not the session's).

use super::run_once;
use super::session::{Action, Fault, Piece, Session};

/// How a shrink went.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The smallest failing session found.
    pub session: Session,
    /// Its finding of the check, as the last run gave it.
    pub detail: String,
    /// Sessions played.
    pub runs: usize,
}

struct Shrinker {
    check: &'static str,
    runs: usize,
    budget: usize,
    detail: String,
}

impl Shrinker {
    /// `s` still fails the check (and the budget is not spent).
    fn fails(&mut self, s: &Session) -> bool {
        if self.runs >= self.budget {
            return false;
        }
        self.runs += 1;
        let (findings, _, _) = run_once(s);
        match findings.into_iter().find(|f| f.check == self.check) {
            Some(f) => {
                self.detail = f.to_string();
                true
            }
            None => false,
        }
    }

    /// ddmin over the items `get` returns: removes ever smaller chunks
    /// while the session still fails.
    fn ddmin<T: Clone>(
        &mut self,
        s: &mut Session,
        get: fn(&Session) -> Vec<T>,
        set: fn(&Session, Vec<T>) -> Session,
    ) {
        let mut items = get(s);
        let mut chunks = 2usize;
        while !items.is_empty() && chunks <= items.len().max(1) * 2 {
            let size = items.len().div_ceil(chunks.min(items.len()));
            let mut removed = false;
            let mut start = 0;
            while start < items.len() {
                let end = (start + size).min(items.len());
                let mut fewer = items.clone();
                fewer.drain(start..end);
                let candidate = set(s, fewer.clone());
                if self.fails(&candidate) {
                    items = fewer;
                    *s = candidate;
                    removed = true;
                } else {
                    start = end;
                }
            }
            if size == 1 && !removed {
                break;
            }
            if !removed {
                chunks *= 2;
            }
        }
    }

    /// Tries each candidate simplification of action `i` in turn, keeping
    /// the first that still fails, until none does.
    fn simplify(&mut self, s: &mut Session) {
        let mut i = 0;
        while i < s.actions.len() {
            let mut changed = false;
            for smaller in simpler(&s.actions[i]) {
                let mut candidate = s.clone();
                candidate.actions[i] = smaller;
                if self.fails(&candidate) {
                    *s = candidate;
                    changed = true;
                    break;
                }
            }
            if !changed {
                i += 1;
            }
        }
    }

    /// Drops peers no action names, renumbering the rest.
    fn peers(&mut self, s: &mut Session) {
        let mut p = s.peers.len();
        while p > 0 {
            p -= 1;
            let candidate = without_peer(s, p);
            if self.fails(&candidate) {
                *s = candidate;
            }
        }
    }
}

/// Shrinks `session`, which fails `check`, within `budget` runs.
pub fn shrink(session: &Session, check: &'static str, budget: usize) -> Shrunk {
    let mut k = Shrinker {
        check,
        runs: 0,
        budget,
        detail: String::new(),
    };
    let mut s = session.clone();
    if !k.fails(&s) {
        return Shrunk {
            session: s,
            detail: "(the session did not fail again)".into(),
            runs: k.runs,
        };
    }
    loop {
        let before = (s.actions.len(), s.faults.len(), s.peers.len(), weight(&s));
        k.ddmin(
            &mut s,
            |s| s.actions.clone(),
            |s, a| Session {
                actions: a,
                ..s.clone()
            },
        );
        k.ddmin(
            &mut s,
            |s| s.faults.clone(),
            |s, f| Session {
                faults: f,
                ..s.clone()
            },
        );
        k.peers(&mut s);
        k.ddmin(
            &mut s,
            |s| s.kinds.clone(),
            |s, k| Session {
                kinds: k,
                ..s.clone()
            },
        );
        k.simplify(&mut s);
        let after = (s.actions.len(), s.faults.len(), s.peers.len(), weight(&s));
        if after == before || k.runs >= k.budget {
            break;
        }
    }
    Shrunk {
        session: s,
        detail: k.detail,
        runs: k.runs,
    }
}

/// The bytes and milliseconds in a session's actions: what `simpler`
/// makes smaller.
fn weight(s: &Session) -> u64 {
    s.actions
        .iter()
        .map(|a| match a {
            Action::Send { data, gap_ms, .. } => data.len() as u64 + gap_ms,
            Action::Passthrough(p) => p
                .iter()
                .map(|p| match p {
                    Piece::Data(d) => d.len() as u64,
                    Piece::Pause(ms) => *ms,
                    Piece::Plus => 3,
                })
                .sum(),
            Action::Raw(b) | Action::PeerSend { data: b, .. } => b.len() as u64,
            Action::Wait(ms) => *ms,
            _ => 1,
        })
        .sum()
}

/// Smaller forms of one action, most aggressive first.
fn simpler(a: &Action) -> Vec<Action> {
    let mut out = Vec::new();
    match a {
        Action::Send {
            id,
            len,
            line,
            data,
            split,
            gap_ms,
            then_at,
        } => {
            // The line's length goes with the data: `...,<len>` then its end.
            let body = line.trim_ascii_end();
            let end = &line[body.len()..];
            let tail = format!(",{len}");
            if data.len() == *len as usize && *len > 1 && body.ends_with(tail.as_bytes()) {
                let half = data.len() / 2;
                let line = [
                    &body[..body.len() - tail.len()],
                    format!(",{half}").as_bytes(),
                    end,
                ]
                .concat();
                out.push(Action::Send {
                    id: *id,
                    len: half as u32,
                    line,
                    data: data[..half].to_vec(),
                    split: split.iter().copied().filter(|&c| c < half).collect(),
                    gap_ms: *gap_ms,
                    then_at: *then_at,
                });
            }
            if !split.is_empty() || *gap_ms > 0 {
                out.push(Action::Send {
                    id: *id,
                    len: *len,
                    line: line.clone(),
                    data: data.clone(),
                    split: Vec::new(),
                    gap_ms: 0,
                    then_at: *then_at,
                });
            }
        }
        Action::Passthrough(pieces) => {
            for i in 0..pieces.len() {
                let mut fewer = pieces.clone();
                fewer.remove(i);
                out.push(Action::Passthrough(fewer));
            }
            for (i, p) in pieces.iter().enumerate() {
                let smaller = match p {
                    Piece::Data(d) if d.len() > 1 => Piece::Data(d[..d.len() / 2].to_vec()),
                    Piece::Pause(ms) if *ms > 1 => Piece::Pause(ms / 2),
                    _ => continue,
                };
                let mut pieces = pieces.clone();
                pieces[i] = smaller;
                out.push(Action::Passthrough(pieces));
            }
        }
        Action::Raw(b) if b.len() > 1 => out.push(Action::Raw(b[..b.len() / 2].to_vec())),
        Action::PeerSend { peer, data } if data.len() > 1 => out.push(Action::PeerSend {
            peer: *peer,
            data: data[..data.len() / 2].to_vec(),
        }),
        Action::Wait(ms) if *ms > 1 => out.push(Action::Wait(ms / 2)),
        _ => {}
    }
    out
}

/// `s` without peer `p`: the actions and faults that name it go too, and
/// later peers' indices move down by one.
fn without_peer(s: &Session, p: usize) -> Session {
    let renumber = |i: usize| if i > p { i - 1 } else { i };
    let actions = s
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::PeerSend { peer, .. } | Action::PeerClose { peer } if *peer == p => None,
            Action::PeerSend { peer, data } => Some(Action::PeerSend {
                peer: renumber(*peer),
                data: data.clone(),
            }),
            Action::PeerClose { peer } => Some(Action::PeerClose {
                peer: renumber(*peer),
            }),
            other => Some(other.clone()),
        })
        .collect();
    let faults = s
        .faults
        .iter()
        .filter_map(|(at, f)| match f {
            Fault::Pause(i) | Fault::Resume(i) if *i == p => None,
            Fault::Pause(i) => Some((*at, Fault::Pause(renumber(*i)))),
            Fault::Resume(i) => Some((*at, Fault::Resume(renumber(*i)))),
            other => Some((*at, other.clone())),
        })
        .collect();
    let mut peers = s.peers.clone();
    peers.remove(p);
    Session {
        actions,
        faults,
        peers,
        ..s.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swarm::generate;

    #[test]
    fn removing_a_peer_renumbers_what_names_the_later_ones() {
        let mut s = generate(3);
        s.peers.truncate(2);
        s.actions = vec![
            Action::PeerSend {
                peer: 0,
                data: b"a".to_vec(),
            },
            Action::PeerClose { peer: 1 },
        ];
        s.faults = vec![(5, Fault::Pause(1)), (9, Fault::Resume(0))];
        let t = without_peer(&s, 0);
        assert_eq!(t.peers, s.peers[1..]);
        assert_eq!(t.actions, vec![Action::PeerClose { peer: 0 }]);
        assert_eq!(t.faults, vec![(5, Fault::Pause(0))]);
    }

    #[rstest::rstest]
    #[case(b"AT+CIPSEND=0,8\r\n", b"AT+CIPSEND=0,4\r\n")]
    #[case(b"AT+CIPSEND=0,8\r", b"AT+CIPSEND=0,4\r")]
    fn a_send_halves_with_its_line(#[case] before: &[u8], #[case] after: &[u8]) {
        let a = Action::Send {
            id: 0,
            len: 8,
            line: before.to_vec(),
            data: b"abcdefgh".to_vec(),
            split: vec![2, 6],
            gap_ms: 5,
            then_at: false,
        };
        let Action::Send {
            len,
            line,
            data,
            split,
            ..
        } = &simpler(&a)[0]
        else {
            panic!("a send shrinks to a send");
        };
        assert_eq!(
            (*len, &line[..], &data[..], &split[..]),
            (4, after, &b"abcd"[..], &[2][..])
        );
    }
}
