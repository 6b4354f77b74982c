@esp-at
Feature: esp-at: AT+CIPSNTPCFG, AT+CIPSNTPTIME and AT+CIPSNTPINTV (EN)

  One SNTP server, at 192.168.0.123; its clock reads 2021-10-19 09:47:00
  UTC when the scenario starts, a Tuesday. Scenarios run for well under a
  minute, so the seconds are matched as {n}.

  Background:
    Given an SNTP server at 192.168.0.123 whose clock reads 2021-10-19 09:47:00 UTC
    And an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And the module has just booted

  Rule: with the station joined

    Background:
      Given the module has joined "lab"

    @EN-1 @EN-3 @EN-4
    Scenario: enabling synchronises at once, +TIME_UPDATED, and the time is asctime in local time
      When the host sends AT+CIPSNTPCFG=1,8,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:Tue Oct 19 17:47:{n} 2021
        OK
        """

    @EN-1 @EN-4
    Scenario Outline: time zones in whole hours and in hhmm, to their ends
      When the host sends AT+CIPSNTPCFG=1,<tz>,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:<time>
        OK
        """

      Examples:
        | tz    | time                        |
        | 0     | Tue Oct 19 09:47:{n} 2021   |
        | 14    | Tue Oct 19 23:47:{n} 2021   |
        | -12   | Mon Oct 18 21:47:{n} 2021   |
        | 530   | Tue Oct 19 15:17:{n} 2021   |
        | -500  | Tue Oct 19 04:47:{n} 2021   |
        | 1245  | Tue Oct 19 22:32:{n} 2021   |
        | 1459  | Wed Oct 20 00:46:{n} 2021   |
        | -1259 | Mon Oct 18 20:48:{n} 2021   |
        | 15    | Tue Oct 19 10:02:{n} 2021   |

    @EN-1 @EG-5
    Scenario Outline: an enable flag or time zone out of range is ERROR and nothing changes
      When the host sends AT+CIPSNTPCFG=<params>
      Then the module replies ERROR
      And the module stays silent for 2 s
      When the host sends AT+CIPSNTPCFG?
      Then the module replies:
        """
        +CIPSNTPCFG:0,0,"cn.ntp.org.cn","ntp.sjtu.edu.cn","us.pool.ntp.org"
        OK
        """

      Examples:
        | params                   |
        | 2,0,"192.168.0.123"      |
        | -1                       |
        | 1,1500,"192.168.0.123"   |
        | 1,-1300,"192.168.0.123"  |
        | 1,60,"192.168.0.123"     |
        | 1,1260,"192.168.0.123"   |
        | 1,"8","192.168.0.123"    |
        | 1,8,192.168.0.123        |

    @EN-2
    Scenario: the factory configuration lists ESP-AT's three default servers
      When the host sends AT+CIPSNTPCFG?
      Then the module replies the bytes "+CIPSNTPCFG:0,0,\"cn.ntp.org.cn\",\"ntp.sjtu.edu.cn\",\"us.pool.ntp.org\"\r\n\r\nOK\r\n"

    @EN-2 @EN-1
    Scenario Outline: the query shows the servers given and the time zone's whole hours
      When the host sends AT+CIPSNTPCFG=1,<tz><servers>
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+CIPSNTPCFG?
      Then the module replies:
        """
        +CIPSNTPCFG:1,<shown><servers>
        OK
        """

      Examples:
        | tz   | shown | servers                                                 |
        | 8    | 8     | ,"192.168.0.123"                                        |
        | 530  | 5     | ,"192.168.0.123"                                        |
        | -500 | -5    | ,"192.168.0.123"                                        |
        | 015  | 0     | ,"192.168.0.123"                                        |
        | 8    | 8     | ,"192.168.0.123","192.168.0.124","192.168.0.125"        |

    @EN-2 @EN-1
    Scenario: enabling with no server uses the three default servers
      When the host sends AT+CIPSNTPCFG=1,8
      Then the module replies OK
      When the host sends AT+CIPSNTPCFG?
      Then the module replies:
        """
        +CIPSNTPCFG:1,8,"cn.ntp.org.cn","ntp.sjtu.edu.cn","us.pool.ntp.org"
        OK
        """

    @EN-3 @ED-2
    Scenario: a server given by name is resolved and asked
      Given the DNS name "time.lan" resolves to 192.168.0.123
      When the host sends AT+CIPSNTPCFG=1,0,"time.lan"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:Tue Oct 19 09:47:{n} 2021
        OK
        """

    @EN-4
    Scenario: a day of the month below 10 is padded with a space
      When the SNTP server at 192.168.0.123 sets its clock to 2022-01-05 10:00:00 UTC
      And the host sends AT+CIPSNTPCFG=1,0,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+CIPSNTPTIME?
      Then the module replies the bytes "+CIPSNTPTIME:Wed Jan  5 10:00:"
      And the module replies:
        """
        {n} 2022
        OK
        """

    @EN-4 @EN-1 @EN-3
    Scenario: a new time zone applies to the next query
      When the host sends AT+CIPSNTPCFG=1,8,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+CIPSNTPCFG=1,-5,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:Tue Oct 19 04:47:{n} 2021
        OK
        """

    @EN-5 @EB-2 @EW-14
    Scenario: the synchronised time survives AT+RST, in UTC since the configuration is not stored
      When the host sends AT+CIPSNTPCFG=1,8,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the host sends AT+RST
      Then the module replies OK
      And the module replies ready within 2 s
      And the module replies WIFI CONNECTED within 5 s
      And the module replies WIFI GOT IP
      When the host sends ATE0
      Then the module replies:
        """
        ATE0
        OK
        """
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:Tue Oct 19 09:47:{n} 2021
        OK
        """
      When the host sends AT+CIPSNTPCFG?
      Then the module replies:
        """
        +CIPSNTPCFG:0,0,"cn.ntp.org.cn","ntp.sjtu.edu.cn","us.pool.ntp.org"
        OK
        """

    @EN-1 @EN-6 @sim
    Scenario: the time is synchronised again after AT+CIPSNTPINTV seconds
      When the host sends AT+CIPSNTPINTV=15
      Then the module replies OK
      When the host sends AT+CIPSNTPCFG=1,8,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the SNTP server at 192.168.0.123 sets its clock to 2030-01-01 00:00:00 UTC
      Then the module stays silent for 13 s
      And the module replies +TIME_UPDATED within 4 s
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:Tue Jan  1 08:00:{n} 2030
        OK
        """

    @EN-1 @sim
    Scenario: a failed attempt is followed by another 15 s after it began
      When the host at 192.168.0.123 crashes
      And the host sends AT+CIPSNTPCFG=1,0,"192.168.0.123"
      Then the module replies OK
      When the host waits 5 s
      And the host at 192.168.0.123 restarts
      Then the module stays silent for 9 s
      And the module replies +TIME_UPDATED within 3 s

    @EN-6
    Scenario Outline: AT+CIPSNTPINTV is 3600 from the factory and takes 15 to 4294967
      When the host sends AT+CIPSNTPINTV?
      Then the module replies:
        """
        +CIPSNTPINTV:3600
        OK
        """
      When the host sends AT+CIPSNTPINTV=<seconds>
      Then the module replies <result>
      When the host sends AT+CIPSNTPINTV?
      Then the module replies:
        """
        +CIPSNTPINTV:<shown>
        OK
        """

      Examples:
        | seconds | result | shown   |
        | 15      | OK     | 15      |
        | 4294967 | OK     | 4294967 |
        | 14      | ERROR  | 3600    |
        | 4294968 | ERROR  | 3600    |
        | -1      | ERROR  | 3600    |

  Rule: before the station has an address

    @EN-5
    Scenario: before the first synchronisation the clock counts from 1970 with no time zone
      When the host sends AT+CIPSNTPCFG=1,8,"192.168.0.123"
      Then the module replies OK
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:Thu Jan  1 00:00:{n} 1970
        OK
        """

    @EN-3
    Scenario: synchronisation waits for the station's address
      When the host sends AT+CIPSNTPCFG=1,0,"192.168.0.123"
      Then the module replies OK
      And the module stays silent for 3 s
      When the host sends AT+CWJAP="lab","labpass1"
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """
      And the module replies +TIME_UPDATED within 5 s

    @EN-5
    Scenario: a power cycle loses the synchronised time
      Given the module has joined "lab"
      When the host sends AT+CIPSNTPCFG=1,0,"192.168.0.123"
      Then the module replies OK
      And the module replies +TIME_UPDATED within 5 s
      When the module is power-cycled
      Then the module replies WIFI CONNECTED within 5 s
      And the module replies WIFI GOT IP
      When the host sends ATE0
      Then the module replies:
        """
        ATE0
        OK
        """
      When the host sends AT+CIPSNTPTIME?
      Then the module replies:
        """
        +CIPSNTPTIME:Thu Jan  1 00:00:{n} 1970
        OK
        """
