Feature: Basic commands: AT, ATE, AT+RST, AT+RESTORE, AT+GMR, AT+SYSSTORE

  @B-1
  Scenario: AT answers OK
    Given the module has just booted
    When the host sends AT
    Then the module replies OK
    And the module stays silent for 200 ms

  @B-1 @G-2
  Scenario: ATE0 turns echo off
    Given the module has just booted with echo on
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT
    Then the module replies OK
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:0
      OK
      """

  @B-1 @G-2
  Scenario: ATE1 turns echo on
    Given the module has just booted
    When the host sends ATE1
    Then the module replies OK
    When the host sends AT
    Then the module replies:
      """
      AT
      OK
      """

  @B-1 @G-2
  Scenario: echo can be switched off and on again
    Given the module has just booted with echo on
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends ATE1
    Then the module replies OK
    When the host sends ATE1
    Then the module replies:
      """
      ATE1
      OK
      """

  @B-1 @G-4
  Scenario Outline: malformed forms of AT and ATE are refused and change nothing
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    When the host sends AT
    Then the module replies OK

    Examples:
      | line   |
      | ATE    |
      | ATE2   |
      | ATE01  |
      | ATE1=1 |
      | ATE1?  |
      | ATE=?  |
      | AT=1   |

  @B-2 @power
  Scenario: ready after power-on, with echo on
    Given the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the module is power-cycled
    And the host sends AT+CIPMUX?
    Then the module replies:
      """
      AT+CIPMUX?
      +CIPMUX:0
      OK
      """

  @B-2
  Scenario: AT+RST answers OK, restarts and sends ready
    Given the module has just booted
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready
    When the host sends AT
    Then the module replies:
      """
      AT
      OK
      """

  @B-2 @CL-3
  Scenario: AT+RST drops every link
    Given a TCP echo server at 192.168.0.103:20108
    And a UDP echo server at 192.168.0.104:5000
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"UDP","192.168.0.104",5000
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+RST
    Then the module replies:
      """
      OK
      ready
      """
    And the peer at 192.168.0.103:20108 has 0 open connections
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies CMDRSP:ERROR

  @B-2 @CL-2
  Scenario: AT+RST drops a listening server link, and its port can listen again
    Given the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+RST
    Then the module replies:
      """
      OK
      ready
      """
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies:
      """
      AT+CIPSTART=0,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
      OK
      """

  @B-2
  Scenario: AT+RST brings volatile settings back to their defaults
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
    When the host sends AT+CIPMUX=1
    Then the module replies:
      """
      AT+CIPMUX=1
      OK
      """
    When the host sends AT+RST
    Then the module replies:
      """
      AT+RST
      OK
      ready
      """
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      AT+CIPMUX?
      +CIPMUX:0
      OK
      """

  @B-2 @B-5
  Scenario: AT+RST keeps stored settings
    Given the module has just booted
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+RST
    Then the module replies:
      """
      OK
      ready
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      AT+CIPDNS?
      +CIPDNS:1,"192.168.0.53"
      OK
      """

  @B-3
  Scenario: AT+RESTORE answers OK, erases stored settings and restarts
    Given the module has just booted
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+RESTORE
    Then the module replies:
      """
      OK
      ready
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      AT+CIPDNS?
      +CIPDNS:0,"192.168.0.1"
      OK
      """

  @B-3 @power
  Scenario: what AT+RESTORE erased stays erased after a power cycle
    Given the module has just booted
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+RESTORE
    Then the module replies:
      """
      OK
      ready
      """
    When the module is power-cycled
    And the host sends AT+CIPDNS?
    Then the module replies:
      """
      AT+CIPDNS?
      +CIPDNS:0,"192.168.0.1"
      OK
      """

  @B-3 @B-5
  Scenario: AT+RESTORE brings SYSSTORE back to 1
    Given the module has just booted
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+RESTORE
    Then the module replies:
      """
      OK
      ready
      """
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      AT+SYSSTORE?
      +SYSSTORE:1
      OK
      """

  @B-3
  Scenario: AT+RESTORE drops every link and restores volatile defaults
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+RESTORE
    Then the module replies:
      """
      OK
      ready
      """
    And the peer at 192.168.0.103:20108 has 0 open connections
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      AT+CIPMUX?
      +CIPMUX:0
      OK
      """
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      AT+CIPSTATUS?
      OK
      """

  @B-4
  Scenario: AT+GMR prints the version lines
    Given the module has just booted
    When the host sends AT+GMR
    Then the module replies:
      """
      AT version:{*}
      {*}seed{*}
      OK
      """

  @B-5
  Scenario: SYSSTORE is 1 by default
    Given the module has just booted
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:1
      OK
      """

  @B-5
  Scenario: SYSSTORE can be set and read back
    Given the module has just booted
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

  @B-5 @power
  Scenario: with SYSSTORE=1 a CIPDNS change survives a power cycle
    Given the module has just booted
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the module is power-cycled
    And the host sends AT+CIPDNS?
    Then the module replies:
      """
      AT+CIPDNS?
      +CIPDNS:1,"192.168.0.53"
      OK
      """

  @B-5 @power
  Scenario: with SYSSTORE=0 a CIPDNS change applies at once but is not stored
    Given the module has just booted
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.53"
      OK
      """
    When the module is power-cycled
    And the host sends AT+CIPDNS?
    Then the module replies:
      """
      AT+CIPDNS?
      +CIPDNS:0,"192.168.0.1"
      OK
      """

  @B-5 @G-4
  Scenario Outline: a bad AT+SYSSTORE is refused and changes nothing
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:1
      OK
      """

    Examples:
      | line            |
      | AT+SYSSTORE     |
      | AT+SYSSTORE=?   |
      | AT+SYSSTORE=    |
      | AT+SYSSTORE=2   |
      | AT+SYSSTORE=-1  |
      | AT+SYSSTORE=0,0 |
      | AT+SYSSTORE=x   |
      | AT+SYSSTORE=,   |

  @B-2 @B-3 @B-4 @G-4
  Scenario Outline: basic commands do not take parameters or other forms
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    And the module stays silent for 500 ms
    When the host sends AT
    Then the module replies OK

    Examples:
      | line           |
      | AT+RST=?       |
      | AT+RST?        |
      | AT+RST=1       |
      | AT+RESTORE=?   |
      | AT+RESTORE?    |
      | AT+RESTORE=1   |
      | AT+GMR=?       |
      | AT+GMR?        |
      | AT+GMR=1       |
