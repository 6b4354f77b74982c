#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/, in the input formats
of the targets (firmware-core/src/fuzzing.rs, fuzz/fuzz_targets/*.rs).

Sources: the AT lines of features/*.feature, DNS and SNTP packets like the
unit tests build, stored-settings blobs, and the TLS/DTLS captures of
firmware-core/src/tls/vectors/captures.rs. Run from anywhere:

    python3 fuzz/seeds.py

It replaces the corpus it writes; the files are named by content.
"""

import hashlib
import pathlib
import re
import shutil
import struct
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def u16(n):
    return struct.pack(">H", n)


def chunk8(b):
    assert len(b) < 256
    return bytes([len(b)]) + b


def chunk16(b):
    return u16(len(b)) + b


def write(target, seeds):
    d = CORPUS / target
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    for s in seeds:
        (d / hashlib.sha1(s).hexdigest()[:16]).write_bytes(s)
    print(f"{target}: {len(seeds)} seeds, {sum(map(len, seeds))} bytes")


def feature_lines():
    """Every `the host sends <line>` of the feature files, in order."""
    lines = []
    for f in sorted((ROOT / "features").rglob("*.feature")):
        for m in re.finditer(r"the host sends (.+)$", f.read_text(), re.M):
            text = m.group(1).strip()
            if text.startswith('"') and text.endswith('"'):
                text = text[1:-1].encode().decode("unicode_escape")
            if text not in lines:
                lines.append(text)
    return [l.encode("latin-1") for l in lines]


# ---------------------------------------------------------------- parser


def parser_seeds(lines):
    seeds = []
    for i in range(0, len(lines), 8):
        group = lines[i : i + 8]
        seeds.append(bytes([255, 7 + i % 50]) + b"\r\n".join(group) + b"\r\n")
    seeds.append(b"\xff\x00" + b'AT+CIPSTART=0,"TCP","192.168.0.103",20108\r\n')
    seeds.append(b"\x0f\x03" + b"AT+CIPSEND=0,5\rAT\nAT+CIPDNS=1,\"1.1.1.1\",\"8.8.8.8\"\r\n")
    seeds.append(b"\xff\x01" + b'AT+CIPSSLCPSK=0,"\\"k\\,e\\\\y","id",,1\r\n')
    return seeds


# ---------------------------------------------------------------- dns


def dns_name(name):
    out = b""
    for label in name.split(b"."):
        out += bytes([len(label)]) + label
    return out + b"\0"


def dns_response(name, rcode=0, answers=(), flags=0x8180, qd=1):
    header = u16(0) + u16(flags | rcode) + u16(qd) + u16(len(answers)) + u16(0) + u16(0)
    question = dns_name(name) + u16(1) + u16(1) if qd else b""
    body = b""
    for owner, rtype, rdata in answers:
        body += owner + u16(rtype) + u16(1) + struct.pack(">I", 60) + u16(len(rdata)) + rdata
    return header + question + body


def dns_seeds():
    name = b"example.com"
    ptr = b"\xc0\x0c"
    a = lambda ip: bytes(ip)
    alias = dns_name(b"www.example.net")
    cases = [
        dns_response(name, answers=[(ptr, 1, a([93, 184, 216, 34]))]),
        dns_response(name, rcode=3),
        dns_response(name, rcode=2),
        dns_response(name, flags=0x8380),  # truncated
        dns_response(name),  # no data
        dns_response(name, answers=[(ptr, 5, alias), (alias, 1, a([10, 0, 0, 1]))]),
        dns_response(name, answers=[(ptr, 5, alias)]),
        dns_response(name, answers=[(ptr, 5, ptr)]),  # alias to itself
        dns_response(name, answers=[(ptr, 28, bytes(16)), (ptr, 1, a([1, 2, 3, 4]))]),
        dns_response(name, qd=0),
    ]
    seeds = []
    seed = bytes(8)
    for c in cases:
        seeds.append(seed + chunk8(name) + b"\x00" + chunk16(c))
    # A chain followed across queries, a timeout in between, a stranger.
    cname = dns_response(name, answers=[(ptr, 5, alias)])
    then = dns_response(b"www.example.net", answers=[(ptr, 1, a([10, 9, 8, 7]))])
    seeds.append(seed + chunk8(name) + b"\x00" + chunk16(cname) + b"\x00" + chunk16(then))
    seeds.append(
        seed + chunk8(name) + b"\x03" + u16(1000) + b"\x02" + chunk16(cases[0]) + b"\x00" + chunk16(cases[0])
    )
    seeds.append(seed + chunk8(b"a.b.c.d.e.f.g.h") + b"\x01" + chunk16(cases[0]) + b"\x04")
    return seeds


# ---------------------------------------------------------------- sntp


def sntp_reply(li=0, vn=4, mode=4, stratum=1, transmit=0xE9B0_0000_8000_0000):
    p = bytearray(48)
    p[0] = li << 6 | vn << 3 | mode
    p[1] = stratum
    p[12:16] = b"LOCL"
    p[40:48] = struct.pack(">Q", transmit)
    return bytes(p)


def sntp_seeds():
    seed = bytes(8)
    cases = [
        sntp_reply(),
        sntp_reply(vn=3),
        sntp_reply(stratum=0),  # kiss-o'-death
        sntp_reply(li=3),
        sntp_reply(transmit=0),
        sntp_reply(transmit=0x0000_0001_0000_0000),  # era 1
        sntp_reply(transmit=0xFFFF_FFFF_FFFF_FFFF),
        sntp_reply(mode=5),
    ]
    seeds = [seed + b"\x00" + chunk8(c) for c in cases]
    seeds.append(seed + b"\x02" + u16(20) + b"\x00" + chunk8(cases[0]) + b"\x02" + u16(3600) + b"\x00" + chunk8(cases[0]))
    seeds.append(seed + b"\x03\x02" + u16(15) + b"\x00" + chunk8(cases[0]) + b"\x04\x05")
    seeds.append(seed + b"\x01" + chunk8(cases[0]))
    return seeds


# ---------------------------------------------------------------- settings


def settings_blob(sysstore=1, manual=(), version=1):
    body = b"ATST" + bytes([version, sysstore, 1 if manual else 0, len(manual)])
    servers = b"".join(bytes(s) for s in manual)
    body += servers + bytes(12 - len(servers))
    return body + struct.pack("<I", zlib.crc32(body))


def settings_seeds():
    return [
        settings_blob(),
        settings_blob(sysstore=0),
        settings_blob(manual=[[8, 8, 8, 8]]),
        settings_blob(sysstore=0, manual=[[1, 1, 1, 1], [8, 8, 4, 4]]),
        settings_blob(manual=[[208, 67, 222, 222], [9, 9, 9, 9], [0, 0, 0, 0]]),
        settings_blob(version=2),
        settings_blob()[:-1],
        bytes(24),
    ]


# ---------------------------------------------------------------- tls_record


def captures():
    text = (ROOT / "firmware-core/src/tls/vectors/captures.rs").read_text()
    for block in re.split(r"\npub\(crate\) const ", text)[1:]:
        dtls = "Transport::Dtls" in block
        random = bytes.fromhex(re.search(r"CLIENT_RANDOM ([0-9a-f]{64})", block).group(1))
        traffic = []
        for d, hexes in re.findall(r"\(\s*(C2S|S2C),\s*\"([0-9a-f\s]+)\",?\s*\)", block):
            traffic.append((d, bytes.fromhex("".join(hexes.split()))))
        yield dtls, random, traffic


def tls_seeds():
    seeds = []
    for dtls, random, traffic in captures():
        head = 0x84 if dtls else 0x04
        server = [b for d, b in traffic if d == "S2C"]
        # The whole server side: the handshake completes, then its records.
        seeds.append(bytes([head]) + random + b"".join(b"\x00" + chunk16(b) for b in server))
        # The handshake's flights only, with a retransmission timer.
        seeds.append(bytes([head]) + random + b"\x01" + u16(1500) + b"\x00" + chunk16(server[0]))
        # Its records through the unprotected opener.
        seeds.append(bytes([head & 0x80]) + u16(4096) + b"".join(chunk16(b) for b in server[:2]))
        # Each suite's protection, sealing and opening.
        suite = len(seeds) % 3
        seeds.append(
            bytes([head & 0x80 | 1, suite])
            + bytes(range(16))
            + b"\x01" + chunk16(b"ping\n") + u16(77)
            + b"\x03" + chunk16(b"") + u16(3)
            + b"\x00" + chunk16(server[-1])
        )
    # Handshake message bodies: a ServerHello with both extensions, a hint,
    # a HelloVerifyRequest.
    hello = bytes([3, 3]) + bytes(32) + b"\x00" + u16(0x00A8) + b"\x00"
    ext = u16(0xFF01) + u16(1) + b"\x00" + u16(1) + u16(1) + b"\x04"
    seeds.append(b"\x02" + chunk16(hello + chunk16(ext)) + chunk16(chunk16(b"hint")) + chunk16(b""))
    seeds.append(b"\x82" + chunk16(bytes([254, 253]) + chunk8(bytes(20))))
    # The replay window.
    seeds.append(b"\x03" + b"".join(struct.pack(">Q", s) for s in [5, 3, 70, 1 << 62 | 2, 0, 6]))
    return seeds


# ---------------------------------------------------------------- module


def module_seeds(lines):
    line = lambda l: b"\x01" + chunk8(l)
    boot = b"\x10"
    open_all = b"\x11"
    seeds = []
    # The feature files' lines, a few at a time, after the usual boot.
    for i in range(0, len(lines), 12):
        group = [l for l in lines[i : i + 12] if len(l) < 256]
        seeds.append(b"\x00" + bytes(8) + boot + b"".join(line(l) + open_all for l in group))
    tcp = b'AT+CIPSTART=0,"TCP","192.168.0.103",20108'
    # A link, a send, its data and SEND OK, data back, a close.
    seeds.append(
        b"\x00" + bytes(8) + boot + line(b"AT+CIPMUX=1") + line(tcp) + open_all
        + line(b"AT+CIPSEND=0,5") + b"\x00" + chunk16(b"hello") + b"\x07\x00"
        + b"\x06\x00\x00" + chunk16(b"world") + b"\x08\x00\x00"
    )
    # Passthrough: mode 1, a link, data, the escape, the guard times.
    seeds.append(
        b"\x00" + bytes(8) + boot + line(b"AT+CIPMODE=1") + line(b'AT+CIPSTART="TCP","192.168.0.103",80')
        + open_all + line(b"AT+CIPSEND") + b"\x00" + chunk16(b"x" * 300) + b"\x0b\x45"
        + b"\x07\x00" + b"\x0b\x45" + b"\x00" + chunk16(b"+++") + b"\x0b\x45" + b"\x0c" + b"\x0b\xa1"
    )
    # Names: a lookup answered, one not found, SNTP over a name.
    seeds.append(
        b"\x00" + bytes(8) + boot + line(b'AT+CIPDOMAIN="example.com"') + b"\x0f\x00" + bytes([93, 184, 216, 34]) + u16(0)
        + line(b'AT+CIPSTART=1,"UDP","peer.example",5000') + b"\x0f\x00" + bytes(4) + u16(0)
        + line(b'AT+CIPSNTPCFG=1,8,"pool.ntp.org"') + b"\x0f\x01" + bytes([10, 0, 0, 5]) + u16(0)
        + b"\x0b\x21" + b"\x0f\x02" + bytes(4) + u16(0x1234) + line(b"AT+CIPSNTPTIME?")
    )
    # Settings: a write left outstanding, failed, then one made durable and
    # a power cycle.
    seeds.append(
        b"\x04" + bytes(8) + boot + line(b'AT+CIPDNS=1,"8.8.8.8"') + b"\x0d\x01"
        + line(b'AT+CIPDNS=1,"1.1.1.1","9.9.9.9"') + b"\x0d\x00" + b"\x0e" + boot + line(b"AT+CIPDNS?")
    )
    # A stored blob at power-on, a slow host, a ping.
    seeds.append(
        b"\x03" + chunk8(settings_blob(manual=[[8, 8, 8, 8]])) + bytes(8) + boot
        + line(b'AT+PING="192.168.0.103"') + b"\x09\x00" + b"\x02" + u16(4096)
        + b"\x01" + chunk8(b"AT+RST") + b"\x0b\x41" + b"\x02" + u16(4096)
    )
    return seeds


def main():
    lines = feature_lines()
    write("parser", parser_seeds(lines))
    write("dns", dns_seeds())
    write("sntp", sntp_seeds())
    write("settings", settings_seeds())
    write("tls_record", tls_seeds())
    write("module", module_seeds(lines))


if __name__ == "__main__":
    main()
