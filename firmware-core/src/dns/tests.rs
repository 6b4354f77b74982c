use super::*;

use alloc::string::{String, ToString};
use alloc::vec;
use proptest::prelude::*;
use rstest::rstest;
use simple_dns::rdata::{A, AAAA, CNAME};

const S1: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const S2: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const S3: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 3);
const SERVERS: [Ipv4Addr; 3] = [S1, S2, S3];
const SEC: Duration = Duration::from_secs(1);

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn from(server: Ipv4Addr) -> SocketAddrV4 {
    SocketAddrV4::new(server, PORT)
}

fn started(name: &str, servers: &[Ipv4Addr]) -> Resolver {
    let mut r = Resolver::new(7);
    r.start(at(0), name.as_bytes(), servers, SEC).unwrap();
    r
}

fn sent(r: &mut Resolver) -> Transmit {
    r.poll_transmit().expect("a query to send")
}

/// The name a query asks about, in text form.
fn qname(tx: &Transmit) -> String {
    Packet::parse(&tx.payload).unwrap().questions[0]
        .qname
        .to_string()
}

fn id(tx: &Transmit) -> u16 {
    Packet::parse(&tx.payload).unwrap().id()
}

enum Rr {
    A(&'static str, [u8; 4]),
    Cname(&'static str, &'static str),
    Aaaa(&'static str),
}

fn record(rr: &Rr) -> ResourceRecord<'static> {
    let (name, rdata) = match rr {
        Rr::A(name, ip) => (name, RData::A(A::from(Ipv4Addr::from(*ip)))),
        Rr::Cname(name, target) => (name, RData::CNAME(CNAME(Name::new_unchecked(target)))),
        Rr::Aaaa(name) => (name, RData::AAAA(AAAA { address: 1 })),
    };
    ResourceRecord::new(Name::new_unchecked(name), CLASS::IN, 60, rdata)
}

/// What a well-behaved server sends back: same ID and question, QR set.
fn response<'a>(query: &'a [u8], rcode: RCODE, records: &[Rr]) -> Packet<'a> {
    let q = Packet::parse(query).unwrap();
    let mut p = Packet::new_reply(q.id());
    p.questions = q.questions.clone();
    *p.rcode_mut() = rcode;
    p.answers = records.iter().map(record).collect();
    p
}

fn reply(tx: &Transmit, rcode: RCODE, records: &[Rr]) -> Vec<u8> {
    response(&tx.payload, rcode, records)
        .build_bytes_vec()
        .unwrap()
}

fn answer(tx: &Transmit, records: &[Rr]) -> Vec<u8> {
    reply(tx, RCODE::NoError, records)
}

#[test]
fn sends_a_recursive_query_for_a_in_to_port_53() {
    let mut r = started("example.com", &SERVERS);
    let tx = sent(&mut r);
    assert_eq!(tx.to, from(S1));
    let p = Packet::parse(&tx.payload).unwrap();
    assert!(!p.has_flags(PacketFlag::RESPONSE));
    assert!(p.has_flags(PacketFlag::RECURSION_DESIRED));
    assert_eq!(p.opcode(), OPCODE::StandardQuery);
    assert_eq!(p.questions.len(), 1);
    assert_eq!(p.questions[0].qname.to_string(), "example.com");
    assert_eq!(p.questions[0].qtype, QTYPE::TYPE(TYPE::A));
    assert_eq!(p.questions[0].qclass, QCLASS::CLASS(CLASS::IN));
    assert!(p.answers.is_empty());
    assert_eq!(r.poll_transmit(), None, "one datagram per query");
    assert_eq!(r.poll_timeout(), Some(at(1000)));
}

#[test]
fn resolves_an_a_answer() {
    let mut r = started("example.com", &SERVERS);
    let tx = sent(&mut r);
    assert_eq!(r.poll_outcome(), None);
    r.handle_datagram(
        at(20),
        from(S1),
        &answer(&tx, &[Rr::A("example.com", [93, 184, 216, 34])]),
    );
    assert_eq!(
        r.poll_outcome(),
        Some(Outcome::Resolved(Ipv4Addr::new(93, 184, 216, 34)))
    );
    assert_eq!(r.poll_outcome(), None, "reported once");
    assert!(!r.is_busy());
    assert_eq!(r.poll_timeout(), None);
    assert_eq!(r.poll_transmit(), None);
}

