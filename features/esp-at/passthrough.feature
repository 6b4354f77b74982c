@esp-at
Feature: esp-at: passthrough with AT+CIPMODE=1, AT+CIPSEND and +++ (EP)

  Timings: at 115200 baud a byte takes 87 us, so 50 bytes take 4.3 ms and
  100 bytes 8.7 ms; "the host waits" counts from the moment the line has
  carried the bytes sent before (STEPS.md).

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And a TCP sink at 192.168.0.104:20109
    And the module has just booted
    And the module has joined "lab"

  Rule: AT+CIPMODE and entering passthrough

    @EP-1
    Scenario: AT+CIPMODE is 0 from the factory and takes 0 and 1
      When the host sends AT+CIPMODE?
      Then the module replies:
        """
        +CIPMODE:0
        OK
        """
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

    @EP-1 @EG-5
    Scenario Outline: AT+CIPMODE out of range, or 1 with multiple connections, is ERROR
      When the host sends AT+CIPMUX=<mux>
      Then the module replies OK
      When the host sends AT+CIPMODE=<mode>
      Then the module replies ERROR
      When the host sends AT+CIPMODE?
      Then the module replies:
        """
        +CIPMODE:0
        OK
        """

      Examples:
        | mux | mode |
        | 0   | 2    |
        | 0   | -1   |
        | 1   | 1    |

    @EP-2 @EP-3
    Scenario: a TCP client link enters passthrough, byte for byte, and the data flows
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies the bytes "\r\nOK\r\n\r\n>"
      When the host sends 20000 bytes of data
      Then the peer at 192.168.0.104:20109 has received exactly the host's data
      And the module stays silent for 200 ms

    @EP-2
    Scenario Outline: AT+CIPSEND without a link fit for passthrough is ERROR
      When the host sends AT+CIPMODE=<mode>
      Then the module replies OK
      When the host sends <open>
      Then the module replies:
        """
        <first>
        <second>
        """
      When the host sends AT+CIPSEND
      Then the module replies ERROR
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.104:20109 has received nothing

      Examples:
        | mode | open                                           | first   | second |
        | 1    | AT                                             | OK      |        |
        | 0    | AT+CIPSTART="TCP","192.168.0.104",20109        | CONNECT | OK     |
        | 1    | AT+CIPSTART="UDP","192.168.0.105",5000,6000,2  | CONNECT | OK     |
        | 1    | AT+CIPSTART="UDP","192.168.0.105",5000,6001,1  | CONNECT | OK     |

  Rule: in passthrough on a UDP link with a fixed remote

    Background:
      Given a UDP sink at 192.168.0.105:5000
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="UDP","192.168.0.105",5000,6000,0
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

    @EP-2 @EP-3
    Scenario: 2920 bytes go out at once, the rest as its own datagram
      When the host sends 3000 bytes of data
      Then the UDP peer at 192.168.0.105:5000 has received datagrams of 2920 and 80 bytes
      And the module stays silent for 200 ms

    @EP-3 @sim
    Scenario Outline: waiting bytes go out after 20 ms of UART silence
      When the host sends 50 bytes of data
      And the host waits <gap>
      And the host sends 50 bytes of data
      Then the UDP peer at 192.168.0.105:5000 has received datagrams of <sizes> bytes

      Examples:
        | gap   | sizes     |
        | 15 ms | 100       |
        | 25 ms | 50 and 50 |

  Rule: in passthrough on a TCP client link

    Background:
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

    @EP-4
    Scenario: the peer's bytes reach the host raw, without +IPD
      When the peer at 192.168.0.104:20109 sends "line 1\r\n+IPD,0,3:abc\r\nAT\r\n"
      Then the host receives the raw bytes "line 1\r\n+IPD,0,3:abc\r\nAT\r\n"
      And the module stays silent for 200 ms

    @EP-4
    Scenario: a long stream from the peer reaches the host whole
      When the peer at 192.168.0.104:20109 sends 20000 bytes of data
      Then the host receives 20000 bytes of the peer's data
      And the module stays silent for 200 ms

    @EP-5 @EQ-1 @sim
    Scenario: a guarded +++ returns to command mode silently, after the data before it, and the link stays
      When the host sends 100 bytes of data
      And the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 1100 ms
      Then the module stays silent for 100 ms
      And the peer at 192.168.0.104:20109 has received exactly the host's data
      When the host sends AT+CIPSTATE?
      Then the module replies:
        """
        +CIPSTATE:0,"TCP","192.168.0.104",20109,{n},0
        OK
        """
      And the peer at 192.168.0.104:20109 has 1 open connection

    @EP-5 @sim
    Scenario Outline: the guard before the first + is more than 20 ms
      When the host sends 100 bytes of data
      And the host waits <guard>
      And the host sends the raw bytes "+++"
      And the host waits 1100 ms
      And the host sends the raw bytes "AT\r\n"
      Then <outcome>

      Examples:
        | guard | outcome                                                                  |
        | 15 ms | the peer at 192.168.0.104:20109 receives "+++AT\\r\\n"                    |
        | 25 ms | the module replies OK                                                    |

    @EP-5 @sim
    Scenario Outline: the guard after the last + is more than 20 ms
      When the host sends the raw bytes "x"
      And the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits <guard>
      And the host sends the raw bytes "y"
      And the host waits 1100 ms
      And the host sends the raw bytes "AT\r\n"
      Then <outcome>

      Examples:
        | guard | outcome                                                         |
        | 15 ms | the peer at 192.168.0.104:20109 receives "x+++yAT\\r\\n"         |
        | 25 ms | the module replies OK                                           |

    @EP-5 @sim
    Scenario: + bytes spaced 25 ms apart are data
      When the host sends the raw bytes "x"
      And the host waits 50 ms
      And the host sends the raw bytes "+"
      And the host waits 25 ms
      And the host sends the raw bytes "+"
      And the host waits 25 ms
      And the host sends the raw bytes "+"
      And the host waits 50 ms
      Then the peer at 192.168.0.104:20109 receives "x+++"
      And the module stays silent for 200 ms

    @EP-5 @sim
    Scenario: a command less than 1 s after the escape is discarded, one after 1 s is answered
      When the host sends the raw bytes "x"
      And the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 500 ms
      And the host sends the raw bytes "AT\r\n"
      Then the module stays silent for 800 ms
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.104:20109 receives "x"

    @EP-6 @ER-1 @sim
    Scenario: after the escape AT+CIPSEND enters again, and AT+CIPMODE=0 brings +IPD back
      When the host sends the raw bytes "one"
      And the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 1100 ms
      And the host sends AT+CIPSEND
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "two"
      Then the peer at 192.168.0.104:20109 receives "onetwo"
      When the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 1100 ms
      And the host sends AT+CIPMODE=0
      Then the module replies OK
      When the peer at 192.168.0.104:20109 sends "back"
      Then the module replies +IPD,4:back
      When the host sends AT+CIPSEND=3
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "end"
      Then the module replies:
        """
        Recv 3 bytes
        SEND OK
        """
      And the peer at 192.168.0.104:20109 receives "onetwoend"

  Rule: a link that breaks in passthrough

    @EP-7
    Scenario: a link the peer closes is opened again, silently, and the data flows on
      Given a TCP server at 192.168.0.106:7000 that closes each connection after 300 ms
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.106",7000
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
      When the host waits 500 ms
      Then the peer at 192.168.0.106:7000 has 1 open connection
      And the module stays silent for 1 s

    @EP-7 @sim
    Scenario: the new connection is tried every 100 ms until the peer listens again
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
      When the host at 192.168.0.104 crashes
      And the host waits 1 s
      And the host at 192.168.0.104 restarts
      And the host waits 300 ms
      Then the peer at 192.168.0.104:20109 has 1 open connection
      When the host sends the raw bytes "again"
      Then the peer at 192.168.0.104:20109 receives "again"
      And the module stays silent for 200 ms

    @EP-7 @sim
    Scenario: the escape while the link is down stops the tries and frees link 0
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
      When the host at 192.168.0.104 crashes
      And the host waits 500 ms
      And the host sends the raw bytes "+++"
      And the host waits 1100 ms
      And the host sends AT+CIPSTATE?
      Then the module replies OK
      When the host at 192.168.0.104 restarts
      Then the module stays silent for 1 s
      And the peer at 192.168.0.104:20109 has 0 open connections
