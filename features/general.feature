Feature: General command syntax

  Command lines, echo, long lines, bad commands, parameters, the busy
  reply, held unsolicited lines and the data prompt.

  @G-1 @B-1
  Scenario: a command line ended by CR LF is answered
    Given the module has just booted
    When the host sends the raw bytes "AT\r\n"
    Then the module replies OK

  @G-1
  Scenario Outline: a lone CR or a lone LF also ends a command line
    Given the module has just booted
    When the host sends the raw bytes "<line>"
    Then the module replies OK
    And the module stays silent for 200 ms

    Examples:
      | line    |
      | AT\\r   |
      | AT\\n   |
      | ATE0\\r |
      | ATE0\\n |

  @G-1
  Scenario: empty lines are ignored silently
    Given the module has just booted
    When the host sends the raw bytes "\r\n\r\n\r\n\n\r"
    Then the module stays silent for 500 ms
    When the host sends AT
    Then the module replies OK
    And the module stays silent for 200 ms

  @G-1
  Scenario: a command split across several UART writes is one line
    Given the module has just booted
    When the host sends the raw bytes "AT+CIP"
    And the host waits 50 ms
    And the host sends the raw bytes "MUX?"
    And the host waits 50 ms
    And the host sends the raw bytes "\r\n"
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

  @G-1 @G-4
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
      | line             |
      | at               |
      | At               |
      | aT+CIPMUX=1      |
      | xAT              |
      | +CIPMUX=1        |
      | CIPMUX=1         |
      | \\x00AT+CIPMUX=1 |

  @G-2 @B-1
  Scenario: echo is on after boot and echoes the command line
    Given the module has just booted with echo on
    When the host sends AT
    Then the module replies:
      """
      AT
      OK
      """
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      AT+CIPMUX?
      +CIPMUX:0
      OK
      """

  @G-2 @power
  Scenario: echo is on again after a power cycle
    Given the module has just booted
    When the module is power-cycled
    And the host sends AT
    Then the module replies:
      """
      AT
      OK
      """

  @G-2 @SD-4
  Scenario: data bytes after the prompt are never echoed
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted with echo on
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies:
      """
      AT+CIPSTART=0,"TCP","192.168.0.103",20108
      OK
      """
    When the host sends AT+CIPSEND=0,9
    Then the module replies AT+CIPSEND=0,9
    And the module replies >
    When the host sends the raw bytes "AT\r\nhello"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 receives "AT\r\nhello"
    And the module stays silent for 200 ms

  @G-2 @SD-4
  Scenario: data of the stream is never echoed, whatever its bytes
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted with echo on
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies:
      """
      AT+CIPSTART=0,"TCP","192.168.0.103",20108
      OK
      """
    When the host sends AT+CIPSEND=0,300
    Then the module replies AT+CIPSEND=0,300
    And the module replies >
    When the host sends 300 bytes of data
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 has received exactly the host's data
    When the host sends AT
    Then the module replies:
      """
      AT
      OK
      """

  @G-3
  Scenario: a command line of exactly 256 bytes is accepted
    Given the DNS name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ccccccccccccccccccccccccccccccccccccccccccccccccc" resolves to 192.168.0.103
    And the module has just booted
    When the host sends AT+CIPDOMAIN="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ccccccccccccccccccccccccccccccccccccccccccccccccc"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

  @G-3
  Scenario: a command line of 257 bytes is refused, even when it would be valid
    Given the DNS name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.cccccccccccccccccccccccccccccccccccccccccccccccccc" resolves to 192.168.0.103
    And the module has just booted
    When the host sends AT+CIPDOMAIN="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.cccccccccccccccccccccccccccccccccccccccccccccccccc"
    Then the module replies ERROR
    And the module stays silent for 2 s

  @G-3
  Scenario: a long line is refused once its terminator arrives, and its excess is discarded
    Given the module has just booted
    When the host sends the raw bytes "AT+XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXAT"
    Then the module stays silent for 200 ms
    When the host sends the raw bytes "\r\n"
    Then the module replies ERROR
    And the module stays silent for 200 ms
    When the host sends AT
    Then the module replies OK

  @G-3 @G-4
  Scenario: a refused long line changes nothing
    Given the module has just booted
    When the host sends AT+CIPMUX=1,XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

  @G-4
  Scenario Outline: an unknown command or a form a command lacks is refused
    Given the module has just booted
    When the host sends <line>
    Then the module replies ERROR
    And the module stays silent for 200 ms
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """
    When the host sends AT+CIPMODE?
    Then the module replies:
      """
      +CIPMODE:0
      OK
      """

    Examples:
      | line              |
      | AT+FOO            |
      | AT+FOO=1          |
      | AT+FOO?           |
      | AT+CIPSTARTX=0    |
      | AT+CIPMU?         |
      | AT+               |
      | ATX               |
      | AT=?              |
      | AT?               |
      | AT+cipmux?        |
      | AT+CIPSTATUS      |
      | AT+CIPSTATUS=?    |
      | AT+CIPMUX=?       |
      | AT+CIPMODE=?      |
      | AT+CIPSTART=?     |
      | AT+CIPSEND=?      |
      | AT+CIPCLOSE=?     |
      | AT+GMR=?          |
      | AT+SYSSTORE=?     |
      | AT+CIPMUX==1      |
      | AT+CIPMUX?1       |
      | AT+CIPMUX=?1      |

  @G-5 @SS-3 @SS-4
  Scenario: bare tokens are strings
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,TCP,192.168.0.103,20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @G-5
  Scenario: spaces after a comma are ignored
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,   "TCP",  192.168.0.103, 20108
    Then the module replies OK
    When the host sends AT+CIPSTATUS?
    Then the module replies:
      """
      +BIPSTATUS:0,192.168.0.103,20108,{n},0
      OK
      """

  @G-5
  Scenario: an integer may have a leading minus
    Given the module has just booted
    When the host sends AT+CIPSNTPCFG=1,-5,"0.pool.ntp.org"
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:1,-5,"0.pool.ntp.org"
      OK
      """

  @G-5 @G-4
  Scenario Outline: a value that is no integer where an integer belongs is refused
    Given the module has just booted
    When the host sends AT+CIPMUX=<value>
    Then the module replies ERROR
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

    Examples:
      | value |
      | one   |
      | 1x    |
      | 0x1   |
      | --1   |
      | 1.0   |
      | +     |

  @G-5
  Scenario: escapes inside a quoted string
    Given the module has just booted
    When the host sends AT+CIPSSLCPSK="key\,one","id\\two"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK?
    Then the module replies:
      """
      +CIPSSLCPSK:0,"key,one","id\two"
      OK
      """

  @G-5
  Scenario: an escaped quote is one byte and does not end the string
    Given the module has just booted
    When the host sends AT+CIPSSLCPSK="kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"","id"
    Then the module replies OK
    When the host sends AT+CIPSSLCPSK="kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"","id"
    Then the module replies ERROR

  @G-6 @SS-6
  Scenario: a command line while CIPSTART connects gets busy and is otherwise ignored
    Given no host answers at 192.168.0.50
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.50",80
    And the host waits 100 ms
    And the host sends AT+CIPMUX=1
    Then the module replies busy p...
    And the module replies ERROR within 6 s
    And the module stays silent for 200 ms
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """

  @G-6
  Scenario: a command line while PING waits gets busy
    Given no host answers at 192.168.0.50
    And the module has just booted
    When the host sends AT+PING="192.168.0.50"
    And the host waits 100 ms
    And the host sends AT
    Then the module replies:
      """
      busy p...
      +PING:TIMEOUT
      ERROR
      """
    And the module stays silent for 200 ms

  @G-6
  Scenario: a command line while CIPDOMAIN resolves gets busy
    Given the DNS server at 192.168.0.1 does not answer
    And the module has just booted
    When the host sends AT+CIPDOMAIN="slow.lab.example"
    And the host waits 100 ms
    And the host sends AT
    Then the module replies busy p...
    And the module replies ERROR within 5 s
    And the module stays silent for 200 ms

  @G-6 @B-2
  Scenario: a command line while the module restarts gets busy
    Given the module has just booted with echo on
    When the host sends AT+RST
    Then the module replies:
      """
      AT+RST
      OK
      """
    When the host sends AT
    Then the module replies:
      """
      AT
      busy p...
      ready
      """
    And the module stays silent for 200 ms

  @G-6 @SS-4
  Scenario: a command line while CIPSTART resolves its host gets busy
    Given the DNS server at 192.168.0.1 does not answer
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","echo.lab.example",20108
    And the host waits 100 ms
    And the host sends AT
    Then the module replies busy p...
    And the module replies ERROR within 5 s
    And the module stays silent for 200 ms

  @G-6
  Scenario: several lines while busy each get busy
    Given no host answers at 192.168.0.50
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.50",80
    And the host waits 100 ms
    And the host sends the raw bytes "AT\r\nAT+GMR\r\nAT+CIPSTATUS?\r\n"
    Then the module replies:
      """
      busy p...
      busy p...
      busy p...
      """
    And the module replies ERROR within 6 s
    And the module stays silent for 200 ms

  @G-7 @RX-1
  Scenario: data that arrives while CIPSEND collects is held until the final result
    Given a TCP sink at 192.168.0.103:20108
    And a TCP sink at 192.168.0.104:8080
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",8080
    Then the module replies OK
    When the host sends AT+CIPSEND=0,10
    Then the module replies >
    When the peer at 192.168.0.104:8080 sends "hello"
    Then the module stays silent for 500 ms
    When the host sends 10 bytes of data
    Then the module replies:
      """
      SEND OK
      +IPD,1,5:hello
      """

  @G-7 @RX-2 @SD-5
  Scenario: a link closed while CIPSEND collects is reported after the final result
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,10
    Then the module replies >
    When the peer at 192.168.0.103:20108 closes the connection
    Then the module stays silent for 500 ms
    When the host sends 10 bytes of data
    Then the module replies:
      """
      CMDRSP:ERROR
      CLOSED
      """

  @G-7 @RX-1
  Scenario: data that arrives while a command runs is held until its final result
    Given a TCP sink at 192.168.0.103:20108
    And no host answers at 192.168.0.50
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.50",80
    And the host waits 100 ms
    And the peer at 192.168.0.103:20108 sends "hello"
    Then the module replies ERROR within 6 s
    And the module replies +IPD,0,5:hello

  @G-7 @RX-2
  Scenario: a link closed while a command runs is reported after its final result
    Given a TCP server at 192.168.0.103:20108 that closes each connection after 1 s
    And no host answers at 192.168.0.50
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.50",80
    Then the module replies ERROR within 6 s
    And the module replies 0,CLOSED

  @G-7 @RX-2 @SS-8
  Scenario: a server link's CONNECT while a command runs is held until its final result
    Given no host answers at 192.168.0.50
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
    Then the module replies OK
    When the host sends AT+CIPSTART=2,"TCP","192.168.0.50",80
    And the host waits 100 ms
    And a TCP client at 192.168.0.104 connects to the module on port 5637
    Then the module stays silent for 1 s
    And the module replies ERROR within 5 s
    And the module replies 1,CONNECT

  @G-7 @RX-1 @SS-6
  Scenario: data sent on connect follows CIPSTART's OK
    Given a TCP server at 192.168.0.103:20108 that sends "hello" on connect
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies:
      """
      OK
      +IPD,5:hello
      """

  @G-7 @RX-1
  Scenario: held lines keep their order
    Given a TCP sink at 192.168.0.103:20108
    And a TCP sink at 192.168.0.104:8080
    And the module has just booted
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSTART=1,"TCP","192.168.0.104",8080
    Then the module replies OK
    When the host sends AT+CIPSEND=0,4
    Then the module replies >
    When the peer at 192.168.0.104:8080 sends "one"
    And the host waits 100 ms
    And the peer at 192.168.0.103:20108 sends "two"
    And the host waits 100 ms
    And the peer at 192.168.0.104:8080 sends "three"
    And the host waits 100 ms
    And the peer at 192.168.0.104:8080 closes the connection
    And the host waits 100 ms
    And the host sends 4 bytes of data
    Then the module replies:
      """
      SEND OK
      +IPD,1,3:one
      +IPD,0,3:two
      +IPD,1,5:three
      1,CLOSED
      """

  @G-8 @SD-4
  Scenario: the prompt is a line of its own and nothing follows it
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the host receives the raw bytes "\r\n>"
    And the module stays silent for 500 ms
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the peer at 192.168.0.103:20108 receives "hello"