#[rstest]
#[case::in_order(&[Rr::Cname("www.x.com", "a.x.com"), Rr::Cname("a.x.com", "b.x.com"), Rr::A("b.x.com", [1, 2, 3, 4])])]
#[case::reversed(&[Rr::A("b.x.com", [1, 2, 3, 4]), Rr::Cname("a.x.com", "b.x.com"), Rr::Cname("www.x.com", "a.x.com")])]
#[case::shuffled(&[Rr::Cname("a.x.com", "b.x.com"), Rr::A("b.x.com", [1, 2, 3, 4]), Rr::Cname("www.x.com", "a.x.com")])]
#[case::with_noise(&[Rr::A("other.x.com", [9, 9, 9, 9]), Rr::Aaaa("b.x.com"), Rr::Cname("a.x.com", "b.x.com"), Rr::Cname("www.x.com", "a.x.com"), Rr::A("b.x.com", [1, 2, 3, 4])])]
fn follows_a_cname_chain_within_one_response(#[case] records: &[Rr]) {
    let mut r = started("www.x.com", &SERVERS);
    let tx = sent(&mut r);
    r.handle_datagram(at(5), from(S1), &answer(&tx, records));
    assert_eq!(
        r.poll_outcome(),
        Some(Outcome::Resolved(Ipv4Addr::new(1, 2, 3, 4)))
    );
    assert_eq!(r.poll_transmit(), None);
}

#[test]
fn asks_again_for_the_end_of_a_chain_starting_with_the_server_that_answered() {
    let mut r = started("www.x.com", &SERVERS);
    let first = sent(&mut r);
    r.handle_timeout(at(1000));
    let second = sent(&mut r);
    assert_eq!(second.to, from(S2));
    r.handle_datagram(
        at(1100),
        from(S2),
        &answer(&second, &[Rr::Cname("www.x.com", "cdn.y.net")]),
    );
    assert_eq!(r.poll_outcome(), None);
    let third = sent(&mut r);
    assert_eq!(third.to, from(S2));
    assert_eq!(qname(&third), "cdn.y.net");
    assert_ne!(id(&third), id(&second));
    assert_eq!(r.poll_timeout(), Some(at(2100)));
    // The first server's late answer, about the first name, counts for nothing.
    r.handle_datagram(
        at(1200),
        from(S1),
        &answer(&first, &[Rr::A("www.x.com", [6, 6, 6, 6])]),
    );
    r.handle_datagram(
        at(1300),
        from(S2),
        &answer(&third, &[Rr::A("cdn.y.net", [5, 6, 7, 8])]),
    );
    assert_eq!(
        r.poll_outcome(),
        Some(Outcome::Resolved(Ipv4Addr::new(5, 6, 7, 8)))
    );
}

/// `n0 CNAME n1`, …, `n{hops-1} CNAME n{hops}`, `n{hops} A 1.1.1.1`.
fn chain(hops: usize) -> Vec<Rr> {
    const NAMES: [&str; 10] = ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"];
    let mut records: Vec<Rr> = (0..hops)
        .map(|i| Rr::Cname(NAMES[i], NAMES[i + 1]))
        .collect();
    records.push(Rr::A(NAMES[hops], [1, 1, 1, 1]));
    records
}

#[rstest]
#[case::eight_hops(8, Outcome::Resolved(Ipv4Addr::new(1, 1, 1, 1)))]
#[case::nine_hops(9, Outcome::NotFound)]
fn follows_at_most_eight_hops(#[case] hops: usize, #[case] outcome: Outcome) {
    let mut r = started("n0", &SERVERS);
    let tx = sent(&mut r);
    r.handle_datagram(at(1), from(S1), &answer(&tx, &chain(hops)));
    assert_eq!(r.poll_outcome(), Some(outcome));
}

