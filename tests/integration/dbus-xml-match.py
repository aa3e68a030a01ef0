#!/usr/bin/env python3
"""dbus-xml-match.py INTERFACE WANT.xml LIVE.xml: the interface described in
WANT.xml (the installed contract in dbus/) and the one a live object
introspects as (busctl introspect --xml-interface) have exactly the same
members with the same signatures. Exit 0 when they do, 1 with the
difference when not."""
import sys
import xml.etree.ElementTree as ET


def members(path, name):
    root = ET.parse(path).getroot()
    for i in root.iter("interface"):
        if i.get("name") != name:
            continue
        out = set()
        for m in i:
            if m.tag == "property":
                out.add(("property", m.get("name"), m.get("type"),
                         m.get("access")))
            elif m.tag in ("method", "signal"):
                default = "out" if m.tag == "signal" else "in"
                args = tuple((a.get("direction", default), a.get("type"))
                             for a in m.iter("arg"))
                out.add((m.tag, m.get("name"), args))
        return out
    raise SystemExit("no %s in %s" % (name, path))


def main():
    name, want_path, have_path = sys.argv[1:4]
    want, have = members(want_path, name), members(have_path, name)
    if want != have:
        print("only in XML:", sorted(want - have))
        print("only live:", sorted(have - want))
        return 1
    print(len(want), "members match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
