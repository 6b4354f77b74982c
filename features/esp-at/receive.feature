@esp-at
Feature: esp-at: +IPD, AT+CIPDINFO and the passive receive mode (ER)

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And a TCP sink at 192.168.0.104:20109
    And a UDP sink at 192.168.0.105:5000
    And the module has just booted
    And the module has joined "lab"

  Rule: active mode

    @ER-1
    Scenario: +IPD with the length in single connection, CR LF before it and nothing after the data
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "test"
      Then the module replies the bytes "\r\n+IPD,4:test"
      And the module stays silent for 200 ms

    @ER-1
    Scenario: +IPD with the link ID in multiple connections
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=3,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        3,CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "line 1\r\nAT\r\n"
      Then the module replies the bytes "\r\n+IPD,3,12:line 1\r\nAT\r\n"

    @ER-1
    Scenario: a long stream arrives whole in +IPD frames
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends 1000 bytes of data
      Then the module replies "\r\n+IPD,1000:" and 1000 bytes of the peer's data

    @ER-1
    Scenario: one +IPD per UDP datagram
      When the host sends AT+CIPSTART="UDP","192.168.0.105",5000,6000,0
      Then the module replies:
        """
        CONNECT
        OK
        """
      When a UDP peer at 192.168.0.106:5001 sends "ab" to the module's port 6000
      And the peer at 192.168.0.106:5001 sends "cde"
      Then the module replies the bytes "\r\n+IPD,2:ab\r\n+IPD,3:cde"

    @ER-2
    Scenario: AT+CIPDINFO is false from the factory
      When the host sends AT+CIPDINFO?
      Then the module replies the bytes "+CIPDINFO:false\r\n\r\nOK\r\n"
      When the host sends AT+CIPDINFO=1
      Then the module replies OK
      When the host sends AT+CIPDINFO?
      Then the module replies:
        """
        +CIPDINFO:true
        OK
        """

    @ER-2 @EG-5
    Scenario Outline: AT+CIPDINFO out of range is ERROR
      When the host sends AT+CIPDINFO=<value>
      Then the module replies ERROR
      When the host sends AT+CIPDINFO?
      Then the module replies:
        """
        +CIPDINFO:false
        OK
        """

      Examples:
        | value |
        | 2     |
        | -1    |

    @ER-2
    Scenario Outline: with AT+CIPDINFO=1 +IPD carries the sender, quoted
      When the host sends AT+CIPDINFO=1
      Then the module replies OK
      When the host sends AT+CIPMUX=<mux>
      Then the module replies OK
      When the host sends <open>
      Then the module replies:
        """
        <connect>
        OK
        """
      When the peer at 192.168.0.104:20109 sends "hello"
      Then the module replies the bytes "\r\n<ipd>:hello"

      Examples:
        | mux | open                                         | connect   | ipd                                  |
        | 0   | AT+CIPSTART="TCP","192.168.0.104",20109      | CONNECT   | +IPD,5,\\"192.168.0.104\\",20109     |
        | 1   | AT+CIPSTART=1,"TCP","192.168.0.104",20109    | 1,CONNECT | +IPD,1,5,\\"192.168.0.104\\",20109   |

  Rule: the passive receive mode

    @ER-3 @ER-4 @ER-5
    Scenario: AT+CIPRECVMODE=1 keeps the data, announces its length and hands it out on request, byte for byte
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "test"
      Then the module replies +IPD,4
      And the module stays silent for 200 ms
      When the host sends AT+CIPRECVDATA=4
      Then the module replies the bytes "+CIPRECVDATA:4,test\r\n\r\nOK\r\n"

    @ER-3
    Scenario: AT+CIPRECVMODE is 0 from the factory and takes 0 and 1
      When the host sends AT+CIPRECVMODE?
      Then the module replies:
        """
        +CIPRECVMODE:0
        OK
        """
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPRECVMODE?
      Then the module replies:
        """
        +CIPRECVMODE:1
        OK
        """
      When the host sends AT+CIPRECVTYPE?
      Then the module replies:
        """
        +CIPRECVTYPE:0,1
        OK
        """

    @ER-3
    Scenario: AT+CIPRECVTYPE takes the report mode 0, the default
      When the host sends AT+CIPRECVTYPE=1,0
      Then the module replies OK
      When the host sends AT+CIPRECVMODE?
      Then the module replies:
        """
        +CIPRECVMODE:1
        OK
        """

    @ER-3
    Scenario: AT+CIPRECVTYPE sets one link or, with 5, every link in multiple connections
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPRECVTYPE=2,1
      Then the module replies OK
      When the host sends AT+CIPRECVTYPE?
      Then the module replies:
        """
        +CIPRECVTYPE:0,0
        +CIPRECVTYPE:1,0
        +CIPRECVTYPE:2,1
        +CIPRECVTYPE:3,0
        +CIPRECVTYPE:4,0
        OK
        """
      When the host sends AT+CIPRECVTYPE=5,1
      Then the module replies OK
      When the host sends AT+CIPRECVTYPE?
      Then the module replies:
        """
        +CIPRECVTYPE:0,1
        +CIPRECVTYPE:1,1
        +CIPRECVTYPE:2,1
        +CIPRECVTYPE:3,1
        +CIPRECVTYPE:4,1
        OK
        """

    @ER-3 @EG-5
    Scenario Outline: a receive mode out of range, the other mode's form or the report mode is ERROR
      When the host sends <line>
      Then the module replies ERROR
      When the host sends AT+CIPRECVMODE?
      Then the module replies:
        """
        +CIPRECVMODE:0
        OK
        """

      Examples:
        | line                |
        | AT+CIPRECVMODE=2    |
        | AT+CIPRECVMODE=-1   |
        | AT+CIPRECVTYPE=2    |
        | AT+CIPRECVTYPE=0,1  |
        | AT+CIPRECVTYPE=1,2  |

    @ER-3 @EP-2
    Scenario: in passthrough the receive mode does not apply
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPSEND
      Then the module replies:
        """
        OK
        >
        """
      When the peer at 192.168.0.104:20109 sends "raw"
      Then the host receives the raw bytes "raw"

    @ER-4 @ER-5
    Scenario: no new +IPD until the host has read; then the new total is announced
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "abc"
      Then the module replies +IPD,0,3
      When the peer at 192.168.0.104:20109 sends "defg"
      Then the module stays silent for 500 ms
      When the host sends AT+CIPRECVDATA=0,2
      Then the module replies the bytes "+CIPRECVDATA:2,ab\r\n\r\nOK\r\n"
      When the peer at 192.168.0.104:20109 sends "h"
      Then the module replies +IPD,0,6
      When the host sends AT+CIPRECVDATA=0,100
      Then the module replies the bytes "+CIPRECVDATA:6,cdefgh\r\n\r\nOK\r\n"

    @ER-4 @ER-7 @sim
    Scenario: at most 5760 bytes are kept; the peer is held back and nothing is lost
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends 8000 bytes of data
      Then the module replies +IPD,{n}
      When the host waits 1 s
      And the host sends AT+CIPRECVLEN?
      Then the module replies:
        """
        +CIPRECVLEN:5760,-1,-1,-1,-1
        OK
        """
      When the host sends AT+CIPRECVDATA=5760
      Then the module replies "+CIPRECVDATA:5760," and 5760 bytes of the peer's data
      And the module replies OK
      And the module replies +IPD,{n} within 2 s
      When the host waits 1 s
      And the host sends AT+CIPRECVLEN?
      Then the module replies:
        """
        +CIPRECVLEN:2240,-1,-1,-1,-1
        OK
        """
      When the host sends AT+CIPRECVDATA=5760
      Then the module replies "+CIPRECVDATA:2240," and 2240 bytes of the peer's data
      And the module replies OK

    @ER-5
    Scenario: with AT+CIPDINFO=1 the read carries the sender
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPDINFO=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "hello"
      Then the module replies +IPD,5
      When the host sends AT+CIPRECVDATA=5
      Then the module replies the bytes "+CIPRECVDATA:5,\"192.168.0.104\",20109,hello\r\n\r\nOK\r\n"

    @ER-5 @EG-5
    Scenario Outline: a read out of range, in active mode or with nothing buffered is ERROR
      When the host sends AT+CIPRECVMODE=<mode>
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPRECVDATA=<len>
      Then the module replies ERROR
      And the module stays silent for 200 ms

      Examples:
        | mode | len        |
        | 0    | 5          |
        | 1    | 5          |
        | 1    | 0          |
        | 1    | 2147483648 |
        | 1    | -1         |
        | 1    | 5,0        |

    @ER-5
    Scenario: the largest length is accepted
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "x"
      Then the module replies +IPD,1
      When the host sends AT+CIPRECVDATA=2147483647
      Then the module replies the bytes "+CIPRECVDATA:1,x\r\n\r\nOK\r\n"

    @ER-5
    Scenario: a UDP link hands out one datagram per read
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="UDP","192.168.0.105",5000,6000,0
      Then the module replies:
        """
        CONNECT
        OK
        """
      When a UDP peer at 192.168.0.106:5001 sends "ab" to the module's port 6000
      Then the module replies +IPD,2
      When the peer at 192.168.0.106:5001 sends "cde"
      And the host waits 200 ms
      And the host sends AT+CIPRECVDATA=100
      Then the module replies the bytes "+CIPRECVDATA:2,ab\r\n\r\nOK\r\n"
      And the module replies +IPD,3
      When the host sends AT+CIPRECVDATA=100
      Then the module replies the bytes "+CIPRECVDATA:3,cde\r\n\r\nOK\r\n"

    @ER-6 @ER-5
    Scenario: the reply is ESP-AT 2.x's +CIPRECVDATA:<len>, never AT 1.7's +CIPRECVDATA,<len>:
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "data"
      Then the module replies +IPD,0,4
      When the host sends AT+CIPRECVDATA=0,4
      Then the module replies the bytes "+CIPRECVDATA:4,data"
      And the module replies OK

    @ER-7
    Scenario: AT+CIPRECVLEN? has five fields, -1 for a link that is not open
      When the host sends AT+CIPRECVLEN?
      Then the module replies the bytes "+CIPRECVLEN:-1,-1,-1,-1,-1\r\n\r\nOK\r\n"
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPRECVMODE=1
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
      When the peer at 192.168.0.104:20109 sends "12345"
      Then the module replies +IPD,0,5
      When the host sends AT+CIPRECVLEN?
      Then the module replies:
        """
        +CIPRECVLEN:5,-1,0,-1,-1
        OK
        """

    @ER-8 @ET-10
    Scenario: a link the peer closed stays readable; CLOSED comes once all is read
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "last words"
      Then the module replies +IPD,10
      When the peer at 192.168.0.104:20109 closes the connection
      Then the module stays silent for 500 ms
      When the host sends AT+CIPRECVDATA=4
      Then the module replies:
        """
        +CIPRECVDATA:4,last
        OK
        """
      And the module stays silent for 200 ms
      When the host sends AT+CIPRECVDATA=100
      Then the module replies:
        """
        +CIPRECVDATA:6, words
        OK
        CLOSED
        """

    @ER-8 @ET-11
    Scenario: AT+CIPCLOSE discards what was kept and gives its own reply
      When the host sends AT+CIPRECVMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 sends "unread"
      Then the module replies +IPD,6
      When the peer at 192.168.0.104:20109 closes the connection
      Then the module stays silent for 500 ms
      When the host sends AT+CIPCLOSE
      Then the module replies:
        """
        CLOSED
        OK
        """
      And the module stays silent for 200 ms