#[test]
fn a_cname_loop_in_one_response_is_not_found() {
    let mut r = started("a.x", &SERVERS);
    let tx = sent(&mut r);
    let records = [Rr::Cname("b.x", "a.x"), Rr::Cname("a.x", "b.x")];
    r.handle_datagram(at(1), from(S1), &answer(&tx, &records));
    assert_eq!(r.poll_outcome(), Some(Outcome::NotFound));
    assert_eq!(r.poll_transmit(), None);
}

#[test]
fn a_cname_loop_across_queries_stops_after_eight_hops() {
    let mut r = started("a.x", &SERVERS);
    let mut queries = 0;
    while let Some(tx) = r.poll_transmit() {
        queries += 1;
        assert_eq!(tx.to, from(S1));
        let record = match qname(&tx).as_str() {
            "a.x" => Rr::Cname("a.x", "b.x"),
            _ => Rr::Cname("b.x", "a.x"),
        };
        r.handle_datagram(at(queries), from(S1), &answer(&tx, &[record]));
    }
    // Hops 1 to 8 each lead to a new query; the ninth ends the lookup.
    assert_eq!(queries, 9);
    assert_eq!(r.poll_outcome(), Some(Outcome::NotFound));
}

#[rstest]
#[case::nxdomain(RCODE::NameError, &[])]
#[case::nxdomain_after_alias(RCODE::NameError, &[Rr::Cname("host.x", "gone.x")])]
#[case::nodata(RCODE::NoError, &[])]
#[case::nodata_other_records(RCODE::NoError, &[Rr::Aaaa("host.x"), Rr::A("other.x", [1, 1, 1, 1])])]
fn negative_answers_end_the_search(#[case] rcode: RCODE, #[case] records: &[Rr]) {
    let mut r = started("host.x", &SERVERS);
    let tx = sent(&mut r);
    r.handle_datagram(at(30), from(S1), &reply(&tx, rcode, records));
    assert_eq!(r.poll_outcome(), Some(Outcome::NotFound));
    assert_eq!(r.poll_transmit(), None, "no other server is asked");
}

/// A response with the query's header but a body cut short.
fn cut(tx: &Transmit) -> Vec<u8> {
    let full = answer(tx, &[Rr::A("host.x", [1, 1, 1, 1])]);
    full[..full.len() - 3].to_vec()
}

fn truncated(tx: &Transmit) -> Vec<u8> {
    let mut p = response(&tx.payload, RCODE::NoError, &[]);
    p.set_flags(PacketFlag::TRUNCATION);
    p.build_bytes_vec().unwrap()
}

/// Matching ID and QR, then a header claiming 65535 answers.
fn count_bomb(tx: &Transmit) -> Vec<u8> {
    let mut bytes = answer(tx, &[]);
    bytes[6..8].copy_from_slice(&[0xFF, 0xFF]);
    bytes
}

fn oversized(tx: &Transmit) -> Vec<u8> {
    let records: Vec<Rr> = (0..40).map(|_| Rr::A("host.x", [1, 1, 1, 1])).collect();
    let bytes = answer(tx, &records);
    assert!(bytes.len() > MAX_RESPONSE_LEN);
    bytes
}

#[rstest]
#[case::servfail(|tx: &Transmit| reply(tx, RCODE::ServerFailure, &[]))]
#[case::refused(|tx: &Transmit| reply(tx, RCODE::Refused, &[]))]
#[case::formerr(|tx: &Transmit| reply(tx, RCODE::FormatError, &[]))]
#[case::notimp(|tx: &Transmit| reply(tx, RCODE::NotImplemented, &[]))]
#[case::truncated(truncated)]
#[case::cut_short(cut)]
#[case::count_bomb(count_bomb)]
#[case::oversized(oversized)]
fn a_failing_server_is_left_at_once(#[case] make: fn(&Transmit) -> Vec<u8>) {
    let mut r = started("host.x", &SERVERS);
    let tx = sent(&mut r);
    r.handle_datagram(at(250), from(S1), &make(&tx));
    assert_eq!(r.poll_outcome(), None);
    let next = sent(&mut r);
    assert_eq!(next.to, from(S2));
    assert_eq!(qname(&next), "host.x");
    assert_eq!(r.poll_timeout(), Some(at(1250)));
    r.handle_datagram(
        at(300),
        from(S2),
        &answer(&next, &[Rr::A("host.x", [4, 3, 2, 1])]),
    );
    assert_eq!(
        r.poll_outcome(),
        Some(Outcome::Resolved(Ipv4Addr::new(4, 3, 2, 1)))
    );
}

