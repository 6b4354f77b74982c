@esp-at
Feature: esp-at: AT+CIPMUX, AT+CIPSTART, AT+CIPCLOSE, AT+CIPSERVER, CONNECT and CLOSED (ET)

  The module has joined the lab's access point "lab" in every scenario but
  those of ET-9. Peers: a TCP echo server at 192.168.0.103:20108, a TCP
  sink at 192.168.0.104:20109, a UDP sink at 192.168.0.105:5000.

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And a TCP echo server at 192.168.0.103:20108
    And a TCP sink at 192.168.0.104:20109
    And a UDP sink at 192.168.0.105:5000

  Rule: AT+CIPMUX and link IDs

    Background:
      Given the module has just booted
      And the module has joined "lab"

    @ET-1
    Scenario: single connection from the factory, multiple on request
      When the host sends AT+CIPMUX?
      Then the module replies:
        """
        +CIPMUX:0
        OK
        """
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPMUX?
      Then the module replies:
        """
        +CIPMUX:1
        OK
        """

    @ET-1 @EG-5
    Scenario Outline: AT+CIPMUX out of range is ERROR
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
        | 2     |
        | -1    |

    @ET-1
    Scenario: no change while a link is open, but the current value is OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPMUX=1
      Then the module replies ERROR
      When the host sends AT+CIPMUX=0
      Then the module replies OK

    @ET-1 @EP-1
    Scenario: multiple connections are refused while passthrough mode is set
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPMUX=1
      Then the module replies ERROR

    @ET-1 @ET-12
    Scenario: single connection is refused while a server runs
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When the host sends AT+CIPMUX=0
      Then the module replies ERROR
      When the host sends AT+CIPSERVER=0
      Then the module replies OK
      When the host sends AT+CIPMUX=0
      Then the module replies OK

    @ET-2 @ET-3
    Scenario Outline: link IDs 0 to 4 are links
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=<id>,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        <id>,CONNECT
        OK
        """

      Examples:
        | id |
        | 0  |
        | 4  |

    @ET-2 @EG-5
    Scenario Outline: link ID 5 or more, or the other mode's form, is ERROR
      When the host sends AT+CIPMUX=<mux>
      Then the module replies OK
      When the host sends <line>
      Then the module replies ERROR
      And the peer at 192.168.0.104:20109 has 0 open connections

      Examples:
        | mux | line                                           |
        | 1   | AT+CIPSTART=5,"TCP","192.168.0.104",20109      |
        | 1   | AT+CIPSTART=-1,"TCP","192.168.0.104",20109     |
        | 1   | AT+CIPSTART="TCP","192.168.0.104",20109        |
        | 0   | AT+CIPSTART=0,"TCP","192.168.0.104",20109      |

  Rule: AT+CIPSTART

    Background:
      Given the module has just booted
      And the module has joined "lab"

    @ET-3
    Scenario: a TCP client link in single connection answers CONNECT, then OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies the bytes "CONNECT\r\n\r\nOK\r\n"
      And the peer at 192.168.0.104:20109 has 1 open connection

    @ET-3
    Scenario: a TCP client link in multiple connections answers <id>,CONNECT, then OK
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=2,"TCP","192.168.0.104",20109
      Then the module replies the bytes "2,CONNECT\r\n\r\nOK\r\n"

    @ET-3 @ED-2
    Scenario: a 64-byte domain name is resolved and connected to
      Given the DNS name "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.example" resolves to 192.168.0.104
      When the host sends AT+CIPSTART="TCP","hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.example",20109
      Then the module replies:
        """
        CONNECT
        OK
        """

    @ET-3 @EG-5
    Scenario: a 65-byte domain name is ERROR
      Given the DNS name "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.example" resolves to 192.168.0.104
      When the host sends AT+CIPSTART="TCP","hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh.example",20109
      Then the module replies ERROR
      And the peer at 192.168.0.104:20109 has 0 open connections

    @ET-3
    Scenario Outline: parameters at the ends of their ranges are accepted
      Given a TCP sink at 192.168.0.106:<port>
      When the host sends AT+CIPSTART="TCP","192.168.0.106",<port><rest>
      Then the module replies:
        """
        CONNECT
        OK
        """

      Examples:
        | port  | rest      |
        | 1     |           |
        | 65535 |           |
        | 80    | ,0        |
        | 80    | ,7200     |
        | 80    | ,,""      |
        | 80    | ,,,0      |
        | 80    | ,,,60000  |

    @ET-3 @EG-5
    Scenario Outline: parameters out of range are ERROR and nothing is connected
      When the host sends AT+CIPSTART="TCP","192.168.0.104",<port><rest>
      Then the module replies ERROR
      And the peer at 192.168.0.104:20109 has 0 open connections
      When the host sends AT+CIPSTATE?
      Then the module replies OK

      Examples:
        | port  | rest                  |
        | 0     |                       |
        | 65536 |                       |
        | 20109 | ,-1                   |
        | 20109 | ,7201                 |
        | 20109 | ,,"192.168.0.250"     |
        | 20109 | ,,,-1                 |
        | 20109 | ,,,60001              |

    @ET-3 @sim
    Scenario: a keep-alive of 5 s finds a silent peer after 8 s
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109,5
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the link between the module and 192.168.0.104 is cut
      Then the module stays silent for 7500 ms
      And the module replies CLOSED within 1500 ms

    @ET-4
    Scenario: a refused connection is ERROR, with no CONNECT and no CLOSED, and the link stays free
      Given nothing listens at 192.168.0.104:81
      When the host sends AT+CIPSTART="TCP","192.168.0.104",81
      Then the module replies the bytes "\r\nERROR\r\n"
      And the module stays silent for 500 ms
      When the host sends AT+CIPSTATE?
      Then the module replies OK
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """

    @ET-4 @ED-1
    Scenario: a name that does not resolve is ERROR
      When the host sends AT+CIPSTART="TCP","nowhere.lan",20109
      Then the module replies ERROR within 10 s
      And the module stays silent for 500 ms

    @ET-4 @sim
    Scenario: a peer that does not answer is ERROR after the given timeout
      Given no host answers at 192.168.0.120
      When the host sends AT+CIPSTART="TCP","192.168.0.120",80,,,3000
      Then the module stays silent for 2950 ms
      And the module replies ERROR within 150 ms

    @ET-4 @sim
    Scenario: a peer that does not answer is ERROR after 20 s with no timeout given
      Given no host answers at 192.168.0.120
      When the host sends AT+CIPSTART="TCP","192.168.0.120",80
      Then the module stays silent for 19 s
      And the module replies ERROR within 2 s

    @ET-5
    Scenario: a UDP link answers CONNECT and OK at once, and sends one datagram per CIPSEND
      When the host sends AT+CIPSTART="UDP","192.168.0.105",5000
      Then the module replies CONNECT within 200 ms
      And the module replies OK
      When the host sends AT+CIPSEND=4
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "ping"
      Then the module replies:
        """
        Recv 4 bytes
        SEND OK
        """
      And the UDP peer at 192.168.0.105:5000 has received datagrams of 4 bytes

    @ET-5 @ER-1
    Scenario Outline: the UDP mode decides where later datagrams go
      When the host sends AT+CIPSTART="UDP","192.168.0.105",5000,6000,<mode>
      Then the module replies:
        """
        CONNECT
        OK
        """
      When a UDP peer at 192.168.0.110:7000 sends "one" to the module's port 6000
      Then the module replies +IPD,3:one
      When a UDP peer at 192.168.0.111:7001 sends "two" to the module's port 6000
      Then the module replies +IPD,3:two
      When the host sends AT+CIPSEND=3
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "ack"
      Then the module replies:
        """
        Recv 3 bytes
        SEND OK
        """
      And the peer at <to> receives "ack"

      Examples:
        | mode | to                 |
        | 0    | 192.168.0.105:5000 |
        | 1    | 192.168.0.110:7000 |
        | 2    | 192.168.0.111:7001 |

    @ET-5 @EG-5
    Scenario Outline: a UDP local port or mode out of range, or a port in use, is ERROR
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000,6000,0
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPSTART=1,"UDP","192.168.0.105",5000,<rest>
      Then the module replies ERROR
      When the host sends AT+CIPSTATE?
      Then the module replies:
        """
        +CIPSTATE:0,"UDP","192.168.0.105",5000,6000,0
        OK
        """

      Examples:
        | rest    |
        | 6000,0  |
        | 0,0     |
        | 65536,0 |
        | 6001,3  |
        | 6001,-1 |

    @ET-7 @EG-5
    Scenario Outline: only "TCP", "UDP" and "SSL" are types
      When the host sends AT+CIPSTART=<type>,"192.168.0.104",20109
      Then the module replies ERROR
      And the peer at 192.168.0.104:20109 has 0 open connections

      Examples:
        | type    |
        | "tcp"   |
        | "Tcp"   |
        | "TLS"   |
        | "TCPv6" |
        | "UDPv6" |
        | "SSLv6" |
        | 0       |
        | TCP     |

    @ET-8
    Scenario: a link that is open is ALREADY CONNECTED, and stays open
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies:
        """
        ALREADY CONNECTED
        ERROR
        """
      And the peer at 192.168.0.104:20109 has 1 open connection
      And the peer at 192.168.0.103:20108 has 0 open connections

    @ET-8
    Scenario: in single connection a second CIPSTART is ALREADY CONNECTED
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPSTART="UDP","192.168.0.105",5000
      Then the module replies:
        """
        ALREADY CONNECTED
        ERROR
        """
      When the host sends AT+CIPSTATE?
      Then the module replies:
        """
        +CIPSTATE:0,"TCP","192.168.0.104",20109,{n},0
        OK
        """

  Rule: without an IPv4 address

    @ET-9 @EI-1
    Scenario: network commands are ERROR before the join
      Given the module has just booted
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies ERROR
      When the host sends AT+CIPDOMAIN="peer.lan"
      Then the module replies ERROR
      When the host sends AT+PING="192.168.0.104"
      Then the module replies:
        """
        +PING:TIMEOUT
        ERROR
        """
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies ERROR
      And the peer at 192.168.0.104:20109 has 0 open connections

    @ET-9
    Scenario: after AT+CWQAP CIPSTART is ERROR again
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWQAP
      Then the module replies OK
      And the module replies WIFI DISCONNECT
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies ERROR

  Rule: CONNECT and CLOSED

    Background:
      Given the module has just booted
      And the module has joined "lab"

    @ET-10
    Scenario: a link the peer closes is CLOSED in single connection
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 closes the connection
      Then the module replies the bytes "CLOSED\r\n"
      When the host sends AT+CIPSTATE?
      Then the module replies OK

    @ET-10
    Scenario: a link the peer closes is <id>,CLOSED in multiple connections
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=3,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        3,CONNECT
        OK
        """
      When the peer at 192.168.0.104:20109 closes the connection
      Then the module replies the bytes "3,CLOSED\r\n"

  Rule: AT+CIPCLOSE

    Background:
      Given the module has just booted
      And the module has joined "lab"

    @ET-11
    Scenario: closing one link answers <id>,CLOSED then OK, and the peer sees the close
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPCLOSE=0
      Then the module replies the bytes "0,CLOSED\r\n\r\nOK\r\n"
      And the peer at 192.168.0.104:20109 has 0 open connections
      And the module stays silent for 500 ms

    @ET-11
    Scenario: link 5 closes every open link in ascending order
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=3,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        3,CONNECT
        OK
        """
      When the host sends AT+CIPSTART=1,"UDP","192.168.0.105",5000
      Then the module replies:
        """
        1,CONNECT
        OK
        """
      When the host sends AT+CIPCLOSE=5
      Then the module replies:
        """
        1,CLOSED
        3,CLOSED
        OK
        """
      When the host sends AT+CIPCLOSE=5
      Then the module replies the bytes "\r\nOK\r\n"

    @ET-11 @EG-5
    Scenario Outline: closing a link that is not open, or a link ID out of range, is ERROR
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPCLOSE=<id>
      Then the module replies ERROR
      And the peer at 192.168.0.104:20109 has 1 open connection

      Examples:
        | id |
        | 1  |
        | 4  |
        | 6  |
        | -1 |

    @ET-11
    Scenario: in single connection AT+CIPCLOSE answers CLOSED then OK, and ERROR with no link
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPCLOSE
      Then the module replies the bytes "CLOSED\r\n\r\nOK\r\n"
      When the host sends AT+CIPCLOSE
      Then the module replies ERROR

    @ET-11 @ET-2
    Scenario Outline: AT+CIPCLOSE in the other mode's form is ERROR
      When the host sends AT+CIPMUX=<mux>
      Then the module replies OK
      When the host sends <open>
      Then the module replies:
        """
        <connect>
        OK
        """
      When the host sends <close>
      Then the module replies ERROR
      And the peer at 192.168.0.104:20109 has 1 open connection

      Examples:
        | mux | open                                         | connect   | close          |
        | 0   | AT+CIPSTART="TCP","192.168.0.104",20109      | CONNECT   | AT+CIPCLOSE=0  |
        | 1   | AT+CIPSTART=0,"TCP","192.168.0.104",20109    | 0,CONNECT | AT+CIPCLOSE    |

    @ET-11 @ES-5
    Scenario: a graceful close: data answered SEND OK still reaches the peer
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPSEND=2000
      Then the module replies:
        """
        OK
        >
        """
      When the host sends 2000 bytes of data
      Then the module replies:
        """
        Recv 2000 bytes
        SEND OK
        """
      When the host sends AT+CIPCLOSE
      Then the module replies:
        """
        CLOSED
        OK
        """
      And the peer at 192.168.0.104:20109 has received exactly the host's data

  Rule: AT+CIPSERVER, AT+CIPSERVERMAXCONN and AT+CIPSTO

    Background:
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CIPMUX=1
      Then the module replies OK

    @ET-12 @ET-10
    Scenario: a server on the default port 333 announces its client
      When the host sends AT+CIPSERVER=1
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 333
      Then the module replies the bytes "0,CONNECT\r\n"
      When the peer at 192.168.0.110:333 sends "hi"
      Then the module replies +IPD,0,2:hi
      When the peer at 192.168.0.110:333 closes the connection
      Then the module replies 0,CLOSED

    @ET-12
    Scenario: an accepted client takes the lowest free link ID
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 8080
      Then the module replies 1,CONNECT
      When a TCP client at 192.168.0.111 connects to the module on port 8080
      Then the module replies 2,CONNECT
      When the host sends AT+CIPSTATE?
      Then the module replies:
        """
        +CIPSTATE:0,"TCP","192.168.0.104",20109,{n},0
        +CIPSTATE:1,"TCP","192.168.0.110",{n},8080,1
        +CIPSTATE:2,"TCP","192.168.0.111",{n},8080,1
        OK
        """

    @ET-12
    Scenario: the server query shows the server
      When the host sends AT+CIPSERVER?
      Then the module replies:
        """
        +CIPSERVER:0
        OK
        """
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When the host sends AT+CIPSERVER?
      Then the module replies:
        """
        +CIPSERVER:1,8080,"TCP",0,0
        OK
        """

    @ET-12 @EG-5
    Scenario Outline: a port out of range, an SSL server or a second server is ERROR
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When the host sends AT+CIPSERVER=1,<rest>
      Then the module replies ERROR
      When the host sends AT+CIPSERVER?
      Then the module replies:
        """
        +CIPSERVER:1,8080,"TCP",0,0
        OK
        """

      Examples:
        | rest        |
        | 8081        |
        | 0           |
        | 65536       |
        | 8081,"SSL"  |

    @ET-12
    Scenario Outline: the ends of the port range are accepted
      When the host sends AT+CIPSERVER=1,<port>
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port <port>
      Then the module replies 0,CONNECT

      Examples:
        | port  |
        | 1     |
        | 65535 |

    @ET-12
    Scenario: a server needs multiple connections
      When the host sends AT+CIPMUX=0
      Then the module replies OK
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies ERROR

    @ET-12
    Scenario: stopping the server keeps its clients and refuses new ones
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 8080
      Then the module replies 0,CONNECT
      When the host sends AT+CIPSERVER=0
      Then the module replies the bytes "\r\nOK\r\n"
      And the peer at 192.168.0.110:8080 has 1 open connection
      When a TCP client at 192.168.0.111 connects to the module on port 8080
      Then the module stays silent for 500 ms
      And the peer at 192.168.0.111:8080 has 0 open connections
      When the host sends AT+CIPSTATE?
      Then the module replies:
        """
        +CIPSTATE:0,"TCP","192.168.0.110",{n},8080,1
        OK
        """

    @ET-12
    Scenario: AT+CIPSERVER=0,1 also closes the server's clients, each with its CLOSED line
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 8080
      Then the module replies 0,CONNECT
      When a TCP client at 192.168.0.111 connects to the module on port 8080
      Then the module replies 1,CONNECT
      When the host sends AT+CIPSERVER=0,1
      Then the module replies:
        """
        0,CLOSED
        1,CLOSED
        OK
        """
      And the peer at 192.168.0.110:8080 has 0 open connections
      And the peer at 192.168.0.111:8080 has 0 open connections

    @ET-12 @ET-13
    Scenario: a client beyond AT+CIPSERVERMAXCONN is closed at once with nothing printed
      When the host sends AT+CIPSERVERMAXCONN=1
      Then the module replies OK
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 8080
      Then the module replies 0,CONNECT
      When a TCP client at 192.168.0.111 connects to the module on port 8080
      Then the module stays silent for 500 ms
      And the peer at 192.168.0.111:8080 has 0 open connections
      And the peer at 192.168.0.110:8080 has 1 open connection

    @ET-13
    Scenario Outline: AT+CIPSERVERMAXCONN is 5 by default and takes 1 to 5
      When the host sends AT+CIPSERVERMAXCONN?
      Then the module replies:
        """
        +CIPSERVERMAXCONN:5
        OK
        """
      When the host sends AT+CIPSERVERMAXCONN=<num>
      Then the module replies <result>
      When the host sends AT+CIPSERVERMAXCONN?
      Then the module replies:
        """
        +CIPSERVERMAXCONN:<shown>
        OK
        """

      Examples:
        | num | result | shown |
        | 1   | OK     | 1     |
        | 5   | OK     | 5     |
        | 0   | ERROR  | 5     |
        | 6   | ERROR  | 5     |

    @ET-14
    Scenario Outline: AT+CIPSTO is 180 by default and takes 0 to 7200
      When the host sends AT+CIPSTO?
      Then the module replies:
        """
        +CIPSTO:180
        OK
        """
      When the host sends AT+CIPSTO=<time>
      Then the module replies <result>
      When the host sends AT+CIPSTO?
      Then the module replies:
        """
        +CIPSTO:<shown>
        OK
        """

      Examples:
        | time | result | shown |
        | 0    | OK     | 0     |
        | 7200 | OK     | 7200  |
        | 7201 | ERROR  | 180   |
        | -1   | ERROR  | 180   |

    @ET-14 @sim
    Scenario: a silent client is closed after AT+CIPSTO seconds
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When the host sends AT+CIPSTO=2
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 8080
      Then the module replies 0,CONNECT
      And the module stays silent for 1900 ms
      And the module replies 0,CLOSED within 300 ms
      And the peer at 192.168.0.110:8080 has 0 open connections

    @ET-14
    Scenario: with AT+CIPSTO=0 a silent client stays
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When the host sends AT+CIPSTO=0
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 8080
      Then the module replies 0,CONNECT
      And the module stays silent for 10 s
      And the peer at 192.168.0.110:8080 has 1 open connection
