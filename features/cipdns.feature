Feature: AT+CIPDNS

  The network's DNS server, 192.168.0.1, is the one DHCP gives the module.
  A manual server at 192.168.0.53 knows a name the network's does not, so
  a lookup shows which servers are in effect. 208.67.222.222, the fallback,
  is not on this network: nothing answers there.

  Background:
    Given the DNS name "peer.lan" resolves to 192.168.0.103
    And a DNS server at 192.168.0.53 that resolves "only53.lan" to 192.168.0.120
    And a DNS server at 192.168.0.54 that resolves "only54.lan" to 192.168.0.121
    And the module has just booted

  @DN-1 @DN-3
  Scenario: the factory state is automatic, with the server DHCP gave
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"192.168.0.1"
      OK
      """
    When the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

  @DN-1 @DN-2 @DM-2
  Scenario: a manual server is listed and used
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.53"
      OK
      """
    When the host sends AT+CIPDOMAIN="only53.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.120"
      OK
      """
    When the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies ERROR

  @DN-1 @DN-2
  Scenario: three manual servers are listed in the order given; bare addresses are accepted
    When the host sends AT+CIPDNS=1,192.168.0.54,"192.168.0.53",192.168.0.1
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.54","192.168.0.53","192.168.0.1"
      OK
      """
    When the host sends AT+CIPDOMAIN="only54.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.121"
      OK
      """

  @DN-1 @DN-2
  Scenario: two manual servers
    When the host sends AT+CIPDNS=1,"192.168.0.53","192.168.0.54"
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.53","192.168.0.54"
      OK
      """

  @DN-1 @DN-2
  Scenario: manual with no address is 208.67.222.222
    When the host sends AT+CIPDNS=1
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"208.67.222.222"
      OK
      """
    When the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies ERROR

  @DN-2
  Scenario: a new manual setting replaces the old one
    When the host sends AT+CIPDNS=1,"192.168.0.53","192.168.0.54"
    Then the module replies OK
    When the host sends AT+CIPDNS=1,"192.168.0.1"
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.1"
      OK
      """

  @DN-2 @G-4
  Scenario Outline: a bad AT+CIPDNS is refused and changes nothing
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends <command>
    Then the module replies ERROR
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.53"
      OK
      """

    Examples:
      | command                                                                  |
      | AT+CIPDNS                                                                |
      | AT+CIPDNS=?                                                              |
      | AT+CIPDNS=                                                               |
      | AT+CIPDNS=2                                                              |
      | AT+CIPDNS=-1                                                             |
      | AT+CIPDNS=1,"dns.lan"                                                    |
      | AT+CIPDNS=1,"192.168.0"                                                  |
      | AT+CIPDNS=1,"192.168.0.256"                                              |
      | AT+CIPDNS=1,"192.168.0.54.1"                                             |
      | AT+CIPDNS=1,""                                                           |
      | AT+CIPDNS=1,"192.168.0.54","192.168.0.54"                                |
      | AT+CIPDNS=1,"192.168.0.54","192.168.0.1","192.168.0.54"                  |
      | AT+CIPDNS=1,"192.168.0.54","192.168.0.1","192.168.0.55","192.168.0.56"   |
      | AT+CIPDNS=0,"192.168.0.54"                                               |

  @DN-3
  Scenario: automatic reverts to 208.67.222.222 at once, and to DHCP's server at the next restart
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+CIPDNS=0
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"208.67.222.222"
      OK
      """
    When the host sends AT+CIPDOMAIN="only53.lan"
    Then the module replies ERROR
    When the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies ERROR
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"192.168.0.1"
      OK
      """
    When the host sends AT+CIPDOMAIN="peer.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.103"
      OK
      """

  @DN-3
  Scenario: automatic from the factory state also reverts to 208.67.222.222 at once
    When the host sends AT+CIPDNS=0
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"208.67.222.222"
      OK
      """

  @DN-4 @B-2 @B-5
  Scenario: with SYSSTORE=1 the setting survives AT+RST
    When the host sends AT+SYSSTORE?
    Then the module replies:
      """
      +SYSSTORE:1
      OK
      """
    When the host sends AT+CIPDNS=1,"192.168.0.53","192.168.0.54"
    Then the module replies OK
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.53","192.168.0.54"
      OK
      """
    When the host sends AT+CIPDOMAIN="only53.lan"
    Then the module replies:
      """
      +CIPDOMAIN:"192.168.0.120"
      OK
      """

  @DN-4 @B-2 @B-5
  Scenario: with SYSSTORE=0 the setting does not survive AT+RST
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"192.168.0.1"
      OK
      """

  @DN-4 @B-2 @B-5
  Scenario: with SYSSTORE=0 a change is lost at AT+RST and the stored setting comes back
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+CIPDNS=1,"192.168.0.54"
    Then the module replies OK
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.54"
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
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:1,"192.168.0.53"
      OK
      """

  @DN-4 @DN-3 @B-2
  Scenario: automatic, stored with SYSSTORE=1, survives AT+RST
    When the host sends AT+CIPDNS=1,"192.168.0.53"
    Then the module replies OK
    When the host sends AT+CIPDNS=0
    Then the module replies OK
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPDNS?
    Then the module replies:
      """
      +CIPDNS:0,"192.168.0.1"
      OK
      """
