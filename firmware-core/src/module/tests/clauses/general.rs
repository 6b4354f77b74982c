//! G-1…G-8 (general syntax) and B-1…B-5 (basic commands).

use super::*;
use rstest::rstest;

// ======================================================================
// G-1: `AT` lines, terminators, empty lines
// ======================================================================

#[rstest]
#[case::crlf(b"AT\r\n")]
#[case::lone_cr(b"AT\r")]
#[case::lone_lf(b"AT\n")]
#[case::lf_cr(b"AT\n\r")]
fn g_1_each_terminator_ends_a_line(#[case] bytes: &[u8]) {
    let mut d = Driver::booted();
    d.send(bytes);
    assert_eq!(d.take_text(), "\r\nOK\r\n");
}

#[test]
fn g_1_lone_terminators_end_one_line_each() {
    let mut d = Driver::booted();
    d.send(b"AT\rAT\nAT\r\n");
    assert_eq!(d.take_text(), "\r\nOK\r\n\r\nOK\r\n\r\nOK\r\n");
}

#[test]
fn g_1_a_crlf_cut_in_two_ends_one_line_and_is_no_data() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.send(b"AT+CIPSEND=0,2\r");
    assert_eq!(d.take_text(), "\r\n>");
    d.send(b"\nhi");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"hi"),
            to: None
        }
    );
}

/// Only an LF that comes right behind its CR is the line's: one sent
/// after the prompt, behind a line the host ended with a lone CR, is the
/// first byte of the data (SD-4; found by `atcert swarm`, seed 494).
#[test]
fn g_1_an_lf_long_after_a_lone_cr_is_data() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.send(b"AT+CIPSEND=0,2\r");
    assert_eq!(d.take_text(), "\r\n>");
    d.wait(d.m.dialect().lf_window + Duration::from_millis(1));
    d.send(b"\nh");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"\nh"),
            to: None
        }
    );
}

#[test]
fn g_1_empty_lines_are_ignored_silently() {
    let mut d = Driver::booted();
    d.send(b"\r\n\r\n\n\r\r\r\n");
    assert_eq!(d.take_text(), "");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[test]
fn g_1_a_line_split_over_many_pieces_is_one_line() {
    let mut d = Driver::booted();
    for b in b"AT+CIPMUX?\r\n" {
        d.send(&[*b]);
    }
    assert_eq!(d.take_text(), "+CIPMUX:0\r\n\r\nOK\r\n");
}

#[rstest]
#[case::lower_case("at")]
#[case::mixed_case("At")]
#[case::lower_case_name("AT+cipmux?")]
#[case::not_at("HELLO")]
#[case::leading_space(" AT")]
fn g_1_a_line_not_starting_with_upper_case_at_is_an_error(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

// ======================================================================
// G-2: echo
// ======================================================================

#[test]
fn g_2_echo_is_on_after_power_on() {
    let mut d = Driver::power_on(&[]);
    d.send(b"AT\r\n");
    assert_eq!(d.take_text(), "AT\r\n\r\nOK\r\n");
}

#[rstest]
#[case::lone_cr(b"AT\r", "AT\r\r\nOK\r\n")]
#[case::lone_lf(b"AT\n", "AT\n\r\nOK\r\n")]
#[case::with_spaces(b"AT+CIPMUX=  0\r\n", "AT+CIPMUX=  0\r\n\r\nOK\r\n")]
#[case::error(b"AT+NOPE\r\n", "AT+NOPE\r\n\r\nERROR\r\n")]
fn g_2_echo_repeats_the_bytes_as_received(#[case] bytes: &[u8], #[case] out: &str) {
    let mut d = Driver::power_on(&[]);
    d.send(bytes);
    assert_eq!(d.take_text(), out);
}

#[test]
fn g_2_data_after_the_prompt_is_never_echoed() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("ATE1"), "\r\nOK\r\n");
    d.send(b"AT+CIPSEND=0,6\r\n");
    assert_eq!(d.take_text(), "AT+CIPSEND=0,6\r\n\r\n>");
    d.send(b"AT\r\nhi");
    assert_eq!(d.take_text(), "");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"AT\r\nhi"),
            to: None
        }
    );
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    // Command mode echoes again.
    d.send(b"AT\r\n");
    assert_eq!(d.take_text(), "AT\r\n\r\nOK\r\n");
}

