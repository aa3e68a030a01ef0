#!/usr/bin/env python3
"""Where svopid's CPU goes during bench/setup, from `perf script` output.

    PERF=/tmp/p.data sh bench/setup
    perf script -i /tmp/p.data -F comm,pid,tid,time,ip,sym,dso >/tmp/p.txt
    python3 bench/perf-breakdown.py /tmp/p.txt HZ CALLS

Each sample goes to the first category whose pattern matches a frame,
leaf first (so RSA inside MIKEY counts as RSA); the rest by the nearest
svopid function. Prints ms of CPU per call per process (HZ: the -F of the
recording, 4000 in bench/setup; CALLS: svopid calls recorded).
"""
import collections
import re
import sys

CATS = [
    ("NSS start (srtp_init: NSS_InitContext, module loading)",
     r"NSS_InitContext|SECMOD_LoadModule|srtp_init\b|srtp_crypto_kernel_init"),
    ("SRTP session set-up/teardown (srtp_create/dealloc, NSS contexts)",
     r"srtp_create|srtp_dealloc|srtp_add_stream|srtp_stream_dealloc"),
    ("SRTP per packet (protect/unprotect)", r"srtp_protect|srtp_unprotect"),
    ("RSA-3072 sign", r"RSA_sign|EVP_DigestSign|EVP_PKEY_sign"),
    ("RSA verify", r"RSA_verify|EVP_DigestVerify|EVP_PKEY_verify"),
    ("DH key generation", r"EVP_PKEY_generate|DH_generate_key|EVP_PKEY_keygen"),
    ("DH derive", r"EVP_PKEY_derive|DH_compute_key"),
    ("X.509 / PEM parsing", r"d2i_X509|PEM_read|X509_|d2i_"),
    ("TLS records (SSL_read/SSL_write)", r"SSL_read|SSL_write|ssl3_|tls_"),
    ("sqlite (trust store)", r"sqlite3"),
    ("D-Bus (sd-bus)", r"sd_bus|busloop"),
    ("logging", r"\blog_|vfprintf|__vfprintf"),
    ("dynamic linker", r"_dl_|do_lookup_x"),
]


def main():
    path, hz, ncalls = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    pats = [(n, re.compile(p)) for n, p in CATS]
    counts = collections.defaultdict(collections.Counter)
    pid = None
    frames = []

    def flush():
        if pid is None or not frames:
            return
        for n, p in pats:
            if any(p.search(f[0]) for f in frames):
                counts[pid][n] += 1
                return
        own = next((f[0] for f in frames if f[1].endswith("/svopid")), "?")
        kern = "kernel " if "kernel" in frames[0][1] else ""
        counts[pid]["%sunder %s" % (kern, own)] += 1

    for line in open(path, errors="replace"):
        if line and not line[0].isspace():
            flush()
            m = re.match(r"\S+\s+(\d+)/", line)
            pid = m.group(1) if m else None
            frames = []
        elif line.strip():
            m = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$", line)
            if m:
                frames.append((m.group(1), m.group(2)))
    flush()
    for p, c in counts.items():
        tot = sum(c.values())
        print("pid %s: %.1f ms CPU per call (%d samples)" %
              (p, tot / hz * 1e3 / ncalls, tot))
        for n, k in c.most_common(25):
            print("  %6.2f ms  %5.1f %%  %s" %
                  (k / hz * 1e3 / ncalls, 100.0 * k / tot, n))


if __name__ == "__main__":
    main()
