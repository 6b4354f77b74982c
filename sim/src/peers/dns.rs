//! A DNS server (RFC 1035) over UDP, on a [`Zone`].
//!
//! It answers like the recursive resolver a DHCP network hands out: RA set,
//! RD copied, a CNAME chain followed inside the zone and given whole in the
//! answer section before the final A records (RFC 1034 §4.3.2 step 3a,
//! §3.6.2). The rcode is that of the last name of the chain (RFC 6604):
//! NXDOMAIN if it is not in the zone, NOERROR with no A record (NODATA) if
//! it is but has none. Names compare case-insensitively (RFC 4343).
//!
//! Read first: RFC 1035 §4.1 (message format); the rest follows from it.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use simple_dns::rdata::{A, CNAME, RData};
use simple_dns::{
    CLASS, Name, OPCODE, Packet, PacketFlag, QCLASS, QTYPE, RCODE, ResourceRecord, TYPE,
};

use super::{DnsState, Net, Record, Shared, Zone};

/// TTL of every answer, in seconds. Chosen arbitrarily: the zone is static
/// within a scenario, and the module does not cache.
const TTL: u32 = 300;

/// Most CNAMEs followed for one query; a longer chain is taken for a loop
/// and answered SERVFAIL, as resolvers do. Chosen arbitrarily, far above
/// what a scenario needs.
const MAX_CHAIN: usize = 8;

/// A UDP message over DNS is at most 512 bytes (RFC 1035 §4.2.1); the buffer
/// is larger so an oversized query is read whole and still answered.
const MAX_DATAGRAM: usize = 65_535;

/// Answers every query to `at` (port [`DNS_PORT`](super::DNS_PORT) in the
/// world) from `state`, read anew for each query so a scenario may change
/// the zone between steps.
pub(super) async fn serve<N: Net>(
    at: SocketAddr,
    state: Rc<RefCell<DnsState>>,
    shared: Shared,
) -> io::Result<()> {
    let socket = N::bind_udp(at).await?;
    let mut buf = vec![0; MAX_DATAGRAM];
    loop {
        let (n, from) = super::net::recv::<N>(&socket, &mut buf).await?;
        {
            let mut s = shared.borrow_mut();
            s.received.extend_from_slice(&buf[..n]);
            s.datagrams.push(n);
        }
        let reply = {
            let mut dns = state.borrow_mut();
            dns.queries += 1;
            if dns.silent {
                None
            } else {
                answer(&buf[..n], &dns.zone)
            }
        };
        if let Some(reply) = reply {
            // A reply that cannot go is lost, as on a wire.
            let _ = N::send_to(&socket, &reply, from).await;
        }
    }
}

/// The reply to the datagram `query`, or `None` when it gets none: it is too
/// short to carry an ID, or it is itself a response (QR set).
fn answer(query: &[u8], zone: &Zone) -> Option<Vec<u8>> {
    let id = u16::from_be_bytes([*query.first()?, *query.get(1)?]);
    if query.get(2).is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let Ok(packet) = Packet::parse(query) else {
        return Some(format_error(query, id));
    };
    let mut reply = Packet::new_reply(id);
    *reply.opcode_mut() = packet.opcode();
    let mut flags = PacketFlag::RECURSION_AVAILABLE;
    if packet.has_flags(PacketFlag::RECURSION_DESIRED) {
        flags |= PacketFlag::RECURSION_DESIRED;
    }
    reply.set_flags(flags);
    reply.questions = packet.questions.clone();
    *reply.rcode_mut() = if packet.opcode() != OPCODE::StandardQuery {
        RCODE::NotImplemented
    } else if let [question] = packet.questions.as_slice() {
        match question.qclass {
            QCLASS::CLASS(CLASS::IN) | QCLASS::ANY => {
                let (rcode, answers) = resolve(question.qname.clone(), question.qtype, zone);
                reply.answers = answers;
                rcode
            }
            // The zone is of class IN only.
            QCLASS::CLASS(_) => RCODE::Refused,
        }
    } else {
        // One question per query is all RFC 1035 practice knows (RFC 9619).
        RCODE::FormatError
    };
    reply.build_bytes_vec_compressed().ok()
}