#[test]
fn when_every_server_fails_the_lookup_times_out() {
    let mut r = started("host.x", &SERVERS);
    for server in SERVERS {
        let tx = sent(&mut r);
        r.handle_datagram(at(10), from(server), &reply(&tx, RCODE::ServerFailure, &[]));
    }
    assert_eq!(r.poll_outcome(), Some(Outcome::TimedOut));
}

#[test]
fn a_silent_server_is_left_after_exactly_its_timeout() {
    let mut r = started("host.x", &SERVERS);
    assert_eq!(sent(&mut r).to, from(S1));
    r.handle_timeout(Instant::from_micros(999_999));
    assert_eq!(r.poll_transmit(), None, "an early call does nothing");
    assert_eq!(r.poll_timeout(), Some(at(1000)));
    r.handle_timeout(at(1000));
    assert_eq!(sent(&mut r).to, from(S2));
    assert_eq!(r.poll_timeout(), Some(at(2000)));
    assert_eq!(r.poll_outcome(), None);
}

#[test]
fn all_silent_times_out_after_three_seconds() {
    let mut r = started("host.x", &SERVERS);
    let mut asked = Vec::new();
    while let Some(deadline) = r.poll_timeout() {
        asked.push((sent(&mut r).to, deadline));
        r.handle_timeout(deadline);
    }
    let expected = [
        (from(S1), at(1000)),
        (from(S2), at(2000)),
        (from(S3), at(3000)),
    ];
    assert_eq!(asked, expected);
    assert_eq!(r.poll_outcome(), Some(Outcome::TimedOut));
}

#[test]
fn servers_beyond_three_are_ignored() {
    let four = [S1, S2, S3, Ipv4Addr::new(192, 0, 2, 4)];
    let mut r = started("host.x", &four);
    for _ in 0..3 {
        sent(&mut r);
        r.handle_timeout(r.poll_timeout().unwrap());
    }
    assert_eq!(r.poll_transmit(), None);
    assert_eq!(r.poll_outcome(), Some(Outcome::TimedOut));
}

#[test]
fn no_servers_times_out_at_once() {
    let mut r = started("host.x", &[]);
    assert!(r.is_busy());
    assert_eq!(r.poll_transmit(), None);
    assert_eq!(r.poll_timeout(), None);
    assert_eq!(r.poll_outcome(), Some(Outcome::TimedOut));
    assert!(!r.is_busy());
}

fn wrong_id(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    let mut p = response(
        &tx.payload,
        RCODE::NoError,
        &[Rr::A("host.x", [6, 6, 6, 6])],
    );
    p.set_id(p.id().wrapping_add(1));
    (from(S1), p.build_bytes_vec().unwrap())
}

fn wrong_source(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    (from(S2), answer(tx, &[Rr::A("host.x", [6, 6, 6, 6])]))
}

fn wrong_port(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    (
        SocketAddrV4::new(S1, 5353),
        answer(tx, &[Rr::A("host.x", [6, 6, 6, 6])]),
    )
}

fn qr_clear(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    let mut p = response(
        &tx.payload,
        RCODE::NoError,
        &[Rr::A("host.x", [6, 6, 6, 6])],
    );
    p.remove_flags(PacketFlag::RESPONSE);
    (from(S1), p.build_bytes_vec().unwrap())
}

fn with_question(tx: &Transmit, question: Question<'_>) -> (SocketAddrV4, Vec<u8>) {
    let mut p = response(&tx.payload, RCODE::ServerFailure, &[]);
    p.questions = vec![question];
    (from(S1), p.build_bytes_vec().unwrap())
}

fn other_name(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    let q = Question::new(
        Name::new_unchecked("host.y"),
        TYPE::A.into(),
        CLASS::IN.into(),
        false,
    );
    with_question(tx, q)
}

