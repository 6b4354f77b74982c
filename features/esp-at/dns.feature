@esp-at
Feature: esp-at: AT+CIPDOMAIN and AT+CIPDNS (ED)

  The network's DNS server, 192.168.0.1, is the one DHCP gives the
  station. A server at 192.168.0.53 knows a name the network's does not, so
  a lookup shows which servers are in effect; 192.168.0.60 does not answer.
  208.67.222.222, 114.114.114.114 and 8.8.8.8, the fallbacks, are not on
  this network.

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6
    And the DNS name "peer.lan" resolves to 192.168.0.103
    And the DNS name "www.peer.lan" is an alias of "peer.lan"
    And a DNS server at 192.168.0.53 that resolves "only53.lan" to 192.168.0.120
    And the DNS server at 192.168.0.60 does not answer
    And the module has just booted

  Rule: AT+CIPDOMAIN

    Background:
      Given the module has joined "lab"

    @ED-1 @ED-2
    Scenario: a name resolves to a quoted IPv4 address, byte for byte
      When the host sends AT+CIPDOMAIN="peer.lan"
      Then the module replies the bytes "+CIPDOMAIN:\"192.168.0.103\"\r\n\r\nOK\r\n"

    @ED-1
    Scenario Outline: the IP network 1 or 2 and the timeout to its end are accepted
      When the host sends AT+CIPDOMAIN="peer.lan"<rest>
      Then the module replies:
        """
        +CIPDOMAIN:"192.168.0.103"
        OK
        """

      Examples:
        | rest     |
        | ,1       |
        | ,2       |
        | ,1,0     |
        | ,2,60000 |

    @ED-1 @EG-5
    Scenario Outline: IPv6, a timeout out of range, an unquoted name or an invalid name is ERROR
      When the host sends AT+CIPDOMAIN=<params>
      Then the module replies ERROR
      And the module stays silent for 200 ms

      Examples:
        | params                                                                   |
        | "peer.lan",3                                                             |
        | "peer.lan",0                                                             |
        | "peer.lan",1,-1                                                          |
        | "peer.lan",1,60001                                                       |
        | "peer.lan",1,0,1                                                         |
        | peer.lan                                                                 |
        | "peer..lan"                                                              |
        | ".lan"                                                                   |
        | "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.lan"   |

    @ED-1
    Scenario: an IPv4 literal answers itself
      When the host sends AT+CIPDOMAIN="192.168.0.77"
      Then the module replies:
        """
        +CIPDOMAIN:"192.168.0.77"
        OK
        """

    @ED-1
    Scenario: a name that does not exist is ERROR
      When the host sends AT+CIPDOMAIN="nowhere.lan"
      Then the module replies ERROR within 5 s
      And the module stays silent for 200 ms

    @ED-2
    Scenario: a CNAME chain is followed
      When the host sends AT+CIPDOMAIN="www.peer.lan"
      Then the module replies:
        """
        +CIPDOMAIN:"192.168.0.103"
        OK
        """

    @ED-2 @ED-4 @sim
    Scenario: a server that does not answer is given 2 s, then the next is asked
      When the host sends AT+CIPDNS=1,"192.168.0.60","192.168.0.53"
      Then the module replies OK
      When the host sends AT+CIPDOMAIN="only53.lan"
      Then the module stays silent for 1900 ms
      And the module replies +CIPDOMAIN:"192.168.0.120" within 600 ms
      And the module replies OK

    @ED-2 @EG-7 @sim
    Scenario: with a timeout the ERROR comes no later than it
      When the host sends AT+CIPDNS=1,"192.168.0.60"
      Then the module replies OK
      When the host sends AT+CIPDOMAIN="only53.lan",1,1000
      And the host sends AT
      Then the module replies busy p...
      And the module replies ERROR within 1100 ms

  Rule: AT+CIPDNS

    @ED-3
    Scenario: before any DHCP answer the fallback servers are in effect
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:0,"208.67.222.222","114.114.114.114","8.8.8.8"
        OK
        """

    @ED-3
    Scenario: the factory state is automatic, with the server DHCP gave
      Given the module has joined "lab"
      When the host sends AT+CIPDNS?
      Then the module replies the bytes "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
      When the host sends AT+CIPDOMAIN="peer.lan"
      Then the module replies:
        """
        +CIPDOMAIN:"192.168.0.103"
        OK
        """

    @ED-4
    Scenario: a manual server is listed and used, and DHCP does not replace it
      Given the module has joined "lab"
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
      When the host sends AT+CWQAP
      Then the module replies OK
      And the module replies WIFI DISCONNECT
      When the host sends AT+CWJAP="lab","labpass1"
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:1,"192.168.0.53"
        OK
        """

    @ED-4
    Scenario Outline: one to three manual servers
      When the host sends AT+CIPDNS=1,<servers>
      Then the module replies OK
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:1,<servers>
        OK
        """

      Examples:
        | servers                                          |
        | "192.168.0.53"                                   |
        | "192.168.0.53","192.168.0.54"                    |
        | "192.168.0.53","192.168.0.54","192.168.0.1"      |

    @ED-4
    Scenario: manual with no server given is the three fallbacks
      When the host sends AT+CIPDNS=1
      Then the module replies OK
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:1,"208.67.222.222","114.114.114.114","8.8.8.8"
        OK
        """

    @ED-4 @EG-5
    Scenario Outline: a server that is not IPv4, the same server twice, a fourth or an unquoted one is ERROR
      Given the module has joined "lab"
      When the host sends AT+CIPDNS=<params>
      Then the module replies ERROR
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:0,"192.168.0.1"
        OK
        """

      Examples:
        | params                                                        |
        | 1,"dns.lan"                                                   |
        | 1,"192.168.0.256"                                             |
        | 1,"2001:4860:4860::8888"                                      |
        | 1,"192.168.0.53","192.168.0.53"                               |
        | 1,"192.168.0.53","192.168.0.54","192.168.0.55","192.168.0.56" |
        | 1,192.168.0.53                                                |
        | 2                                                             |

    @ED-4
    Scenario: back to automatic: the fallbacks at once, DHCP's server after the next join
      Given the module has joined "lab"
      When the host sends AT+CIPDNS=1,"192.168.0.53"
      Then the module replies OK
      When the host sends AT+CIPDNS=0
      Then the module replies OK
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:0,"208.67.222.222","114.114.114.114","8.8.8.8"
        OK
        """
      When the host sends AT+CWQAP
      Then the module replies OK
      And the module replies WIFI DISCONNECT
      When the host sends AT+CWJAP="lab","labpass1"
      Then the module replies:
        """
        WIFI CONNECTED
        WIFI GOT IP
        OK
        """
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:0,"192.168.0.1"
        OK
        """

    @ED-4
    Scenario: addresses given with 0 are ignored
      When the host sends AT+CIPDNS=0,"192.168.0.53"
      Then the module replies OK
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:0,"208.67.222.222","114.114.114.114","8.8.8.8"
        OK
        """

    @ED-5 @EB-7
    Scenario Outline: the setting survives a power cycle only with AT+SYSSTORE=1
      Given the module has joined "lab"
      When the host sends AT+SYSSTORE=<store>
      Then the module replies OK
      When the host sends AT+CIPDNS=1,"192.168.0.53"
      Then the module replies OK
      When the module is power-cycled
      Then the module replies WIFI CONNECTED within 5 s
      And the module replies WIFI GOT IP
      When the host sends ATE0
      Then the module replies:
        """
        ATE0
        OK
        """
      When the host sends AT+CIPDNS?
      Then the module replies:
        """
        +CIPDNS:<shown>
        OK
        """

      Examples:
        | store | shown              |
        | 1     | 1,"192.168.0.53"   |
        | 0     | 0,"192.168.0.1"    |