// ======================================================================
// G-3: 256 bytes is a line, 257 is an error
// ======================================================================

/// `AT+CIPMUX=1` padded with trailing spaces (which a bare token drops,
/// G-5) to `len` bytes.
fn padded_mux_line(len: usize) -> String {
    let mut line = String::from("AT+CIPMUX=1");
    while line.len() < len {
        line.push(' ');
    }
    line
}

#[test]
fn g_3_a_line_of_256_bytes_is_executed() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd(&padded_mux_line(256)), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX?"), "+CIPMUX:1\r\n\r\nOK\r\n");
}

#[test]
fn g_3_a_line_of_257_bytes_is_an_error_and_changes_nothing() {
    let mut d = Driver::booted();
    refused(&mut d, &padded_mux_line(257));
}

#[test]
fn g_3_error_comes_with_the_terminator_and_the_excess_is_discarded() {
    let mut d = Driver::booted();
    let mut long = String::from("AT+CIPMUX=1");
    long.push_str(&"x".repeat(600));
    // The excess could be mistaken for a command of its own.
    long.push_str("AT+CIPMUX=1");
    d.send(long.as_bytes());
    assert_eq!(d.take_text(), "");
    d.send(b"\r\n");
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.cmd("AT+CIPMUX?"), "+CIPMUX:0\r\n\r\nOK\r\n");
}

#[test]
fn g_3_with_echo_on_the_long_line_is_echoed_then_refused() {
    let mut d = Driver::power_on(&[]);
    let line = padded_mux_line(257);
    d.send(line.as_bytes());
    d.send(b"\r\n");
    assert_eq!(d.take_text(), alloc::format!("{line}\r\n\r\nERROR\r\n"));
}

// ======================================================================
// G-4: unknown commands and forms a command lacks; every command's own
// bad parameters are in its family's tables.
// ======================================================================

#[rstest]
#[case::unknown("AT+FOO")]
#[case::unknown_query("AT+FOO?")]
#[case::unknown_basic("ATX")]
#[case::at_test("AT=?")]
#[case::at_query("AT?")]
#[case::ate_without_digit("ATE")]
#[case::ate2("ATE2")]
#[case::ate0_query("ATE0?")]
#[case::rst_query("AT+RST?")]
#[case::rst_test("AT+RST=?")]
#[case::rst_set("AT+RST=1")]
#[case::restore_test("AT+RESTORE=?")]
#[case::restore_set("AT+RESTORE=1")]
#[case::gmr_test("AT+GMR=?")]
#[case::gmr_query("AT+GMR?")]
#[case::sysstore_exec("AT+SYSSTORE")]
#[case::sysstore_test("AT+SYSSTORE=?")]
#[case::cipstatus_exec("AT+CIPSTATUS")]
#[case::cipstatus_test("AT+CIPSTATUS=?")]
#[case::cipstatus_set("AT+CIPSTATUS=0")]
#[case::cipstart_exec("AT+CIPSTART")]
#[case::cipstart_query("AT+CIPSTART?")]
#[case::cipstart_test("AT+CIPSTART=?")]
#[case::cipsend_query("AT+CIPSEND?")]
#[case::cipsend_test("AT+CIPSEND=?")]
#[case::cipclose_exec("AT+CIPCLOSE")]
#[case::cipclose_query("AT+CIPCLOSE?")]
#[case::cipclose_test("AT+CIPCLOSE=?")]
#[case::cipmux_exec("AT+CIPMUX")]
#[case::cipmux_test("AT+CIPMUX=?")]
#[case::cipmode_exec("AT+CIPMODE")]
#[case::cipmode_test("AT+CIPMODE=?")]
#[case::sntpcfg_exec("AT+CIPSNTPCFG")]
#[case::sntpcfg_test("AT+CIPSNTPCFG=?")]
#[case::sntptime_exec("AT+CIPSNTPTIME")]
#[case::sntptime_test("AT+CIPSNTPTIME=?")]
#[case::sntptime_set("AT+CIPSNTPTIME=1")]
#[case::ping_exec("AT+PING")]
#[case::ping_query("AT+PING?")]
#[case::ping_test("AT+PING=?")]
#[case::domain_exec("AT+CIPDOMAIN")]
#[case::domain_query("AT+CIPDOMAIN?")]
#[case::domain_test("AT+CIPDOMAIN=?")]
#[case::dns_exec("AT+CIPDNS")]
#[case::dns_test("AT+CIPDNS=?")]
#[case::psk_exec("AT+CIPSSLCPSK")]
#[case::psk_test("AT+CIPSSLCPSK=?")]
#[case::double_query("AT+CIPMUX??")]
#[case::double_equals("AT+CIPMUX==1")]
#[case::test_with_junk("AT+CIPMUX=?1")]
#[case::name_with_space("AT+CIP MUX?")]
fn g_4_unknown_command_or_form_is_an_error(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[rstest]
#[case::sysstore_missing("AT+SYSSTORE=")]
#[case::sysstore_range("AT+SYSSTORE=2")]
#[case::sysstore_negative("AT+SYSSTORE=-1")]
#[case::sysstore_extra("AT+SYSSTORE=1,1")]
#[case::sysstore_quoted("AT+SYSSTORE=\"0\"")]
#[case::sysstore_text("AT+SYSSTORE=on")]
fn g_4_sysstore_bad_parameters(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

// ======================================================================
// G-5: parameters
// ======================================================================

#[rstest]
#[case::quoted("AT+CIPDOMAIN=\"192.168.0.103\"")]
#[case::bare("AT+CIPDOMAIN=192.168.0.103")]
#[case::leading_spaces("AT+CIPDOMAIN=   \"192.168.0.103\"")]
#[case::bare_trailing_spaces("AT+CIPDOMAIN=192.168.0.103   ")]
fn g_5_strings_may_be_quoted_or_bare(#[case] line: &str) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd(line), "+CIPDOMAIN:\"192.168.0.103\"\r\n\r\nOK\r\n");
}

#[test]
fn g_5_escapes_inside_quotes() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd(r#"AT+CIPSSLCPSK="a\"b\\c\,d","h\,i""#), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        "+CIPSSLCPSK:0,\"a\"b\\c,d\",\"h,i\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn g_5_spaces_after_commas_are_ignored() {
    let mut d = mux_booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=3,  \"key\",   \"id\""), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        "+CIPSSLCPSK:3,\"key\",\"id\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn g_5_negative_integers() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=0,-12"), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSNTPCFG?"),
        "+CIPSNTPCFG:0,-12,\"pool.ntp.org\"\r\n\r\nOK\r\n"
    );
}

