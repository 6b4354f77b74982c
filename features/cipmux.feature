Feature: AT+CIPMUX

  @MX-1
  Scenario: CIPMUX is 0 after boot
    Given the module has just booted
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

  @MX-1 @MX-2
  Scenario: CIPMUX can be set to 1 and back to 0
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:1
      OK
      """
    When the host sends AT+CIPMUX=0
    Then the module replies OK
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

  @MX-2
  Scenario Outline: setting the current value is OK
    Given the module has just booted
    When the host sends AT+CIPMUX=<mode>
    Then the module replies OK
    When the host sends AT+CIPMUX=<mode>
    Then the module replies OK
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:<mode>
      OK
      """

    Examples:
      | mode |
      | 0    |
      | 1    |

  @MX-2 @G-4
  Scenario Outline: a bad AT+CIPMUX is refused and changes nothing
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

    Examples:
      | line          |
      | AT+CIPMUX=2   |
      | AT+CIPMUX=-1  |
      | AT+CIPMUX=10  |
      | AT+CIPMUX=x   |
      | AT+CIPMUX     |
      | AT+CIPMUX=?   |
      | AT+CIPMUX=    |
      | AT+CIPMUX=1,1 |
      | AT+CIPMUX=1,  |

  @MX-2 @G-4
  Scenario Outline: a bad value with CIPMUX=1 changes nothing either
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPMUX=<value>
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:1
      OK
      """

    Examples:
      | value |
      | 2     |
      | -1    |
      | 0,0   |

  @MX-2
  Scenario: CIPMUX cannot change from 0 while a link is open
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPMUX=1
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPMUX=0
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,5:hello
      """

  @MX-2
  Scenario: CIPMUX cannot change from 1 while a link is open
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPMUX=0
    Then the module replies ERROR
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:1
      OK
      """
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPSEND=3,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,3,5:hello
      """

  @MX-2
  Scenario: CIPMUX cannot change while a server link listens
    Given the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPMUX=1
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

  @MX-2
  Scenario: CIPMUX cannot change while a UDP link is open
    Given a UDP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPMUX=1
    Then the module replies ERROR

  @MX-2 @CL-1
  Scenario: CIPMUX can change once every link is closed
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    When the host sends AT+CIPMUX=0
    Then the module replies ERROR
    When the host sends AT+CIPCLOSE=1
    Then the module replies OK
    When the host sends AT+CIPMUX=0
    Then the module replies OK

  @MX-2 @RX-2
  Scenario: CIPMUX can change once the peer closed the last link
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the peer at 192.168.0.103:20108 closes the connection
    Then the module replies CLOSED
    When the host sends AT+CIPMUX=1
    Then the module replies OK

  @MX-2 @SS-6
  Scenario: a failed CIPSTART leaves no link that would block CIPMUX
    Given nothing listens at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies ERROR
    When the host sends AT+CIPMUX=1
    Then the module replies OK

  @MX-3
  Scenario: CIPMUX=1 is refused while CIPMODE=1
    Given the module has just booted
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the host sends AT+CIPMUX=1
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """
    When the host sends AT+CIPMUX=0
    Then the module replies OK
    When the host sends AT+CIPMODE=0
    Then the module replies OK
    When the host sends AT+CIPMUX=1
    Then the module replies OK
