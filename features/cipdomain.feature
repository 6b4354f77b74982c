Feature: AT+CIPDOMAIN

  Names resolve over DNS (RFC 1035, UDP port 53) at the servers in effect:
  the network's DNS server (given by DHCP) unless AT+CIPDNS set others.

  Background:
    Given the DNS name "peer.lan" resolves to 192.168.0.103
    And the module has just booted

  @DM-1 @DM-2
  Scenario Outline: a name the DNS server knows resolves to its IPv4 address
    When the host sends AT+CIPDOMAIN=<name>
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

    Examples:
      | name       |
      | "peer.lan" |
      | peer.lan   |

  @DM-1
  Scenario: an IPv4 address answers itself, with no lookup
    Given the DNS server at 192.168.0.1 does not answer
    When the host sends AT+CIPDOMAIN="192.168.0.200"
    Then the module replies +CIPDOMAIN:"192.168.0.200" within 100 ms
    And the module replies OK

  @DM-1 @DM-2
  Scenario: a name the DNS server does not know is an error
    When the host sends AT+CIPDOMAIN="nowhere.lan"
    Then the module replies ERROR

  @DM-1 @DM-2
  Scenario: a lookup that gets no answer for 1 s is an error
    Given the DNS server at 192.168.0.1 does not answer
    When the host sends AT+CIPDOMAIN="peer.lan"
    Then the module stays silent for 900 ms
    And the module replies ERROR within 300 ms

  @DM-1
  Scenario: a label of 63 bytes is valid
    Given the DNS name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan" resolves to 192.168.0.104
    When the host sends AT+CIPDOMAIN="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.104"
      OK
      """

  @DM-1
  Scenario: the longest name a command line carries resolves
    # 243 bytes: AT+CIPDOMAIN= and the name fill the 256 bytes of a line
    # (G-3), so DM-1's 253-byte limit itself cannot be reached.
    Given the DNS name "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy.zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww.lan" resolves to 192.168.0.105
    When the host sends AT+CIPDOMAIN=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy.zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww.lan
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.105"
      OK
      """

  @DM-1
  Scenario Outline: a name with an empty label or a label over 63 bytes is invalid
    When the host sends AT+CIPDOMAIN="<name>"
    Then the module replies ERROR

    Examples:
      | name                                                                  |
      | peer..lan                                                             |
      | .peer.lan                                                             |
      | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan  |

  @DM-2 @DN-2
  Scenario: the servers in effect are asked in order, 1 s each
    Given the DNS server at 192.168.0.53 does not answer
    And the DNS server at 192.168.0.54 does not answer
    And a DNS server at 192.168.0.55 that resolves "far.lan" to 192.168.0.120
    When the host sends AT+CIPDNS=1,"192.168.0.53","192.168.0.54","192.168.0.55"
    Then the module replies OK
    When the host sends AT+CIPDOMAIN="far.lan"
    Then the module stays silent for 1900 ms
    And the module replies +CIPDOMAIN:"192.168.0.120" within 300 ms
    And the module replies OK

  @DM-2 @DN-2
  Scenario: the second server answers after the first was given 1 s
    Given the DNS server at 192.168.0.53 does not answer
    And a DNS server at 192.168.0.54 that resolves "far.lan" to 192.168.0.120
    When the host sends AT+CIPDNS=1,"192.168.0.53","192.168.0.54"
    Then the module replies OK
    When the host sends AT+CIPDOMAIN="far.lan"
    Then the module stays silent for 900 ms
    And the module replies +CIPDOMAIN:"192.168.0.120" within 300 ms
    And the module replies OK

  @DM-1 @DM-2 @DN-2
  Scenario: no server in effect answers: an error after 1 s each
    Given the DNS server at 192.168.0.53 does not answer
    And the DNS server at 192.168.0.54 does not answer
    When the host sends AT+CIPDNS=1,"192.168.0.53","192.168.0.54"
    Then the module replies OK
    When the host sends AT+CIPDOMAIN="peer.lan"
    Then the module stays silent for 1900 ms
    And the module replies ERROR within 300 ms

  @DM-1 @G-6
  Scenario: a command while the lookup runs is answered busy
    Given the DNS server at 192.168.0.1 does not answer
    When the host sends AT+CIPDOMAIN="peer.lan"
    And the host waits 100 ms
    And the host sends AT
    Then the module replies busy p...
    And the module replies ERROR
    When the host sends AT
    Then the module replies OK

  @DM-1 @G-4
  Scenario Outline: AT+CIPDOMAIN in a form it does not have, or without its one name, is refused
    When the host sends <command>
    Then the module replies ERROR
    And the module stays silent for 1500 ms

    Examples:
      | command                           |
      | AT+CIPDOMAIN                      |
      | AT+CIPDOMAIN?                     |
      | AT+CIPDOMAIN=?                    |
      | AT+CIPDOMAIN=                     |
      | AT+CIPDOMAIN=""                   |
      | AT+CIPDOMAIN="peer.lan","peer.lan" |

  @DM-2
  Scenario: an alias is followed to its address
    Given the DNS name "echo.lan" resolves to 192.168.0.103
    And the DNS name "www.echo.lan" is an alias of "echo.lan"
    When the host sends AT+CIPDOMAIN="www.echo.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """
