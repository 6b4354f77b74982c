Feature: AT+CIPSTART

  # ---- The page's own examples, verbatim ----

  @SS-1 @SS-3 @SS-5 @SS-6
  Scenario: the page's example 1: a TCP connection with keep-alive every 1800 seconds
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"tcp","192.168.0.103",20108,1800
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  @SS-1 @SS-8 @G-5 @RX-2
  Scenario: the page's example 2: a TCP server on link 2, with spaces after commas
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"tcp","192.168.0.103",20108,1800, 5637, "192.168.0.107"
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,{ip},{n},5637,1
      OK
      """
    When a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module replies 2,CONNECT
    And the peer at 192.168.0.104:5637 has 1 open connections
    When the peer at 192.168.0.104:5637 sends "hi"
    Then the module replies +IPD,2,2:hi
    When the host sends AT+CIPSEND=2,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.104:5637 receives "hello"

  @SS-1 @SS-3 @SS-7
  Scenario: the page's example 3: a UDP client on link 1
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=1,"udp","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.103,20108,{n},0
      OK
      """
    When the host sends AT+CIPSEND=1,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  @SS-1 @SS-8 @G-5
  Scenario: the page's example 4: a UDP server on link 1 with local port 5637
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=1,"udp","192.168.0.103",20108,5637, "192.168.0.107"
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.103,20108,5637,1
      OK
      """
    When the host sends AT+CIPSEND=1,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  # ---- SS-1: the command line ----

  @SS-1 @G-4
  Scenario Outline: a malformed CIPSTART is refused and opens nothing
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 0 open connections

    Examples:
      | line                                                              |
      | AT+CIPSTART                                                       |
      | AT+CIPSTART=?                                                     |
      | AT+CIPSTART?                                                      |
      | AT+CIPSTART=                                                      |
      | AT+CIPSTART=0                                                     |
      | AT+CIPSTART=0,"TCP"                                               |
      | AT+CIPSTART=0,"TCP","192.168.0.103"                               |
      | AT+CIPSTART=,"TCP","192.168.0.103",20108                          |
      | AT+CIPSTART=0,,"192.168.0.103",20108                              |
      | AT+CIPSTART=0,"TCP",,20108                                        |
      | AT+CIPSTART=0,"TCP","",20108                                      |
      | AT+CIPSTART=0,"TCP","192.168.0.103",                              |
      | AT+CIPSTART=0,"TCP","192.168.0.103",port                          |
      | AT+CIPSTART=x,"TCP","192.168.0.103",20108                         |
      | AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0",1      |
      | AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0",1,2,3  |
      | AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637                  |
      | AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,                 |
      | AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,,"0.0.0.0"            |
      | AT+CIPSTART=0,"TCP","192.168.0.103",20108,x                       |
      | AT+CIPSTART=0,"TCP","192.168.0.103:20108"                         |

  # ---- SS-2: link IDs 0-4 ----

  @SS-2
  Scenario: five links, 0 to 4, may be open at once
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=4,"TCP","192.168.0.103",20108
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 5 open connections
    When the host sends AT+CIPSTART=5,"TCP","192.168.0.103",20108
    Then the module replies ERROR
    And the peer at 192.168.0.103:20108 has 5 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @SS-2 @G-4
  Scenario Outline: a link ID of 5 or more, or below 0, is refused
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=<id>,"TCP","192.168.0.103",20108
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 0 open connections

    Examples:
      | id    |
      | 5     |
      | 6     |
      | 99    |
      | 65536 |
      | -1    |

  # ---- SS-3: the type ----

  @SS-3 @G-5
  Scenario Outline: TCP may be written several ways
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,<type>,"192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

    Examples:
      | type  |
      | "TCP" |
      | "tcp" |
      | "Tcp" |
      | "tCP" |
      | TCP   |
      | tcp   |
      | 0     |

  @SS-3 @SS-7 @G-5
  Scenario Outline: UDP may be written several ways
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,<type>,"192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.103,20108,{n},0
      OK
      """

    Examples:
      | type  |
      | "UDP" |
      | "udp" |
      | "uDp" |
      | UDP   |
      | udp   |
      | 1     |

  @SS-3 @G-4
  Scenario Outline: an unknown type is refused
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,<type>,"192.168.0.103",20108
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 0 open connections

    Examples:
      | type    |
      | "TCPX"  |
      | "SCTP"  |
      | "TC"    |
      | "TCP "  |
      | 4       |
      | -1      |
      | 00x     |
      | "HTTP"  |

  @SS-3 @SS-11 @tls
  Scenario Outline: TLS may be written several ways, SSL among them
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,<type>,"192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:2,192.168.0.103,4433,{n},0
      OK
      """

    Examples:
      | type  |
      | "TLS" |
      | "tls" |
      | TLS   |
      | 2     |
      | "SSL" |
      | "ssl" |
      | SSL   |

  @SS-3 @SS-11 @tls
  Scenario Outline: DTLS may be written several ways
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,<type>,"192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:3,192.168.0.103,4433,{n},0
      OK
      """

    Examples:
      | type   |
      | "DTLS" |
      | "dtls" |
      | DTLS   |
      | 3      |

  # ---- SS-4: the remote host ----

  @SS-4
  Scenario: a domain name is resolved through the DNS server
    Given a TCP echo server at 192.168.0.103:20108
    And the DNS name "echo.lab.example" resolves to 192.168.0.103
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","echo.lab.example",20108
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @SS-4 @SS-7
  Scenario: a UDP link to a domain name
    Given a UDP echo server at 192.168.0.103:20108
    And the DNS name "echo.lab.example" resolves to 192.168.0.103
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","echo.lab.example",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  @SS-4
  Scenario: a name of 64 bytes is accepted
    Given a TCP echo server at 192.168.0.103:20108
    And the DNS name "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.lab.example" resolves to 192.168.0.103
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.lab.example",20108
    Then the module replies OK

  @SS-4 @G-4
  Scenario: a name of 65 bytes is refused
    Given a TCP echo server at 192.168.0.103:20108
    And the DNS name "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.lab.example" resolves to 192.168.0.103
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.lab.example",20108
    Then the module replies ERROR
    And the peer at 192.168.0.103:20108 has 0 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-4
  Scenario: a name that does not resolve is refused
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","nowhere.lab.example",20108
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-4
  Scenario: a name whose lookup times out is refused
    Given the DNS server at 192.168.0.1 does not answer
    And a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","echo.lab.example",20108
    Then the module replies ERROR within 5 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-4 @G-4
  Scenario Outline: a remote host that is neither an address nor a name is refused
    Given the module has just booted
    When the host sends AT+CIPSTART=0,"TCP",<host>,20108
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

    Examples:
      | host                 |
      | "a..b"               |
      | ".lab.example"       |

  # ---- SS-5: ports and keep-alive ----

  @SS-5 @G-4
  Scenario Outline: a remote port out of 1-65535 is refused
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",<port>
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

    Examples:
      | port   |
      | 0      |
      | 65536  |
      | -1     |
      | 100000 |

  @SS-5
  Scenario: remote ports 1 and 65535 are valid
    Given a TCP echo server at 192.168.0.103:65535
    And a TCP echo server at 192.168.0.104:1
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",65535
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",1
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,65535,{n},0
      +BIPSTATUS:0,192.168.0.104,1,{n},0
      OK
      """

  @SS-5
  Scenario Outline: keep-alive values from 0 to 7200 are accepted
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,<keepalive>
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 1 open connections

    Examples:
      | keepalive |
      | 0         |
      | 1         |
      | 7200      |

  @SS-5 @G-4
  Scenario Outline: a keep-alive out of 0-7200 is refused
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,<keepalive>
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 0 open connections

    Examples:
      | keepalive |
      | 7201      |
      | -1        |
      | 65536     |
      | x         |

  @SS-5 @SS-7
  Scenario: a keep-alive on a UDP link is accepted and means nothing
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",20108,100
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.103,20108,{n},0
      OK
      """

  @SS-5 @RX-2 @sim
  Scenario: keep-alive detects an unreachable peer at idle + 3 s
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,2
    Then the module replies OK
    When the link between the module and 192.168.0.103 is cut
    Then the module stays silent for 4 s
    And the module replies CLOSED within 2 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-5 @sim
  Scenario: without keep-alive an idle link to an unreachable peer stays open
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the link between the module and 192.168.0.103 is cut
    Then the module stays silent for 20 s
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  # ---- SS-6: TCP client outcomes ----

  @SS-6
  Scenario: a refused connection gives ERROR and leaves the link free
    Given nothing listens at 192.168.0.103:20108
    And a TCP echo server at 192.168.0.104:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20108
    Then the module replies OK

  @SS-6
  Scenario: a peer that does not answer gives ERROR after 5 s and leaves the link free
    Given no host answers at 192.168.0.50
    And a TCP echo server at 192.168.0.104:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.50",20108
    Then the module stays silent for 4500 ms
    And the module replies ERROR within 1 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20108
    Then the module replies OK

  @SS-6 @sim
  Scenario: a connection over a slow link still succeeds within 5 s
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the link between the module and 192.168.0.103 is delayed by 2 s
    And the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module stays silent for 1500 ms
    And the module replies OK within 3500 ms
    And the peer at 192.168.0.103:20108 has 1 open connections

  @SS-6 @sim
  Scenario: a connection not made within 5 s gives ERROR and leaves the link free
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the link between the module and 192.168.0.103 is delayed by 6 s
    And the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module stays silent for 4500 ms
    And the module replies ERROR within 1 s
    And the module stays silent for 3 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  # ---- SS-7: UDP client ----

  @SS-7
  Scenario: a UDP client is OK at once, even when nobody answers there
    Given no host answers at 192.168.0.50
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.50",20108
    Then the module replies OK within 100 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.50,20108,{n},0
      OK
      """

  @SS-7 @SD-6
  Scenario: a UDP client sends to its fixed peer and receives its replies
    Given a UDP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 receives "hello"
    When the peer at 192.168.0.103:20108 sends "world!"
    Then the module replies +IPD,6:world!

  # ---- SS-8: server form ----

  @SS-8
  Scenario Outline: the local address must be the module's own or 0.0.0.0
    Given the module has just booted
    When the host sends AT+CIPSTART=1,<type>,"192.168.0.103",20108,5637,<localip>
    Then the module replies <reply>

    Examples:
      | type  | localip         | reply |
      | "TCP" | "192.168.0.107" | OK    |
      | "TCP" | "0.0.0.0"       | OK    |
      | "UDP" | "192.168.0.107" | OK    |
      | "UDP" | "0.0.0.0"       | OK    |
      | "TCP" | 0.0.0.0         | OK    |

  @SS-8 @G-4
  Scenario Outline: another local address is refused
    Given the module has just booted
    When the host sends AT+CIPSTART=1,<type>,"192.168.0.103",20108,5637,<localip>
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

    Examples:
      | type  | localip           |
      | "TCP" | "192.168.0.108"   |
      | "TCP" | "192.168.0.103"   |
      | "TCP" | "127.0.0.1"       |
      | "TCP" | "255.255.255.255" |
      | "UDP" | "192.168.0.108"   |
      | "UDP" | "10.0.0.1"        |
      | "TCP" | "localhost"       |
      | "TCP" | "192.168.0"       |
      | "TCP" | ""                |

  @SS-8 @G-4
  Scenario Outline: a local port out of 1-65535 is refused
    Given the module has just booted
    When the host sends AT+CIPSTART=1,<type>,"192.168.0.103",20108,<port>,"0.0.0.0"
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

    Examples:
      | type  | port  |
      | "TCP" | 0     |
      | "TCP" | 65536 |
      | "UDP" | 0     |
      | "UDP" | -1    |

  @SS-8
  Scenario Outline: a local port already in use is refused
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,<type>,"192.168.0.103",20108,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPSTART=2,<type>,"192.168.0.103",20108,5637,"0.0.0.0"
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:<code>,{ip},{n},5637,1
      OK
      """

    Examples:
      | type  | code |
      | "TCP" | 0    |
      | "UDP" | 1    |

  @SS-8 @RX-2
  Scenario: a TCP server takes its first inbound connection as the link and refuses later ones
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    And the module stays silent for 200 ms
    When a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module replies 3,CONNECT
    And the peer at 192.168.0.104:5637 has 1 open connections
    When a TCP client at 192.168.0.105 connects to the module on port 5637
    Then the module stays silent for 500 ms
    And the peer at 192.168.0.105:5637 has 0 open connections
    When the peer at 192.168.0.105:5637 sends "from 105"
    Then the module stays silent for 500 ms
    And the peer at 192.168.0.104:5637 has 1 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.104,{n},5637,1
      OK
      """
    When the peer at 192.168.0.104:5637 sends "from 104"
    Then the module replies +IPD,3,8:from 104

  @SS-8
  Scenario: a UDP server sends to its default destination and takes datagrams from any sender
    Given a UDP sink at 192.168.0.103:20108
    And a UDP echo server at 192.168.0.104:7000
    And the module has just booted
    When the host sends AT+CIPSTART=1,"UDP","192.168.0.103",20108,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPSEND=1,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 receives "hello"
    When the host sends AT+CIPSEND=1,4,"192.168.0.104",7000
    Then the module replies >
    When the host sends the raw bytes "ping"
    Then the module replies:
      """
      SEND OK
      +IPD,4:ping
      """
    When the peer at 192.168.0.103:20108 sends "pong"
    Then the module replies +IPD,4:pong

  # ---- SS-9, SS-10: links in use ----

  @SS-9
  Scenario: a link ID already in use is refused and the open link is untouched
    Given a TCP echo server at 192.168.0.103:20108
    And a UDP echo server at 192.168.0.104:5000
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.104",5000
    Then the module replies ERROR
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies ERROR
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,0,5:hello
      """

  @SS-9
  Scenario: a server link's ID is in use while it listens
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.103",20108
    Then the module replies ERROR
    And the peer at 192.168.0.103:20108 has 0 open connections
    When a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module replies 2,CONNECT

  @SS-10
  Scenario: with CIPMUX=0 a second link is refused
    Given a TCP echo server at 192.168.0.103:20108
    And a TCP echo server at 192.168.0.104:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",20108
    Then the module replies ERROR
    And the peer at 192.168.0.104:20108 has 0 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",20108
    Then the module replies OK

  @SS-10
  Scenario: with CIPMUX=0 a server link counts as the one link
    Given a UDP echo server at 192.168.0.104:5000
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"UDP","192.168.0.104",5000
    Then the module replies ERROR

  @SS-10
  Scenario: with CIPMUX=1 links to the same peer may be open together
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 2 open connections

  # ---- SS-11: TLS and DTLS need a PSK ----

  @SS-11
  Scenario Outline: TLS or DTLS without a PSK is refused
    Given a TCP echo server at 192.168.0.103:20108
    And a UDP echo server at 192.168.0.103:20109
    And the module has just booted
    When the host sends AT+CIPSTART=0,<type>,"192.168.0.103",<port>
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

    Examples:
      | type   | port  |
      | "TLS"  | 20108 |
      | "tls"  | 20108 |
      | 2      | 20108 |
      | "SSL"  | 20108 |
      | "DTLS" | 20109 |
      | 3      | 20109 |

  @SS-11
  Scenario: with CIPMUX=1 a PSK for another link does not count
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=1,"secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",20108
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-11 @tls
  Scenario: TLS with the right PSK connects and carries data
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  @SS-11 @tls
  Scenario: TLS with the wrong PSK fails its handshake
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="wrong","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-11 @tls
  Scenario: TLS with an unknown identity fails its handshake
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","someone"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies ERROR

  @SS-11
  Scenario: TLS to a plain TCP server fails its handshake
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",20108
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-11 @tls
  Scenario: DTLS with the right PSK connects and carries data
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  @SS-11 @tls
  Scenario: DTLS with the wrong PSK fails its handshake
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="wrong","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4433
    # The server drops the module's Finished, sealed under the wrong key,
    # without an alert (TL-5); the handshake gives up at TL-3's 10 s.
    Then the module replies ERROR within 11 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
