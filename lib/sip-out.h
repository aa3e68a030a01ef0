/* Building SIP messages into a struct buf.
 *
 * A message is written in order: a start line (sip_out_request() or
 * sip_out_response()), then headers (sip_out_header*(), or the copies a
 * response takes from its request with sip_out_response_to()), then
 * sip_out_end(), which writes Content-Type (with a body), Content-Length,
 * the empty line and the body. Every function returns 0 or the buf's
 * sticky error (so a builder may write everything and check once), or
 * -EINVAL if a caller-supplied value would break the framing (CR, LF or NUL
 * in a value, a space in a method or URI, a status outside 100..699). Size
 * the buf with SIP_MSG_MAX so that we never build what we would refuse to
 * parse.
 */
#ifndef SVOPI_SIP_OUT_H
#define SVOPI_SIP_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sip-msg.h"
#include "sip-str.h"

/* "METHOD request-uri SIP/2.0\r\n". */
int sip_out_request(struct buf *b, const char *method, const char *ruri);

/* "SIP/2.0 code reason\r\n"; reason NULL uses the RFC 3261 phrase. */
int sip_out_response(struct buf *b, unsigned code, const char *reason);

/* "Name: value\r\n" with a C-string value. */
int sip_out_header(struct buf *b, const char *name, const char *value);

/* "Name: value\r\n" with a view value (e.g. copied from a parsed
 * message). */
int sip_out_header_str(struct buf *b, const char *name,
    struct sip_str value);

/* "Name: " + printf-style value + "\r\n". The expansion is checked like a
 * value (no CR/LF/NUL). */
int sip_out_headerf(struct buf *b, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A response to req per RFC 3261 §8.2.6.2: the status line, all Via
 * header values in order, From, To (with ";tag=to_tag" appended if the To
 * has no tag, to_tag != NULL and code > 100), Call-ID, CSeq and, for 101..
 * 299 responses, the Record-Route values in order (§12.1.1). The caller
 * adds Contact etc. and calls sip_out_end(). Returns 0, -EINVAL if req is
 * a response, or the buf error. */
int sip_out_response_to(struct buf *b, const struct sip_msg *req,
    unsigned code, const char *reason, const char *to_tag);

/* Finishes the message: "Content-Type: ctype\r\n" if len > 0 (ctype must
 * then be non-NULL), "Content-Length: len\r\n", "\r\n", body. */
int sip_out_end(struct buf *b, const char *ctype, const uint8_t *body,
    size_t len);

/* The RFC 3261 §21 reason phrase for a status code, or "Unknown". */
const char *sip_out_reason(unsigned code);

#endif