fn other_type(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    let q = Question::new(
        Name::new_unchecked("host.x"),
        TYPE::AAAA.into(),
        CLASS::IN.into(),
        false,
    );
    with_question(tx, q)
}

fn other_class(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    let q = Question::new(
        Name::new_unchecked("host.x"),
        TYPE::A.into(),
        CLASS::CH.into(),
        false,
    );
    with_question(tx, q)
}

fn no_question(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    let mut p = response(&tx.payload, RCODE::FormatError, &[]);
    p.questions.clear();
    (from(S1), p.build_bytes_vec().unwrap())
}

fn short_header(tx: &Transmit) -> (SocketAddrV4, Vec<u8>) {
    (from(S1), tx.payload[..11].to_vec())
}

#[rstest]
#[case::wrong_id(wrong_id)]
#[case::wrong_source(wrong_source)]
#[case::wrong_port(wrong_port)]
#[case::qr_clear(qr_clear)]
#[case::other_name(other_name)]
#[case::other_type(other_type)]
#[case::other_class(other_class)]
#[case::no_question(no_question)]
#[case::short_header(short_header)]
fn foreign_datagrams_are_ignored(#[case] make: fn(&Transmit) -> (SocketAddrV4, Vec<u8>)) {
    let mut r = started("host.x", &SERVERS);
    let tx = sent(&mut r);
    let (source, bytes) = make(&tx);
    r.handle_datagram(at(100), source, &bytes);
    assert_eq!(r.poll_outcome(), None);
    assert_eq!(r.poll_transmit(), None);
    assert_eq!(r.poll_timeout(), Some(at(1000)));
    r.handle_datagram(
        at(200),
        from(S1),
        &answer(&tx, &[Rr::A("host.x", [1, 2, 3, 4])]),
    );
    assert_eq!(
        r.poll_outcome(),
        Some(Outcome::Resolved(Ipv4Addr::new(1, 2, 3, 4)))
    );
}

#[test]
fn a_late_answer_from_a_server_given_up_on_is_ignored() {
    let mut r = started("host.x", &SERVERS);
    let first = sent(&mut r);
    r.handle_timeout(at(1000));
    sent(&mut r);
    r.handle_datagram(
        at(1500),
        from(S1),
        &answer(&first, &[Rr::A("host.x", [1, 1, 1, 1])]),
    );
    assert_eq!(r.poll_outcome(), None);
    assert_eq!(r.poll_timeout(), Some(at(2000)));
}

#[test]
fn a_query_not_yet_sent_cannot_be_answered() {
    let mut r = started("host.x", &SERVERS);
    let mut twin = started("host.x", &SERVERS);
    let tx = sent(&mut twin);
    r.handle_datagram(
        at(1),
        from(S1),
        &answer(&tx, &[Rr::A("host.x", [1, 1, 1, 1])]),
    );
    assert_eq!(r.poll_outcome(), None);
    assert_eq!(sent(&mut r), tx);
}

fn long_name(len: usize) -> Vec<u8> {
    // Labels of 63 octets joined by dots, with the last one cut to fit.
    let mut name: Vec<u8> = (0..len)
        .map(|i| if i % 64 == 63 { b'.' } else { b'a' })
        .collect();
    if name.last() == Some(&b'.') {
        name.pop();
        name.push(b'b');
    }
    name
}

#[rstest]
#[case::empty(b"".to_vec())]
#[case::root(b".".to_vec())]
#[case::two_trailing_dots(b"a.b..".to_vec())]
#[case::leading_dot(b".a.b".to_vec())]
#[case::empty_label(b"a..b".to_vec())]
#[case::label_of_64([&[b'a'; 64][..], b".com"].concat())]
#[case::name_of_254(long_name(254))]
#[case::name_of_254_and_a_dot([long_name(254), b".".to_vec()].concat())]
fn invalid_names_are_refused(#[case] name: Vec<u8>) {
    let mut r = Resolver::new(1);
    assert_eq!(r.start(at(0), &name, &SERVERS, SEC), Err(Invalid));
    assert!(!r.is_busy());
    assert_eq!(r.poll_transmit(), None);
    assert_eq!(r.poll_outcome(), None);
}

