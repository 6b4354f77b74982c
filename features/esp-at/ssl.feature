@esp-at @tls
Feature: esp-at: "SSL" links with a pre-shared key, AT+CIPSSLCPSK and AT+CIPSSLCCONF (EK)

  The lab's TLS peers are TLS-PSK ones (STEPS.md), so every scenario that
  opens an "SSL" link is tagged @tls with the rest of this file.

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And a TLS-PSK echo server at 192.168.0.104:4433 with key "secret" and identity "client1"
    And the module has just booted
    And the module has joined "lab"

  Rule: AT+CIPSSLCPSK

    @EK-1 @EK-2
    Scenario: the key and identity of link 0 in single connection
      When the host sends AT+CIPSSLCPSK="secret","client1"
      Then the module replies OK
      When the host sends AT+CIPSSLCPSK?
      Then the module replies the bytes "+CIPSSLCPSK:0,\"secret\",\"client1\"\r\n\r\nOK\r\n"

    @EK-1 @EK-2
    Scenario: one link, or with 5 every link, in multiple connections
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSSLCPSK=2,"k2","id2"
      Then the module replies OK
      When the host sends AT+CIPSSLCPSK?
      Then the module replies:
        """
        +CIPSSLCPSK:0,"",""
        +CIPSSLCPSK:1,"",""
        +CIPSSLCPSK:2,"k2","id2"
        +CIPSSLCPSK:3,"",""
        +CIPSSLCPSK:4,"",""
        OK
        """
      When the host sends AT+CIPSSLCPSK=5,"all","every"
      Then the module replies OK
      When the host sends AT+CIPSSLCPSK?
      Then the module replies:
        """
        +CIPSSLCPSK:0,"all","every"
        +CIPSSLCPSK:1,"all","every"
        +CIPSSLCPSK:2,"all","every"
        +CIPSSLCPSK:3,"all","every"
        +CIPSSLCPSK:4,"all","every"
        OK
        """

    @EK-1
    Scenario: a 32-byte key and a 32-byte identity are accepted
      When the host sends AT+CIPSSLCPSK="kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk","iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"
      Then the module replies OK

    @EK-1 @EG-5
    Scenario Outline: a key or identity empty or over 32 bytes, the other mode's form or link 6 is ERROR
      When the host sends AT+CIPMUX=<mux>
      Then the module replies OK
      When the host sends AT+CIPSSLCPSK=<params>
      Then the module replies ERROR

      Examples:
        | mux | params                      |
        | 0   | "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk","client1" |
        | 0   | "secret","iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"  |
        | 0   | "","client1"                |
        | 0   | "secret",""                 |
        | 0   | 0,"secret","client1"        |
        | 1   | "secret","client1"          |
        | 1   | 6,"secret","client1"        |
        | 1   | -1,"secret","client1"       |

  Rule: AT+CIPSSLCCONF

    @EK-3
    Scenario: no authentication from the factory, and auth mode 0 is accepted
      When the host sends AT+CIPSSLCCONF?
      Then the module replies:
        """
        +CIPSSLCCONF:0,0,0,0
        OK
        """
      When the host sends AT+CIPSSLCCONF=0
      Then the module replies OK

    @EK-3
    Scenario: in multiple connections one line per link, and 5 sets every link
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSSLCCONF=5,0
      Then the module replies OK
      When the host sends AT+CIPSSLCCONF?
      Then the module replies:
        """
        +CIPSSLCCONF:0,0,0,0
        +CIPSSLCCONF:1,0,0,0
        +CIPSSLCCONF:2,0,0,0
        +CIPSSLCCONF:3,0,0,0
        +CIPSSLCCONF:4,0,0,0
        OK
        """

    @EK-4 @EG-5
    Scenario Outline: certificate modes are ERROR: this dialect stores no certificate
      When the host sends AT+CIPSSLCCONF=<mode>
      Then the module replies ERROR
      When the host sends AT+CIPSSLCCONF?
      Then the module replies:
        """
        +CIPSSLCCONF:0,0,0,0
        OK
        """

      Examples:
        | mode  |
        | 1,0   |
        | 2,0,0 |
        | 3,0,0 |
        | 4     |

  Rule: "SSL" links

    @EK-4 @ET-6 @EK-5
    Scenario: with the key set an "SSL" link connects after the handshake and carries data
      When the host sends AT+CIPSSLCPSK="secret","client1"
      Then the module replies OK
      When the host sends AT+CIPSTART="SSL","192.168.0.104",4433
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPSEND=5
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "hello"
      Then the module replies:
        """
        Recv 5 bytes
        SEND OK
        +IPD,5:hello
        """
      When the host sends AT+CIPSTATE?
      Then the module replies:
        """
        +CIPSTATE:0,"SSL","192.168.0.104",4433,{n},0
        OK
        """

    @EK-4 @ET-6
    Scenario Outline: a wrong key or no key is ERROR and the link stays free
      When the host sends <psk>
      Then the module replies OK
      When the host sends AT+CIPSTART="SSL","192.168.0.104",4433
      Then the module replies ERROR within 11 s
      When the host sends AT+CIPSTATE?
      Then the module replies OK

      Examples:
        | psk                                 |
        | AT+CIPSSLCPSK="wrong","client1"     |
        | AT+CIPSSLCPSK="secret","someone"    |
        | AT                                  |

    @EK-4 @EK-1 @ET-6
    Scenario: a key set after the link opened applies from the next CIPSTART
      When the host sends AT+CIPSSLCPSK="secret","client1"
      Then the module replies OK
      When the host sends AT+CIPSTART="SSL","192.168.0.104",4433
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPSSLCPSK="wrong","client1"
      Then the module replies OK
      When the host sends AT+CIPSEND=2
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "ok"
      Then the module replies:
        """
        Recv 2 bytes
        SEND OK
        +IPD,2:ok
        """
      When the host sends AT+CIPCLOSE
      Then the module replies:
        """
        CLOSED
        OK
        """
      When the host sends AT+CIPSTART="SSL","192.168.0.104",4433
      Then the module replies ERROR within 11 s

    @EK-5 @EP-2 @EP-4
    Scenario: an "SSL" link enters passthrough
      When the host sends AT+CIPSSLCPSK="secret","client1"
      Then the module replies OK
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="SSL","192.168.0.104",4433
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPSEND
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "hello"
      Then the host receives the raw bytes "hello"

    @EK-5 @ET-10 @ET-11
    Scenario: the peer's close closes the link, and CIPCLOSE closes it from the module's side
      Given a TLS-PSK sink at 192.168.0.104:4434 with key "secret" and identity "client1"
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSSLCPSK=5,"secret","client1"
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"SSL","192.168.0.104",4433
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPSTART=1,"SSL","192.168.0.104",4434
      Then the module replies:
        """
        1,CONNECT
        OK
        """
      When the peer at 192.168.0.104:4433 closes the connection
      Then the module replies 0,CLOSED
      When the host sends AT+CIPCLOSE=1
      Then the module replies:
        """
        1,CLOSED
        OK
        """
      And the peer at 192.168.0.104:4434 has 0 open connections
