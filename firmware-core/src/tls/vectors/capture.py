#!/usr/bin/env python3
"""Capture TLS 1.2-PSK and DTLS 1.2-PSK sessions between OpenSSL's s_client
and s_server, for the interop vectors of `../vectors.rs`.

    python3 capture.py tls|dtls SUITE      (SUITE: an OpenSSL cipher name)

`captures.rs` holds, after its header, the output of

    for t in tls dtls; do for s in PSK-AES128-GCM-SHA256 PSK-AES128-CCM8 \
        PSK-AES128-CBC-SHA256; do python3 capture.py $t $s; echo; done; done

The client offers what the module offers (TL-1: PSK-AES128-GCM-SHA256,
PSK-AES128-CCM8, PSK-AES128-CBC-SHA256, in that order) and max_fragment_length
4096 (TL-6); the server is held to SUITE. Extended master secret (RFC 7627),
encrypt-then-MAC (RFC 7366) and session tickets are turned off on both sides,
since the module uses none of them. The client sends "ping\n", the server
answers "pong\n", the client closes (close_notify).

Everything runs on 127.0.0.1: a relay between the two logs the bytes of each
direction (TLS: the chunks of the two byte streams; DTLS: every datagram).
Prints a `Capture` for `vectors.rs`: the keylog line (the master secret per
client_random) and the traffic as hex, in the order the relay saw it.
"""
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

PSK = "0102030405060708090a0b0c0d0e0f10"
IDENTITY = "module"
OFFER = "PSK-AES128-GCM-SHA256:PSK-AES128-CCM8:PSK-AES128-CBC-SHA256"
CONF = """openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = -ExtendedMasterSecret
"""


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def relay_tcp(listen, server_port, log, deadline):
    conn, _ = listen.accept()
    up = socket.create_connection(("127.0.0.1", server_port))
    peers = {conn: (up, "c2s"), up: (conn, "s2c")}
    while time.time() < deadline and peers:
        ready, _, _ = select.select(list(peers), [], [], 0.2)
        for s in ready:
            data = s.recv(65536)
            other, tag = peers[s]
            if not data:
                other.shutdown(socket.SHUT_WR)
                del peers[s]
                continue
            log.append((tag, data))
            other.sendall(data)


def relay_udp(front, server_port, log, deadline):
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.connect(("127.0.0.1", server_port))
    client = None
    while time.time() < deadline:
        ready, _, _ = select.select([front, back], [], [], 0.2)
        for s in ready:
            if s is front:
                data, client = front.recvfrom(65536)
                log.append(("c2s", data))
                back.send(data)
            else:
                data = back.recv(65536)
                log.append(("s2c", data))
                front.sendto(data, client)


def wait_for(proc_out, needle, deadline):
    buf = b""
    while time.time() < deadline:
        ready, _, _ = select.select([proc_out], [], [], 0.2)
        if ready:
            chunk = os.read(proc_out.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            if needle in buf:
                return buf
    raise SystemExit(f"timed out waiting for {needle!r}; got {buf!r}")


def main():
    transport, suite = sys.argv[1], sys.argv[2]
    dtls = transport == "dtls"
    tmp = tempfile.mkdtemp()
    conf = os.path.join(tmp, "openssl.cnf")
    keylog = os.path.join(tmp, "keylog")
    with open(conf, "w") as f:
        f.write(CONF)
    env = dict(os.environ, OPENSSL_CONF=conf)
    kind = socket.SOCK_DGRAM if dtls else socket.SOCK_STREAM
    server_port = free_port(kind)
    version = ["-dtls1_2"] if dtls else ["-tls1_2"]
    deadline = time.time() + 20

    server = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{server_port}", "-nocert",
         "-psk", PSK, "-psk_identity", IDENTITY, "-cipher", suite, "-no_ticket",
         "-naccept", "1"] + version,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    wait_for(server.stdout, b"ACCEPT", deadline)

    log = []
    front = socket.socket(socket.AF_INET, kind)
    front.bind(("127.0.0.1", 0))
    if not dtls:
        front.listen(1)
    relay = threading.Thread(
        target=relay_udp if dtls else relay_tcp,
        args=(front, server_port, log, deadline), daemon=True)
    relay.start()

    client = subprocess.Popen(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{front.getsockname()[1]}",
         "-psk", PSK, "-psk_identity", IDENTITY, "-cipher", OFFER, "-no_etm",
         "-no_ticket", "-maxfraglen", "4096", "-keylogfile", keylog] + version,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    wait_for(client.stdout, b"Verify return code", deadline)
    client.stdin.write(b"ping\n")
    client.stdin.flush()
    wait_for(server.stdout, b"ping", deadline)
    server.stdin.write(b"pong\n")
    server.stdin.flush()
    wait_for(client.stdout, b"pong", deadline)
    client.stdin.close()
    client.wait(timeout=10)
    time.sleep(0.5)
    server.kill()
    server.wait()

    names = {"PSK-AES128-GCM-SHA256": ("GCM", "Aes128GcmSha256"),
             "PSK-AES128-CCM8": ("CCM8", "Aes128Ccm8"),
             "PSK-AES128-CBC-SHA256": ("CBC", "Aes128CbcSha256")}
    short, variant = names[suite]
    with open(keylog) as f:
        (line,) = [l.strip() for l in f if l.startswith("CLIENT_RANDOM")]
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.split("(")[0].strip()
    print(f"/// {transport.upper()} 1.2, {suite}: {version}, `capture.py {transport} {suite}`.")
    print(f"pub(super) const {transport.upper()}_{short}: Capture = Capture {{")
    print(f"    transport: Transport::{'Dtls' if dtls else 'Tls'},")
    print(f"    suite: CipherSuite::{variant},")
    print(f'    keylog: "{line}",')
    print("    traffic: &[")
    for tag, data in log:
        h = data.hex()
        lines = [h[i:i + 80] for i in range(0, len(h), 80)]
        body = "\n             ".join(lines)
        print(f'        ({tag.upper()}, "{body}"),')
    print("    ],")
    print("};")


if __name__ == "__main__":
    main()