#[rstest]
#[case::quoted_integer("AT+CIPMUX=\"1\"")]
#[case::plus_sign("AT+CIPMUX=+1")]
#[case::hex("AT+CIPMUX=0x1")]
#[case::inner_space("AT+CIPMUX=1 1")]
#[case::bad_escape(r#"AT+CIPSSLCPSK="a\xb","h""#)]
#[case::unterminated_quote("AT+CIPSSLCPSK=\"key,\"h\"")]
#[case::junk_after_quote("AT+CIPSSLCPSK=\"key\"x,\"h\"")]
#[case::too_many_parameters("AT+CIPSTART=0,TCP,1.2.3.4,80,0,1,2,3,4")]
fn g_5_malformed_parameters_are_errors(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

// ======================================================================
// G-6: busy while a command executes
// ======================================================================

#[test]
fn g_6_busy_while_cipstart_connects() {
    let mut d = Driver::booted();
    let NetCommand::Connect { socket, .. } =
        asks(&mut d, "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80")
    else {
        panic!()
    };
    assert_eq!(d.cmd("AT"), "busy p...\r\n");
    // Otherwise ignored: not executed later either.
    assert_eq!(d.cmd("AT+CIPMUX=1"), "busy p...\r\n");
    assert_eq!(d.net, []);
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX?"), "+CIPMUX:0\r\n\r\nOK\r\n");
}

#[test]
fn g_6_busy_while_cipstart_resolves() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSTART=0,\"TCP\",\"example.com\",80"), "");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "busy p...\r\n");
    resolves(&mut d, "example.com", [93, 184, 216, 34]);
    assert_eq!(d.cmd("AT"), "busy p...\r\n");
    assert!(matches!(d.next_net(), NetCommand::Connect { .. }));
}

