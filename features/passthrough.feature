Feature: Passthrough (transparent) mode: AT+CIPMODE=1, AT+CIPSEND and the +++ escape

  In passthrough the UART carries the link's data raw in both directions.
  The host leaves it with a "single packet +++": three + bytes with 20 ms of
  UART silence before and after, and waits 1 s before its next command.
  Timings: at 115200 baud a byte takes 87 us, so 100 bytes take 9 ms and
  20000 bytes 1.74 s; "the host waits" counts from the moment the line has
  carried the bytes the host sent before (STEPS.md).

  Background:
    Given a TCP sink at 192.168.0.103:20108
    And the module has just booted

  Rule: AT+CIPSEND without parameters enters passthrough only on a single client link with CIPMODE=1

    @PT-1
    Scenario: a TCP client link with CIPMODE=1 enters passthrough
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends 100 bytes of data
      Then the peer at 192.168.0.103:20108 has received exactly the host's data
      And the module stays silent for 200 ms

    @PT-1
    Scenario: CIPMODE=1 may be set after the link is open
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the peer at 192.168.0.103:20108 receives "hello"

    @PT-1
    Scenario: a UDP link with its fixed peer enters passthrough, a packet per datagram
      Given a UDP sink at 192.168.0.105:5000
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the UDP peer at 192.168.0.105:5000 has received datagrams of 5 bytes
      And the peer at 192.168.0.105:5000 receives "hello"

    @PT-1 @PT-3 @tls
    Scenario: a TLS client link enters passthrough
      Given a TLS-PSK echo server at 192.168.0.104:4433 with key "secret" and identity "client1"
      When the host sends AT+CIPSSLCPSK="secret","client1"
      Then the module replies OK
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TLS","192.168.0.104",4433
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the host receives the raw bytes "hello"

    @PT-1 @tls
    Scenario: a DTLS link does not enter passthrough
      Given a DTLS-PSK echo server at 192.168.0.104:4434 with key "secret" and identity "client1"
      When the host sends AT+CIPSSLCPSK="secret","client1"
      Then the module replies OK
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"DTLS","192.168.0.104",4434
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies CMDRSP:ERROR
      When the host sends AT
      Then the module replies OK

    @PT-1
    Scenario: with CIPMODE=0 AT+CIPSEND is refused and the module stays in command mode
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 100 ms
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.103:20108 has received nothing

    @PT-1
    Scenario: with no link open AT+CIPSEND is refused
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies CMDRSP:ERROR
      And the module stays silent for 100 ms
      When the host sends AT
      Then the module replies OK

    @PT-1 @MD-2
    Scenario: with CIPMUX=1 passthrough cannot be entered
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPMODE=1
      Then the module replies ERROR
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies CMDRSP:ERROR
      When the host sends AT
      Then the module replies OK

    @PT-1
    Scenario: a TCP server link is no client link and does not enter passthrough
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108,5637,"192.168.0.107"
      Then the module replies OK
      When a TCP client at 192.168.0.110 connects to the module on port 5637
      Then the module replies CONNECT
      When the host sends AT+CIPSEND
      Then the module replies CMDRSP:ERROR
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.110:5637 has received nothing

    @PT-1 @RX-2
    Scenario: once the peer closed the link AT+CIPSEND is refused
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK
      When the peer at 192.168.0.103:20108 closes the connection
      Then the module replies CLOSED
      When the host sends AT+CIPSEND
      Then the module replies CMDRSP:ERROR
      When the host sends AT
      Then the module replies OK

    @PT-1 @G-4
    Scenario Outline: AT+CIPSEND in a form it does not have is refused and enters no passthrough
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK
      When the host sends <command>
      Then the module replies ERROR
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.103:20108 has received nothing

      Examples:
        | command        |
        | AT+CIPSEND?    |
        | AT+CIPSEND=?   |
        | AT+CIPSEND=0   |
        | AT+CIPSEND=,   |

  Rule: in passthrough on a TCP client link

    Background:
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >

    @PT-2
    Scenario: a long stream reaches the peer whole, once and in order
      When the host sends 20000 bytes of data
      Then the peer at 192.168.0.103:20108 has received exactly the host's data
      And the module stays silent for 100 ms

    @PT-2 @PT-4 @sim
    Scenario: data in pieces with pauses reaches the peer whole, a guarded + inside it included
      # Pieces of 100 bytes every 30 ms leave 21 ms of silence before each
      # piece; piece 18 starts with the data byte +, which the next byte
      # of its piece proves to be data.
      When the host sends 3000 bytes of data in pieces of 100 bytes every 30 ms
      Then the peer at 192.168.0.103:20108 has received exactly the host's data
      And the module stays silent for 100 ms

    @PT-3
    Scenario: the peer's bytes reach the host raw, without +IPD framing
      When the peer at 192.168.0.103:20108 sends "line 1\r\n+IPD,0,3:abc\r\nAT\r\n"
      Then the host receives the raw bytes "line 1\r\n+IPD,0,3:abc\r\nAT\r\n"
      And the module stays silent for 100 ms

    @PT-3
    Scenario: a long stream from the peer reaches the host whole, at the UART's pace
      When the peer at 192.168.0.103:20108 sends 20000 bytes of data
      Then the host receives 20000 bytes of the peer's data
      And the module stays silent for 100 ms

    @PT-4 @PT-5 @sim
    Scenario: a guarded +++ returns to command mode silently, after the data before it
      When the host sends 100 bytes of data
      And the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data

    @PT-4 @PT-5
    Scenario: a guarded +++ right after a long burst: the silence counts from the burst's last byte
      When the host sends 6000 bytes of data
      And the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.103:20108 has received exactly the host's data

    @PT-4 @sim
    Scenario: the guard before +++ is 20 ms: 15 ms of silence is too little
      When the host sends the raw bytes "abc"
      And the host waits 15 ms
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      And the host sends the raw bytes "d"
      Then the peer at 192.168.0.103:20108 receives "abc+++d"

    @PT-4 @sim
    Scenario: the guard before +++ is 20 ms: 25 ms of silence is enough
      When the host sends the raw bytes "abc"
      And the host waits 25 ms
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.103:20108 receives "abc"

    @PT-4 @sim
    Scenario: +++ right after the prompt is data: the AT+CIPSEND line is the input just before it
      When the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the peer at 192.168.0.103:20108 receives "+++"
      When the host waits 1 s
      And the host sends AT
      Then the peer at 192.168.0.103:20108 receives "+++AT\r\n"
      And the module stays silent for 100 ms

    @PT-4 @sim
    Scenario: the guard after +++ is 20 ms: a byte 15 ms after it makes the three + data
      When the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 15 ms
      And the host sends the raw bytes "e"
      Then the peer at 192.168.0.103:20108 receives "+++e"

    @PT-4 @sim
    Scenario: three + bytes 10 ms apart are an escape
      When the host waits 50 ms
      And the host sends the raw bytes "+"
      And the host waits 10 ms
      And the host sends the raw bytes "+"
      And the host waits 10 ms
      And the host sends the raw bytes "+"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the host sends AT
      Then the module replies OK
      And the peer at 192.168.0.103:20108 has received nothing

    @PT-4 @sim
    Scenario Outline: + bytes that are no single packet +++ are data, and passthrough goes on
      When the host waits 50 ms
      And the host sends the raw bytes "<bytes>"
      And the host waits 50 ms
      Then the peer at 192.168.0.103:20108 receives "<bytes>"
      When the host waits 1 s
      And the host sends AT
      Then the peer at 192.168.0.103:20108 receives "<bytes>AT\r\n"
      And the module stays silent for 100 ms

      Examples:
        | bytes |
        | x+++  |
        | +++y  |
        | ++++  |
        | ++    |
        | +     |
        | a+b+c |

    @PT-4 @sim
    Scenario: a byte 5 ms after +++ makes the three + data
      When the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 5 ms
      And the host sends the raw bytes "y"
      And the host waits 50 ms
      Then the peer at 192.168.0.103:20108 receives "+++y"
      When the host waits 1 s
      And the host sends AT
      Then the peer at 192.168.0.103:20108 receives "+++yAT\r\n"
      And the module stays silent for 100 ms

    @PT-4 @sim
    Scenario: +++ 5 ms after other data is data
      When the host waits 50 ms
      And the host sends the raw bytes "abc"
      And the host waits 5 ms
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the peer at 192.168.0.103:20108 receives "abc+++"
      When the host waits 1 s
      And the host sends AT
      Then the peer at 192.168.0.103:20108 receives "abc+++AT\r\n"
      And the module stays silent for 100 ms

    @PT-4 @sim
    Scenario: three + bytes 30 ms apart are data
      When the host waits 50 ms
      And the host sends the raw bytes "+"
      And the host waits 30 ms
      And the host sends the raw bytes "+"
      And the host waits 30 ms
      And the host sends the raw bytes "+"
      And the host waits 50 ms
      Then the peer at 192.168.0.103:20108 receives "+++"
      When the host waits 1 s
      And the host sends AT
      Then the peer at 192.168.0.103:20108 receives "+++AT\r\n"
      And the module stays silent for 100 ms

    @PT-5 @ST-1 @sim
    Scenario: after the escape the link stays open and AT+CIPSEND enters passthrough again
      When the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the host sends AT+CIPSTATUS?
      Then the module replies:
        """
        +BIPSTATUS:0,192.168.0.103,20108,{n},0
        OK
        """
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends 100 bytes of data
      Then the peer at 192.168.0.103:20108 has received exactly the host's data
      When the peer at 192.168.0.103:20108 sends "back"
      Then the host receives the raw bytes "back"

    @PT-5 @PT-3 @RX-1 @sim
    Scenario: after the escape the peer's data comes as +IPD again
      When the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the peer at 192.168.0.103:20108 sends "pong"
      Then the module replies +IPD,4:pong

    @PT-5 @sim
    Scenario: a command 900 ms after the escape is discarded without a reply
      When the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 900 ms
      And the host sends AT+CIPMODE=0
      Then the module stays silent for 1 s
      When the host sends AT+CIPMODE?
      Then the module replies:
        """
        +CIPMODE:1
        OK
        """
      And the peer at 192.168.0.103:20108 has received nothing

    @PT-5 @RX-2 @sim
    Scenario: the link closing right after the escape does not cut the 1 s of discarded input short
      When the host waits 50 ms
      And the host sends the raw bytes "+++"
      And the host waits 100 ms
      And the peer at 192.168.0.103:20108 closes the connection
      Then the module replies CLOSED
      When the host sends AT
      Then the module stays silent for 1 s
      When the host sends AT
      Then the module replies OK

    @PT-6 @RX-2
    Scenario: the peer closes the link during passthrough
      When the host sends 100 bytes of data
      Then the peer at 192.168.0.103:20108 has received exactly the host's data
      When the peer at 192.168.0.103:20108 closes the connection
      Then the module replies CLOSED
      When the host sends AT
      Then the module replies OK
      When the host sends AT+CIPSTATUS?
      Then the module replies OK

    @PT-6 @PT-1
    Scenario: after the link closed in passthrough a new link enters passthrough afresh
      Given a TCP sink at 192.168.0.104:20108
      When the peer at 192.168.0.103:20108 closes the connection
      Then the module replies CLOSED
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.104",20108
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends 100 bytes of data
      Then the peer at 192.168.0.104:20108 has received exactly the host's data
      And the peer at 192.168.0.103:20108 has received nothing

    @PT-7 @PT-4 @PT-5 @sim
    Scenario: far more than the buffer over a cut TCP link: the module survives and the link stays up
      # The dropped-byte count has no sentence; what can be seen is that the
      # module still answers after the escape and the link still carries data.
      When the link between the module and 192.168.0.103 is cut
      And the host sends 20000 bytes of data
      And the host waits 2 s
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the host sends AT
      Then the module replies OK
      When the link between the module and 192.168.0.103 is restored
      And the host sends AT+CIPSTATUS?
      Then the module replies:
        """
        +BIPSTATUS:0,192.168.0.103,20108,{n},0
        OK
        """
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the peer at 192.168.0.103:20108 receives "hello"
      When the peer at 192.168.0.103:20108 sends "pong"
      Then the host receives the raw bytes "pong"

  Rule: in passthrough on a UDP link a packet is a datagram, so its size shows

    Background:
      Given a UDP sink at 192.168.0.105:5000
      And a UDP echo server at 192.168.0.106:5001

    @PT-2 @sim
    Scenario: the UART's 1024-byte pieces go out 20 ms after they arrive, not held for 1460 bytes
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends 3000 bytes of data
      Then the UDP peer at 192.168.0.105:5000 has received datagrams of 1024, 1024 and 952 bytes
      And the peer at 192.168.0.105:5000 has received exactly the host's data

    @PT-2 @sim
    Scenario: a partial packet waits 20 ms before it goes
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.106",5001
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the module stays silent for 20 ms
      And the host receives the raw bytes "hello"

    @PT-2 @sim
    Scenario: a partial packet leaves 20 ms after its oldest byte, not later
      # 7 bytes take 0.6 ms on the line and end a piece 0.9 ms later; the
      # datagram leaves 20 ms after that piece, takes 1 ms each way to the
      # echo and back, and 0.6 ms more on the line: 24.1 ms after the host
      # started, to within the network's 1 ms tick. At 25 ms it would be
      # 29 ms.
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.106",5001
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "hello\r\n"
      Then the module stays silent for 20 ms
      And the module replies hello within 6 ms

    @PT-2 @sim
    Scenario: a partial packet goes out once its oldest byte waited 20 ms
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "abc"
      And the host waits 25 ms
      And the host sends the raw bytes "def"
      And the host waits 100 ms
      Then the UDP peer at 192.168.0.105:5000 has received datagrams of 3 and 3 bytes
      And the peer at 192.168.0.105:5000 receives "abcdef"

    @PT-4 @PT-2 @sim
    Scenario: a fourth + within 20 ms of the third proves all four data, and they go out at once
      # + bytes 10 ms apart: the fourth shows they are no escape; the oldest
      # has waited 30 ms, so the four leave at once, and "abc" 5 ms later is
      # a datagram of its own.
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host waits 50 ms
      And the host sends the raw bytes "+"
      And the host waits 10 ms
      And the host sends the raw bytes "+"
      And the host waits 10 ms
      And the host sends the raw bytes "+"
      And the host waits 10 ms
      And the host sends the raw bytes "+"
      And the host waits 5 ms
      And the host sends the raw bytes "abc"
      And the host waits 100 ms
      Then the UDP peer at 192.168.0.105:5000 has received datagrams of 4 and 3 bytes
      And the peer at 192.168.0.105:5000 receives "++++abc"

    @PT-3
    Scenario: a datagram from the fixed peer reaches the host raw
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.106",5001
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "ping\r\n"
      Then the host receives the raw bytes "ping\r\n"
      And the module stays silent for 100 ms

    @PT-7 @PT-4 @PT-5 @sim
    Scenario: far more than the buffer over a cut UDP link: the module survives and the link still carries data
      When the host sends AT+CIPMODE=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"UDP","192.168.0.105",5000
      Then the module replies OK
      When the host sends AT+CIPSEND
      Then the module replies >
      When the link between the module and 192.168.0.105 is cut
      And the host sends 20000 bytes of data
      And the host waits 2 s
      And the host sends the raw bytes "+++"
      And the host waits 50 ms
      Then the module stays silent for 1 s
      When the host sends AT
      Then the module replies OK
      When the link between the module and 192.168.0.105 is restored
      And the host sends AT+CIPSEND
      Then the module replies >
      When the host sends the raw bytes "hello"
      Then the peer at 192.168.0.105:5000 receives "hello"
