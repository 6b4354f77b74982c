@esp-at
Feature: esp-at: AT, AT+RST and ready, AT+RESTORE, AT+GMR, ATE, AT+SYSSTORE (EB)

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6

  @EB-1
  Scenario: AT is answered OK
    Given the module has just booted
    When the host sends AT
    Then the module replies OK
    And the module stays silent for 200 ms

  @EB-2
  Scenario: AT+RST answers OK, then ready, not before 100 ms and within 2 s
    Given the module has just booted
    When the host sends AT+RST
    Then the module replies the bytes "\r\nOK\r\n"
    And the module stays silent for 100 ms
    And the module replies the bytes "\r\nready\r\n" within 2 s
    And the module stays silent for 500 ms

  @EB-2
  Scenario: what the host sends while the module restarts is discarded without reply
    Given the module has just booted
    When the host sends AT+RST
    Then the module replies OK
    When the host sends AT
    Then the module replies ready within 2 s
    And the module stays silent for 500 ms
    When the host sends AT
    Then the module replies:
      """
      AT
      OK
      """

  @EB-2 @EB-7 @EW-14 @EG-3
  Scenario: AT+RST drops links silently, resets volatile settings and keeps stored ones
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    And the module has joined "lab"
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPDINFO=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies:
      """
      0,CONNECT
      OK
      """
    When the host sends AT+CWMODE=3
    Then the module replies OK
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready within 2 s
    And the module replies:
      """
      WIFI CONNECTED
      WIFI GOT IP
      """
    And the peer at 192.168.0.103:20108 has 0 open connections
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """
    When the host sends AT+CIPDINFO?
    Then the module replies:
      """
      +CIPDINFO:false
      OK
      """
    When the host sends AT+CIPSTATE?
    Then the module replies OK
    When the host sends AT+CWMODE?
    Then the module replies:
      """
      +CWMODE:3
      OK
      """
    And the module stays silent for 500 ms

  @EB-3 @EB-6 @EW-1 @EW-14 @EW-12
  Scenario: AT+RESTORE returns every stored setting to its factory value and restarts
    Given the module has just booted
    And the module has joined "lab"
    When the host sends AT+CWMODE=3
    Then the module replies OK
    When the host sends AT+CWAUTOCONN=0
    Then the module replies OK
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+RESTORE
    Then the module replies OK
    And the module replies ready within 2 s
    And the module stays silent for 3 s
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CWMODE?
    Then the module replies:
      """
      +CWMODE:1
      OK
      """
    When the host sends AT+CWAUTOCONN?
    Then the module replies:
      """
      +CWAUTOCONN:1
      OK
      """
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:1
      OK
      """
    When the host sends AT+CWSTATE?
    Then the module replies:
      """
      +CWSTATE:0,""
      OK
      """

  @EB-4
  Scenario: AT+GMR gives the four version lines, the AT version with its parenthesis
    Given the module has just booted
    When the host sends AT+GMR
    Then the module replies:
      """
      AT version:{*}({*} - {*} - {*})
      SDK version:{*}
      compile time({*}):{*}
      Bin version:{*}({*})
      OK
      """

  @EB-5 @EG-3
  Scenario: ATE0 is echoed, its OK and what follows are not
    Given the module has just booted with echo on
    When the host sends ATE0
    Then the module replies the bytes "ATE0\r\n\r\nOK\r\n"
    When the host sends AT
    Then the module replies the bytes "\r\nOK\r\n"
    When the host sends ATE1
    Then the module replies OK
    When the host sends AT
    Then the module replies the bytes "AT\r\n\r\nOK\r\n"

  @EB-5 @EG-5
  Scenario Outline: ATE with another digit is ERROR and keeps the echo as it was
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    When the host sends AT
    Then the module replies the bytes "\r\nOK\r\n"

    Examples:
      | line  |
      | ATE2  |
      | ATE   |
      | ATE01 |

  @EB-6
  Scenario: AT+SYSSTORE is 1 from the factory and takes 0 and 1
    Given the module has just booted
    When the host sends AT+SYSSTORE?
    Then the module replies the bytes "+SYSSTORE:1\r\n\r\nOK\r\n"
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:0
      OK
      """
    When the host sends AT+SYSSTORE=1
    Then the module replies OK
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:1
      OK
      """

  @EB-6 @EG-5
  Scenario Outline: AT+SYSSTORE out of range is ERROR
    Given the module has just booted
    When the host sends AT+SYSSTORE=<value>
    Then the module replies ERROR
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:1
      OK
      """

    Examples:
      | value |
      | 2     |
      | -1    |
      | "0"   |

  @EB-6
  Scenario: the store mode itself survives a power cycle
    Given the module has just booted
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:0
      OK
      """

  @EB-7 @EW-2
  Scenario Outline: AT+CWMODE survives a power cycle only with AT+SYSSTORE=1, and the query shows the running value
    Given the module has just booted
    When the host sends AT+SYSSTORE=<store>
    Then the module replies OK
    When the host sends AT+CWMODE=3
    Then the module replies OK
    When the host sends AT+CWMODE?
    Then the module replies:
      """
      +CWMODE:3
      OK
      """
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CWMODE?
    Then the module replies:
      """
      +CWMODE:<after>
      OK
      """

    Examples:
      | store | after |
      | 1     | 3     |
      | 0     | 1     |

  @EB-7 @EW-14
  Scenario: with AT+SYSSTORE=0 the joined access point is not stored
    Given the module has just booted
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+CWJAP="lab","labpass1"
    Then the module replies:
      """
      WIFI CONNECTED
      WIFI GOT IP
      OK
      """
    When the module is power-cycled
    Then the module stays silent for 3 s
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CWSTATE?
    Then the module replies:
      """
      +CWSTATE:0,""
      OK
      """

  @EB-7 @EW-14
  Scenario: AT+CWAUTOCONN is stored whatever AT+SYSSTORE says
    Given the module has just booted
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+CWAUTOCONN=0
    Then the module replies OK
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CWAUTOCONN?
    Then the module replies:
      """
      +CWAUTOCONN:0
      OK
      """

  @EB-7 @ET-1 @EP-1 @ER-2 @ER-3
  Scenario: AT+CIPMUX, AT+CIPMODE, AT+CIPDINFO and the receive mode are never stored
    Given the module has just booted
    When the host sends AT+CIPDINFO=1
    Then the module replies OK
    When the host sends AT+CIPRECVMODE=1
    Then the module replies OK
    When the host sends AT+CIPMODE=1
    Then the module replies OK
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:0
      OK
      """
    When the host sends AT+CIPDINFO?
    Then the module replies:
      """
      +CIPDINFO:false
      OK
      """
    When the host sends AT+CIPRECVMODE?
    Then the module replies:
      """
      +CIPRECVMODE:0
      OK
      """
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """
