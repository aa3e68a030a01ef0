#!/usr/bin/env python3
"""Reads a `busctl monitor --json=short` log of a session bus and prints
what happened to org.freedesktop.Notifications, one JSON object a line:

  {"ev": "notify", "sender", "replaces", "summary", "body", "actions",
   "hints", "timeout", "id"}    (id: what the server answered, or null)
  {"ev": "close", "id"}         (CloseNotification called)
  {"ev": "closed", "id"}        (NotificationClosed emitted)
  {"ev": "action", "id", "key"} (ActionInvoked emitted)

Usage: notify-log.py LOG [last SUMMARY-REGEX]
With "last", prints only the newest notify event whose summary matches
(exit 1 when none does)."""
import json
import re
import sys

IFACE = "org.freedesktop.Notifications"


def plain(v):
    """A busctl JSON value without its type wrappers."""
    if isinstance(v, dict) and set(v) == {"type", "data"}:
        return plain(v["data"])
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def events(path):
    out, calls = [], {}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                m = json.loads(line)
            except ValueError:
                continue
            data = plain(m.get("payload", {}).get("data", []))
            t = m.get("type")
            if t == "method_call" and m.get("interface") == IFACE:
                if m.get("member") == "Notify" and len(data) == 8:
                    e = {"ev": "notify", "sender": m.get("sender"),
                         "replaces": data[1], "summary": data[3],
                         "body": data[4], "actions": data[5],
                         "hints": data[6], "timeout": data[7], "id": None}
                    calls[(m.get("sender"), m.get("cookie"))] = e
                    out.append(e)
                elif m.get("member") == "CloseNotification":
                    out.append({"ev": "close", "id": data[0]})
            elif t == "method_return":
                e = calls.pop((m.get("destination"), m.get("reply_cookie")),
                              None)
                if e is not None and data:
                    e["id"] = data[0]
            elif t == "signal" and m.get("interface") == IFACE:
                if m.get("member") == "NotificationClosed":
                    out.append({"ev": "closed", "id": data[0]})
                elif m.get("member") == "ActionInvoked":
                    out.append({"ev": "action", "id": data[0],
                                "key": data[1]})
    return out


def main():
    evs = events(sys.argv[1])
    if len(sys.argv) > 3 and sys.argv[2] == "last":
        rx = re.compile(sys.argv[3])
        hits = [e for e in evs if e["ev"] == "notify" and
                rx.search(e["summary"])]
        if not hits:
            sys.exit(1)
        print(json.dumps(hits[-1]))
        return
    for e in evs:
        print(json.dumps(e))


main()
