Feature: AT+CIPSTATUS

  @ST-1
  Scenario: no links: OK only
    Given the module has just booted
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    And the module stays silent for 200 ms

  @ST-1 @ST-2
  Scenario: a TCP client link
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @ST-1 @ST-2
  Scenario: a UDP client link
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.103,20108,{n},0
      OK
      """

  @ST-1 @ST-2 @SS-8
  Scenario: a UDP server link shows its own local port and tetype 1
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=1,"UDP","192.168.0.103",20108,5637,"192.168.0.107"
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.103,20108,5637,1
      OK
      """

  @ST-1 @ST-2 @SS-8
  Scenario: a TCP server link shows its local port and tetype 1, and its peer once connected
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,{ip},{n},5637,1
      OK
      """
    When a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module replies 1,CONNECT
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.104,{n},5637,1
      OK
      """

  @ST-1 @ST-2
  Scenario: several links are listed in ascending link ID
    Given a TCP echo server at 192.168.0.103:20108
    And a UDP echo server at 192.168.0.104:5000
    And a TCP sink at 192.168.0.105:8080
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.104",5000
    Then the module replies OK
    When the host sends AT+CIPSTART=4,"TCP","192.168.0.105",8080
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"UDP","192.168.0.104",5000,6000,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:1,192.168.0.104,5000,{n},0
      +BIPSTATUS:1,192.168.0.104,5000,6000,1
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      +BIPSTATUS:0,192.168.0.105,8080,{n},0
      OK
      """

  @ST-1 @CL-1
  Scenario: a closed link is no longer listed
    Given a TCP echo server at 192.168.0.103:20108
    And a TCP sink at 192.168.0.105:8080
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.105",8080
    Then the module replies OK
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.105,8080,{n},0
      OK
      """

  @ST-1 @RX-2
  Scenario: a link the peer closed is no longer listed
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 closes the connection
    Then the module replies CLOSED
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @ST-1 @ST-2 @SS-4
  Scenario: a link opened by name shows the address it resolved to
    Given a TCP echo server at 192.168.0.103:20108
    And the DNS name "echo.lab.example" resolves to 192.168.0.103
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","echo.lab.example",20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @ST-2
  Scenario: two links to the same peer are listed one line each
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 2 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @ST-1 @ST-2 @tls
  Scenario: a TLS link is type 2
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:2,192.168.0.103,4433,{n},0
      OK
      """

  @ST-1 @ST-2 @tls
  Scenario: a DTLS link is type 3
    Given a DTLS-PSK echo server at 192.168.0.103:4433 with key "secret" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="secret","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"DTLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:3,192.168.0.103,4433,{n},0
      OK
      """

  @ST-1 @G-4
  Scenario Outline: CIPSTATUS has only the query form
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends <line>
    Then the module replies ERROR
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

    Examples:
      | line             |
      | AT+CIPSTATUS     |
      | AT+CIPSTATUS=?   |
      | AT+CIPSTATUS=0   |
      | AT+CIPSTATUS?0   |
      | AT+CIPSTATUS??   |