#[test]
fn g_6_busy_while_ping_waits() {
    let mut d = Driver::booted();
    let NetCommand::Ping { socket, .. } = asks(&mut d, "AT+PING=\"192.168.0.103\"") else {
        panic!()
    };
    d.wait(Duration::from_millis(5));
    assert_eq!(d.cmd("AT"), "busy p...\r\n");
    d.event(NetEvent::PingReply { socket });
    assert_eq!(d.take_text(), "+PING:5\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[test]
fn g_6_busy_while_cipdomain_resolves() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"example.com\""), "");
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"1.2.3.4\""), "busy p...\r\n");
    resolves(&mut d, "example.com", [93, 184, 216, 34]);
    assert_eq!(d.take_text(), "+CIPDOMAIN:\"93.184.216.34\"\r\n\r\nOK\r\n");
}

#[test]
fn g_6_busy_during_a_reset_even_for_a_long_line() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    // Echo is back on: the line is echoed, then refused as busy.
    d.send(b"AT\r\n");
    assert_eq!(d.take_text(), "AT\r\nbusy p...\r\n");
    let long = padded_mux_line(300);
    d.send(long.as_bytes());
    d.send(b"\r\n");
    assert_eq!(d.take_text(), alloc::format!("{long}\r\nbusy p...\r\n"));
    d.wait(SEED.restart_time);
    assert_eq!(d.take_text(), "\r\nready\r\n");
}

// ======================================================================
// G-7: unsolicited lines wait for the final result
// ======================================================================

#[test]
fn g_7_urcs_during_a_command_follow_its_final_result_in_order() {
    let mut d = mux_booted();
    let s0 = d.tcp_link(0, 20108);
    let s1 = d.tcp_link(1, 20109);
    let NetCommand::Connect { socket, .. } =
        asks(&mut d, "AT+CIPSTART=2,\"TCP\",\"192.168.0.103\",80")
    else {
        panic!()
    };
    d.event(NetEvent::Received {
        socket: s0,
        from: SocketAddrV4::new(PEER, 20108),
        data: b"abc",
    });
    d.event(NetEvent::Closed {
        socket: s1,
        reason: CloseReason::Peer,
    });
    d.event(NetEvent::Received {
        socket: s0,
        from: SocketAddrV4::new(PEER, 20108),
        data: b"de",
    });
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::Opened {
        socket,
        local_port: 50002,
    });
    assert_eq!(
        d.take_text(),
        "\r\nOK\r\n+IPD,0,3:abc\r\n1,CLOSED\r\n+IPD,0,2:de\r\n"
    );
}

#[test]
fn g_7_urcs_wait_while_cipsend_collects_and_sends() {
    let mut d = mux_booted();
    let s0 = d.tcp_link(0, 20108);
    let s1 = d.tcp_link(1, 20109);
    assert_eq!(d.cmd("AT+CIPSEND=0,4"), "\r\n>");
    d.send(b"ab");
    d.event(NetEvent::Received {
        socket: s1,
        from: SocketAddrV4::new(PEER, 20109),
        data: b"xyz",
    });
    assert_eq!(d.take_text(), "");
    d.send(b"cd");
    assert!(matches!(d.next_net(), NetCommand::Send { socket, .. } if socket == s0));
    d.event(NetEvent::Closed {
        socket: s1,
        reason: CloseReason::Reset,
    });
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::Sent { socket: s0 });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n+IPD,1,3:xyz\r\n1,CLOSED\r\n");
}

#[test]
fn g_7_urcs_wait_for_an_error_result_too() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    let NetCommand::Ping { to, .. } = asks(&mut d, "AT+PING=\"192.168.0.9\"") else {
        panic!()
    };
    assert_eq!(to, Ipv4Addr::new(192, 168, 0, 9));
    d.event(NetEvent::Received {
        socket: s,
        from: SocketAddrV4::new(PEER, 20108),
        data: b"late",
    });
    d.wait(Duration::from_secs(1));
    assert_eq!(
        d.take_text(),
        "+PING:TIMEOUT\r\n\r\nERROR\r\n+IPD,4:late\r\n"
    );
}

#[test]
fn g_7_urcs_go_out_at_once_when_idle() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.event(NetEvent::Received {
        socket: s,
        from: SocketAddrV4::new(PEER, 20108),
        data: b"now",
    });
    assert_eq!(d.take_text(), "+IPD,3:now\r\n");
}

// ======================================================================
// G-8: the prompt
// ======================================================================

