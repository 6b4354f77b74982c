Feature: TLS and DTLS with a pre-shared key (TL)
  The module's own TLS 1.2 and DTLS 1.2 sessions against OpenSSL's
  servers (the simulator's and a lab's peers). Every scenario needs a
  TLS-PSK or DTLS-PSK peer, so every one is tagged tls.

  @TL-1 @TL-2 @TL-4 @tls
  Scenario Outline: each offered cipher suite carries data over TLS
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "<key>" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="<key>","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the module replies +IPD,5:hello

    Examples:
      | key    |
      | secret |

  @TL-3 @tls
  Scenario: a wrong key is an error and the link stays free
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="wrong","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies ERROR within 11 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @TL-5 @TL-6 @tls
  Scenario: the peer's close_notify closes the link
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the peer at 192.168.0.103:4433 closes the connection
    Then the module replies CLOSED

  @TL-7 @tls
  Scenario: the key never leaves the module except in the CIPSSLCPSK reply
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "k3y-x" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="k3y-x","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"k3y-x","client1"
      OK
      """

  @TL-1 @TL-4 @tls
  Scenario: DTLS carries a CIPSEND as one record and the echo comes back
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND=0,7
    Then the module replies >
    When the host sends the raw bytes "datagram"
    Then the module replies SEND OK
    And the module replies +IPD,7:datagra
    And the peer at 192.168.0.103:4433 receives "datagra"

  @TL-3 @tls
  Scenario: a server that never answers the ClientHello fails the CIPSTART after 10 s
    Given a TCP sink at 192.168.0.103:4433
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module stays silent for 9 s
    And the module replies ERROR within 2 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @TL-3 @sim @tls
  Scenario: DTLS completes its handshake over a lossy link by sending its flights again
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the link between the module and 192.168.0.103 loses 10% of its datagrams
    And the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4433
    Then the module replies OK within 10 s

  @TL-5 @tls
  Scenario: the peer's close_notify closes a DTLS link
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4433
    Then the module replies OK
    When the peer at 192.168.0.103:4433 closes the connection
    Then the module replies CLOSED

  @TL-4 @tls
  Scenario: CIPCLOSE on a TLS link ends it with no CLOSED line
    Given a TLS-PSK sink at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND=0,4
    Then the module replies >
    When the host sends the raw bytes "last"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:4433 receives "last"
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    And the module stays silent for 1 s
    And the peer at 192.168.0.103:4433 has 0 open connections

  @TL-4 @TL-6 @tls
  Scenario: a send over the fragment limit is split into records and arrives whole
    Given a TLS-PSK sink at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 10000 bytes of data
    And the host waits 200 ms
    And the host sends the raw bytes "+++"
    And the host waits 1100 ms
    Then the peer at 192.168.0.103:4433 has received exactly the host's data
