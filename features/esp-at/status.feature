@esp-at
Feature: esp-at: AT+CIPSTATE? and the legacy AT+CIPSTATUS (EQ)

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And a TCP sink at 192.168.0.104:20109
    And a UDP sink at 192.168.0.105:5000
    And the module has just booted

  @EQ-1
  Scenario: no link is OK alone
    Given the module has joined "lab"
    When the host sends AT+CIPSTATE?
    Then the module replies the bytes "\r\nOK\r\n"

  @EQ-1 @ET-3 @ET-5
  Scenario: one line per open link in ascending ID, remote quoted, real local port
    Given the module has joined "lab"
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=4,"UDP","192.168.0.105",5000,6000,0
    Then the module replies:
      """
      4,CONNECT
      OK
      """
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",20109
    Then the module replies:
      """
      1,CONNECT
      OK
      """
    When the host sends AT+CIPSTATE?
    Then the module replies:
      """
      +CIPSTATE:1,"TCP","192.168.0.104",20109,{n},0
      +CIPSTATE:4,"UDP","192.168.0.105",5000,6000,0
      OK
      """

  @EQ-1
  Scenario: in single connection the link is link 0
    Given the module has joined "lab"
    When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
    Then the module replies:
      """
      CONNECT
      OK
      """
    When the host sends AT+CIPSTATE?
    Then the module replies the bytes "+CIPSTATE:0,\"TCP\",\"192.168.0.104\",20109,"
    And the module replies:
      """
      {n},0
      OK
      """

  @EQ-1 @ET-12
  Scenario: a client accepted by the server is tetype 1 on the server's port
    Given the module has joined "lab"
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSERVER=1,8080
    Then the module replies OK
    When a TCP client at 192.168.0.110 connects to the module on port 8080
    Then the module replies 0,CONNECT
    When the host sends AT+CIPSTATE?
    Then the module replies:
      """
      +CIPSTATE:0,"TCP","192.168.0.110",{n},8080,1
      OK
      """

  @EQ-2 @EQ-3
  Scenario: AT+CIPSTATUS gives STATUS and the links
    Given the module has joined "lab"
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20109
    Then the module replies:
      """
      0,CONNECT
      OK
      """
    When the host sends AT+CIPSTART=2,"UDP","192.168.0.105",5000,6000,0
    Then the module replies:
      """
      2,CONNECT
      OK
      """
    When the host sends AT+CIPSTATUS
    Then the module replies:
      """
      STATUS:3
      +CIPSTATUS:0,"TCP","192.168.0.104",20109,{n},0
      +CIPSTATUS:2,"UDP","192.168.0.105",5000,6000,0
      OK
      """

  @EQ-2 @EG-5
  Scenario Outline: AT+CIPSTATUS has the execute form only
    Given the module has joined "lab"
    When the host sends <line>
    Then the module replies ERROR
    And the module stays silent for 200 ms

    Examples:
      | line           |
      | AT+CIPSTATUS?  |
      | AT+CIPSTATUS=0 |

  @EQ-3
  Scenario: STATUS follows the station and the links from boot to AT+CWQAP
    When the host sends AT+CIPSTATUS
    Then the module replies the bytes "STATUS:1\r\n\r\nOK\r\n"
    Given the module has joined "lab"
    When the host sends AT+CIPSTATUS
    Then the module replies:
      """
      STATUS:2
      OK
      """
    When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
    Then the module replies:
      """
      CONNECT
      OK
      """
    When the host sends AT+CIPSTATUS
    Then the module replies:
      """
      STATUS:3
      +CIPSTATUS:0,"TCP","192.168.0.104",20109,{n},0
      OK
      """
    When the peer at 192.168.0.104:20109 closes the connection
    Then the module replies CLOSED
    When the host sends AT+CIPSTATUS
    Then the module replies:
      """
      STATUS:4
      OK
      """
    When the host sends AT+CWQAP
    Then the module replies OK
    And the module replies WIFI DISCONNECT
    When the host sends AT+CIPSTATUS
    Then the module replies:
      """
      STATUS:5
      OK
      """

  @EQ-3 @EW-5
  Scenario: a failed join is STATUS 5
    When the host sends AT+CWJAP="lab","wrongpass"
    Then the module replies +CWJAP:2 within 5 s
    And the module replies ERROR
    When the host sends AT+CIPSTATUS
    Then the module replies:
      """
      STATUS:5
      OK
      """
