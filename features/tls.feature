Feature: TLS and DTLS with a pre-shared key (TL)
  Pending until the TLS-PSK engine and its peers land: every scenario is
  tagged @tls and left out of a default run.

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