#[rstest]
#[case::name_of_253(long_name(253), 253)]
#[case::name_of_253_and_a_dot([long_name(253), b".".to_vec()].concat(), 253)]
#[case::label_of_63([&[b'a'; 63][..], b".com"].concat(), 67)]
#[case::trailing_dot(b"example.com.".to_vec(), 11)]
#[case::single_label(b"localhost".to_vec(), 9)]
#[case::any_octets(b"caf\xc3\xa9.x_y\\z. -\x00".to_vec(), 15)]
fn valid_names_are_asked_about(#[case] name: Vec<u8>, #[case] text_len: usize) {
    let mut r = Resolver::new(1);
    assert_eq!(r.start(at(0), &name, &SERVERS, SEC), Ok(()));
    let tx = sent(&mut r);
    let p = Packet::parse(&tx.payload).unwrap();
    let labels = p.questions[0].qname.get_labels();
    let wire: usize = labels.iter().map(|l| l.len() + 1).sum();
    assert_eq!(wire, text_len + 1, "labels and their lengths");
    let expected = name.strip_suffix(b".").unwrap_or(&name);
    let sent: Vec<&[u8]> = labels.iter().map(|l| l.as_ref()).collect();
    let given: Vec<&[u8]> = expected.split(|&b| b == b'.').collect();
    assert_eq!(sent, given);
}

#[test]
fn an_invalid_name_leaves_the_lookup_in_progress_alone() {
    let mut r = started("host.x", &SERVERS);
    let tx = sent(&mut r);
    assert_eq!(r.start(at(5), b"a..b", &[S3], SEC), Err(Invalid));
    r.handle_datagram(
        at(6),
        from(S1),
        &answer(&tx, &[Rr::A("host.x", [1, 1, 1, 1])]),
    );
    assert_eq!(
        r.poll_outcome(),
        Some(Outcome::Resolved(Ipv4Addr::new(1, 1, 1, 1)))
    );
}

#[rstest]
#[case::answer_in_lower_case("WwW.Example.COM", &[Rr::A("www.example.com", [1, 1, 1, 1])])]
#[case::answer_in_upper_case("www.example.com", &[Rr::A("WWW.EXAMPLE.COM", [1, 1, 1, 1])])]
#[case::chain_in_mixed_case("www.example.com", &[Rr::Cname("WWW.example.com", "Edge.CDN.net"), Rr::A("edge.cdn.NET", [1, 1, 1, 1])])]
fn names_match_regardless_of_case(#[case] name: &str, #[case] records: &[Rr]) {
    let mut r = started(name, &SERVERS);
    let tx = sent(&mut r);
    let mut p = response(&tx.payload, RCODE::NoError, records);
    // The question comes back in another case, as 0x20-mixing servers do.
    p.questions[0].qname = Name::new_unchecked("www.EXAMPLE.com");
    r.handle_datagram(at(1), from(S1), &p.build_bytes_vec().unwrap());
    assert_eq!(
        r.poll_outcome(),
        Some(Outcome::Resolved(Ipv4Addr::new(1, 1, 1, 1)))
    );
}

