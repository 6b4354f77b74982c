Feature: SNTP: AT+CIPSNTPCFG and AT+CIPSNTPTIME

  The network's DNS server gives the names of the vendor page's examples
  to one SNTP server. Its clock reads 2022-10-21 11:20:39 UTC when the
  scenario starts and runs from there; a query within the first second
  reads that second.

  Background:
    Given an SNTP server at 192.168.0.123 whose clock reads 2022-10-21 11:20:39 UTC
    And the DNS name "cn.ntp.org.cn" resolves to 192.168.0.123
    And the DNS name "0.pool.ntp.org" resolves to 192.168.0.123
    And the module has just booted

  @NT-2
  Scenario: the factory setting
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:0,0,"pool.ntp.org"
      OK
      """

  @NT-4
  Scenario: before any synchronisation there is no time
    When the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR

  @NT-1 @NT-3 @NT-4
  Scenario: the page's first example, China time: +CIPSNTPTIME:2022-10-21 19:20:39
    When the host sends AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:1,8,"cn.ntp.org.cn"
      OK
      """
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 19:20:39
      OK
      """

  @NT-1 @NT-3 @NT-4
  Scenario: the page's second example, New York time
    When the host sends AT+CIPSNTPCFG=1,-5,"0.pool.ntp.org"
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:1,-5,"0.pool.ntp.org"
      OK
      """
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 06:20:39
      OK
      """

  @NT-1 @NT-3 @NT-4
  Scenario Outline: every whole-hour timezone from -12 to 12 is local time
    When the host sends AT+CIPSNTPCFG=1,<tz>,"192.168.0.123"
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:1,<tz>,"192.168.0.123"
      OK
      """
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:<local>
      OK
      """

    Examples:
      | tz  | local               |
      | -12 | 2022-10-20 23:20:39 |
      | -5  | 2022-10-21 06:20:39 |
      | 0   | 2022-10-21 11:20:39 |
      | 8   | 2022-10-21 19:20:39 |
      | 12  | 2022-10-21 23:20:39 |

  @NT-1
  Scenario: a bare server address is accepted
    When the host sends AT+CIPSNTPCFG=1,0,192.168.0.123
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 11:20:39
      OK
      """

  @NT-1
  Scenario: a server name of 64 bytes is accepted and used
    Given the DNS name "aaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb.cccccccccccccc.ntp.lan" resolves to 192.168.0.123
    When the host sends AT+CIPSNTPCFG=1,0,"aaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb.cccccccccccccc.ntp.lan"
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:1,0,"aaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb.cccccccccccccc.ntp.lan"
      OK
      """
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 11:20:39
      OK
      """

  @NT-1
  Scenario: a server left out is kept; a timezone left out with enable 0 is allowed
    When the host sends AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG=1,3
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:1,3,"cn.ntp.org.cn"
      OK
      """
    When the host sends AT+CIPSNTPCFG=0
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:0,{*},"cn.ntp.org.cn"
      OK
      """

  @NT-1
  Scenario: disabling with a timezone and a server sets both
    When the host sends AT+CIPSNTPCFG=0,-7,"0.pool.ntp.org"
    Then the module replies OK
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:0,-7,"0.pool.ntp.org"
      OK
      """

  @NT-1 @NT-4
  Scenario: with SNTP disabled nothing synchronises
    When the host sends AT+CIPSNTPCFG=0,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host waits 2 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR

  @NT-1 @G-4
  Scenario Outline: a bad AT+CIPSNTPCFG is refused and changes nothing
    When the host sends <command>
    Then the module replies ERROR
    When the host sends AT+CIPSNTPCFG?
    Then the module replies:
      """
      +CIPSNTPCFG:0,0,"pool.ntp.org"
      OK
      """
    When the host waits 1 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR

    Examples:
      | command                                                                      |
      | AT+CIPSNTPCFG                                                                |
      | AT+CIPSNTPCFG=?                                                              |
      | AT+CIPSNTPCFG=                                                               |
      | AT+CIPSNTPCFG=1                                                              |
      | AT+CIPSNTPCFG=1,,"cn.ntp.org.cn"                                             |
      | AT+CIPSNTPCFG=2,8,"cn.ntp.org.cn"                                            |
      | AT+CIPSNTPCFG=-1,8,"cn.ntp.org.cn"                                           |
      | AT+CIPSNTPCFG=1,13,"cn.ntp.org.cn"                                           |
      | AT+CIPSNTPCFG=1,-13,"cn.ntp.org.cn"                                          |
      | AT+CIPSNTPCFG=1,5.5,"cn.ntp.org.cn"                                          |
      | AT+CIPSNTPCFG=1,eight,"cn.ntp.org.cn"                                        |
      | AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn",1                                          |
      | AT+CIPSNTPCFG=1,8,"aaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb.ccccccccccccccc.ntp.lan" |
      | AT+CIPSNTPCFG=1,8,"cn..ntp.org.cn"                                           |

  @NT-4 @G-4
  Scenario Outline: AT+CIPSNTPTIME has only the query form
    When the host sends AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends <command>
    Then the module replies ERROR

    Examples:
      | command           |
      | AT+CIPSNTPTIME    |
      | AT+CIPSNTPTIME=?  |
      | AT+CIPSNTPTIME=1  |

  @NT-4
  Scenario Outline: the time is zero-padded, 24-hour local time across days, years and a leap day
    Given an SNTP server at 192.168.0.124 whose clock reads <utc> UTC
    When the host sends AT+CIPSNTPCFG=1,<tz>,"192.168.0.124"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:<local>
      OK
      """

    Examples:
      | utc                 | tz  | local               |
      | 2024-01-02 03:04:05 | 0   | 2024-01-02 03:04:05 |
      | 2024-01-02 03:04:05 | 12  | 2024-01-02 15:04:05 |
      | 2023-12-31 23:30:00 | 1   | 2024-01-01 00:30:00 |
      | 2024-03-01 02:00:00 | -5  | 2024-02-29 21:00:00 |
      | 2024-01-01 09:59:59 | -10 | 2023-12-31 23:59:59 |

  @NT-4
  Scenario: the clock runs on between synchronisations
    When the host sends AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host waits 30 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 19:21:09
      OK
      """

  @NT-4 @B-2
  Scenario: after AT+RST there is no time until the next synchronisation
    When the host sends AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 19:20:39
      OK
      """
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR

  @NT-5
  Scenario: a new timezone applies to the very next query
    When the host sends AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 19:20:39
      OK
      """
    When the host sends AT+CIPSNTPCFG=1,-5
    Then the module replies OK
    When the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 06:20:39
      OK
      """

  @NT-5 @NT-4
  Scenario: a new timezone applies at once with SNTP disabled too
    When the host sends AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPCFG=0,-12
    Then the module replies OK
    When the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-20 23:20:39
      OK
      """

  @NT-1 @NT-4
  Scenario: a server that cannot be reached gives no time
    Given no host answers at 192.168.0.125
    When the host sends AT+CIPSNTPCFG=1,0,"192.168.0.125"
    Then the module replies OK
    When the host waits 3 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR

  @NT-1
  Scenario: a failed attempt is retried 15 s later
    # time.lan is unknown to the network's DNS server, so the first attempt
    # fails at once; the manual DNS server knows it for the retry.
    Given a DNS server at 192.168.0.53 that resolves "time.lan" to 192.168.0.123
    When the host sends AT+CIPSNTPCFG=1,0,"time.lan"
    Then the module replies OK
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host waits 13 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies ERROR
    When the host waits 3 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 11:20:{n}
      OK
      """

  @NT-1 @slow
  Scenario: the module synchronises again an hour later
    # After the first synchronisation the name time.lan is looked up on
    # another DNS server, which gives another SNTP server: the time the
    # module shows says whether, and when, it synchronised again.
    Given an SNTP server at 192.168.0.124 whose clock reads 2030-01-01 00:00:00 UTC
    And the DNS name "time.lan" resolves to 192.168.0.123
    And a DNS server at 192.168.0.53 that resolves "time.lan" to 192.168.0.124
    When the host sends AT+CIPSNTPCFG=1,0,"time.lan"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 11:20:39
      OK
      """
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host waits 3590 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2022-10-21 12:20:{n}
      OK
      """
    When the host waits 20 s
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2030-01-01 01:00:{n}
      OK
      """

  @NT-3 @NT-4
  Scenario: the time is the server's, as it reads when the module asks
    When the SNTP server at 192.168.0.123 sets its clock to 2030-01-02 03:04:05 UTC
    And the host sends AT+CIPSNTPCFG=1,0,"192.168.0.123"
    Then the module replies OK
    When the host waits 100 ms
    And the host sends AT+CIPSNTPTIME?
    Then the module replies:
      """
      +CIPSNTPTIME:2030-01-02 03:04:05
      OK
      """