#[test]
fn g_8_the_prompt_is_crlf_and_gt_and_nothing_else() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.send(b"AT+CIPSEND=0,1\r\n");
    assert_eq!(d.uart, b"\r\n>");
    d.uart.clear();
    d.wait(Duration::from_secs(10));
    assert_eq!(d.take_text(), "", "no timeout, nothing after the prompt");
    d.send(b"z");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"z"),
            to: None
        }
    );
}

// ======================================================================
// B-1…B-5: basic commands
// ======================================================================

#[test]
fn b_1_at_is_ok() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
    assert_eq!(d.net, []);
}

#[test]
fn b_1_ate0_and_ate1_switch_echo() {
    let mut d = Driver::power_on(&[]);
    d.send(b"ATE0\r\n");
    assert_eq!(d.take_text(), "ATE0\r\n\r\nOK\r\n");
    d.send(b"AT\r\n");
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    d.send(b"ATE1\r\n");
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    d.send(b"AT\r\n");
    assert_eq!(d.take_text(), "AT\r\n\r\nOK\r\n");
}

#[test]
fn b_2_power_on_says_ready() {
    let mut m = Module::new(&SEED, &[], 1);
    let mut out = [0u8; 64];
    let n = m.poll_uart(&mut out);
    assert_eq!(&out[..n], b"\r\nready\r\n");
}

#[test]
fn b_2_rst_says_ok_then_ready_and_drops_links() {
    let mut d = mux_booted();
    let s0 = d.tcp_link(0, 20108);
    let s3 = d.udp_link(3, 20109);
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    assert_eq!(d.next_net(), NetCommand::Close { socket: s0 });
    assert_eq!(d.next_net(), NetCommand::Close { socket: s3 });
    assert_eq!(d.net, []);
    d.wait(SEED.restart_time - Duration::from_micros(1));
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_micros(1));
    assert_eq!(d.take_text(), "\r\nready\r\n");
    // No CLOSED for links the reset dropped; late events are ignored.
    d.event(NetEvent::Closed {
        socket: s0,
        reason: CloseReason::Peer,
    });
    assert_eq!(d.take_text(), "");
    d.send(b"ATE0\r\n");
    assert_eq!(d.take_text(), "ATE0\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

#[test]
fn b_2_rst_restores_volatile_defaults_and_keeps_stored_settings() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSNTPCFG=0,5,\"1.2.3.4\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDNS=1,\"1.1.1.1\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    d.wait(SEED.restart_time);
    assert_eq!(d.take_text(), "\r\nready\r\n");
    d.send(b"ATE0\r\n");
    assert_eq!(d.take_text(), "ATE0\r\n\r\nOK\r\n");
    assert_eq!(
        visible_state(&mut d),
        concat!(
            "+CIPMUX:0\r\n\r\nOK\r\n",
            "+CIPMODE:0\r\n\r\nOK\r\n",
            "+SYSSTORE:1\r\n\r\nOK\r\n",
            "+CIPDNS:1,\"1.1.1.1\"\r\n\r\nOK\r\n",
            "+CIPSNTPCFG:0,0,\"pool.ntp.org\"\r\n\r\nOK\r\n",
            "\r\nOK\r\n",
            "\r\nOK\r\n",
        )
    );
}

#[test]
fn b_3_restore_erases_stored_settings_and_restarts() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+SYSSTORE=1"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDNS=1,\"1.1.1.1\""), "\r\nOK\r\n");
    assert_ne!(
        d.stored.as_deref(),
        Some(&crate::Settings::FACTORY.encode()[..])
    );
    assert_eq!(d.cmd("AT+SYSSTORE=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+RESTORE"), "\r\nOK\r\n");
    assert_eq!(
        d.stored.as_deref(),
        Some(&crate::Settings::FACTORY.encode()[..])
    );
    d.wait(SEED.restart_time);
    assert_eq!(d.take_text(), "\r\nready\r\n");
    d.send(b"ATE0\r\n");
    d.take_text();
    assert_eq!(d.cmd("AT+SYSSTORE?"), "+SYSSTORE:1\r\n\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
    );
    // And a power-on from what was stored is factory state too.
    let blob = d.stored.clone().unwrap();
    let mut d = Driver::power_on(&blob);
    d.send(b"ATE0\r\n");
    d.take_text();
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn b_4_gmr_prints_the_version_lines() {
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd("AT+GMR"),
        "AT version:0.1.0(atcert firmware-core)\r\ndialect:seed\r\n\r\nOK\r\n"
    );
}

