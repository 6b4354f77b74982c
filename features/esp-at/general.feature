@esp-at
Feature: esp-at: command lines, echo, framing, busy and held lines (EG)

  ESP-AT's general rules (esp-at.md EG). The lab's access point "lab" is up
  in every scenario; the module joins it where a scenario needs the network.

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6

  @EG-1 @EB-1
  Scenario: a command line ended by CR LF is answered
    Given the module has just booted
    When the host sends the raw bytes "AT\r\n"
    Then the module replies the bytes "\r\nOK\r\n"

  @EG-1
  Scenario Outline: a lone CR or LF does not end the line; it is part of it
    Given the module has just booted
    When the host sends the raw bytes "<line>"
    Then the module stays silent for 500 ms
    When the host sends the raw bytes "\r\n"
    Then the module replies the bytes "\r\nERROR\r\n"
    When the host sends AT
    Then the module replies OK

    Examples:
      | line  |
      | AT\\r |
      | AT\\n |

  @EG-1
  Scenario: a lone LF inside a line makes it no command
    Given the module has just booted
    When the host sends the raw bytes "AT\nAT\r\n"
    Then the module replies ERROR
    And the module stays silent for 200 ms

  @EG-1
  Scenario: an empty line is answered ERROR, which hosts use to synchronise
    Given the module has just booted
    When the host sends the raw bytes "\r\n"
    Then the module replies the bytes "\r\nERROR\r\n"
    And the module stays silent for 200 ms

  @EG-1 @EG-5
  Scenario Outline: a line that does not start with upper-case AT is refused
    Given the module has just booted
    When the host sends the raw bytes "<line>\r\n"
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

    Examples:
      | line        |
      | at          |
      | At          |
      | aT          |
      | at+CIPMUX=1 |
      | xAT         |
      | +CIPMUX=1   |

  @EG-2 @ED-1
  Scenario: a command line of exactly 256 bytes is accepted
    Given the DNS name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddd" resolves to 192.168.0.103
    And the module has just booted
    And the module has joined "lab"
    When the host sends AT+CIPDOMAIN="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddd"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

  @EG-2
  Scenario: a command line of 257 bytes is refused once its CR LF arrives
    Given the DNS name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddd" resolves to 192.168.0.103
    And the module has just booted
    And the module has joined "lab"
    When the host sends the raw bytes "AT+CIPDOMAIN=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddd\""
    Then the module stays silent for 500 ms
    When the host sends the raw bytes "\r\n"
    Then the module replies ERROR
    And the module stays silent for 200 ms
    When the host sends AT
    Then the module replies OK

  @EG-2
  Scenario: a very long line is refused once, and the excess is discarded
    Given the module has just booted
    When the host sends 1000 bytes of data in pieces of 100 bytes every 10 ms
    And the host sends the raw bytes "\r\n"
    Then the module replies ERROR
    And the module stays silent for 500 ms
    When the host sends AT
    Then the module replies OK

  @EG-3 @EB-2
  Scenario: echo is on after boot and sends the line back, CR LF included
    Given the module has just booted with echo on
    When the host sends AT
    Then the module replies the bytes "AT\r\n\r\nOK\r\n"
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      AT+CIPMUX?
      +CIPMUX:0
      OK
      """

  @EG-3
  Scenario: echo is on again after a power cycle
    Given the module has just booted
    When the module is power-cycled
    And the host sends AT
    Then the module replies:
      """
      AT
      OK
      """

  @EG-3 @ES-4
  Scenario: data bytes after the prompt are never echoed
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    And the module has joined "lab"
    When the host sends ATE1
    Then the module replies OK
    When the host sends AT+CIPSTART="TCP","192.168.0.103",20108
    Then the module replies:
      """
      AT+CIPSTART="TCP","192.168.0.103",20108
      CONNECT
      OK
      """
    When the host sends AT+CIPSEND=9
    Then the module replies:
      """
      AT+CIPSEND=9
      OK
      >
      """
    When the host sends the raw bytes "AT\r\nhello"
    Then the module replies:
      """
      Recv 9 bytes
      SEND OK
      """
    And the peer at 192.168.0.103:20108 receives "AT\r\nhello"
    And the module stays silent for 200 ms

  @EG-4 @EB-1 @EW-1 @ET-1
  Scenario: final results and information lines, byte for byte
    Given the module has just booted
    When the host sends AT
    Then the module replies the bytes "\r\nOK\r\n"
    When the host sends AT+BOGUS
    Then the module replies the bytes "\r\nERROR\r\n"
    When the host sends AT+CIPMUX?
    Then the module replies the bytes "+CIPMUX:0\r\n\r\nOK\r\n"
    When the host sends AT+CWMODE?
    Then the module replies the bytes "+CWMODE:1\r\n\r\nOK\r\n"

  @EG-4 @ET-3 @ES-4 @ES-5 @ER-1 @ET-10
  Scenario: CONNECT, the prompt, Recv, SEND OK, +IPD and CLOSED, byte for byte
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    And the module has joined "lab"
    When the host sends AT+CIPSTART="TCP","192.168.0.103",20108
    Then the module replies the bytes "CONNECT\r\n\r\nOK\r\n"
    When the host sends AT+CIPSEND=5
    Then the module replies the bytes "\r\nOK\r\n\r\n>"
    When the host sends the raw bytes "hello"
    Then the module replies the bytes "\r\nRecv 5 bytes\r\n\r\nSEND OK\r\n\r\n+IPD,5:hello"
    When the peer at 192.168.0.103:20108 closes the connection
    Then the module replies the bytes "CLOSED\r\n"

  @EG-5
  Scenario Outline: what is not a command of this dialect is ERROR, with no ERR CODE line, and changes nothing
    Given the module has just booted
    When the host sends <line>
    Then the module replies the bytes "\r\nERROR\r\n"
    And the module stays silent for 200 ms
    When the host sends AT+CWMODE?
    Then the module replies:
      """
      +CWMODE:1
      OK
      """
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

    Examples:
      | line                      |
      | AT+BOGUS                  |
      | AT+CIPSSLSIZE=4096        |
      | AT+SYSLOG=1               |
      | AT+CWSAP?                 |
      | AT+CWJAP_CUR?             |
      | AT+CIPSTATE=0             |
      | AT+CWQAP?                 |
      | AT+CIFSR?                 |
      | AT+CWMODE=4               |
      | AT+CWMODE=?               |
      | AT+CIPMUX=?               |
      | AT+CWMODE=2,1,1           |
      | AT+CWMODE=                |
      | AT+CIPMUX=1,0             |
      | AT+CWMODE="2"             |
      | AT+CIPMUX=x               |

  @EG-6 @EW-4
  Scenario: commas in a quoted string are escaped with a backslash
    Given an access point "my,lab" with password "pass,word" at -45 dBm on channel 1
    And the module has just booted
    When the host sends AT+CWJAP="my\,lab","pass\,word"
    Then the module replies:
      """
      WIFI CONNECTED
      WIFI GOT IP
      OK
      """
    When the host sends AT+CWSTATE?
    Then the module replies:
      """
      +CWSTATE:2,"my,lab"
      OK
      """

  @EG-6
  Scenario: a backslash before any other character stands for that character
    Given the module has just booted
    When the host sends AT+CWJAP="\l\a\b","labpass1"
    Then the module replies:
      """
      WIFI CONNECTED
      WIFI GOT IP
      OK
      """

  @EG-6 @EW-6
  Scenario: an optional parameter is left out by an empty place between commas
    Given the module has just booted
    When the host sends AT+CWJAP="lab","labpass1",,,,,,3
    Then the module replies:
      """
      WIFI CONNECTED
      WIFI GOT IP
      OK
      """

  @EG-6 @EG-5
  Scenario Outline: an unquoted string or a string for an integer is ERROR
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    And the module stays silent for 500 ms
    When the host sends AT+CWSTATE?
    Then the module replies:
      """
      +CWSTATE:0,""
      OK
      """

    Examples:
      | line                            |
      | AT+CWJAP=lab,labpass1           |
      | AT+CWJAP="lab",labpass1         |
      | AT+CWJAP=1,2                    |
      | AT+CWJAP="lab","labpass1",,,"1" |

  @EG-7 @EW-16
  Scenario: a command during a scan is answered busy p... and the scan still ends
    Given the module has just booted
    When the host sends AT+CWLAP
    And the host sends AT
    Then the module replies busy p...
    And the module replies:
      """
      +CWLAP:(3,"lab",-40,"{*}",6,-1,-1,4,4,7,0)
      OK
      """
    And the module stays silent for 200 ms

  @EG-7 @EW-4
  Scenario: commands during a join are answered busy p...
    Given the module has just booted
    When the host sends AT+CWJAP="lab","labpass1"
    And the host sends AT+CIPMUX?
    Then the module replies busy p...
    And the module replies:
      """
      WIFI CONNECTED
      WIFI GOT IP
      OK
      """
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

  @EG-7 @ET-4 @sim
  Scenario: commands while a connection is being made are answered busy p...
    Given no host answers at 192.168.0.120
    And the module has just booted
    And the module has joined "lab"
    When the host sends AT+CIPSTART="TCP","192.168.0.120",80,,,3000
    And the host waits 500 ms
    And the host sends AT
    Then the module replies busy p...
    And the module replies ERROR within 3 s
    When the host sends AT
    Then the module replies OK

  @EG-8 @ES-4 @ES-5
  Scenario: data that arrives while the module collects CIPSEND data is announced after SEND OK
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    And the module has joined "lab"
    When the host sends AT+CIPSTART="TCP","192.168.0.103",20108
    Then the module replies:
      """
      CONNECT
      OK
      """
    When the host sends AT+CIPSEND=10
    Then the module replies:
      """
      OK
      >
      """
    When the peer at 192.168.0.103:20108 sends "hi"
    And the host waits 200 ms
    Then the module stays silent for 200 ms
    When the host sends 10 bytes of data
    Then the module replies:
      """
      Recv 10 bytes
      SEND OK
      +IPD,2:hi
      """

  @EG-8 @EW-9 @ET-10
  Scenario: a link closed while the host types is announced after the send's result
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    And the module has joined "lab"
    When the host sends AT+CIPSTART="TCP","192.168.0.103",20108
    Then the module replies:
      """
      CONNECT
      OK
      """
    When the host sends AT+CIPSEND=10
    Then the module replies:
      """
      OK
      >
      """
    When the peer at 192.168.0.103:20108 closes the connection
    And the host waits 300 ms
    Then the module stays silent for 200 ms
    When the host sends 10 bytes of data
    Then the module replies:
      """
      Recv 10 bytes
      SEND FAIL
      CLOSED
      """
