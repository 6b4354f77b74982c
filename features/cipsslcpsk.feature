Feature: AT+CIPSSLCPSK: the pre-shared key of TLS and DTLS clients

  The form depends on CIPMUX: with 0 the key is link 0's and has no link
  ID; with 1 the link ID comes first and 5 means every link. The key is
  the PSK; the hint is the PSK identity the module presents.

  Background:
    Given the module has just booted

  @PK-3
  Scenario: no link has a key after boot
    When the host sends AT+CIPSSLCPSK?
    Then the module replies OK

  @PK-1 @PK-3
  Scenario: with CIPMUX=0 the key is link 0's
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"secret","client1"
      OK
      """

  @PK-1 @PK-3
  Scenario: bare strings are accepted
    When the host sends AT+CIPSSLCPSK=secret,client1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"secret","client1"
      OK
      """

  @PK-1 @PK-3
  Scenario: a new key replaces the old one
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK="other","client2"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"other","client2"
      OK
      """

  @PK-1 @G-4
  Scenario: with CIPMUX=0 the multiple-connection form is refused
    When the host sends AT+CIPSSLCPSK=0,"secret","client1"
    Then the module replies ERROR
    When the host sends AT+CIPSSLCPSK?
    Then the module replies OK

  @PK-1 @PK-3
  Scenario: with CIPMUX=1 a key belongs to the link given
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=2,"key2","id2"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=4,"key4","id4"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:2,"key2","id2"
      +CIPSSLCPSK:4,"key4","id4"
      OK
      """

  @PK-1 @PK-3
  Scenario: with CIPMUX=1 link 5 sets the key of every link
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=5,"shared","everyone"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"shared","everyone"
      +CIPSSLCPSK:1,"shared","everyone"
      +CIPSSLCPSK:2,"shared","everyone"
      +CIPSSLCPSK:3,"shared","everyone"
      +CIPSSLCPSK:4,"shared","everyone"
      OK
      """

  @PK-1 @PK-3
  Scenario: with CIPMUX=1 a key for one link after link 5 replaces only that link's
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=5,"shared","everyone"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=3,"own","three"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"shared","everyone"
      +CIPSSLCPSK:1,"shared","everyone"
      +CIPSSLCPSK:2,"shared","everyone"
      +CIPSSLCPSK:3,"own","three"
      +CIPSSLCPSK:4,"shared","everyone"
      OK
      """

  @PK-1 @G-4
  Scenario Outline: with CIPMUX=1 the single-connection form and links beyond 5 are refused
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=1,"key1","id1"
    Then the module replies OK
    When the host sends <command>
    Then the module replies ERROR
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:1,"key1","id1"
      OK
      """

    Examples:
      | command                           |
      | AT+CIPSSLCPSK="secret","client1"  |
      | AT+CIPSSLCPSK=6,"secret","client1" |
      | AT+CIPSSLCPSK=-1,"secret","client1" |
      | AT+CIPSSLCPSK=x,"secret","client1" |
      | AT+CIPSSLCPSK=1,"secret"          |
      | AT+CIPSSLCPSK=1,"secret","client1","x" |

  @PK-3
  Scenario: with CIPMUX=0 the query shows link 0 only
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=0,"key0","id0"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=3,"key3","id3"
    Then the module replies OK
    When the host sends AT+CIPMUX=0
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"key0","id0"
      OK
      """

  @PK-3
  Scenario: with CIPMUX=0 and no key on link 0 the query shows no other link's key
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=3,"key3","id3"
    Then the module replies OK
    When the host sends AT+CIPMUX=0
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies OK

  @PK-2 @PK-3
  Scenario Outline: a key of 1 to 48 bytes and a hint of 0 to 48 bytes are accepted
    When the host sends AT+CIPSSLCPSK="<psk>","<hint>"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"<psk>","<hint>"
      OK
      """

    Examples:
      | psk                                              | hint                                             |
      | k                                                | client1                                          |
      | 0123456789abcdef0123456789abcdef0123456789abcdef | client1                                          |
      | secret                                           |                                                  |
      | secret                                           | 0123456789abcdef0123456789abcdef0123456789abcdef |

  @PK-2 @G-4
  Scenario Outline: an empty key, or a key or hint over 48 bytes, is refused and changes nothing
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK="<psk>","<hint>"
    Then the module replies ERROR
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"secret","client1"
      OK
      """

    Examples:
      | psk                                               | hint                                              |
      |                                                   | client2                                           |
      | 0123456789abcdef0123456789abcdef0123456789abcdefx | client2                                           |
      | other                                             | 0123456789abcdef0123456789abcdef0123456789abcdefx |

  @PK-2 @G-4
  Scenario: with CIPMUX=1 a hint over 48 bytes is refused for every link
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=5,"secret","0123456789abcdef0123456789abcdef0123456789abcdefx"
    Then the module replies ERROR
    When the host sends AT+CIPSSLCPSK?
    Then the module replies OK

  @PK-1 @G-4
  Scenario Outline: AT+CIPSSLCPSK in a form it does not have, or with parameters missing or extra, is refused
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends <command>
    Then the module replies ERROR
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"secret","client1"
      OK
      """

    Examples:
      | command                            |
      | AT+CIPSSLCPSK                      |
      | AT+CIPSSLCPSK=?                    |
      | AT+CIPSSLCPSK=                     |
      | AT+CIPSSLCPSK="other"              |
      | AT+CIPSSLCPSK="other","client2","x" |

  @PK-4 @SS-7
  Scenario: a key set for link 0 leaves a UDP link on link 0 plain UDP
    Given a UDP echo server at 192.168.0.103:20108
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  @PK-4 @SS-11 @tls
  Scenario: the key set before CIPSTART is the one the TLS handshake uses
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the module replies +IPD,5:hello

  @PK-4 @PK-2 @SS-11 @tls
  Scenario: a wrong key or a wrong identity fails the handshake; the right one then works
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    When the host sends AT+CIPSSLCPSK="wrong","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies ERROR
    When the host sends AT+CIPSSLCPSK="secret","someone"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies ERROR
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK

  @PK-4 @tls
  Scenario: a key changed while the link is open applies from the next CIPSTART only
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK="wrong","client1"
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the module replies +IPD,5:hello
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies ERROR

  @PK-4 @PK-1 @tls
  Scenario: with CIPMUX=1 each link uses its own key
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=5,"wrong","client1"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK=1,"secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TLS","192.168.0.103",4433
    Then the module replies ERROR
    When the host sends AT+CIPSEND=1,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the module replies +IPD,1,5:hello

  @PK-4 @SS-11 @tls
  Scenario: the key applies to the next DTLS CIPSTART too
    Given a DTLS-PSK echo server at 192.168.0.103:4434 with key "secret" and identity "client1"
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4434
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the module replies +IPD,5:hello
