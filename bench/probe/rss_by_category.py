#!/usr/bin/env python3
"""Resident memory by Native Memory Tracking region, two runs side by side (issue 13).

usage: rss_by_category.py A.nmt A.smaps B.nmt B.smaps   (from memory-at-first-request.sh)

NMT's own "committed" figure is not what is resident (the Java heap is committed whole at start,
touched as it is used), so each smaps mapping's Rss is given to the NMT region (Java Heap,
Metaspace, Class, Code, Thread Stack...) that holds it; what no region holds is malloc (anonymous),
shared libraries, the CDS archive or mapped files.
"""
import re
import sys


def regions(nmt):
    out = []
    for line in open(nmt):
        m = re.match(r'^\[0x([0-9a-f]+) - 0x([0-9a-f]+)\] reserved \d+KB for (.+?) from', line)
        if m:
            out.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return out


def mappings(smaps):
    out = []
    for line in open(smaps):
        m = re.match(r'^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$', line)
        if m:
            out.append([int(m.group(1), 16), int(m.group(2), 16), m.group(3).strip(), 0])
        elif line.startswith('Rss:'):
            out[-1][3] = int(line.split()[1])
    return out


def resident(nmt, smaps):
    held = regions(nmt)
    by = {}
    for start, end, name, rss in mappings(smaps):
        cat = next((c for s, e, c in held if start >= s and end <= e), None)
        if cat is None:
            if name.endswith('.jsa'):
                cat = 'CDS archive'
            elif '.so' in name:
                cat = 'shared libraries'
            elif name.startswith('/'):
                cat = 'mapped files'
            elif name:
                cat = 'other ' + name
            else:
                cat = 'malloc and other anonymous'
        by[cat] = by.get(cat, 0) + rss
    return by


a = resident(sys.argv[1], sys.argv[2])
b = resident(sys.argv[3], sys.argv[4])
print(f"{'MiB resident':32s} {'A':>8s} {'B':>8s} {'B - A':>8s}")
for k in sorted(set(a) | set(b), key=lambda k: -(b.get(k, 0) - a.get(k, 0))):
    if a.get(k, 0) or b.get(k, 0):
        print(f"{k:32s} {a.get(k, 0) / 1024:8.1f} {b.get(k, 0) / 1024:8.1f} {(b.get(k, 0) - a.get(k, 0)) / 1024:+8.1f}")
print(f"{'total':32s} {sum(a.values()) / 1024:8.1f} {sum(b.values()) / 1024:8.1f} {(sum(b.values()) - sum(a.values())) / 1024:+8.1f}")