/// The rcode and answer records for `qname`/`qtype`, following CNAMEs.
fn resolve<'a>(qname: Name<'a>, qtype: QTYPE, zone: &Zone) -> (RCODE, Vec<ResourceRecord<'a>>) {
    let wants = |t: TYPE| qtype == QTYPE::TYPE(t) || qtype == QTYPE::ANY;
    let mut answers = Vec::new();
    let mut owner = qname;
    loop {
        let Some(records) = zone.get(&key(&owner.to_string())) else {
            return (RCODE::NameError, answers);
        };
        // A name with a CNAME has no other data (RFC 1034 §3.6.2): the
        // CNAME wins over whatever else a scenario put there.
        let alias = records.iter().find_map(|r| match r {
            Record::Cname(target) => Some(target),
            Record::A(_) => None,
        });
        if let Some(target) = alias {
            let Some(target) = name(target) else {
                return (RCODE::ServerFailure, Vec::new());
            };
            answers.push(record(owner, RData::CNAME(CNAME(target.clone()))));
            if qtype == QTYPE::TYPE(TYPE::CNAME) {
                return (RCODE::NoError, answers);
            }
            if answers.len() > MAX_CHAIN {
                return (RCODE::ServerFailure, Vec::new());
            }
            owner = target;
            continue;
        }
        if wants(TYPE::A) {
            for r in records {
                if let Record::A(ip) = r {
                    answers.push(record(owner.clone(), RData::A(A::from(*ip))));
                }
            }
        }
        return (RCODE::NoError, answers);
    }
}

/// An IN record with the server's TTL.
fn record<'a>(owner: Name<'a>, rdata: RData<'a>) -> ResourceRecord<'a> {
    ResourceRecord::new(owner, CLASS::IN, TTL, rdata)
}

/// A name from the zone's text, or `None` if it cannot be one (a label over
/// 63 bytes, a name over 255).
fn name(text: &str) -> Option<Name<'static>> {
    Name::new(text.trim_end_matches('.'))
        .ok()
        .map(Name::into_owned)
}

