/* The HTTP/1.1 request head, checked before evhttp reads it.
 *
 * evhttp (libevent 2.1) answers a malformed request with its own HTML
 * page or a 501, and offers no hook to change that. front.c therefore
 * reads each request head first with this scanner and answers what it
 * refuses with a JSON 4xx itself (SPEC §3). Pure: no I/O, no libevent.
 *
 * It accepts only what the trust server serves: GET, HEAD and POST,
 * HTTP/1.0 or 1.1, a body announced by one Content-Length, no
 * Transfer-Encoding (a chunked body gets 411: the API's clients always
 * know the length of a form). */
#ifndef TRUSTD_HTTPHEAD_H
#define TRUSTD_HTTPHEAD_H

#include <stddef.h>
#include <stdint.h>

/* Longest request head (request line, fields, blank line): the longest
 * legitimate one is a browser's with a few cookies, well under 4 KiB. */
#define HTTPHEAD_MAX (16 * 1024)
/* Most header fields in one head. */
#define HTTPHEAD_FIELDS_MAX 64

struct httphead {
	size_t head_len;	/* bytes up to and including the blank line */
	uint64_t body_len;	/* Content-Length, 0 without one */
	int status;		/* on refusal: the 4xx to answer */
	const char *why;	/* on refusal: static text for the answer */
};

/* Scans the request head at the start of (data, len), whose body may be
 * at most body_max bytes. Returns 0 with head_len and body_len when the
 * head is complete and acceptable; -ENODATA when more bytes are needed;
 * -EBADMSG (malformed), -E2BIG (over a limit) or -ENOTSUP (a method or
 * coding the server does not take) with status and why set. Reads at
 * most HTTPHEAD_MAX bytes of data. */
int httphead_scan(const uint8_t *data, size_t len, uint64_t body_max,
	struct httphead *ret);

#endif
