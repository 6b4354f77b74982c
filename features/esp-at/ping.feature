@esp-at
Feature: esp-at: AT+PING (EI)

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And a host at 192.168.0.105
    And the DNS name "pinger.lan" resolves to 192.168.0.105
    And no host answers at 192.168.0.120
    And the module has just booted
    And the module has joined "lab"

  @EI-1
  Scenario Outline: a host that answers gives its round trip in milliseconds
    When the host sends AT+PING=<host>
    Then the module replies:
      """
      +PING:{n}
      OK
      """

    Examples:
      | host            |
      | "192.168.0.105" |
      | "pinger.lan"    |

  @EI-1 @sim
  Scenario: the round trip is measured
    When the link between the module and 192.168.0.105 is delayed by 200 ms
    And the host sends AT+PING="192.168.0.105"
    Then the module stays silent for 190 ms
    And the module replies +PING:{n} within 800 ms
    And the module replies OK

  @EI-1 @sim
  Scenario: no reply within 1 s is +PING:TIMEOUT, then ERROR
    When the host sends AT+PING="192.168.0.120"
    Then the module stays silent for 950 ms
    And the module replies the bytes "+PING:TIMEOUT\r\n\r\nERROR\r\n" within 300 ms

  @EI-1
  Scenario: a name that does not resolve is +PING:TIMEOUT, then ERROR
    When the host sends AT+PING="nowhere.lan"
    Then the module replies +PING:TIMEOUT within 5 s
    And the module replies ERROR

  @EI-1 @EG-6 @EG-5
  Scenario Outline: an unquoted host or a missing one is ERROR
    When the host sends <line>
    Then the module replies the bytes "\r\nERROR\r\n"
    And the module stays silent for 1500 ms

    Examples:
      | line                  |
      | AT+PING=192.168.0.105 |
      | AT+PING=              |
      | AT+PING               |

  @EI-2 @EG-7
  Scenario: a command while the ping runs is answered busy p...
    When the host sends AT+PING="192.168.0.120"
    And the host sends AT
    Then the module replies busy p...
    And the module replies +PING:TIMEOUT within 2 s
    And the module replies ERROR
    When the host sends AT
    Then the module replies OK