/// The zone's key for a name: lower case, no trailing dot.
fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// A FORMERR reply to a query that could not be parsed: the ID, the opcode
/// and RD as far as they were readable, no sections (RFC 1035 §4.1.1).
fn format_error(query: &[u8], id: u16) -> Vec<u8> {
    // QR; opcode and RD copied from the query's third byte; RA; FORMERR.
    let copied = query.get(2).map_or(0, |b| b & 0x79);
    let mut reply = Vec::with_capacity(12);
    reply.extend_from_slice(&id.to_be_bytes());
    reply.extend_from_slice(&[0x80 | copied, 0x80 | RCODE::FormatError as u8]);
    reply.extend_from_slice(&[0; 8]);
    reply
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn zone() -> Zone {
        let mut zone = Zone::new();
        zone.insert(
            "peer.lan".into(),
            vec![Record::A(Ipv4Addr::new(192, 168, 0, 103))],
        );
        zone.insert("www.lan".into(), vec![Record::Cname("Web.lan.".into())]);
        zone.insert("web.lan".into(), vec![Record::Cname("peer.lan".into())]);
        zone.insert(
            "dangling.lan".into(),
            vec![Record::Cname("gone.lan".into())],
        );
        zone.insert("empty.lan".into(), vec![]);
        zone.insert("loop.lan".into(), vec![Record::Cname("loop.lan".into())]);
        zone
    }

    fn query(id: u16, name: &str, qtype: TYPE) -> Vec<u8> {
        let mut q = Packet::new_query(id);
        q.set_flags(PacketFlag::RECURSION_DESIRED);
        q.questions.push(simple_dns::Question::new(
            Name::new_unchecked(name),
            qtype.into(),
            CLASS::IN.into(),
            false,
        ));
        q.build_bytes_vec().unwrap()
    }

    fn ask(query: &[u8]) -> Vec<u8> {
        answer(query, &zone()).expect("a reply")
    }

    #[test]
    fn test_a_record_answers_with_its_address() {
        let reply = ask(&query(0x1234, "PEER.lan", TYPE::A));
        let p = Packet::parse(&reply).unwrap();
        assert_eq!(p.id(), 0x1234);
        assert!(p.has_flags(PacketFlag::RESPONSE | PacketFlag::RECURSION_AVAILABLE));
        assert!(p.has_flags(PacketFlag::RECURSION_DESIRED));
        assert_eq!(p.rcode(), RCODE::NoError);
        assert_eq!(p.questions[0].qname.to_string(), "PEER.lan");
        assert_eq!(p.answers.len(), 1);
        assert_eq!(p.answers[0].name.to_string(), "PEER.lan");
        assert_eq!(
            p.answers[0].rdata,
            RData::A(A::from(Ipv4Addr::new(192, 168, 0, 103)))
        );
    }

    #[test]
    fn test_cname_chain_is_given_whole() {
        let r = ask(&query(7, "www.lan", TYPE::A));
        let p = Packet::parse(&r).unwrap();
        let names: Vec<_> = p.answers.iter().map(|r| r.name.to_string()).collect();
        assert_eq!(names, ["www.lan", "Web.lan", "peer.lan"]);
        assert!(matches!(&p.answers[0].rdata, RData::CNAME(c) if c.0.to_string() == "Web.lan"));
        assert!(matches!(p.answers[2].rdata, RData::A(_)));
    }

    #[test]
    fn test_unknown_name_is_nxdomain() {
        let r = ask(&query(7, "nowhere.lan", TYPE::A));
        let p = Packet::parse(&r).unwrap();
        assert_eq!(p.rcode(), RCODE::NameError);
        assert!(p.answers.is_empty());
    }

    #[test]
    fn test_chain_into_nothing_is_nxdomain_with_the_chain() {
        let r = ask(&query(7, "dangling.lan", TYPE::A));
        let p = Packet::parse(&r).unwrap();
        assert_eq!(p.rcode(), RCODE::NameError);
        assert_eq!(p.answers.len(), 1);
    }

    #[test]
    fn test_name_without_a_is_nodata() {
        let r = ask(&query(7, "empty.lan", TYPE::A));
        let p = Packet::parse(&r).unwrap();
        assert_eq!(p.rcode(), RCODE::NoError);
        assert!(p.answers.is_empty());
        let r = ask(&query(7, "peer.lan", TYPE::AAAA));
        let p = Packet::parse(&r).unwrap();
        assert_eq!(p.rcode(), RCODE::NoError);
        assert!(p.answers.is_empty());
    }

    #[test]
    fn test_cname_loop_is_servfail() {
        let r = ask(&query(7, "loop.lan", TYPE::A));
        let p = Packet::parse(&r).unwrap();
        assert_eq!(p.rcode(), RCODE::ServerFailure);
        assert!(p.answers.is_empty());
    }

    #[test]
    fn test_garbage_with_an_id_is_formerr() {
        let reply = ask(&[0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0xff]);
        assert_eq!(reply, [0xab, 0xcd, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn test_no_reply_without_an_id_or_to_a_response() {
        assert_eq!(answer(&[0xab], &zone()), None);
        let mut response = query(7, "peer.lan", TYPE::A);
        response[2] |= 0x80;
        assert_eq!(answer(&response, &zone()), None);
    }

    #[test]
    fn test_two_questions_are_formerr() {
        let one = query(9, "peer.lan", TYPE::A);
        let mut q = Packet::parse(&one).unwrap();
        q.questions.push(q.questions[0].clone());
        let r = ask(&q.build_bytes_vec().unwrap());
        let p = Packet::parse(&r).unwrap();
        assert_eq!((p.id(), p.rcode()), (9, RCODE::FormatError));
    }
}
