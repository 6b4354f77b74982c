Feature: Faults: cut and delayed links, crashing and restarting peers, module power cycles

  What the module does when the network or its peers fail under it. Link
  faults and peer crashes need the simulator (@sim); a power cycle is a
  sentence of its own and any lab with a switchable supply can do it.

  Background:
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted

  # ---- a peer crashes and restarts ----

  @SD-5 @RX-2 @G-7 @sim
  Scenario: the peer crashes while the host types CIPSEND data: CMDRSP:ERROR, then CLOSED
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,2000
    Then the module replies >
    When the host sends 1000 bytes of data
    And the host waits 200 ms
    And the host at 192.168.0.103 crashes
    And the host waits 200 ms
    Then the module stays silent for 100 ms
    When the host sends 1000 bytes of data
    Then the module replies:
      """
      CMDRSP:ERROR
      CLOSED
      """
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SD-3 @RX-2 @sim
  Scenario: the peer crashes with the link idle: CLOSED, and CIPSEND finds no link
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host at 192.168.0.103 crashes
    Then the module replies CLOSED
    When the host sends AT+CIPSEND=0,10
    Then the module replies CMDRSP:ERROR
    And the module stays silent for 100 ms

  @RX-2 @SD-5 @sim
  Scenario: with CIPMUX=1 a crash closes only the links to that peer, each with its ID
    Given a TCP sink at 192.168.0.104:20108
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.104",20108
    Then the module replies OK
    When the host at 192.168.0.103 crashes
    Then the module replies 1,CLOSED
    And the module stays silent for 500 ms
    When the host sends AT+CIPSEND=3,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.104:20108 receives "hello"

  @RX-2 @SD-5 @sim
  Scenario: after the peer restarts the module connects again
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host at 192.168.0.103 crashes
    Then the module replies CLOSED
    # A crashed host refuses, or does not answer within CIPSTART's 5 s.
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies ERROR within 6 s
    When the host at 192.168.0.103 restarts
    And the host waits 100 ms
    And the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 receives "hello"
    And the peer at 192.168.0.103:20108 has 1 open connections

  @PT-6 @RX-2 @sim
  Scenario: the peer crashes during passthrough: CLOSED, and back to commands
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 100 bytes of data
    Then the peer at 192.168.0.103:20108 has received exactly the host's data
    When the host at 192.168.0.103 crashes
    Then the module replies CLOSED
    When the host sends AT
    Then the module replies OK

  @DM-1 @DM-2 @sim
  Scenario: the network's DNS server crashes and restarts
    Given the DNS name "peer.lan" resolves to 192.168.0.103
    When the host at 192.168.0.1 crashes
    And the host sends AT+CIPDOMAIN="peer.lan"
    Then the module stays silent for 900 ms
    And the module replies ERROR within 300 ms
    When the host at 192.168.0.1 restarts
    And the host waits 100 ms
    And the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

  # ---- a link is cut and restored ----

  @RX-2 @SD-5 @sim
  Scenario: a cut with no traffic on it closes nothing
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the link between the module and 192.168.0.103 is cut
    Then the module stays silent for 3 s
    When the link between the module and 192.168.0.103 is restored
    And the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 receives "hello"

  @SS-6 @sim
  Scenario: CIPSTART over a cut link fails after 5 s and leaves the link free
    When the link between the module and 192.168.0.103 is cut
    And the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module stays silent for 4900 ms
    And the module replies ERROR within 500 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the link between the module and 192.168.0.103 is restored
    And the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK

  @PG-1 @sim
  Scenario: PING over a cut link times out, and answers once it is restored
    Given a host at 192.168.0.102
    When the link between the module and 192.168.0.102 is cut
    And the host sends AT+PING="192.168.0.102"
    Then the module replies:
      """
      +PING:TIMEOUT
      ERROR
      """
    When the link between the module and 192.168.0.102 is restored
    And the host sends AT+PING="192.168.0.102"
    Then the module replies:
      """
      +PING:{n}
      OK
      """

  @DM-1 @DM-2 @sim
  Scenario: a lookup over a cut link to the DNS server times out after 1 s
    Given the DNS name "peer.lan" resolves to 192.168.0.103
    When the link between the module and 192.168.0.1 is cut
    And the host sends AT+CIPDOMAIN="peer.lan"
    Then the module stays silent for 900 ms
    And the module replies ERROR within 300 ms
    When the link between the module and 192.168.0.1 is restored
    And the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

  @NT-1 @NT-4 @sim
  Scenario: SNTP across a 20 s cut: no time during the cut, attempts go on and one succeeds after it
    Given an SNTP server at 192.168.0.123 whose clock reads 2022-10-21 11:20:39 UTC
    When the link between the module and 192.168.0.123 is cut
    And the host sends AT+CIPSNTPCFG=1,8,"192.168.0.123"
    Then the module replies OK
    When the host waits 20 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR
    When the link between the module and 192.168.0.123 is restored
    And the host waits 16 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 19:21:{n}
      OK
      """

  # ---- a link is delayed ----

  @PG-1 @sim
  Scenario: PING's time follows the link's delay
    Given a host at 192.168.0.102
    When the link between the module and 192.168.0.102 is delayed by 300 ms
    And the host sends AT+PING="192.168.0.102"
    Then the module replies:
      """
      +PING:600
      OK
      """

  @SS-6 @sim
  Scenario: CIPSTART over a link delayed 6 s fails after 5 s and leaves the link free
    When the link between the module and 192.168.0.103 is delayed by 6 s
    And the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module stays silent for 4900 ms
    And the module replies ERROR within 500 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @SS-6 @sim
  Scenario: CIPSTART over a link delayed 2 s connects
    When the link between the module and 192.168.0.103 is delayed by 2 s
    And the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module stays silent for 1900 ms
    And the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 receives "hello"

  @PT-2 @PT-3 @sim
  Scenario: passthrough over a delayed link delivers every byte, in order, both ways
    When the link between the module and 192.168.0.103 is delayed by 300 ms
    And the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 5000 bytes of data
    Then the peer at 192.168.0.103:20108 has received exactly the host's data
    When the peer at 192.168.0.103:20108 sends 5000 bytes of data
    Then the host receives 5000 bytes of the peer's data

  @DM-2 @sim
  Scenario: a DNS answer 800 ms after the query resolves
    Given the DNS name "peer.lan" resolves to 192.168.0.103
    When the link between the module and 192.168.0.1 is delayed by 400 ms
    And the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

  @DM-1 @DM-2 @sim
  Scenario: a DNS answer 1200 ms after the query is too late
    Given the DNS name "peer.lan" resolves to 192.168.0.103
    When the link between the module and 192.168.0.1 is delayed by 600 ms
    And the host sends AT+CIPDOMAIN="peer.lan"
    Then the module stays silent for 900 ms
    And the module replies ERROR within 300 ms
    And the module stays silent for 1 s

  # ---- the module is power-cycled ----

  @DN-4 @B-2 @power
  Scenario: with SYSSTORE=1 the DNS setting survives a power cycle
    Given a DNS server at 192.168.0.53 that resolves "only53.lan" to 192.168.0.120
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.53"
      OK
      """
    When the host sends AT+CIPDOMAIN="only53.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.120"
      OK
      """

  @DN-4 @DN-3 @B-2 @power
  Scenario: with SYSSTORE=0 the DNS setting is lost at a power cycle
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"192.168.0.1"
      OK
      """

  @DN-3 @DN-4 @B-2 @power
  Scenario: automatic DNS takes the DHCP server again after a power cycle
    When the host sends AT+CIPDNS=0
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"208.67.222.222"
      OK
      """
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"192.168.0.1"
      OK
      """

  @NT-4 @B-2 @power
  Scenario: after a power cycle there is no SNTP time until the next synchronisation
    Given an SNTP server at 192.168.0.123 whose clock reads 2022-10-21 11:20:39 UTC
    When the host sends AT+CIPSNTPCFG=1,8,"192.168.0.123"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 19:20:39
      OK
      """
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:0,0,"pool.ntp.org"
      OK
      """

  @B-2 @PT-6 @power
  Scenario: a power cycle in passthrough drops the link and comes back in command mode, echo on
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND
    Then the module replies >
    When the host sends 100 bytes of data
    Then the peer at 192.168.0.103:20108 has received exactly the host's data
    When the module is power-cycled
    Then the peer at 192.168.0.103:20108 has 0 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      AT+CIPSTATUS?
      OK
      """
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      AT+CIPMODE?
      +CIPMODE:0
      OK
      """

  @B-6 @DN-4 @power
  Scenario: a setting the module said OK to survives a power loss right after the OK
    When the host sends AT+SYSSTORE=1
    Then the module replies OK
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the module loses power
    And the host sends AT+CIPDNS?
    Then the module replies:
      """
      AT+CIPDNS?
      +CIPDNS:1,"192.168.0.53"
      OK
      """