#[test]
fn b_5_sysstore_defaults_to_1() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+SYSSTORE?"), "+SYSSTORE:1\r\n\r\nOK\r\n");
}

#[test]
fn b_5_sysstore_set_and_query() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+SYSSTORE=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+SYSSTORE?"), "+SYSSTORE:0\r\n\r\nOK\r\n");
    assert_eq!(
        crate::Settings::decode(d.stored.as_deref().unwrap()),
        crate::Settings {
            sysstore: false,
            dns: crate::DnsSetting::Automatic,
            station: None,
            line_rate: None,
        }
    );
    assert_eq!(d.cmd("AT+SYSSTORE=1"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+SYSSTORE?"), "+SYSSTORE:1\r\n\r\nOK\r\n");
    assert_eq!(
        crate::Settings::decode(d.stored.as_deref().unwrap()),
        crate::Settings {
            sysstore: true,
            dns: crate::DnsSetting::Automatic,
            station: None,
            line_rate: None,
        }
    );
}

#[test]
fn b_5_sysstore_1_writes_cipdns_and_0_does_not() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDNS=1,\"1.1.1.1\""), "\r\nOK\r\n");
    let blob = d.stored.take().expect("written with SYSSTORE=1");
    assert_eq!(
        crate::Settings::decode(&blob).dns,
        crate::DnsSetting::manual(&[Ipv4Addr::new(1, 1, 1, 1)]).unwrap()
    );
    assert_eq!(d.cmd("AT+SYSSTORE=0"), "\r\nOK\r\n");
    let blob = d.stored.take().unwrap();
    assert_eq!(d.cmd("AT+CIPDNS=1,\"9.9.9.9\""), "\r\nOK\r\n");
    assert_eq!(d.stored, None, "not written with SYSSTORE=0");
    assert_eq!(
        crate::Settings::decode(&blob).dns,
        crate::DnsSetting::manual(&[Ipv4Addr::new(1, 1, 1, 1)]).unwrap()
    );
}

#[rstest]
#[case::sysstore("AT+SYSSTORE=0")]
#[case::cipdns("AT+CIPDNS=1,\"1.1.1.1\"")]
#[case::restore("AT+RESTORE")]
fn b_6_ok_only_once_the_settings_are_durable(#[case] command: &str) {
    let mut d = Driver::booted();
    d.store_at_once = false;
    assert_eq!(d.cmd(command), "", "no OK before the write is durable");
    assert!(d.stored.is_some(), "the write was asked for");
    assert_eq!(d.cmd("AT"), "busy p...\r\n");
    d.m.handle_stored(d.now, true);
    d.drain();
    assert!(d.take_text().starts_with("\r\nOK\r\n"));
}

#[rstest]
#[case::sysstore("AT+SYSSTORE=0", "AT+SYSSTORE?", "+SYSSTORE:1\r\n\r\nOK\r\n")]
#[case::cipdns(
    "AT+CIPDNS=1,\"1.1.1.1\"",
    "AT+CIPDNS?",
    "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
)]
fn b_6_a_failed_write_is_an_error_and_changes_nothing(
    #[case] command: &str,
    #[case] query: &str,
    #[case] before: &str,
) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd(query), before);
    d.store_at_once = false;
    assert_eq!(d.cmd(command), "");
    d.m.handle_stored(d.now, false);
    d.drain();
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.cmd(query), before);
}

#[test]
fn b_6_restore_restarts_only_after_the_erase_is_durable() {
    let mut d = Driver::booted();
    d.store_at_once = false;
    assert_eq!(d.cmd("AT+RESTORE"), "");
    d.wait(Duration::from_secs(2));
    assert_eq!(d.take_text(), "", "no ready before OK");
    d.m.handle_stored(d.now, true);
    d.drain();
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    d.wait(SEED.restart_time);
    assert_eq!(d.take_text(), "\r\nready\r\n");
}

#[test]
fn tl_7_a_key_never_shows_in_debug_output() {
    let psk = crate::Psk {
        key: b"s3cr3t-k3y".to_vec(),
        identity: b"dev-7".to_vec(),
    };
    let shown = alloc::format!("{psk:?}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(
        shown.contains("dev-7") && shown.contains("10 bytes"),
        "{shown}"
    );
}
