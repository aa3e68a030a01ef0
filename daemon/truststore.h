/* The cached trust store of svopid: one row per peer (AOR) with the SHA-256
 * fingerprint of the peer certificate the trust server last judged, what it
 * said, and when. It lets a daemon skip the trust server for a peer whose
 * certificate it validated recently (SPEC §4 step 2); it never makes a peer
 * trusted on its own: only the caller records what the server answered.
 *
 * sqlite in WAL mode with synchronous=FULL, file mode 0600; a record that
 * grants trust or replaces a trusted row is on disk when truststore_record
 * returns, so a kill -9 or a power cut right after it loses nothing. Rows
 * that grant no trust and replace none, and truststore_touch (which only
 * moves a check time), skip the fsync: a kill -9 loses none of them, a
 * power cut may, which leaves the store no more trusting than before.
 * Times are unix seconds passed in by the caller: the store reads no
 * clock. Not thread-safe; one struct per process.
 */
#ifndef SVOPI_TRUSTSTORE_H
#define SVOPI_TRUSTSTORE_H

#include <stdint.h>

/* Longest peer AOR we store (bytes, without NUL); a SIP URI longer than this
 * is not a person's address. */
#define TRUSTSTORE_PEER_MAX 256
/* SHA-256 in lower-case hex, as stored and listed. */
#define TRUSTSTORE_FP_LEN 64	/* FINGERPRINT_KEY_LEN */
/* Schema version written to PRAGMA user_version. */
#define TRUSTSTORE_SCHEMA_VERSION 1

struct truststore;

enum truststore_status {
	TRUSTSTORE_NONE,	/* server: certificate matches, no relationship */
	TRUSTSTORE_PENDING,	/* server: a VUC is outstanding */
	TRUSTSTORE_TRUSTED,	/* server: relationship trusted for this fp */
	TRUSTSTORE_MISMATCH,	/* server: not the peer's reference certificate */
};

enum truststore_result {
	TRUSTSTORE_UNKNOWN,	/* no trusted entry: ask the trust server */
	TRUSTSTORE_TRUSTED_FRESH, /* trusted, same fp, checked within ttl */
	TRUSTSTORE_TRUSTED_STALE, /* trusted, same fp, older than ttl: usable,
				   * but revalidate in the background */
	TRUSTSTORE_CHANGED,	/* trusted under another fp: alert; not trusted
				 * until the server says so */
};

struct truststore_entry {
	char peer[TRUSTSTORE_PEER_MAX + 1];
	char fingerprint[TRUSTSTORE_FP_LEN + 1];
	enum truststore_status status;
	int64_t validated_at;	/* when this fp became trusted; 0 if never */
	int64_t checked_at;	/* last answer of the trust server */
};

/* Opens or creates the store at path (mode 0600; an existing file must
 * belong to us and is tightened to 0600) and migrates its schema. Returns 0,
 * -EPROTONOSUPPORT for a schema newer than this program, -EBADMSG for a file
 * that is not a store, -EPERM for a file owned by another user, or another
 * negative errno. */
int truststore_open(const char *path, struct truststore **ret_ts);
/* NULL-safe; returns NULL. */
struct truststore *truststore_close(struct truststore *ts);

/* What the cache says about peer presenting certificate fp (any form
 * truststore_fp_normalize takes) at time now.
 * cache_ttl <= 0 makes every trusted entry stale; a checked_at in the future
 * (clock set back) counts as stale too. Returns 0 or -EINVAL for a bad peer
 * or fingerprint, -EIO. */
int truststore_lookup(struct truststore *ts, const char *peer, const char *fp,
		      int64_t now, int64_t cache_ttl,
		      enum truststore_result *ret_result);

/* Records the trust server's answer about peer's certificate fp. Trusted
 * keeps validated_at while the fp stays the same. One exception keeps the
 * cache useful under attack: a MISMATCH for a fingerprint other than a
 * trusted entry's leaves that entry alone (someone presented a wrong
 * certificate; the peer's real one is still trusted), and returns 0.
 * Durable on return. Returns 0, -EINVAL, -EIO. */
int truststore_record(struct truststore *ts, const char *peer, const char *fp,
		      enum truststore_status status, int64_t now);

/* The trust server confirmed a trusted entry again: moves checked_at of
 * peer's trusted entry for fp to now, and nothing else. Not durable on
 * return (no fsync: losing it only makes the entry look older). Returns
 * 0, -ENOENT when there is no such trusted entry (or its checked_at is
 * later than now), -EINVAL, -EIO. */
int truststore_touch(struct truststore *ts, const char *peer, const char *fp,
		     int64_t now);

/* The entry for peer into *ret_entry. Returns 0, -ENOENT, -EINVAL, -EIO,
 * -EBADMSG for a row that breaks the store's rules (edited by hand; lookup
 * treats it as unknown and record replaces it). */
int truststore_get(struct truststore *ts, const char *peer,
		   struct truststore_entry *ret_entry);

/* Calls cb for each entry in peer order; a non-zero return of cb stops the
 * walk and is returned. The entry is valid during the call only. */
typedef int (*truststore_list_cb)(const struct truststore_entry *e,
				  void *userdata);
int truststore_list(struct truststore *ts, truststore_list_cb cb,
		    void *userdata);

/* Removes peer. Returns 0, -ENOENT if there was no entry, -EINVAL, -EIO. */
int truststore_forget(struct truststore *ts, const char *peer);

/* Fingerprints may be given in either form of lib/fingerprint.h, either
 * case; the store keeps the key form (64 lower-case digits), an internal
 * key that callers turn into the text form (fingerprint_to_text) before a
 * person sees it. Writes the key form into out. Returns 0 or -EINVAL. */
int truststore_fp_normalize(const char *in, char out[TRUSTSTORE_FP_LEN + 1]);

/* "trusted", "pending", "none", "mismatch"; and back (-EINVAL). */
const char *truststore_status_to_string(enum truststore_status s);
int truststore_status_from_string(const char *s,
				  enum truststore_status *ret_status);
const char *truststore_result_to_string(enum truststore_result r);

/* sqlite's message for the last failure, for the caller's log. */
const char *truststore_errmsg(struct truststore *ts);

#endif
