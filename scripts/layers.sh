#!/bin/sh
# The dependency rule of svopid (docs/architecture.md): each file of
# daemon/ depends only on files of its own layer or below, and no two
# files depend on each other, directly or in a circle.
#
# Checks two graphs against the layer table below:
#  1. the #include graph of daemon/*.[ch] (always);
#  2. the call graph between the objects svopid is linked from, read with
#     nm: an object that uses a symbol another one defines depends on it
#     (when BUILD_DIR holds the built objects; else this part is skipped
#     with a note).
# An upward edge, a file missing from the table, or a circle fails.
#
# Usage: scripts/layers.sh [SRC_DIR [BUILD_DIR]]   (defaults: the tree
# holding this script, and the current folder; make check runs it)
set -eu
export LC_ALL=C

src=${1:-$(dirname "$0")/..}
build=${2:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# file-or-module  layer. A module is a source file name without .c/.h;
# "svopid.h" (the shared context) and "svopid.c" (main) are apart.
cat >"$tmp/table" <<'EOF'
log 10
conf 10
identity 10
siphash 10
svopid.h 10
media-clock 15
media 20
media-null 20
media-codec 20
audio 20
audio-file 20
audio-pulse 20
media-voice 21
trust-client 20
truststore 20
transport 30
txn 40
dialog 40
ua 50
reg 60
call-voice 65
call-int.h 70
call.h 70
call-sip 71
call-sdp 72
call-core 73
call-keys 74
call-trust 75
call 76
busloop 80
bus-call 81
bus 82
svopid.c 90
EOF

# The module of a file: svopid.h and the headers named in the table keep
# their name, other files lose .c/.h.
module() {
	b=$(basename "$1")
	if grep -q "^$b " "$tmp/table"; then
		echo "$b"
	else
		echo "${b%.[ch]}"
	fi
}

layer() {
	awk -v m="$1" '$1 == m { print $2 }' "$tmp/table"
}

fail=0
edges=$tmp/edges
: >"$edges"

# check FROM TO WHAT: records the edge, fails an upward one.
check() {
	lf=$(layer "$1")
	lt=$(layer "$2")
	if [ -z "$lf" ] || [ -z "$lt" ]; then
		echo "layers: $1 or $2 is not in the layer table" >&2
		fail=1
		return
	fi
	[ "$1" = "$2" ] && return
	if [ "$lt" -gt "$lf" ]; then
		echo "layers: upward $3: $1 (layer $lf) -> $2 (layer $lt)" >&2
		fail=1
	fi
	echo "$1 $2" >>"$edges"
}

# circles EDGES WHAT: tsort refuses a graph with a loop.
circles() {
	if ! tsort "$1" >/dev/null 2>"$tmp/tsort"; then
		echo "layers: circle in the $2 graph:" >&2
		cat "$tmp/tsort" >&2
		fail=1
	fi
}

# 1. includes
for f in "$src"/daemon/*.c "$src"/daemon/*.h; do
	from=$(module "$f")
	sed -n 's/^#include "\(daemon\/\)\{0,1\}\([a-z0-9-]*\.h\)".*/\2/p' "$f" |
	while read -r h; do
		[ -f "$src/daemon/$h" ] || continue	# lib/ or config.h
		echo "$from $(module "$h")"
	done
done >"$tmp/inc"
# svopid.h is the context: "svopid.h" there means the header module.
while read -r a b; do
	[ "$b" = svopid ] && b=svopid.h
	check "$a" "$b" include
done <"$tmp/inc"
# Headers of one module: call.c including call-int.h is not a circle.
circles "$edges" include
ninc=$(sort -u "$edges" | wc -l)

# 2. the call graph between svopid's objects
# daemon/svopid-call-core.o, daemon/libsvopid_media_a-media.o: the source's
# name, and its module in the table.
obj_source() {
	_o=$(basename "$1" .o)
	echo "${_o#*-}"
}
obj_module() {
	_m=$(obj_source "$1")
	[ "$_m" = svopid ] && _m=svopid.c
	echo "$_m"
}
if [ -n "$build" ] && ls "$build"/daemon/svopid-*.o >/dev/null 2>&1; then
	: >"$edges"
	# Objects whose source is gone (an old build) are left out.
	objs=
	for o in "$build"/daemon/svopid-*.o "$build"/daemon/libsvopid_*.o; do
		[ -f "$src/daemon/$(obj_source "$o").c" ] && objs="$objs $o"
	done
	for o in $objs; do
		m=$(obj_module "$o")
		nm --defined-only -g "$o" | awk -v m="$m" \
			'NF == 3 { print $3, m }'
	done | sort -u >"$tmp/defs"
	for o in $objs; do
		m=$(obj_module "$o")
		nm -u "$o" | awk '{ print $NF }' | sort -u |
			join - "$tmp/defs" | awk -v m="$m" '{ print m, $2 }'
	done | sort -u >"$tmp/calls"
	while read -r a b; do
		check "$a" "$b" call
	done <"$tmp/calls"
	circles "$edges" call
	ncall=$(sort -u "$edges" | wc -l)
	what="$ninc include edges, $ncall call edges between modules"
else
	what="$ninc include edges (no objects in BUILD_DIR:"
	what="$what call graph not checked)"
fi
if [ "$fail" -ne 0 ]; then
	echo "layers: FAILED (table and rule: docs/architecture.md)" >&2
	exit 1
fi
echo "layers: $what, none upward, no circle"
