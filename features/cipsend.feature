Feature: AT+CIPSEND in normal mode

  Rule: on a TCP client link

    Background:
      Given a TCP sink at 192.168.0.103:20108
      And the module has just booted
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK

    @SD-4 @SD-5 @RX-1
    Scenario: data with CR, LF and AT in it goes out as is
      When the host sends AT+CIPSEND=0,300
      Then the module replies >
      When the host sends 300 bytes of data
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data


    @SD-2 @G-4
    Scenario Outline: a length out of range is refused
      When the host sends AT+CIPSEND=0,<length>
      Then the module replies ERROR

      Examples:
        | length |
        | 0      |
        | 2049   |
        | -1     |


    @SD-3
    Scenario: a link that is not open gives CMDRSP:ERROR and no prompt
      When the host sends AT+CIPSEND=3,5
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 100 ms


    @SD-2
    Scenario Outline: lengths 1 and 2048 are valid
      When the host sends AT+CIPSEND=0,<length>
      Then the module replies >
      When the host sends <length> bytes of data
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data

      Examples:
        | length |
        | 1      |
        | 2048   |


    @SD-2 @G-4
    Scenario Outline: a refused length sends no prompt and no data
      When the host sends AT+CIPSEND=0,<length>
      Then the module replies ERROR
      And the module stays silent for 200 ms
      And the peer at 192.168.0.103:20108 has received nothing
      When the host sends AT+CIPSEND=0,2
      Then the module replies >
      When the host sends the raw bytes "ok"
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 receives "ok"

      Examples:
        | length |
        | 0      |
        | 2049   |
        | 65536  |
        | -5     |
        | x      |


    @SD-1 @G-4
    Scenario Outline: a malformed CIPSEND is refused
      When the host sends <line>
      Then the module replies ERROR
      And the module stays silent for 200 ms
      And the peer at 192.168.0.103:20108 has received nothing
      When the host sends AT+CIPSTATUS?
      Then the module replies:
        """
        +BIPSTATUS:0,192.168.0.103,20108,{n},0
        OK
        """

      Examples:
        | line                                          |
        | AT+CIPSEND=?                                  |
        | AT+CIPSEND?                                   |
        | AT+CIPSEND=0                                  |
        | AT+CIPSEND=0,                                 |
        | AT+CIPSEND=,5                                 |
        | AT+CIPSEND=0,5,"192.168.0.103"                |
        | AT+CIPSEND=0,5,"192.168.0.103",20108,1        |
        | AT+CIPSEND=5,5                                |
        | AT+CIPSEND=-1,5                               |
        | AT+CIPSEND=x,5                                |


    @SD-1
    Scenario Outline: a TCP link given a remote host and port is refused
      When the host sends AT+CIPSEND=0,5,<host>,20108
      Then the module replies ERROR
      And the module stays silent for 200 ms
      And the peer at 192.168.0.103:20108 has received nothing
      When the host sends AT+CIPSTATUS?
      Then the module replies:
        """
        +BIPSTATUS:0,192.168.0.103,20108,{n},0
        OK
        """

      Examples:
        | host            |
        | "192.168.0.103" |
        | "192.168.0.104" |
        | 192.168.0.103   |


    @SD-4
    Scenario: 2048 bytes written in two pieces go out as they are
      When the host sends AT+CIPSEND=0,2048
      Then the module replies >
      When the host sends 1000 bytes of data
      And the host sends 1048 bytes of data
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data


    @SD-4
    Scenario: there is no timeout while the module collects the data
      When the host sends AT+CIPSEND=0,10
      Then the module replies >
      When the host sends 4 bytes of data
      Then the module stays silent for 10 s
      When the host sends 6 bytes of data
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data


    @SD-4
    Scenario: data may arrive in small pieces
      When the host sends AT+CIPSEND=0,100
      Then the module replies >
      When the host sends 100 bytes of data in pieces of 7 bytes every 30 ms
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data


    @SD-4 @SD-7
    Scenario: the data's last bytes and a trailing CR LF in one UART piece: the CR LF is no data
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the host sends the raw bytes "hel"
      And the host waits 10 ms
      And the host sends the raw bytes "lo\r\n"
      Then the module replies SEND OK
      And the module stays silent for 200 ms
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.103:20108 receives "hello"


    @SD-4 @G-1
    Scenario: the LF of the CIPSEND line's CR LF, arriving in the next UART piece, is no data
      When the host sends the raw bytes "AT+CIPSEND=0,5\r"
      Then the module replies >
      When the host sends the raw bytes "\nhello"
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 receives "hello"


    @SD-4 @G-1
    Scenario: an LF that starts the data, after the CIPSEND line's whole CR LF, is data
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the host sends the raw bytes "\nhell"
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 receives "\nhell"


    @SD-4 @G-1
    Scenario: a CIPSEND line ended by a lone LF: an LF that starts the data is data
      When the host sends the raw bytes "AT+CIPSEND=0,5\n"
      Then the module replies >
      When the host sends the raw bytes "\nhell"
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 receives "\nhell"


    @G-7 @RX-1 @SD-4
    Scenario: 200 bytes of the peer's data that arrive while the host types CIPSEND data come after SEND OK
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the peer at 192.168.0.103:20108 sends 200 bytes of data
      And the host waits 100 ms
      And the host sends the raw bytes "hello"
      Then the module replies SEND OK
      And the module replies "+IPD,200:" and 200 bytes of the peer's data
      And the peer at 192.168.0.103:20108 receives "hello"


    @SD-4 @SD-5
    Scenario: nothing goes out before the last byte
      When the host sends AT+CIPSEND=0,10
      Then the module replies >
      When the host sends 9 bytes of data
      Then the module stays silent for 500 ms
      And the peer at 192.168.0.103:20108 has received nothing
      When the host sends 1 bytes of data
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data


    @SD-5 @SD-3 @RX-2 @G-7
    Scenario: the link closed by the peer while the host types gives CMDRSP:ERROR
      When the host sends AT+CIPSEND=0,10
      Then the module replies >
      When the peer at 192.168.0.103:20108 closes the connection
      And the host waits 500 ms
      And the host sends 10 bytes of data
      Then the module replies:
        """
        CMDRSP:ERROR
        CLOSED
        """
      When the host sends AT+CIPSTATUS?
      Then the module replies OK


    @SD-5 @RX-2 @sim
    Scenario: the peer host crashing while the host types gives CMDRSP:ERROR
      When the host sends AT+CIPSEND=0,10
      Then the module replies >
      When the host at 192.168.0.103 crashes
      And the host waits 500 ms
      And the host sends 10 bytes of data
      Then the module replies CMDRSP:ERROR
      And the module replies CLOSED


    @SD-3 @RX-2
    Scenario: after the peer closed the link, CIPSEND gives CMDRSP:ERROR and no prompt
      When the peer at 192.168.0.103:20108 closes the connection
      Then the module replies CLOSED
      When the host sends AT+CIPSEND=0,5
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 200 ms


    @SD-3 @CL-1
    Scenario: after the host closed the link, CIPSEND gives CMDRSP:ERROR and no prompt
      When the host sends AT+CIPCLOSE=0
      Then the module replies OK
      When the host sends AT+CIPSEND=0,5
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 200 ms


  Rule: on a TCP client link to an echo server, whose echo the host reads

    Background:
      Given a TCP echo server at 192.168.0.103:20108
      And the module has just booted
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK

    @SD-1 @SD-4 @SD-5
    Scenario: the basic form sends the data and answers SEND OK
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the module replies:
        """
        SEND OK
        +IPD,5:hello
        """
      And the peer at 192.168.0.103:20108 receives "hello"


    @SD-4
    Scenario: data that looks like commands is data
      When the host sends AT+CIPSEND=0,18
      Then the module replies >
      When the host sends the raw bytes "AT+RST\r\nAT\r\nATE1\r\n"
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 receives "AT+RST\r\nAT\r\nATE1\r\n"
      And the module replies the bytes "+IPD,18:AT+RST\r\nAT\r\nATE1\r\n\r\n"
      When the host sends AT
      Then the module replies OK
      And the module stays silent for 500 ms


    @SD-4
    Scenario: data has no escapes: backslashes, quotes, commas and +++ go out as they are
      When the host sends AT+CIPSEND=0,10
      Then the module replies >
      When the host sends the raw bytes "a\\,b\\\"c+++"
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 receives "a\\,b\\\"c+++"
      And the module replies +IPD,10:a\,b\"c+++


    @SD-7
    Scenario: a trailing CR LF after the data is just an empty line
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the host sends the raw bytes "hello\r\n"
      Then the module replies:
        """
        SEND OK
        +IPD,5:hello
        """
      And the module stays silent for 500 ms
      And the peer at 192.168.0.103:20108 receives "hello"


    @SD-7
    Scenario: bytes after the data are the next command line
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the host sends the raw bytes "helloAT+CIPMUX?"
      Then the module replies:
        """
        SEND OK
        +IPD,5:hello
        """
      When the host sends the raw bytes "\r\n"
      Then the module replies:
        """
        +CIPMUX:0
        OK
        """
      And the peer at 192.168.0.103:20108 receives "hello"


    @SD-5 @SD-7
    Scenario: CIPSEND after CIPSEND
      When the host sends AT+CIPSEND=0,3
      Then the module replies >
      When the host sends the raw bytes "one"
      Then the module replies SEND OK
      And the module replies +IPD,3:one
      When the host sends AT+CIPSEND=0,3
      Then the module replies >
      When the host sends the raw bytes "two"
      Then the module replies SEND OK
      And the module replies +IPD,3:two
      And the peer at 192.168.0.103:20108 receives "onetwo"

  Rule: on a UDP link

    Background:
      Given a UDP sink at 192.168.0.103:20108
      And a UDP echo server at 192.168.0.104:7000
      And the module has just booted
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.103",20108
      Then the module replies OK

    @SD-6 @SD-2
    Scenario: each CIPSEND is exactly one datagram
      When the host sends AT+CIPSEND=0,100
      Then the module replies >
      When the host sends 100 bytes of data
      Then the module replies SEND OK
      When the host sends AT+CIPSEND=0,1
      Then the module replies >
      When the host sends 1 bytes of data
      Then the module replies SEND OK
      When the host sends AT+CIPSEND=0,2048
      Then the module replies >
      When the host sends 2048 bytes of data
      Then the module replies SEND OK
      Then the UDP peer at 192.168.0.103:20108 has received datagrams of 100, 1 and 2048 bytes
      And the peer at 192.168.0.103:20108 has received exactly the host's data

    @SD-6 @SD-4
    Scenario: a datagram sent in slow pieces is still one datagram
      When the host sends AT+CIPSEND=0,40
      Then the module replies >
      When the host sends 40 bytes of data in pieces of 10 bytes every 100 ms
      Then the module replies SEND OK
      When the host sends AT+CIPSEND=0,3
      Then the module replies >
      When the host sends 3 bytes of data
      Then the module replies SEND OK
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the host sends 5 bytes of data
      Then the module replies SEND OK
      Then the UDP peer at 192.168.0.103:20108 has received datagrams of 40, 3 and 5 bytes

    @SD-1 @SD-5
    Scenario: a datagram addressed elsewhere goes there once
      When the host sends AT+CIPSEND=0,4,"192.168.0.104",7000
      Then the module replies >
      When the host sends the raw bytes "ping"
      Then the module replies:
        """
        SEND OK
        +IPD,4:ping
        """
      And the peer at 192.168.0.104:7000 receives "ping"
      And the peer at 192.168.0.103:20108 has received nothing
      When the host sends AT+CIPSEND=0,5
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the module replies SEND OK
      And the peer at 192.168.0.103:20108 receives "hello"
      And the peer at 192.168.0.104:7000 receives "ping"

    @SD-1 @G-5
    Scenario: the remote host may be written bare
      When the host sends AT+CIPSEND=0,4,192.168.0.104,7000
      Then the module replies >
      When the host sends the raw bytes "ping"
      Then the module replies:
        """
        SEND OK
        +IPD,4:ping
        """

    @SD-1
    Scenario: the remote host may be a domain name
      Given the DNS name "echo.lab.example" resolves to 192.168.0.104
      When the host sends AT+CIPSEND=0,4,"echo.lab.example",7000
      Then the module replies >
      When the host sends the raw bytes "ping"
      Then the module replies:
        """
        SEND OK
        +IPD,4:ping
        """
      And the peer at 192.168.0.104:7000 receives "ping"
      And the peer at 192.168.0.103:20108 has received nothing

    @SD-1
    Scenario: a remote host that does not resolve is refused
      When the host sends AT+CIPSEND=0,4,"nowhere.lab.example",7000
      Then the module replies ERROR
      And the module stays silent for 200 ms

    @SD-1 @G-4
    Scenario Outline: a bad remote port is refused
      When the host sends AT+CIPSEND=0,4,"192.168.0.104",<port>
      Then the module replies ERROR
      And the module stays silent for 200 ms
      And the peer at 192.168.0.104:7000 has received nothing

      Examples:
        | port  |
        | 0     |
        | 65536 |
        | -1    |
        | x     |
        |       |

    @SD-1 @SD-2 @G-4
    Scenario Outline: a UDP CIPSEND with a remote checks its length too
      When the host sends AT+CIPSEND=0,<length>,"192.168.0.104",7000
      Then the module replies ERROR
      And the peer at 192.168.0.104:7000 has received nothing

      Examples:
        | length |
        | 0      |
        | 2049   |

    @SD-6 @RX-1
    Scenario: the replies of another sender are delivered as their datagrams
      When the host sends AT+CIPSEND=0,4,"192.168.0.104",7000
      Then the module replies >
      When the host sends the raw bytes "ping"
      Then the module replies SEND OK
      And the module replies +IPD,4:ping
      When the peer at 192.168.0.104:7000 sends "abc"
      And the peer at 192.168.0.104:7000 sends "defgh"
      Then the module replies:
        """
        +IPD,3:abc
        +IPD,5:defgh
        """

  Rule: on a server link

    Background:
      Given the module has just booted
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=1,"TCP","192.168.0.103",20108,0,5637,"0.0.0.0"
      Then the module replies OK

    @SD-3
    Scenario: a server link with no peer yet gives CMDRSP:ERROR and no prompt
      When the host sends AT+CIPSEND=1,5
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 200 ms

    @SD-3 @SD-4 @SD-5
    Scenario: a server link sends to its peer once it has one
      When a TCP client at 192.168.0.104 connects to the module on port 5637
      Then the module replies 1,CONNECT
      When the host sends AT+CIPSEND=1,5
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the module replies SEND OK
      And the peer at 192.168.0.104:5637 receives "hello"

    @SD-3
    Scenario: with CIPMUX=1 a link that is not open gives CMDRSP:ERROR
      When the host sends AT+CIPSEND=0,5
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 200 ms
      When the host sends AT+CIPSEND=4,5
      Then the module replies CMDRSP:ERROR

    @SD-3 @RX-2
    Scenario: a server link whose peer left gives CMDRSP:ERROR
      When a TCP client at 192.168.0.104 connects to the module on port 5637
      Then the module replies 1,CONNECT
      When the peer at 192.168.0.104:5637 closes the connection
      Then the module replies 1,CLOSED
      When the host sends AT+CIPSEND=1,5
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 200 ms
