"""Adafruit's ESP-AT host library, unmodified, against the module on a pty.

Run by ports/host/tests/hostlibs.rs in the virtualenv it makes from
requirements.txt beside this file. The library is driven only through its
public API (ESP_ATcontrol and its socket module) over a pyserial port, the
way CPython drives a module on a USB serial adapter; Adafruit-Blinka gives
it the CircuitPython modules it imports (digitalio, micropython). No shim.

Each step prints `STEP <name> ok <detail>` once the library said it
succeeded and the script checked what it returned; the first failure raises,
so the exit status is non-zero and the last lines name the step.

Usage: adafruit_esp_at.py PORT SSID PASSWORD NAME ADDRESS ECHO_PORT MODULE_IP [-v]
(-v: the library's debug output, every command and reply)
"""

import sys
import time

import serial
from adafruit_espatcontrol import adafruit_espatcontrol as espat
from adafruit_espatcontrol import adafruit_espatcontrol_socket as pool


def step(name, detail=""):
    print(f"STEP {name} ok {detail}".rstrip(), flush=True)


def expect(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def main():
    path, ssid, password, name, address, echo_port, module_ip = sys.argv[1:8]
    echo_port = int(echo_port)

    # Any baud: a pty has none. The library sets the rate itself
    # (AT+UART_CUR, then the port's baudrate) in begin().
    uart = serial.Serial(path, 115200, timeout=1)
    esp = espat.ESP_ATcontrol(uart, 115200, debug="-v" in sys.argv)
    print("library", espat.__version__, "pyserial", serial.VERSION, flush=True)

    # begin(): AT, ATE0, AT+UART_CUR, AT+GMR, AT+CIPMUX?, AT+CIPSSLSIZE
    # (ERROR expected: not an ESP8266), AT+CIPSSLCCONF?, AT+CWSTATE?.
    esp.begin()
    if not esp.version or "AT version:" not in esp.version:
        raise AssertionError(f"version {esp.version!r}")
    step("begin", esp.version)

    # AT+CWLAP: the lab's access point among those in range.
    seen = [ap[1] for ap in esp.scan_APs()]
    if ssid not in seen:
        raise AssertionError(f"scan_APs saw {seen!r}")
    step("scan", f"{seen!r}")

    # connect(): AT+CWSTATE?/AT+CIPSTATE? status, AT+CWMODE?, then
    # AT+CWJAP="ssid","password" until WIFI GOT IP; AT+CIFSR for the address.
    esp.connect({"ssid": ssid, "password": password}, timeout=10, retries=1)
    if not esp.is_connected:
        raise AssertionError("is_connected is False after connect()")
    expect("local_ip", esp.local_ip, module_ip)
    # remote_AP (AT+CWJAP?) compares bytes with a str, which CircuitPython
    # allows and CPython does not (TypeError): the query is sent as
    # at_response, the library's public way to send one.
    joined = esp.at_response("AT+CWJAP?", timeout=3)
    if not joined.startswith(f'+CWJAP:"{ssid}",'.encode()):
        raise AssertionError(f"AT+CWJAP? answered {joined!r}")
    step("join", f"{ssid} as {module_ip}")

    # AT+CIPDOMAIN="name"
    expect("nslookup", esp.nslookup(name), address)
    step("dns", f"{name} is {address}")

    # AT+CIPSTART="TCP","name",port,10 -> CONNECT (the module resolves the
    # name itself), then a status check.
    if not esp.socket_connect(esp.TYPE_TCP, name, echo_port):
        raise AssertionError("socket_connect returned False")
    expect("status after connect", esp.status, esp.STATUS_SOCKETOPEN)
    expect("status_socket after connect", esp.status_socket, esp.STATUS_SOCKET_OPEN)
    step("connect", f"{name}:{echo_port}")

    # AT+CIPSEND=n, '>', the bytes, SEND OK.
    payload = b"adafruit active receive\r\n"
    if not esp.socket_send(payload):
        raise AssertionError("socket_send returned False")
    step("send", f"{len(payload)} bytes")

    # Active mode (the module's default and the library's only one):
    # +IPD,n:data read straight off the UART.
    expect("socket_receive", bytes(esp.socket_receive(timeout=5)), payload)
    step("receive", "active +IPD")

    # AT+CIPCLOSE -> CLOSED, OK; then no socket is open.
    esp.socket_disconnect()
    expect("status_socket after close", esp.status_socket, esp.STATUS_SOCKET_CLOSED)
    step("close")

    # The same through the library's socket module, by name this time:
    # getaddrinfo (AT+CIPDOMAIN), connect, send, readline, close.
    pool.set_interface(esp)
    family, _, _, _, sockaddr = pool.getaddrinfo(name, echo_port)[0]
    expect("getaddrinfo", sockaddr, (address, echo_port))
    # The socket's timeout stays 0: close() reads for that long first;
    # readline() waits up to 3 s of its own.
    sock = pool.socket(family, pool.SOCK_STREAM)
    sock.connect(sockaddr, esp.TYPE_TCP)
    sock.send(b"line one\r\nline two\r\n")
    expect("readline 1", sock.readline(), b"line one")
    expect("readline 2", sock.readline(), b"line two")
    sock.close()
    expect("status_socket after socket close", esp.status_socket, esp.STATUS_SOCKET_CLOSED)
    step("socket module", "getaddrinfo, connect, send, readline x2, close")

    # AT+CWQAP -> OK, WIFI DISCONNECT.
    esp.disconnect()
    expect("status after leaving", esp.status, esp.STATUS_NOTCONNECTED)
    step("leave")

    uart.close()
    print("DONE", flush=True)


if __name__ == "__main__":
    start = time.monotonic()
    main()
    print(f"took {time.monotonic() - start:.1f} s", flush=True)
