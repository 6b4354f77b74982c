@esp-at
Feature: esp-at: the Wi-Fi station (EW)

  AT+CWMODE, AT+CWJAP, AT+CWQAP, AT+CWSTATE?, AT+CIFSR, AT+CWLAP and
  AT+CWLAPOPT, auto-connect and reconnection. The lab's access point "lab"
  (WPA2, -40 dBm, channel 6) is up in every scenario.

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6

  Rule: AT+CWMODE

    @EW-1 @EW-2
    Scenario Outline: every mode is accepted and queried back
      Given the module has just booted
      When the host sends AT+CWMODE?
      Then the module replies:
        """
        +CWMODE:1
        OK
        """
      When the host sends AT+CWMODE=<mode>
      Then the module replies OK
      When the host sends AT+CWMODE?
      Then the module replies:
        """
        +CWMODE:<mode>
        OK
        """

      Examples:
        | mode |
        | 0    |
        | 1    |
        | 2    |
        | 3    |

    @EW-2 @EG-5
    Scenario Outline: a mode or auto-connect flag out of range is ERROR
      Given the module has just booted
      When the host sends AT+CWMODE=<params>
      Then the module replies ERROR
      When the host sends AT+CWMODE?
      Then the module replies:
        """
        +CWMODE:1
        OK
        """

      Examples:
        | params |
        | 4      |
        | -1     |
        | 1,2    |
        | 1,-1   |

    @EW-2 @EW-9
    Scenario Outline: leaving the station modes disconnects the station after OK
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWMODE=<mode>
      Then the module replies the bytes "\r\nOK\r\nWIFI DISCONNECT\r\n"
      And the module stays silent for 3 s

      Examples:
        | mode |
        | 0    |
        | 2    |

    @EW-2 @EW-9
    Scenario: back to station mode the stored access point is joined again
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWMODE=0
      Then the module replies OK
      And the module replies WIFI DISCONNECT
      When the host sends AT+CWMODE=1
      Then the module replies OK
      And the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        """

    @EW-2
    Scenario: back to station mode with auto_connect 0 it stays disconnected
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWMODE=0
      Then the module replies OK
      And the module replies WIFI DISCONNECT
      When the host sends AT+CWMODE=1,0
      Then the module replies OK
      And the module stays silent for 3 s

    @EW-3
    Scenario Outline: without the station AT+CWJAP and AT+CWLAP are ERROR
      Given the module has just booted
      When the host sends AT+CWMODE=<mode>
      Then the module replies OK
      When the host sends AT+CWJAP="lab","labpass1"
      Then the module replies ERROR
      When the host sends AT+CWJAP
      Then the module replies ERROR
      When the host sends AT+CWLAP
      Then the module replies ERROR
      And the module stays silent for 3 s

      Examples:
        | mode |
        | 0    |
        | 2    |

  Rule: joining with AT+CWJAP

    @EW-4
    Scenario: a join answers WIFI CONNECTED, WIFI GOT IP and OK, byte for byte
      Given the module has just booted
      When the host sends AT+CWJAP="lab","labpass1"
      Then the module replies the bytes "WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n" within 15 s
      And the module stays silent for 500 ms

    @EW-4
    Scenario: an open access point is joined with an empty password
      Given an open access point "cafe" at -70 dBm on channel 11
      And the module has just booted
      When the host sends AT+CWJAP="cafe",""
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:2,"cafe"
        OK
        """

    @EW-4 @EW-9
    Scenario: joining another access point first reports leaving the first
      Given an open access point "cafe" at -70 dBm on channel 11
      And the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWJAP="cafe",""
      Then the module replies:
        """
        WIFI DISCONNECT
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """

    @EW-4
    Scenario: a 32-byte SSID and a 63-byte password are joined
      Given an access point "ssssssssssssssssssssssssssssssss" with password "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp" at -50 dBm on channel 3
      And the module has just booted
      When the host sends AT+CWJAP="ssssssssssssssssssssssssssssssss","ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """

    @EW-4 @EW-5
    Scenario: a 64-byte password is a valid parameter, here the wrong one
      Given an access point "ssssssssssssssssssssssssssssssss" with password "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp" at -50 dBm on channel 3
      And the module has just booted
      When the host sends AT+CWJAP="ssssssssssssssssssssssssssssssss","pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
      Then the module replies:
        """
        +CWJAP:2
        ERROR
        """

    @EW-4 @EG-5
    Scenario Outline: an SSID or password out of range is ERROR and nothing is tried
      Given the module has just booted
      When the host sends AT+CWJAP=<params>
      Then the module replies ERROR
      And the module stays silent for 500 ms
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:0,""
        OK
        """

      Examples:
        | params               |
        | "sssssssssssssssssssssssssssssssss","labpass1" |
        | "","labpass1"        |
        | "lab","ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp" |

    @EW-4 @EW-5
    Scenario: a BSSID that is not the access point's finds no access point
      Given the module has just booted
      When the host sends AT+CWJAP="lab","labpass1","02:00:00:00:00:01"
      Then the module replies:
        """
        +CWJAP:3
        ERROR
        """

    @EW-5 @EW-12
    Scenario: a wrong password is +CWJAP:2 within 5 s, and the station is disconnected
      Given the module has just booted
      When the host sends AT+CWJAP="lab","wrongpass"
      Then the module replies +CWJAP:2 within 5 s
      And the module replies ERROR
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:4,"lab"
        OK
        """

    @EW-5
    Scenario: an SSID nobody sends is +CWJAP:3 within 5 s
      Given the module has just booted
      When the host sends AT+CWJAP="nowhere","labpass1"
      Then the module replies +CWJAP:3 within 5 s
      And the module replies ERROR
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:4,"nowhere"
        OK
        """

    @EW-6 @EW-8
    Scenario Outline: parameters at the ends of their ranges are accepted
      Given the module has just booted
      When the host sends AT+CWJAP="lab","labpass1"<params>
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """
      When the host sends AT+CWJAP?
      Then the module replies:
        """
        +CWJAP:"lab","{*}",6,-40,0,<shown>
        OK
        """

      Examples:
        | params       | shown          |
        | ,,,0         | 0,3,0,1        |
        | ,,,7200      | 7200,3,0,1     |
        | ,,,,1        | 1,1,0,1        |
        | ,,,,100      | 1,100,0,1      |
        | ,,,,,1       | 1,3,1,1        |
        | ,,,,,,3      | 1,3,0,1        |
        | ,,,,,,600    | 1,3,0,1        |
        | ,,,,,,,0     | 1,3,0,0        |
        | ,,,,,,,3     | 1,3,0,3        |

    @EW-6 @EG-5
    Scenario Outline: parameters out of range are ERROR and no join is tried
      Given the module has just booted
      When the host sends AT+CWJAP="lab","labpass1"<params>
      Then the module replies ERROR
      And the module stays silent for 500 ms
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:0,""
        OK
        """

      Examples:
        | params     |
        | ,,,-1      |
        | ,,,7201    |
        | ,,,,0      |
        | ,,,,101    |
        | ,,,,,2     |
        | ,,,,,,2    |
        | ,,,,,,601  |
        | ,,,,,,,4   |

    @EW-7
    Scenario: AT+CWJAP alone joins the last access point again
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWQAP
      Then the module replies OK
      And the module replies WIFI DISCONNECT
      When the host sends AT+CWJAP
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """

    @EW-7
    Scenario: the set form with SSID and password left out joins the last access point again
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWQAP
      Then the module replies OK
      And the module replies WIFI DISCONNECT
      When the host sends AT+CWJAP=,
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """

    @EW-7
    Scenario: AT+CWJAP alone with no access point ever given is +CWJAP:3
      Given the module has just booted
      When the host sends AT+CWJAP
      Then the module replies:
        """
        +CWJAP:3
        ERROR
        """

    @EW-8
    Scenario: AT+CWJAP? while connected, and No AP while not
      Given the module has just booted
      When the host sends AT+CWJAP?
      Then the module replies the bytes "No AP\r\n\r\nOK\r\n"
      Given the module has joined "lab"
      When the host sends AT+CWJAP?
      Then the module replies:
        """
        +CWJAP:"lab","{*}:{*}:{*}:{*}:{*}:{*}",6,-40,0,1,3,0,1
        OK
        """

  Rule: losing and finding the access point

    @EW-9 @sim
    Scenario: an access point that goes down is noticed after 6 s
      Given the module has just booted
      And the module has joined "lab"
      When the access point "lab" goes down
      Then the module stays silent for 5 s
      And the module replies WIFI DISCONNECT within 2 s

    @EW-9 @ET-10 @EQ-1
    Scenario: losing the access point closes TCP links and keeps UDP ones
      Given a TCP sink at 192.168.0.103:20108
      And a UDP sink at 192.168.0.105:5000
      And the module has just booted
      And the module has joined "lab"
      When the host sends AT+CIPMUX=1
      Then the module replies OK
      When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
      Then the module replies:
        """
        0,CONNECT
        OK
        """
      When the host sends AT+CIPSTART=1,"UDP","192.168.0.105",5000
      Then the module replies:
        """
        1,CONNECT
        OK
        """
      When the access point "lab" goes down
      Then the module replies WIFI DISCONNECT within 8 s
      And the module replies 0,CLOSED
      When the host sends AT+CIPSTATE?
      Then the module replies:
        """
        +CIPSTATE:1,"UDP","192.168.0.105",5000,{n},0
        OK
        """

    @EW-10 @EW-12
    Scenario: the station rejoins the access point once it is back
      Given the module has just booted
      And the module has joined "lab"
      When the access point "lab" goes down
      Then the module replies WIFI DISCONNECT within 8 s
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:3,"lab"
        OK
        """
      When the access point "lab" comes back up
      Then the module replies WIFI CONNECTED within 5 s
      And the module replies WIFI GOT IP
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:2,"lab"
        OK
        """

    @EW-10 @EW-15 @EW-12
    Scenario: with reconnection off the station stays disconnected
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWRECONNCFG=0,0
      Then the module replies OK
      When the access point "lab" goes down
      Then the module replies WIFI DISCONNECT within 8 s
      When the access point "lab" comes back up
      Then the module stays silent for 5 s
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:4,"lab"
        OK
        """

    @EW-10 @EW-15 @sim
    Scenario: the station gives up after repeat_count tries
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWRECONNCFG=1,3
      Then the module replies OK
      When the access point "lab" goes down
      Then the module replies WIFI DISCONNECT within 8 s
      When the host waits 10 s
      And the access point "lab" comes back up
      Then the module stays silent for 5 s

    @EW-11 @EW-12
    Scenario: AT+CWQAP answers OK, then WIFI DISCONNECT, and the station stays away
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWQAP
      Then the module replies the bytes "\r\nOK\r\nWIFI DISCONNECT\r\n"
      And the module stays silent for 3 s
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:4,"lab"
        OK
        """

    @EW-11
    Scenario: AT+CWQAP while not connected is OK alone
      Given the module has just booted
      When the host sends AT+CWQAP
      Then the module replies the bytes "\r\nOK\r\n"
      And the module stays silent for 1 s

    @EW-11 @ET-10
    Scenario: AT+CWQAP closes the open TCP link after its own lines
      Given a TCP sink at 192.168.0.103:20108
      And the module has just booted
      And the module has joined "lab"
      When the host sends AT+CIPSTART="TCP","192.168.0.103",20108
      Then the module replies:
        """
        CONNECT
        OK
        """
      When the host sends AT+CWQAP
      Then the module replies:
        """
        OK
        WIFI DISCONNECT
        CLOSED
        """
      And the peer at 192.168.0.103:20108 has 0 open connections

  Rule: AT+CWSTATE? and AT+CIFSR

    @EW-12
    Scenario: no join since boot is state 0 with an empty SSID, a join is 2
      Given the module has just booted
      When the host sends AT+CWSTATE?
      Then the module replies the bytes "+CWSTATE:0,\"\"\r\n\r\nOK\r\n"
      Given the module has joined "lab"
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:2,"lab"
        OK
        """

    @EW-12 @EW-14 @EH-2
    Scenario: associated without an address is state 1
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWDHCP=0,1
      Then the module replies OK
      When the module is power-cycled
      Then the module replies WIFI CONNECTED
      And the module stays silent for 2 s
      When the host sends ATE0
      Then the module replies:
        """
        ATE0
        OK
        """
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:1,"lab"
        OK
        """

    @EW-13
    Scenario Outline: AT+CIFSR in the station modes gives the station's address and MAC
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWMODE=<mode>
      Then the module replies OK
      When the host sends AT+CIFSR
      Then the module replies:
        """
        +CIFSR:STAIP,"{ip}"
        +CIFSR:STAMAC,"{*}:{*}:{*}:{*}:{*}:{*}"
        OK
        """

      Examples:
        | mode |
        | 1    |
        | 3    |

    @EW-13
    Scenario: AT+CIFSR before the join shows 0.0.0.0
      Given the module has just booted
      When the host sends AT+CIFSR
      Then the module replies:
        """
        +CIFSR:STAIP,"0.0.0.0"
        +CIFSR:STAMAC,"{*}"
        OK
        """

    @EW-13
    Scenario Outline: AT+CIFSR without the station is OK alone
      Given the module has just booted
      When the host sends AT+CWMODE=<mode>
      Then the module replies OK
      When the host sends AT+CIFSR
      Then the module replies the bytes "\r\nOK\r\n"

      Examples:
        | mode |
        | 0    |
        | 2    |

  Rule: auto-connect and reconnection settings

    @EW-14
    Scenario: auto-connect is on from the factory and joins the stored access point after a power cycle
      Given the module has just booted
      When the host sends AT+CWAUTOCONN?
      Then the module replies:
        """
        +CWAUTOCONN:1
        OK
        """
      Given the module has joined "lab"
      When the module is power-cycled
      Then the module replies WIFI CONNECTED within 5 s
      And the module replies WIFI GOT IP

    @EW-14 @EB-2
    Scenario: auto-connect also joins after AT+RST
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+RST
      Then the module replies OK
      And the module replies ready within 2 s
      And the module replies WIFI CONNECTED within 5 s
      And the module replies WIFI GOT IP

    @EW-14
    Scenario: with auto-connect off the station stays in state 0 after a power cycle
      Given the module has just booted
      And the module has joined "lab"
      When the host sends AT+CWAUTOCONN=0
      Then the module replies OK
      When the module is power-cycled
      Then the module stays silent for 5 s
      When the host sends ATE0
      Then the module replies:
        """
        ATE0
        OK
        """
      When the host sends AT+CWSTATE?
      Then the module replies:
        """
        +CWSTATE:0,""
        OK
        """

    @EW-14 @EG-5
    Scenario Outline: AT+CWAUTOCONN out of range is ERROR
      Given the module has just booted
      When the host sends AT+CWAUTOCONN=<value>
      Then the module replies ERROR
      When the host sends AT+CWAUTOCONN?
      Then the module replies:
        """
        +CWAUTOCONN:1
        OK
        """

      Examples:
        | value |
        | 2     |
        | -1    |

    @EW-15
    Scenario: AT+CWRECONNCFG is 0,0 from the factory and 1 after a join that left the interval out
      Given the module has just booted
      When the host sends AT+CWRECONNCFG?
      Then the module replies:
        """
        +CWRECONNCFG:0,0
        OK
        """
      Given the module has joined "lab"
      When the host sends AT+CWRECONNCFG?
      Then the module replies:
        """
        +CWRECONNCFG:1,0
        OK
        """

    @EW-15
    Scenario Outline: AT+CWRECONNCFG at the ends of its ranges
      Given the module has just booted
      When the host sends AT+CWRECONNCFG=<params>
      Then the module replies <result>
      When the host sends AT+CWRECONNCFG?
      Then the module replies:
        """
        +CWRECONNCFG:<shown>
        OK
        """

      Examples:
        | params    | result | shown     |
        | 7200,1000 | OK     | 7200,1000 |
        | 0,0       | OK     | 0,0       |
        | 7201,0    | ERROR  | 0,0       |
        | 0,1001    | ERROR  | 0,0       |
        | -1,0      | ERROR  | 0,0       |
        | 1         | ERROR  | 0,0       |

  Rule: scanning with AT+CWLAP and AT+CWLAPOPT

    Background:
      Given an open access point "cafe" at -70 dBm on channel 11

    @EW-16
    Scenario: every access point in range, strongest first, with every field
      Given the module has just booted
      When the host sends AT+CWLAP
      Then the module replies:
        """
        +CWLAP:(3,"lab",-40,"{*}",6,-1,-1,4,4,7,0)
        +CWLAP:(0,"cafe",-70,"{*}",11,-1,-1,0,0,7,0)
        OK
        """

    @EW-16
    Scenario: equally strong access points are listed by SSID
      Given an open access point "bistro" at -70 dBm on channel 1
      And the module has just booted
      When the host sends AT+CWLAP
      Then the module replies:
        """
        +CWLAP:(3,"lab",-40,"{*}",6,-1,-1,4,4,7,0)
        +CWLAP:(0,"bistro",-70,"{*}",1,-1,-1,0,0,7,0)
        +CWLAP:(0,"cafe",-70,"{*}",11,-1,-1,0,0,7,0)
        OK
        """

    @EW-16 @sim
    Scenario: the scan takes 2 s
      Given the module has just booted
      When the host sends AT+CWLAP
      Then the module stays silent for 1900 ms
      And the module replies +CWLAP:(3,"lab",-40,"{*}",6,-1,-1,4,4,7,0) within 300 ms
      And the module replies +CWLAP:(0,"cafe",-70,"{*}",11,-1,-1,0,0,7,0)
      And the module replies OK

    @EW-16
    Scenario: an access point that went down is not listed, and none is OK alone
      Given the module has just booted
      When the access point "cafe" goes down
      And the host sends AT+CWLAP
      Then the module replies:
        """
        +CWLAP:(3,"lab",-40,"{*}",6,-1,-1,4,4,7,0)
        OK
        """
      When the access point "lab" goes down
      And the host sends AT+CWLAP
      Then the module replies the bytes "\r\nOK\r\n" within 5 s

    @EW-17
    Scenario Outline: the print mask selects the fields, in their order
      Given the module has just booted
      When the host sends AT+CWLAPOPT=<reserved>,<mask>
      Then the module replies OK
      When the host sends AT+CWLAP
      Then the module replies:
        """
        +CWLAP:(<lab>)
        +CWLAP:(<cafe>)
        OK
        """

      Examples:
        | reserved | mask | lab                                | cafe                                |
        | 1        | 31   | 3,"lab",-40,"{*}",6                | 0,"cafe",-70,"{*}",11               |
        | 0        | 23   | 3,"lab",-40,6                      | 0,"cafe",-70,11                     |
        | 1        | 2047 | 3,"lab",-40,"{*}",6,-1,-1,4,4,7,0  | 0,"cafe",-70,"{*}",11,-1,-1,0,0,7,0 |
        | 0        | 2    | "lab"                              | "cafe"                              |
        | 0        | 1536 | 7,0                                | 7,0                                 |

    @EW-17
    Scenario: the RSSI filter hides weaker access points
      Given the module has just booted
      When the host sends AT+CWLAPOPT=0,31,-50
      Then the module replies OK
      When the host sends AT+CWLAP
      Then the module replies:
        """
        +CWLAP:(3,"lab",-40,"{*}",6)
        OK
        """

    @EW-17
    Scenario: the authmode mask shows only the chosen kinds of access point
      Given the module has just booted
      When the host sends AT+CWLAPOPT=0,31,-100,1
      Then the module replies OK
      When the host sends AT+CWLAP
      Then the module replies:
        """
        +CWLAP:(0,"cafe",-70,"{*}",11)
        OK
        """

    @EW-17 @EG-5
    Scenario Outline: AT+CWLAPOPT out of range is ERROR and the listing is unchanged
      Given the module has just booted
      When the host sends AT+CWLAPOPT=<params>
      Then the module replies ERROR
      When the host sends AT+CWLAP
      Then the module replies:
        """
        +CWLAP:(3,"lab",-40,"{*}",6,-1,-1,4,4,7,0)
        +CWLAP:(0,"cafe",-70,"{*}",11,-1,-1,0,0,7,0)
        OK
        """

      Examples:
        | params           |
        | 2,31             |
        | 0,2048           |
        | 0,-1             |
        | 0,31,-101        |
        | 0,31,41          |
        | 0,31,-100,65536  |
        | 0                |
