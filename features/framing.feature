Feature: Framing of every reply (G-9)
  Host drivers split the module's output on exact bytes: each line ends in
  CRLF, a final result has an empty line before it, busy and unsolicited
  lines have none, and nothing else comes between lines.

  @G-9 @G-8
  Scenario: final results, information lines and the prompt, byte for byte
    Given the module has just booted
    When the host sends AT
    Then the module replies the bytes "\r\nOK\r\n"
    When the host sends AT+BOGUS
    Then the module replies the bytes "\r\nERROR\r\n"
    When the host sends AT+CIPMUX?
    Then the module replies the bytes "+CIPMUX:0\r\n\r\nOK\r\n"
    When the host sends AT+CIPSEND=0,4
    Then the module replies the bytes "\r\nCMDRSP:ERROR\r\n"

  @G-9 @G-6 @B-2
  Scenario: busy and ready are framed as lines of their own
    Given the module has just booted
    When the host sends AT+RST
    Then the module replies the bytes "\r\nOK\r\n"
    When the host sends AT
    Then the module replies the bytes "AT\r\nbusy p...\r\n"
    And the module replies the bytes "\r\nready\r\n"

  @G-9 @SD-5 @RX-1
  Scenario: SEND OK, +IPD and CLOSED, byte for byte
    Given a TCP echo server at 192.168.0.103:8080
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",8080
    Then the module replies the bytes "\r\nOK\r\n"
    When the host sends AT+CIPSEND=0,5
    Then the module replies the bytes "\r\n>"
    When the host sends the raw bytes "hello"
    Then the module replies the bytes "\r\nSEND OK\r\n+IPD,5:hello\r\n"
    When the peer at 192.168.0.103:8080 closes the connection
    Then the module replies the bytes "CLOSED\r\n"
