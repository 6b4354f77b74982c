@esp-at
Feature: esp-at: what host libraries send while starting (EH)

  AT+UART_CUR, AT+CWDHCP, AT+CIPSTA?, AT+CIPSTAMAC?, and the start-up
  sequences of three widely used host libraries, command by command as
  their sources send them (esp-at.md: "Practice").

  Background:
    Given an access point "lab" with password "labpass1" at -40 dBm on channel 6

  @EH-1
  Scenario: AT+UART_CUR? gives the lab's UART settings
    Given the module has just booted
    When the host sends AT+UART_CUR?
    Then the module replies:
      """
      +UART_CUR:115200,8,1,0,0
      OK
      """

  @EH-1
  Scenario Outline: AT+UART_CUR with the current rate and any flow control is OK and the UART keeps working
    Given the module has just booted
    When the host sends AT+UART_CUR=115200,8,1,0,<flow>
    Then the module replies OK
    When the host sends AT
    Then the module replies OK

    Examples:
      | flow |
      | 0    |
      | 1    |
      | 2    |
      | 3    |

  @EH-1
  Scenario: with hardware flow control the query says 3
    Given the UART uses hardware flow control
    And the module has just booted
    When the host sends AT+UART_CUR=115200,8,1,0,3
    Then the module replies OK
    When the host sends AT+UART_CUR?
    Then the module replies:
      """
      +UART_CUR:115200,8,1,0,3
      OK
      """

  @EH-1 @EG-5
  Scenario Outline: AT+UART_CUR with a parameter out of range or another framing than 8N1 is ERROR
    Given the module has just booted
    When the host sends AT+UART_CUR=<params>
    Then the module replies ERROR
    When the host sends AT
    Then the module replies OK

    Examples:
      | params              |
      | 79,8,1,0,0          |
      | 5000001,8,1,0,0     |
      | 115200,4,1,0,0      |
      | 115200,9,1,0,0      |
      | 115200,8,0,0,0      |
      | 115200,8,4,0,0      |
      | 115200,8,1,3,0      |
      | 115200,8,1,-1,0     |
      | 115200,8,1,0,4      |
      | 115200,8,1,0        |
      | 115200,7,1,0,0      |
      | 115200,8,2,0,0      |
      | 115200,8,1,1,0      |

  @EH-1 @sim
  Scenario Outline: AT+UART_CUR changes the rate after its OK and the line keeps working
    Given the module has just booted
    When the host sends AT+UART_CUR=<rate>,8,1,0,0
    Then the module replies OK
    When the host sends AT
    Then the module replies OK
    When the host sends AT+UART_CUR?
    Then the module replies:
      """
      +UART_CUR:<rate>,8,1,0,0
      OK
      """
    When the host sends AT+UART_DEF?
    Then the module replies:
      """
      +UART_DEF:115200,8,1,0,0
      OK
      """

    Examples:
      | rate    |
      | 921600  |
      | 9600    |
      | 5000000 |

  @EH-1 @sim
  Scenario: AT+RST brings back 115200 after AT+UART_CUR
    Given the module has just booted
    When the host sends AT+UART_CUR=921600,8,1,0,0
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
    When the host sends AT+UART_CUR?
    Then the module replies:
      """
      +UART_CUR:115200,8,1,0,0
      OK
      """

  @EH-5 @sim
  Scenario: AT+UART_DEF's rate holds now, after AT+RST and after a power cycle
    Given the module has just booted
    When the host sends AT+UART_DEF=460800,8,1,0,0
    Then the module replies OK
    When the host sends AT+UART_CUR?
    Then the module replies:
      """
      +UART_CUR:460800,8,1,0,0
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
    When the host sends AT+UART_CUR?
    Then the module replies:
      """
      +UART_CUR:460800,8,1,0,0
      OK
      """
    When the module is power-cycled
    And the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+UART_DEF?
    Then the module replies:
      """
      +UART_DEF:460800,8,1,0,0
      OK
      """
    When the host sends AT+UART_CUR?
    Then the module replies:
      """
      +UART_CUR:460800,8,1,0,0
      OK
      """

  @EH-5 @sim
  Scenario: AT+RESTORE erases AT+UART_DEF's rate
    Given the module has just booted
    When the host sends AT+UART_DEF=460800,8,1,0,0
    Then the module replies OK
    When the host sends AT+RESTORE
    Then the module replies OK
    And the module replies ready
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+UART_DEF?
    Then the module replies:
      """
      +UART_DEF:115200,8,1,0,0
      OK
      """

  @EH-5 @EG-5
  Scenario Outline: AT+UART_DEF with a parameter out of range or another framing than 8N1 is ERROR
    Given the module has just booted
    When the host sends AT+UART_DEF=<params>
    Then the module replies ERROR
    When the host sends AT+UART_DEF?
    Then the module replies:
      """
      +UART_DEF:115200,8,1,0,0
      OK
      """

    Examples:
      | params          |
      | 79,8,1,0,0      |
      | 5000001,8,1,0,0 |
      | 115200,7,1,0,0  |
      | 115200,8,1,0,4  |
      | 115200,8,1,0    |

  @EH-2
  Scenario: AT+CWDHCP is 3 from the factory and sets or clears bits
    Given the module has just booted
    When the host sends AT+CWDHCP?
    Then the module replies:
      """
      +CWDHCP:3
      OK
      """
    When the host sends AT+CWDHCP=0,2
    Then the module replies OK
    When the host sends AT+CWDHCP?
    Then the module replies:
      """
      +CWDHCP:1
      OK
      """
    When the host sends AT+CWDHCP=1,3
    Then the module replies OK
    When the host sends AT+CWDHCP?
    Then the module replies:
      """
      +CWDHCP:3
      OK
      """

  @EH-2 @EG-5
  Scenario Outline: AT+CWDHCP out of range is ERROR
    Given the module has just booted
    When the host sends AT+CWDHCP=<params>
    Then the module replies ERROR
    When the host sends AT+CWDHCP?
    Then the module replies:
      """
      +CWDHCP:3
      OK
      """

    Examples:
      | params |
      | 2,1    |
      | -1,1   |
      | 1,0    |
      | 1,4    |
      | 1      |

  @EH-2 @EW-5 @EW-6 @EW-9 @sim
  Scenario: with station DHCP off a join associates but ends +CWJAP:1 after its timeout
    Given the module has just booted
    When the host sends AT+CWDHCP=0,1
    Then the module replies OK
    When the host sends AT+CWJAP="lab","labpass1",,,,,,3
    Then the module replies WIFI CONNECTED
    And the module stays silent for 2500 ms
    And the module replies:
      """
      +CWJAP:1
      ERROR
      WIFI DISCONNECT
      """
    When the host sends AT+CWSTATE?
    Then the module replies:
      """
      +CWSTATE:4,"lab"
      OK
      """

  @EH-3
  Scenario: AT+CIPSTA? is all zeros before the join and the DHCP lease after it
    Given the module has just booted
    When the host sends AT+CIPSTA?
    Then the module replies:
      """
      +CIPSTA:ip:"0.0.0.0"
      +CIPSTA:gateway:"0.0.0.0"
      +CIPSTA:netmask:"0.0.0.0"
      OK
      """
    Given the module has joined "lab"
    When the host sends AT+CIPSTA?
    Then the module replies:
      """
      +CIPSTA:ip:"{ip}"
      +CIPSTA:gateway:"192.168.0.1"
      +CIPSTA:netmask:"255.255.255.0"
      OK
      """

  @EH-4
  Scenario: AT+CIPSTAMAC? gives the station's MAC address, the same every time
    Given the module has just booted
    When the host sends AT+CIPSTAMAC?
    Then the module replies:
      """
      +CIPSTAMAC:"{*}:{*}:{*}:{*}:{*}:{*}"
      OK
      """
    When the host sends AT+CIFSR
    Then the module replies:
      """
      +CIFSR:STAIP,"0.0.0.0"
      +CIFSR:STAMAC,"{*}:{*}:{*}:{*}:{*}:{*}"
      OK
      """

  @EH-1 @EH-2 @EH-4 @EG-3 @ET-1 @EW-17 @EW-2 @EW-14 @ER-3 @ER-2
  Scenario: Zephyr's esp_at driver starts
    Given the module has just booted with echo on
    When the host sends AT
    Then the module replies:
      """
      AT
      OK
      """
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+UART_CUR=115200,8,1,0,0
    Then the module replies OK
    When the host sends AT+CWDHCP=1,1
    Then the module replies OK
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CWLAPOPT=1,31
    Then the module replies OK
    When the host sends AT+CWMODE=1,0
    Then the module replies OK
    When the host sends AT+CWAUTOCONN=0
    Then the module replies OK
    When the host sends AT+CWMODE=0,0
    Then the module replies OK
    When the host sends AT+CIPRECVMODE=1
    Then the module replies OK
    When the host sends AT+CIPDINFO=1
    Then the module replies OK
    When the host sends AT+CIPSTAMAC?
    Then the module replies:
      """
      +CIPSTAMAC:"{*}"
      OK
      """
    When the host sends AT+CWMODE=1
    Then the module replies OK
    When the host sends AT+CWJAP="lab","labpass1"
    Then the module replies:
      """
      WIFI CONNECTED
      WIFI GOT IP
      OK
      """
    When the host sends AT+CIPSTA?
    Then the module replies:
      """
      +CIPSTA:ip:"{ip}"
      +CIPSTA:gateway:"192.168.0.1"
      +CIPSTA:netmask:"255.255.255.0"
      OK
      """

  @EB-2 @EB-5 @ET-1 @ER-3 @EB-6 @EW-1 @EB-4 @EQ-2 @EQ-3
  Scenario: WiFiEspAT resets the module and starts
    Given the module has just booted
    When the host sends AT+RST
    Then the module replies OK
    And the module replies ready within 2 s
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+CIPMUX=1
    Then the module replies OK
    When the host sends AT+CIPRECVMODE=1
    Then the module replies OK
    When the host sends AT+SYSSTORE=0
    Then the module replies OK
    When the host sends AT+CWMODE?
    Then the module replies:
      """
      +CWMODE:1
      OK
      """
    When the host sends AT+GMR
    Then the module replies:
      """
      AT version:{*}({*}
      SDK version:{*}
      compile time({*}):{*}
      Bin version:{*}
      OK
      """
    When the host sends AT+CIPSTATUS
    Then the module replies:
      """
      STATUS:1
      OK
      """

  @EG-3 @EB-5 @EH-1 @EB-4 @ET-1 @EG-5 @EK-3 @EW-12 @EQ-1
  Scenario: adafruit's ESP_ATcontrol begins
    Given the module has just booted with echo on
    When the host sends AT
    Then the module replies:
      """
      AT
      OK
      """
    When the host sends ATE0
    Then the module replies:
      """
      ATE0
      OK
      """
    When the host sends AT+UART_CUR=115200,8,1,0,0
    Then the module replies OK
    When the host sends AT
    Then the module replies OK
    When the host sends AT+GMR
    Then the module replies:
      """
      AT version:{*}
      SDK version:{*}
      compile time{*}
      Bin version:{*}
      OK
      """
    When the host sends AT+CIPMUX?
    Then the module replies:
      """
      +CIPMUX:0
      OK
      """
    When the host sends AT+CIPSSLSIZE=4096
    Then the module replies ERROR
    When the host sends AT+CIPSSLCCONF?
    Then the module replies:
      """
      +CIPSSLCCONF:0,0,0,0
      OK
      """
    When the host sends AT+CWSTATE?
    Then the module replies:
      """
      +CWSTATE:0,""
      OK
      """
    When the host sends AT+CIPSTATE?
    Then the module replies OK
