@esp-at
Feature: esp-at: AT+CIPSEND in normal mode (ES)

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And a TCP sink at 192.168.0.104:20109
    And the module has just booted
    And the module has joined "lab"

  Rule: on a TCP client link in single connection

    Background:
      When the host sends AT+CIPSTART="TCP","192.168.0.104",20109
      Then the module replies:
        """
        CONNECT
        OK
        """

    @ES-1 @ES-4 @ES-5
    Scenario: the prompt, then exactly the length in raw bytes, then Recv and SEND OK, byte for byte
      When the host sends AT+CIPSEND=300
      Then the module replies the bytes "\r\nOK\r\n\r\n>"
      When the host sends 300 bytes of data
      Then the module replies the bytes "\r\nRecv 300 bytes\r\n\r\nSEND OK\r\n"
      And the peer at 192.168.0.104:20109 has received exactly the host's data

    @ES-2
    Scenario Outline: lengths 1 and 8192 are sent whole
      When the host sends AT+CIPSEND=<length>
      Then the module replies:
        """
        OK
        >
        """
      When the host sends <length> bytes of data
      Then the module replies:
        """
        Recv <length> bytes
        SEND OK
        """
      And the peer at 192.168.0.104:20109 has received exactly the host's data

      Examples:
        | length |
        | 1      |
        | 8192   |

    @ES-8
    Scenario: AT+CIPSENDEX ends at backslash-zero and sends what came before it
      When the host sends AT+CIPSENDEX=100
      Then the module replies the bytes "\r\nOK\r\n\r\n>"
      When the host sends the raw bytes "hello\\0"
      Then the module replies the bytes "\r\nRecv 5 bytes\r\n\r\nSEND OK\r\n"
      And the peer at 192.168.0.104:20109 receives "hello"

    @ES-8
    Scenario: AT+CIPSENDEX sends an escaped backslash-zero as data, and ends at its length
      When the host sends AT+CIPSENDEX=6
      Then the module replies the bytes "\r\nOK\r\n\r\n>"
      When the host sends the raw bytes "a\\\\0b!"
      Then the module replies the bytes "\r\nRecv 5 bytes\r\n\r\nSEND OK\r\n"
      And the peer at 192.168.0.104:20109 receives "a\\0b!"

    @ES-8 @ES-2 @EG-5
    Scenario Outline: AT+CIPSENDEX with a length out of range is ERROR
      When the host sends AT+CIPSENDEX=<length>
      Then the module replies ERROR
      And the module stays silent for 200 ms

      Examples:
        | length |
        | 0      |
        | 8193   |

    @ES-2 @EG-5
    Scenario Outline: a length out of range is ERROR, with no prompt and nothing sent
      When the host sends AT+CIPSEND=<length>
      Then the module replies ERROR
      And the module stays silent for 200 ms
      And the peer at 192.168.0.104:20109 has received nothing

      Examples:
        | length |
        | 0      |
        | 8193   |
        | -1     |
        | "5"    |

    @ES-1 @EG-5
    Scenario Outline: the other mode's form, or a remote host and port on a TCP link, is ERROR
      When the host sends <line>
      Then the module replies ERROR
      And the module stays silent for 200 ms
      And the peer at 192.168.0.104:20109 has received nothing

      Examples:
        | line                                   |
        | AT+CIPSEND=0,5                         |
        | AT+CIPSEND=5,"192.168.0.104",20109     |
        | AT+CIPSEND=5,"192.168.0.106",7000      |
        | AT+CIPSEND=5,"192.168.0.104"           |

    @ES-4
    Scenario: data that looks like commands, with CR and LF, is data and is not echoed
      When the host sends ATE1
      Then the module replies OK
      When the host sends AT+CIPSEND=18
      Then the module replies:
        """
        AT+CIPSEND=18
        OK
        >
        """
      When the host sends the raw bytes "AT+RST\r\nAT\r\nATE0\r\n"
      Then the module replies:
        """
        Recv 18 bytes
        SEND OK
        """
      And the peer at 192.168.0.104:20109 receives "AT+RST\r\nAT\r\nATE0\r\n"
      And the module stays silent for 500 ms

    @ES-4
    Scenario: data has no escapes
      When the host sends AT+CIPSEND=8
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "a\\,b\\\"\\0"
      Then the module replies:
        """
        Recv 8 bytes
        SEND OK
        """
      And the peer at 192.168.0.104:20109 receives "a\\,b\\\"\\0"

    @ES-4
    Scenario: there is no timeout while the module collects the data
      When the host sends AT+CIPSEND=10
      Then the module replies:
        """
        OK
        >
        """
      When the host sends 4 bytes of data
      Then the module stays silent for 10 s
      And the peer at 192.168.0.104:20109 has received nothing
      When the host sends 6 bytes of data
      Then the module replies:
        """
        Recv 10 bytes
        SEND OK
        """
      And the peer at 192.168.0.104:20109 has received exactly the host's data

    @ES-4 @ES-6
    Scenario: after SEND OK the input is commands again
      When the host sends AT+CIPSEND=5
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "hello"
      Then the module replies:
        """
        Recv 5 bytes
        SEND OK
        """
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.104:20109 receives "hello"

    @ES-5 @ET-10
    Scenario: a link closed by the peer before the data is SEND FAIL, then CLOSED
      When the host sends AT+CIPSEND=10
      Then the module replies:
        """
        OK
        >
        """
      When the peer at 192.168.0.104:20109 closes the connection
      And the host waits 300 ms
      And the host sends 10 bytes of data
      Then the module replies the bytes "\r\nRecv 10 bytes\r\n\r\nSEND FAIL\r\nCLOSED\r\n"

    @ES-5 @sim
    Scenario: a peer host that crashes while the host types gives SEND FAIL
      When the host sends AT+CIPSEND=10
      Then the module replies:
        """
        OK
        >
        """
      When the host at 192.168.0.104 crashes
      And the host waits 500 ms
      And the host sends 10 bytes of data
      Then the module replies Recv 10 bytes
      And the module replies SEND FAIL within 30 s
      And the module replies CLOSED

    @ES-3 @ET-10
    Scenario: after the link is gone CIPSEND is ERROR with no prompt
      When the peer at 192.168.0.104:20109 closes the connection
      Then the module replies CLOSED
      When the host sends AT+CIPSEND=5
      Then the module replies the bytes "\r\nERROR\r\n"
      And the module stays silent for 200 ms

    @ES-6 @EG-7 @sim
    Scenario: while the stack has not taken the data, commands are busy p...
      Given the network holds at most 4096 bytes in flight per TCP connection
      When the peer at 192.168.0.104:20109 stops reading
      And the host sends AT+CIPSEND=8192
      Then the module replies:
        """
        OK
        >
        """
      When the host sends 8192 bytes of data
      Then the module replies Recv 8192 bytes
      When the host sends AT
      Then the module replies busy p...
      When the host sends AT+CIPSTATE?
      Then the module replies busy p...
      When the peer at 192.168.0.104:20109 resumes reading
      Then the module replies SEND OK
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.104:20109 has received exactly the host's data

  Rule: in multiple connections

    @ES-1 @ES-3
    Scenario: the link ID comes first; a link that is not open is ERROR
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=2,"TCP","192.168.0.104",20109
      Then the module replies:
        """
        2,CONNECT
        OK
        """
      When the host sends AT+CIPSEND=1,5
      Then the module replies ERROR
      When the host sends AT+CIPSEND=5
      Then the module replies ERROR
      When the host sends AT+CIPSEND=2,5
      Then the module replies the bytes "\r\nOK\r\n\r\n>"
      When the host sends the raw bytes "hello"
      Then the module replies:
        """
        Recv 5 bytes
        SEND OK
        """
      And the peer at 192.168.0.104:20109 receives "hello"

    @ES-3 @ET-12
    Scenario: a server's client that has gone is ERROR
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSERVER=1,8080
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 8080
      Then the module replies 0,CONNECT
      When the peer at 192.168.0.110:8080 closes the connection
      Then the module replies 0,CLOSED
      When the host sends AT+CIPSEND=0,5
      Then the module replies ERROR
      And the module stays silent for 200 ms

  Rule: on UDP links

    Background:
      Given a UDP sink at 192.168.0.105:5000
      And a UDP sink at 192.168.0.106:6000

    @ES-7
    Scenario: one CIPSEND is one datagram
      When the host sends AT+CIPSTART="UDP","192.168.0.105",5000
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CIPSEND=100
      Then the module replies:
        """
        OK
        >
        """
      When the host sends 100 bytes of data
      Then the module replies:
        """
        Recv 100 bytes
        SEND OK
        """
      When the host sends AT+CIPSEND=200
      Then the module replies:
        """
        OK
        >
        """
      When the host sends 200 bytes of data
      Then the module replies:
        """
        Recv 200 bytes
        SEND OK
        """
      And the UDP peer at 192.168.0.105:5000 has received datagrams of 100 and 200 bytes

    @ES-7 @ES-1
    Scenario: a remote given with CIPSEND gets that one datagram; the next goes to the link's remote
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPSEND=0,4,"192.168.0.106",6000
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "away"
      Then the module replies:
        """
        Recv 4 bytes
        SEND OK
        """
      When the host sends AT+CIPSEND=0,4
      Then the module replies:
        """
        OK
        >
        """
      When the host sends the raw bytes "home"
      Then the module replies:
        """
        Recv 4 bytes
        SEND OK
        """
      And the UDP peer at 192.168.0.106:6000 has received datagrams of 4 bytes
      And the peer at 192.168.0.106:6000 receives "away"
      And the UDP peer at 192.168.0.105:5000 has received datagrams of 4 bytes
      And the peer at 192.168.0.105:5000 receives "home"
