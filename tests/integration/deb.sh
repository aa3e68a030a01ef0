#!/bin/sh
# The Debian packages: `make deb` builds svopi and svopi-trustd with
# dpkg-buildpackage; lintian finds no errors; the units pass
# `systemd-analyze verify`; the man pages pass `mandoc -Tlint`. With
# SVOPI_DEB_INSTALL=1 (CI, as root, on a machine of its own) the packages
# are installed with dpkg -i, checked in place and purged again; without
# it they are checked unpacked (dpkg-deb -x), so that a shared machine's
# session buses never see the package's activation file.
# Slow (a full build): not in `make check`; .ci/run runs it.
. "${top_srcdir:-.}/tests/integration/lib.sh"
for t in dpkg-buildpackage dh lintian mandoc systemd-analyze; do
	command -v "$t" >/dev/null || skip "no $t (scripts/install-deps.sh)"
done
itest_init deb
cd "$B" || fail "no build folder"
make deb >"$T/deb.log" 2>&1 || { tail -n 40 "$T/deb.log" >&2; fail "make deb"; }
ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$B/config.h")
arch=$(dpkg --print-architecture)
for p in svopi svopi-trustd; do
	[ -f "$B/deb/${p}_${ver}_$arch.deb" ] || fail "no ${p}_${ver}_$arch.deb"
done
note "ok: make deb built svopi and svopi-trustd $ver"

lintian --tag-display-limit 0 "$B"/deb/*.changes >"$T/lintian.out" 2>&1
sed 's/^/# lintian: /' "$T/lintian.out" >&2
grep -q '^E:' "$T/lintian.out" && fail "lintian errors"
note "ok: lintian shows no errors"

R=$T/root
if [ "${SVOPI_DEB_INSTALL:-0}" = 1 ]; then
	[ "$(id -u)" -eq 0 ] || skip "SVOPI_DEB_INSTALL=1 needs root"
	apt-get install -y -q "$B/deb/svopi_${ver}_$arch.deb" \
		"$B/deb/svopi-trustd_${ver}_$arch.deb" >"$T/install.log" 2>&1 ||
		{ cat "$T/install.log" >&2; fail "installing the packages"; }
	trap 'dpkg --purge svopi svopi-trustd >/dev/null 2>&1; itest_cleanup' EXIT
	R=
	getent passwd svopi-trustd >/dev/null || fail "no svopi-trustd user"
	[ "$(stat -c %U /var/lib/svopi-trustd)" = svopi-trustd ] ||
		fail "/var/lib/svopi-trustd is not the service user's"
	note "ok: installed; user svopi-trustd and its state folder exist"
else
	for p in svopi svopi-trustd; do
		dpkg-deb -x "$B/deb/${p}_${ver}_$arch.deb" "$R" || fail "unpack $p"
	done
fi

for u in "$R/lib/systemd/system/svopi-trustd.service" \
    "$R/usr/lib/systemd/user/svopid.service"; do
	[ -f "$u" ] || fail "no unit $u"
done
# Installed, the units are verified in place, Documentation= pages
# included. Unpacked, a copy whose ExecStart= points into the unpacked
# tree is verified and the pages are left to mandoc below (man cannot see
# them there).
mkdir -p "$T/units" "$T/run"
chmod 700 "$T/run"
for u in lib/systemd/system/svopi-trustd.service \
    usr/lib/systemd/user/svopid.service; do
	if [ -n "$R" ]; then
		sed "s|^ExecStart=/|ExecStart=$R/|" "$R/$u" >"$T/units/${u##*/}"
		set -- --man=no "$T/units/${u##*/}"
	else
		set -- "/$u"
	fi
	case $u in */user/*) set -- --user "$@" ;; esac
	XDG_RUNTIME_DIR=$T/run systemd-analyze verify "$@" \
		>"$T/verify.out" 2>&1 ||
		{ cat "$T/verify.out" >&2; fail "systemd-analyze verify ${u##*/}"; }
	sed "s/^/# verify ${u##*/}: /" "$T/verify.out" >&2
done
note "ok: systemd-analyze verify passes both units"

n=0
for m in "$R"/usr/share/man/man*/*; do
	[ -f "$m" ] || continue
	case $m in *.gz) cat="zcat" ;; *) cat="cat" ;; esac
	$cat "$m" >"$T/page"
	out=$(mandoc -Tlint -W warning "$T/page" 2>&1 | sed "s|$T/page|${m##*/}|")
	[ -z "$out" ] || fail "mandoc -Tlint ${m##*/}: $out"
	n=$((n + 1))
done
[ "$n" -ge 7 ] || fail "only $n man pages in the packages"
note "ok: mandoc -Tlint is clean on $n pages"