#[test]
fn the_same_seed_sends_the_same_bytes() {
    let run = |seed| {
        let mut r = Resolver::new(seed);
        r.start(at(0), b"host.x", &SERVERS, SEC).unwrap();
        let first = sent(&mut r);
        r.handle_timeout(at(1000));
        (first, sent(&mut r))
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
}

#[test]
fn consecutive_queries_get_different_ids() {
    let mut r = Resolver::new(0);
    let mut last = None;
    for i in 0..10_000 {
        r.start(at(i), b"host.x", &SERVERS, SEC).unwrap();
        let id = id(&sent(&mut r));
        assert_ne!(Some(id), last);
        last = Some(id);
    }
}

#[test]
fn start_abandons_the_lookup_in_progress() {
    let mut r = started("old.x", &SERVERS);
    let old = sent(&mut r);
    r.start(at(10), b"new.x", &[S1], SEC).unwrap();
    let new = sent(&mut r);
    assert_eq!(qname(&new), "new.x");
    r.handle_datagram(
        at(20),
        from(S1),
        &answer(&old, &[Rr::A("old.x", [1, 1, 1, 1])]),
    );
    assert_eq!(r.poll_outcome(), None);
    assert_eq!(r.poll_timeout(), Some(at(1010)));
}

#[test]
fn cancel_makes_the_resolver_idle() {
    let mut r = started("host.x", &SERVERS);
    let tx = sent(&mut r);
    r.cancel();
    assert!(!r.is_busy());
    assert_eq!(r.poll_timeout(), None);
    r.handle_datagram(
        at(1),
        from(S1),
        &answer(&tx, &[Rr::A("host.x", [1, 1, 1, 1])]),
    );
    r.handle_timeout(at(5000));
    assert_eq!(r.poll_outcome(), None);
    assert_eq!(r.poll_transmit(), None);
}

#[test]
fn a_zero_timeout_still_ends() {
    let mut r = Resolver::new(3);
    r.start(at(0), b"host.x", &SERVERS, Duration::ZERO).unwrap();
    r.handle_timeout(at(0));
    assert_eq!(r.poll_timeout(), None);
    assert_eq!(r.poll_outcome(), Some(Outcome::TimedOut));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any bytes, with or without our header in front, from the server or
    /// not: no panic, and a lookup still ends by its deadline.
    #[test]
    fn any_datagram_leaves_the_timeout_intact(
        body in proptest::collection::vec(any::<u8>(), 0..600),
        with_header in any::<bool>(),
        from_server in any::<bool>(),
    ) {
        let mut r = started("host.x", &[S1]);
        let tx = sent(&mut r);
        let data = if with_header {
            // Our ID, QR set, and the rest of the header random.
            [&tx.payload[..2], &[0x80], &body[..]].concat()
        } else {
            body
        };
        let source = if from_server { from(S1) } else { from(S2) };
        r.handle_datagram(at(500), source, &data);
        if let Some(deadline) = r.poll_timeout() {
            prop_assert_eq!(deadline, at(1000));
            r.handle_timeout(deadline);
        }
        prop_assert_eq!(r.poll_timeout(), None);
        prop_assert_eq!(r.poll_outcome(), Some(Outcome::TimedOut));
    }

    /// A real response with some octets changed reaches the parser and the
    /// alias walk with plausible garbage: no panic, and one of the outcomes.
    #[test]
    fn a_damaged_response_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut r = started("www.x.com", &[S1]);
        let tx = sent(&mut r);
        let records = [
            Rr::Cname("www.x.com", "a.x.com"),
            Rr::Cname("a.x.com", "b.x.com"),
            Rr::A("b.x.com", [1, 2, 3, 4]),
        ];
        let mut bytes = answer(&tx, &records);
        for (at, value) in edits {
            // Leave the ID alone, so that the damage is looked at.
            let i = 2 + at.index(bytes.len() - 2);
            bytes[i] = value;
        }
        bytes.truncate(HEADER_LEN + cut.index(bytes.len() - HEADER_LEN + 1));
        r.handle_datagram(at(1), from(S1), &bytes);
        while let Some(tx) = r.poll_transmit() {
            // A follow-up query, if the damage produced an alias.
            prop_assert_eq!(tx.to, from(S1));
        }
        if let Some(deadline) = r.poll_timeout() {
            r.handle_timeout(deadline);
        }
        prop_assert!(r.poll_outcome().is_some());
        prop_assert!(!r.is_busy());
    }

    /// The timer contract: after `handle_timeout(t)` the deadline, if any,
    /// is later than `t`, whatever the per-server timeout and the calls.
    #[test]
    fn the_next_deadline_is_always_later(
        per_server_us in 0u64..3_000_000,
        steps in proptest::collection::vec(0u64..2_000_000, 1..12),
    ) {
        let mut r = Resolver::new(9);
        r.start(at(0), b"host.x", &SERVERS, Duration::from_micros(per_server_us)).unwrap();
        let mut now = at(0);
        for step in steps {
            now = now + Duration::from_micros(step);
            r.handle_timeout(now);
            let _ = r.poll_transmit();
            if let Some(deadline) = r.poll_timeout() {
                prop_assert!(deadline > now);
            }
        }
    }
}
