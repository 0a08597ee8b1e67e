#!/usr/bin/env python3
"""A second, independent speaker of the diagnostics IPC protocol, for the end-to-end tests.

  diag_peer.py serve SOCKET MODE     a fake runtime: silent | garbage | oversized | error
  diag_peer.py attach SOCKET CLSID LIBRARY CLIENT_DATA_FILE
                                     sends AttachProfiler like a foreign tool would; prints the reply code
"""
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
    else:
        attach(*sys.argv[2:6])
