Feature: AT+CIPMODE

  @MD-1
  Scenario: CIPMODE is 0 after boot
    Given the module has just booted
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:0
      OK
      """

  @MD-1 @MD-2
  Scenario: CIPMODE can be set to 1 and back to 0
    Given the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:1
      OK
      """
    When the host sends AT+CIPMODE=0
    Then the module replies OK
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:0
      OK
      """

  @MD-2
  Scenario Outline: setting the current value is OK
    Given the module has just booted
    When the host sends AT+CIPMODE=<mode>
    Then the module replies OK
    When the host sends AT+CIPMODE=<mode>
    Then the module replies OK
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:<mode>
      OK
      """

    Examples:
      | mode |
      | 0    |
      | 1    |

  @MD-1 @power
  Scenario: CIPMODE is not stored: 0 again after a power cycle
    Given the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the module is power-cycled
    And the host sends AT+CIPMODE?
    Then the module replies:
      """
      AT+CIPMODE?
      +CIPMODE:0
      OK
      """

  @MD-1 @B-2
  Scenario: CIPMODE is 0 again after AT+RST
    Given the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+RST
    Then the module replies:
      """
      OK
      ready
      """
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      AT+CIPMODE?
      +CIPMODE:0
      OK
      """

  @MD-2 @G-4
  Scenario Outline: a bad AT+CIPMODE is refused and changes nothing
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:0
      OK
      """

    Examples:
      | line           |
      | AT+CIPMODE=2   |
      | AT+CIPMODE=-1  |
      | AT+CIPMODE=11  |
      | AT+CIPMODE=x   |
      | AT+CIPMODE     |
      | AT+CIPMODE=?   |
      | AT+CIPMODE=    |
      | AT+CIPMODE=1,1 |
      | AT+CIPMODE=1,  |

  @MD-2 @G-4
  Scenario Outline: a bad value with CIPMODE=1 changes nothing either
    Given the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPMODE=<value>
    Then the module replies ERROR
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:1
      OK
      """

    Examples:
      | value |
      | 2     |
      | -1    |
      | 0,0   |

  @MD-2
  Scenario: CIPMODE=1 is refused while CIPMUX=1
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPMODE=1
    Then the module replies ERROR
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:0
      OK
      """
    When the host sends AT+CIPMODE=0
    Then the module replies OK

  @MD-2
  Scenario: CIPMODE may change while a link is open
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:1
      OK
      """
    When the host sends AT+CIPMODE=0
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 1 open connections
