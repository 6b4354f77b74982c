Feature: AT+PING

  Every peer host answers ping. The round trip is the network's latency
  there and back; a delayed link makes it exact.

  Background:
    Given a host at 192.168.0.102
    And the DNS name "peer.lan" resolves to 192.168.0.102
    And the module has just booted

  @PG-1
  Scenario Outline: a host that answers gives its round trip in milliseconds
    When the host sends AT+PING=<host>
    Then the module replies:
      """
      +PING:{n}
      OK
      """

    Examples:
      | host            |
      | "192.168.0.102" |
      | 192.168.0.102   |
      | "peer.lan"      |
      | peer.lan        |

  @PG-1 @sim
  Scenario Outline: the time is the round trip in whole milliseconds, up to 1 s
    When the link between the module and 192.168.0.102 is delayed by <one way>
    And the host sends AT+PING="192.168.0.102"
    Then the module replies:
      """
      +PING:<round trip>
      OK
      """

    Examples:
      | one way | round trip |
      | 100 ms  | 200        |
      | 250 ms  | 500        |
      | 450 ms  | 900        |

  @PG-1 @sim
  Scenario: a reply after more than 1 s is a timeout
    When the link between the module and 192.168.0.102 is delayed by 600 ms
    And the host sends AT+PING="192.168.0.102"
    Then the module replies:
      """
      +PING:TIMEOUT
      ERROR
      """
    And the module stays silent for 1 s

  @PG-1
  Scenario: no reply within 1 s is a timeout
    Given no host answers at 192.168.0.109
    When the host sends AT+PING="192.168.0.109"
    Then the module stays silent for 900 ms
    And the module replies +PING:TIMEOUT within 300 ms
    And the module replies ERROR

  @PG-1
  Scenario: a name that does not resolve is a timeout
    When the host sends AT+PING="nowhere.lan"
    Then the module replies:
      """
      +PING:TIMEOUT
      ERROR
      """

  @PG-1 @DM-2
  Scenario: a name whose lookup times out is a timeout
    Given the DNS server at 192.168.0.1 does not answer
    When the host sends AT+PING="peer.lan"
    Then the module replies:
      """
      +PING:TIMEOUT
      ERROR
      """

  @PG-1 @G-6
  Scenario: a command while PING waits is answered busy
    Given no host answers at 192.168.0.109
    When the host sends AT+PING="192.168.0.109"
    And the host waits 100 ms
    And the host sends AT
    Then the module replies busy p...
    And the module replies:
      """
      +PING:TIMEOUT
      ERROR
      """
    When the host sends AT
    Then the module replies OK

  @PG-1 @G-4
  Scenario Outline: AT+PING in a form it does not have, or without its one host, is refused
    When the host sends <command>
    Then the module replies ERROR
    And the module stays silent for 1500 ms

    Examples:
      | command                           |
      | AT+PING                           |
      | AT+PING?                          |
      | AT+PING=?                         |
      | AT+PING=                          |
      | AT+PING=""                        |
      | AT+PING="192.168.0.102","peer.lan" |
      | AT+PING="192.168.0.102",1         |
