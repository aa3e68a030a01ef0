#!/usr/bin/env python3
"""Where a process's resident memory goes, from /proc/PID/smaps.

    python3 bench/rss.py PID [TOP]

Groups mappings into the heap, stacks, other anonymous memory and each
file (a shared library: text, data and relro together), prints Rss and
Private_Dirty in KiB, largest first, and the libraries' total. Private
dirty memory is what each extra process really costs; clean library text
is shared with every other process using the library.
"""
import collections
import os
import sys


def smaps(pid):
    groups = collections.defaultdict(lambda: [0, 0])
    name = None
    with open("/proc/%s/smaps" % pid) as f:
        for line in f:
            head = line.split()
            if not head:
                continue
            if "-" in head[0] and not head[0].endswith(":"):
                name = head[5] if len(head) > 5 else "[anon]"
                if name.startswith("[stack") or name.startswith("[heap]"):
                    pass
                elif not name.startswith("/") and not name.startswith("["):
                    name = "[anon]"
            elif head[0] == "Rss:":
                groups[name][0] += int(head[1])
            elif head[0] == "Private_Dirty:":
                groups[name][1] += int(head[1])
    return groups


def main():
    pid = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    g = smaps(pid)
    tot = [sum(v[0] for v in g.values()), sum(v[1] for v in g.values())]
    libs = [sum(v[0] for k, v in g.items() if ".so" in k),
            sum(v[1] for k, v in g.items() if ".so" in k)]
    print("pid %s: Rss %d KiB, Private_Dirty %d KiB; libraries: Rss %d KiB "
          "(%d files), Private_Dirty %d KiB" % (pid, tot[0], tot[1],
                                                 libs[0], sum(
                                                     1 for k in g
                                                     if ".so" in k),
                                                 libs[1]))
    print("  %8s %8s  %s" % ("Rss", "PrivDirty", "mapping"))
    for k, v in sorted(g.items(), key=lambda kv: -kv[1][0])[:top]:
        print("  %8d %8d  %s" % (v[0], v[1], os.path.basename(k)
                                  if k.startswith("/") else k))


if __name__ == "__main__":
    main()
