# Helpers for the SIP-layer tests (sourced after lib.sh, svopid-common.sh
# and calls-common.sh).

# sip_two_daemons: alice and bob, direct (no proxy), null audio, no
# auto-answer, each trusting the other's key from a fresh store entry (so
# calls take the cached path: INVITE with MIKEY, no trust server).
sip_two_daemons() {
	command -v sqlite3 >/dev/null || skip "no sqlite3"
	itest_ca
	for n in alice bob; do
		svopid_conf "$n"
		printf '[media]\naudio = null\nrtp_ports = 20000-29999\n' >>"$T/$n.conf"
		printf '[calls]\nauto_answer = no\n' >>"$T/$n.conf"
		svopid_start "$n"
	done
	sip_seed alice bob
	sip_seed bob alice
}

# sip_seed NAME PEER-NAME: NAME's store trusts PEER-NAME's identity key,
# checked just now.
sip_seed() {
	_ss_fp=$(openssl x509 -in "$T/$2-state/identity.crt" -noout \
		-fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
	sqlite3 "$T/$1-state/trust.db" "INSERT OR REPLACE INTO peers VALUES \
		('sip:$2@$DOMAIN', '$_ss_fp', 'trusted', $(date +%s), $(date +%s));" ||
		fail "seed $1's store"
}
