Feature: A network that pushes back: SEND OK, the passthrough buffer, flow control

  A TCP connection holds only so many bytes between the module's stack and
  the peer's program. When the peer stops reading, the module's sends
  stall: SEND OK must wait (SD-5), and passthrough data beyond the buffer
  is dropped, or held back with flow control (PT-7). The network's
  in-flight bound needs the simulator.

  @SD-5 @sim
  Scenario: SEND OK waits while the peer does not read, and comes once it reads again
    Given a TCP sink at 192.168.0.103:8080
    And the network holds at most 1000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",8080
    Then the module replies OK
    When the peer at 192.168.0.103:8080 stops reading
    And the host sends AT+CIPSEND=0,2000
    Then the module replies >
    When the host sends 2000 bytes of data
    Then the module stays silent for 2 s
    When the peer at 192.168.0.103:8080 resumes reading
    Then the module replies SEND OK within 100 ms
    And the peer at 192.168.0.103:8080 has received exactly the host's data

  @SD-5 @RX-2 @sim
  Scenario: the peer dies while the send waits for it: CMDRSP:ERROR, then CLOSED
    Given a TCP sink at 192.168.0.103:8080
    And the network holds at most 1000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",8080
    Then the module replies OK
    When the peer at 192.168.0.103:8080 stops reading
    And the host sends AT+CIPSEND=0,2000
    Then the module replies >
    When the host sends 2000 bytes of data
    Then the module stays silent for 1 s
    When the host at 192.168.0.103 crashes
    Then the module replies:
      """
      CMDRSP:ERROR
      CLOSED
      """

  @SD-5 @sim
  Scenario: a send the network never takes fails after 10 s and the link is closed
    Given a TCP sink at 192.168.0.103:8080
    And the network holds at most 1000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",8080
    Then the module replies OK
    When the peer at 192.168.0.103:8080 stops reading
    And the host sends AT+CIPSEND=0,2000
    Then the module replies >
    When the host sends 2000 bytes of data
    Then the module stays silent for 9 s
    And the module replies:
      """
      CMDRSP:ERROR
      CLOSED
      """
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @PT-7 @PT-2 @sim
  Scenario: a peer that stops reading: the passthrough buffer's bound holds, and nothing arrives twice or out of order
    # What can arrive: the bytes in flight (2000), one packet the stack
    # had not taken yet (1460) and the passthrough buffer (8192).
    Given a TCP sink at 192.168.0.103:20108
    And the network holds at most 2000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 stops reading
    And the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 30000 bytes of data
    And the host waits 3 s
    And the peer at 192.168.0.103:20108 resumes reading
    Then the peer at 192.168.0.103:20108 has received at most 11652 bytes of the host's data, in order, none twice

  @PT-7 @sim
  Scenario: with hardware flow control the module holds the host back instead, and nothing is lost
    Given a TCP sink at 192.168.0.103:20108
    And the UART uses hardware flow control
    And the network holds at most 2000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 stops reading
    And the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 30000 bytes of data
    Then the module holds the host back within 2 s
    When the peer at 192.168.0.103:20108 resumes reading
    Then the module lets the host send within 100 ms
    And the peer at 192.168.0.103:20108 has received exactly the host's data

  @RX-1 @SD-6 @sim
  Scenario: a lossy link loses whole datagrams, never parts of one
    Given a UDP echo server at 192.168.0.103:5000
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",5000
    Then the module replies OK
    When the link between the module and 192.168.0.103 loses 100% of its datagrams
    And the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the module stays silent for 500 ms
    When the link between the module and 192.168.0.103 loses 0% of its datagrams
    And the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "again"
    Then the module replies:
      """
      SEND OK
      +IPD,5:again
      """

  @PT-6 @sim
  Scenario: passthrough data that a closed link never sent does not go out on the next link
    # The peer does not read, so passthrough data waits in the module; its
    # close discards that data (PT-6). The next link is UDP, where a
    # datagram per packet shows whether anything but the new bytes went out.
    Given a TCP sink at 192.168.0.103:20108
    And a UDP sink at 192.168.0.105:5000
    And the network holds at most 1000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 stops reading
    And the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 3000 bytes of data
    And the host waits 500 ms
    And the peer at 192.168.0.103:20108 closes the connection
    Then the module replies CLOSED
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
    Then the module replies OK
    When the host sends AT+CIPSEND
    Then the module replies >
    When the host sends the raw bytes "fresh"
    And the host waits 100 ms
    Then the UDP peer at 192.168.0.105:5000 has received datagrams of 5 bytes
    And the peer at 192.168.0.105:5000 receives "fresh"

  @SD-5 @G-7 @RX-2 @sim
  Scenario: with CIPMUX=1 another link closing while a send waits does not end that send
    Given a TCP sink at 192.168.0.103:8080
    And a TCP sink at 192.168.0.104:8080
    And the network holds at most 1000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",8080
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",8080
    Then the module replies OK
    When the peer at 192.168.0.103:8080 stops reading
    And the host sends AT+CIPSEND=0,2000
    Then the module replies >
    When the host sends 2000 bytes of data
    Then the module stays silent for 500 ms
    When the peer at 192.168.0.104:8080 closes the connection
    Then the module stays silent for 500 ms
    When the peer at 192.168.0.103:8080 resumes reading
    Then the module replies:
      """
      SEND OK
      1,CLOSED
      """
    And the peer at 192.168.0.103:8080 has received exactly the host's data

  @CL-1 @PT-2 @sim
  Scenario: passthrough data still waiting after the escape goes with its link at AT+CIPCLOSE, not out on the next link
    Given a TCP sink at 192.168.0.103:20108
    And a UDP sink at 192.168.0.105:5000
    And the network holds at most 1000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 stops reading
    And the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 3000 bytes of data
    And the host waits 500 ms
    And the host sends the raw bytes "+++"
    And the host waits 50 ms
    Then the module stays silent for 1 s
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
    Then the module replies OK
    When the host sends AT+CIPSEND
    Then the module replies >
    When the host sends the raw bytes "fresh"
    And the host waits 100 ms
    Then the UDP peer at 192.168.0.105:5000 has received datagrams of 5 bytes
    And the peer at 192.168.0.105:5000 receives "fresh"

  @PT-2 @PT-7 @sim
  Scenario: many small pieces held back by a peer that does not read all go out, the last of them too
    # 200 pieces of 20 bytes, 5 ms apart, wait in the module while the peer
    # does not read: more pieces than the module tracks arrival times for.
    Given a TCP sink at 192.168.0.103:20108
    And the network holds at most 1000 bytes in flight per TCP connection
    And the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 stops reading
    And the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 4000 bytes of data in pieces of 20 bytes every 5 ms
    And the host waits 100 ms
    And the peer at 192.168.0.103:20108 resumes reading
    Then the peer at 192.168.0.103:20108 has received exactly the host's data
