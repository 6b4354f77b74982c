Feature: Data and connection events in normal mode

  # ---- RX-1: +IPD ----

  @RX-1
  Scenario: with CIPMUX=0 data is +IPD,<len>:<data>
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends "hello"
    Then the module replies +IPD,5:hello

  @RX-1
  Scenario: with CIPMUX=1 data is +IPD,<linkID>,<len>:<data>
    Given a TCP sink at 192.168.0.103:20108
    And a TCP sink at 192.168.0.104:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends "three"
    Then the module replies +IPD,3,5:three
    When the peer at 192.168.0.104:20108 sends "zero!"
    Then the module replies +IPD,0,5:zero!

  @RX-1
  Scenario: data sent on connect arrives as +IPD after OK
    Given a TCP server at 192.168.0.103:20108 that sends "welcome\r\n" on connect
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=4,"TCP","192.168.0.103",20108
    Then the module replies the bytes "\r\nOK\r\n+IPD,4,9:welcome\r\n\r\n"
    And the module stays silent for 200 ms

  @RX-1
  Scenario: the data is raw: CR, LF and lines that look like results are data
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends "a\r\nOK\r\n\r\nERROR\r\nb"
    Then the module replies the bytes "+IPD,17:a\r\nOK\r\n\r\nERROR\r\nb\r\n"
    And the module stays silent for 200 ms
    When the host sends AT
    Then the module replies OK

  @RX-1
  Scenario: data that looks like a prompt, a CLOSED or another +IPD is data
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends ">\r\nCLOSED\r\n+IPD,3:abc"
    Then the module replies the bytes "+IPD,21:>\r\nCLOSED\r\n+IPD,3:abc\r\n"
    And the module stays silent for 200 ms

  @RX-1
  Scenario: binary data, NUL bytes included, is delivered whole
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends "\x00\x01\xff\xfe:,\x00"
    Then the module replies the bytes "+IPD,7:\x00\x01\xff\xfe:,\x00\r\n"
    And the module stays silent for 200 ms
    When the host sends AT
    Then the module replies OK

  @RX-1
  Scenario: a larger block of the peer's data is delivered with its length
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends 500 bytes of data
    Then the module replies "+IPD,500:" and 500 bytes of the peer's data
    When the host sends AT
    Then the module replies OK

  @RX-1
  Scenario: separate network reads are separate +IPD lines
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends "abc"
    Then the module replies +IPD,3:abc
    When the peer at 192.168.0.103:20108 sends "defgh"
    Then the module replies +IPD,5:defgh

  @RX-1 @SD-6
  Scenario: each UDP datagram is one +IPD line
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"UDP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=2,4
    Then the module replies >
    When the host sends the raw bytes "ping"
    Then the module replies:
      """
      SEND OK
      +IPD,2,4:ping
      """
    When the peer at 192.168.0.103:20108 sends "abc"
    And the peer at 192.168.0.103:20108 sends "de"
    And the peer at 192.168.0.103:20108 sends "fghij"
    Then the module replies:
      """
      +IPD,2,3:abc
      +IPD,2,2:de
      +IPD,2,5:fghij
      """

  @RX-1
  Scenario: a UDP datagram of 1000 bytes is one +IPD line, whole
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,4
    Then the module replies >
    When the host sends the raw bytes "ping"
    Then the module replies:
      """
      SEND OK
      +IPD,4:ping
      """
    When the peer at 192.168.0.103:20108 sends 1000 bytes of data
    Then the module replies "+IPD,1000:" and 1000 bytes of the peer's data
    When the host sends AT
    Then the module replies OK

  @RX-1
  Scenario: data on a server link's connection
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module replies 1,CONNECT
    When the peer at 192.168.0.104:5637 sends "from client"
    Then the module replies +IPD,1,11:from client

  @RX-1
  Scenario: data of two links keeps each link's ID
    Given a TCP sink at 192.168.0.103:20108
    And a UDP echo server at 192.168.0.104:5000
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"UDP","192.168.0.104",5000
    Then the module replies OK
    When the host sends AT+CIPSEND=1,3
    Then the module replies >
    When the host sends the raw bytes "udp"
    Then the module replies:
      """
      SEND OK
      +IPD,1,3:udp
      """
    When the peer at 192.168.0.103:20108 sends "tcp"
    Then the module replies +IPD,0,3:tcp

  # ---- RX-2: CONNECT and CLOSED ----

  @RX-2 @SS-8
  Scenario: a server link that accepts its peer sends <linkID>,CONNECT
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=4,"TCP","192.168.0.103",20108,0,5637,"192.168.0.107"
    Then the module replies OK
    And the module stays silent for 300 ms
    When a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module replies 4,CONNECT
    And the module stays silent for 300 ms

  @RX-2
  Scenario: with CIPMUX=1 a link closed by the peer sends <linkID>,CLOSED and is free again
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 closes the connection
    Then the module replies 2,CLOSED
    And the module stays silent for 300 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the host sends AT+CIPCLOSE=2
    Then the module replies ERROR
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.103",20108
    Then the module replies OK

  @RX-2
  Scenario: with CIPMUX=0 a link closed by the peer sends CLOSED and is free again
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 closes the connection
    Then the module replies CLOSED
    And the module stays silent for 300 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK

  @RX-2
  Scenario: a peer that closes on its own is reported
    Given a TCP server at 192.168.0.103:20108 that closes each connection after 1 s
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    And the module stays silent for 800 ms
    And the module replies CLOSED within 500 ms

  @RX-2 @RX-1
  Scenario: data before the peer's close comes before CLOSED
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 sends "bye"
    And the peer at 192.168.0.103:20108 closes the connection
    Then the module replies:
      """
      +IPD,1,3:bye
      1,CLOSED
      """

  @RX-2
  Scenario: a server link's peer closing sends <linkID>,CLOSED
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module replies 0,CONNECT
    When the peer at 192.168.0.104:5637 closes the connection
    Then the module replies 0,CLOSED
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @RX-2
  Scenario: only the link the peer closed is reported and freed
    Given a TCP echo server at 192.168.0.103:20108
    And a TCP sink at 192.168.0.104:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",20108
    Then the module replies OK
    When the peer at 192.168.0.104:20108 closes the connection
    Then the module replies 1,CLOSED
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @RX-2 @SS-5 @sim
  Scenario: a link to a peer host that crashed is reported closed within its keep-alive time
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108,1
    Then the module replies OK
    When the host at 192.168.0.103 crashes
    Then the module replies 3,CLOSED within 5 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the host at 192.168.0.103 restarts
    And the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108
    Then the module replies OK

  @RX-2 @SS-5 @sim
  Scenario: a keep-alive timeout closes a link with CIPMUX=1
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108,1
    Then the module replies OK
    When the host sends AT+CIPSEND=3,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,3,5:hello
      """
    When the link between the module and 192.168.0.103 is cut
    Then the module stays silent for 3 s
    And the module replies 3,CLOSED within 2 s
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-8 @RX-1
  Scenario: a UDP peer that speaks first reaches a UDP server link, and the link answers it
    Given the module has just booted
    When the host sends AT+CIPSTART=1,"UDP","192.168.0.104",7000,5637,"0.0.0.0"
    Then the module replies OK
    When a UDP peer at 192.168.0.104:7000 sends "first" to the module's port 5637
    Then the module replies +IPD,5:first
    When the host sends AT+CIPSEND=1,5
    Then the module replies >
    When the host sends the raw bytes "reply"
    Then the module replies SEND OK
    And the peer at 192.168.0.104:7000 receives "reply"
