/* Pure text helpers of svopi-notify: checks on what arrives over D-Bus
 * (from svopid and from the notification server, both treated as
 * untrusted input) and the plain words the notifications show. No I/O,
 * no logging, no globals. */
#ifndef SVOPI_NOTIFY_TEXT_H
#define SVOPI_NOTIFY_TEXT_H

#include <stddef.h>

/* A peer address of record ("sip:bob@example.org"): svopid's own limit
 * (TRUSTSTORE_PEER_MAX) is 255; anything longer is refused. */
#define TEXT_PEER_MAX 255
/* The short name shown in sentences ("bob"). */
#define TEXT_NAME_MAX 64
/* A security alert or end reason as svopid sends it. Its reasons are at
 * most 160 bytes (call.c end_reason) plus a SIP Warning; 512 leaves room
 * and still bounds what a notification carries. */
#define TEXT_REASON_MAX 512
/* What a person types as a code ("1234-5678", "1234 5678", "12345678"),
 * with room for stray blanks; longer input is not a code. */
#define TEXT_CODE_INPUT_MAX 32
/* A normalised code: "1234-5678" and its NUL. */
#define TEXT_CODE_LEN 9

/* Returns 0 if s[0..len) is a peer address svopi-notify will show:
 * "sip:" or "sips:", then 1..TEXT_PEER_MAX printable ASCII characters
 * without blanks, quotes, backslashes or markup characters (< > &).
 * -E2BIG if too long, -EBADMSG otherwise. */
int text_peer_check(const char *s, size_t len);

/* Writes the short name of a checked peer into out (NUL-terminated,
 * truncated to TEXT_NAME_MAX): its user part ("bob" of
 * "sip:bob@example.org"), or its host when there is none. Returns 0, or
 * -EINVAL if outsz is 0. */
int text_peer_name(const char *peer, char *out, size_t outsz);

/* Parses a voice unlock code as a person types it: exactly 8 digits,
 * with blanks and dashes allowed around and between them. Writes
 * "1234-5678" to out (TEXT_CODE_LEN + 1 bytes). Returns 0, -E2BIG if
 * len > TEXT_CODE_INPUT_MAX, -EBADMSG if it is not a code. */
int text_code_parse(const char *s, size_t len, char out[TEXT_CODE_LEN + 1]);

/* Copies s[0..len) to out as one line of printable ASCII: control
 * characters and bytes >= 0x80 become '?', the markup characters < > &
 * become ( ) + (so the text means the same on servers with and without
 * body markup), runs of 16 or more hex digits
 * (fingerprints, keys, with or without colons) become
 * "[fingerprint hidden]", anything that looks like a code (4 digits, a
 * dash or blank, 4 digits; or 8 digits) becomes "[code hidden]". Stops at
 * outsz - 1 bytes (with "..." when cut) or at TEXT_REASON_MAX input
 * bytes. Returns the length written, or -EINVAL if outsz < 4. */
int text_sanitize(const char *s, size_t len, char *out, size_t outsz);

/* The security alert in plain words for the person: one sentence chosen
 * from what the reason says (a changed key, a certificate that is not
 * the reference, an unknown user, a failed key exchange ...), naming the
 * peer. reason must already be sanitized. Returns the length written. */
int text_alert_words(const char *name, const char *reason, char *out,
	size_t outsz);

/* Why a call ended, in plain words ("bob hung up"), or NULL-equivalent
 * empty string when the user ended it himself ("local hangup"), when no
 * notification should be shown. reason must already be sanitized.
 * Returns the length written (0: show nothing). */
int text_end_words(const char *name, const char *reason, char *out,
	size_t outsz);

#endif
