#!/usr/bin/env python3
"""Drives jdb through a script against a JVM listening for a debugger, and prints the exchange.

    jdb_session.py JDB PORT SCRIPT

Each line of SCRIPT is a jdb command, sent once jdb is back at its prompt, or one of:
  wait TEXT    wait (at most 60 s) until jdb has printed TEXT since the last wait
  sleep N      do nothing for N seconds (a user looking at a breakpoint)
Exits 1 when a wait times out, after printing what jdb said.
"""
import os
import select
import subprocess
import sys
import time

jdb, port, script = sys.argv[1], sys.argv[2], sys.argv[3]
session = subprocess.Popen([jdb, "-attach", "127.0.0.1:" + port], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
said = ""


def read_until(done, timeout):
    global said
    end = time.time() + timeout
    while time.time() < end:
        ready, _, _ = select.select([session.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(session.stdout.fileno(), 65536)
            if not chunk:
                return False
            said += chunk.decode(errors="replace")
            if done(said):
                return True
    return False


def at_prompt(text):
    tail = text.rstrip()
    return tail.endswith("]") or tail.endswith(">")


status = 0
mark = 0
for line in open(script):
    command = line.rstrip("\n")
    if command.startswith("wait "):
        wanted = command[5:]
        if not read_until(lambda text: wanted in text[mark:], 60):
            said += "\n[jdb_session: no '%s' within 60 s]\n" % wanted
            status = 1
            break
        mark = len(said)
    elif command.startswith("sleep "):
        time.sleep(float(command[6:]))
    else:
        read_until(at_prompt, 10)
        session.stdin.write((command + "\n").encode())
        session.stdin.flush()
        time.sleep(0.3)
read_until(lambda text: False, 3)
try:
    session.stdin.close()
    session.wait(timeout=30)
except (BrokenPipeError, subprocess.TimeoutExpired):
    session.kill()
sys.stdout.write(said)
sys.exit(status)
