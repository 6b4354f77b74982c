Feature: regressions found by the swarm and the fuzzers
  Each scenario is a bug a machine found that a host can see, shrunk to
  its few steps and kept here with its fix: atcert swarm (the seed's case
  is in conformance/swarm-cases). The fuzzers' finds are unit tests
  beside the code: neither changed a reply a host receives.

  @SD-4 @G-1
  Scenario: data starting with LF after a CIPSEND line ended by a lone CR is data (swarm seed 494)
    Given a TCP sink at 192.168.0.110:2000
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.110",2000
    Then the module replies OK
    When the host sends the raw bytes "AT+CIPSEND=0,1\r"
    Then the module replies >
    When the host waits 30 ms
    And the host sends the raw bytes "\n"
    Then the module replies SEND OK
    And the peer at 192.168.0.110:2000 receives "\n"
