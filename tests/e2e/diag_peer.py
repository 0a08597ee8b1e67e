#!/usr/bin/env python3
"""A second, independent speaker of the diagnostics IPC protocol, for the end-to-end tests.

  diag_peer.py serve SOCKET MODE     a fake runtime: silent | garbage | oversized | error
  diag_peer.py attach SOCKET CLSID LIBRARY CLIENT_DATA_FILE
                                     sends AttachProfiler like a foreign tool would; prints the reply code
  diag_peer.py runtime DIR [MAP_FILE]
                                     a fake runtime that answers ProcessInfo from DIR/dotnet-diagnostic-<pid>-<key>-socket
                                     (its own pid and start time), with MAP_FILE mapped into its memory (a file named
                                     ld-musl-x86_64.so.1 makes it look like a musl process); refuses everything else
"""
import mmap
import os
import socket
import struct
import sys
import time
import uuid

MAGIC = b"DOTNET_IPC_V1\0"


def header(size, cmd_set, cmd_id):
    return MAGIC + struct.pack("<HBBH", size, cmd_set, cmd_id, 0)


def serve(path, mode):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    print("listening", flush=True)
    while True:
        conn, _ = srv.accept()
        conn.recv(65536)
        if mode == "silent":
            time.sleep(3600)
        elif mode == "garbage":
            conn.sendall(b"HTTP/1.1 200 OK\r\n\r\nhello")
        elif mode == "oversized":
            conn.sendall(header(65535, 0xFF, 0x00) + b"\0" * 16)
            time.sleep(1)
        elif mode == "error":
            conn.sendall(header(24, 0xFF, 0xFF) + struct.pack("<I", 0x80131515))
        conn.close()


def utf16(text):
    data = (text + "\0").encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def runtime(folder, map_file=None):
    mapped = None  # stays mapped while the loop below runs
    if map_file:
        with open(map_file, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    stat = open("/proc/self/stat").read()
    key = stat[stat.rindex(")") + 2:].split()[19]  # field 22: the start time in clock ticks
    path = os.path.join(folder, "dotnet-diagnostic-%d-%s-socket" % (os.getpid(), key))
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    print("listening", path, flush=True)
    while True:
        conn, _ = srv.accept()
        request = conn.recv(65536)
        if request[16:18] == bytes([0x04, 0x00]):  # ProcessInfo (version 1)
            payload = struct.pack("<Q", os.getpid()) + b"\x11" * 16
            payload += utf16("/usr/bin/dotnet /app/Fake.dll") + utf16("Linux") + utf16("x64")
            conn.sendall(header(20 + len(payload), 0xFF, 0x00) + payload)
        elif request[16] == 0x04:  # ProcessInfo 2 and 3: unknown to an old runtime
            conn.sendall(header(24, 0xFF, 0xFF) + struct.pack("<I", 0x80131385))
        else:
            conn.sendall(header(24, 0xFF, 0xFF) + struct.pack("<I", 0x80131515))
        conn.close()


def attach(path, clsid, library, client_file):
    client = open(client_file, "rb").read()
    lib16 = (library + "\0").encode("utf-16-le")
    payload = struct.pack("<I", 5000) + uuid.UUID(clsid).bytes_le
    payload += struct.pack("<I", len(lib16) // 2) + lib16 + struct.pack("<I", len(client)) + client
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    s.sendall(header(20 + len(payload), 0x03, 0x01) + payload)
    reply = b""
    while len(reply) < 24:
        chunk = s.recv(24 - len(reply))
        if not chunk:
            break
        reply += chunk
    assert reply[:14] == MAGIC, reply
    cmd_set, cmd_id = reply[16], reply[17]
    code = struct.unpack("<I", reply[20:24])[0]
    print("%s 0x%08X" % ("error" if cmd_id == 0xFF else "ok", code))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "runtime":
        runtime(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        attach(*sys.argv[2:6])
