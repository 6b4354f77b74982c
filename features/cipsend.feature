Feature: AT+CIPSEND in normal mode

  Background:
    Given a TCP echo server at 192.168.0.103:20108
    And the module has just booted
    When the host sends AT+CIPSTART=0,"TCP","192.168.0.103",20108
    Then the module replies OK

  @SD-4 @SD-5 @RX-1
  Scenario: data with CR, LF and AT in it goes out as is and comes back
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
