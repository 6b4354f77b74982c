Feature: AT+CIPCLOSE

  Background:
    Given a TCP echo server at 192.168.0.103:20108
    And a TCP sink at 192.168.0.104:8080
    And a UDP echo server at 192.168.0.105:5000
    And the module has just booted

  @CL-1 @CL-3
  Scenario: closing an open link answers OK and frees it
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 0 open connections
    And the module stays silent for 500 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK

  @CL-1 @CL-3
  Scenario: with CIPMUX=1 closing one link leaves the others open
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.104",8080
    Then the module replies OK
    When the host sends AT+CIPCLOSE=2
    Then the module replies OK
    And the peer at 192.168.0.104:8080 has 0 open connections
    And the peer at 192.168.0.103:20108 has 1 open connections
    And the module stays silent for 500 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies:
      """
      SEND OK
      +IPD,0,5:hello
      """

  @CL-1 @CL-3
  Scenario: closing a UDP link answers OK and frees it
    When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
    Then the module replies OK
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    And the module stays silent for 500 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @CL-1
  Scenario Outline: closing a link that is not open is refused
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPCLOSE=<id>
    Then the module replies ERROR
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

    Examples:
      | id |
      | 1  |
      | 2  |
      | 4  |

  @CL-1
  Scenario: closing a link twice is refused the second time
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    When the host sends AT+CIPCLOSE=0
    Then the module replies ERROR

  @CL-1
  Scenario: closing a link with no link open at all is refused
    When the host sends AT+CIPCLOSE=0
    Then the module replies ERROR

  @CL-1 @CL-3
  Scenario: 5 closes every open link
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=3,"TCP","192.168.0.104",8080
    Then the module replies OK
    When the host sends AT+CIPSTART=4,"UDP","192.168.0.105",5000
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPCLOSE=5
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 0 open connections
    And the peer at 192.168.0.104:8080 has 0 open connections
    And the module stays silent for 500 ms
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @CL-1
  Scenario: 5 answers OK when no link is open
    When the host sends AT+CIPCLOSE=5
    Then the module replies OK
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPCLOSE=5
    Then the module replies OK

  @CL-1
  Scenario: 5 closes the one link with CIPMUX=0
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPCLOSE=5
    Then the module replies OK
    And the peer at 192.168.0.103:20108 has 0 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @CL-1 @G-4
  Scenario Outline: a bad CIPCLOSE is refused and closes nothing
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends <line>
    Then the module replies ERROR
    And the peer at 192.168.0.103:20108 has 1 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

    Examples:
      | line              |
      | AT+CIPCLOSE=6     |
      | AT+CIPCLOSE=7     |
      | AT+CIPCLOSE=255   |
      | AT+CIPCLOSE=-1    |
      | AT+CIPCLOSE       |
      | AT+CIPCLOSE=?     |
      | AT+CIPCLOSE?      |
      | AT+CIPCLOSE=      |
      | AT+CIPCLOSE=0,1   |
      | AT+CIPCLOSE=0,0   |
      | AT+CIPCLOSE=x     |
      | AT+CIPCLOSE="all" |

  @CL-2
  Scenario: data acknowledged with SEND OK before the close reaches the peer
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",8080
    Then the module replies OK
    When the host sends AT+CIPSEND=0,2048
    Then the module replies >
    When the host sends 2048 bytes of data
    Then the module replies SEND OK
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    And the peer at 192.168.0.104:8080 has received exactly the host's data
    And the peer at 192.168.0.104:8080 has 0 open connections

  @CL-2 @sim
  Scenario: data acknowledged with SEND OK reaches the peer over a slow link after the close
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",8080
    Then the module replies OK
    When the link between the module and 192.168.0.104 is delayed by 300 ms
    And the host sends AT+CIPSEND=0,2048
    Then the module replies >
    When the host sends 2048 bytes of data
    Then the module replies SEND OK
    When the host sends AT+CIPSEND=0,1000
    Then the module replies >
    When the host sends 1000 bytes of data
    Then the module replies SEND OK
    When the host sends AT+CIPCLOSE=0
    Then the module replies OK
    And the peer at 192.168.0.104:8080 has received exactly the host's data
    And the peer at 192.168.0.104:8080 has 0 open connections

  @CL-2 @SS-8
  Scenario: a closed server link stops listening
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPCLOSE=1
    Then the module replies OK
    When a TCP client at 192.168.0.106 connects to the module on port 5637
    Then the module stays silent for 500 ms
    And the peer at 192.168.0.106:5637 has 0 open connections
    When the host sends AT+CIPSTATUS?
    Then the module replies OK

  @CL-2 @SS-8
  Scenario: the port of a closed server link can listen again
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPCLOSE=1
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When a TCP client at 192.168.0.106 connects to the module on port 5637
    Then the module replies 2,CONNECT

  @CL-2 @CL-3
  Scenario: closing a server link with its peer closes the peer's connection
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When a TCP client at 192.168.0.106 connects to the module on port 5637
    Then the module replies 1,CONNECT
    And the peer at 192.168.0.106:5637 has 1 open connections
    When the host sends AT+CIPCLOSE=1
    Then the module replies OK
    And the peer at 192.168.0.106:5637 has 0 open connections
    And the module stays silent for 500 ms
