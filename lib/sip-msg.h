/* SIP messages (RFC 3261 §7, §20, §25): framing, parsing, validation.
 *
 * sip_msg_parse() copies the message once into a struct sip_msg it
 * allocates, so a parsed message does not depend on the receive buffer: all
 * struct sip_str views in it (and in the URIs, Vias and name-addrs it holds)
 * stay valid until sip_msg_free(). In that copy every line fold (CRLF
 * followed by SP or HTAB inside the header section) is replaced by spaces
 * of the same length, so header values never contain CR or LF.
 *
 * Parsing is syntax only (the RFC 3261 grammar for the start line and for
 * the headers we interpret). sip_msg_validate() adds the semantic checks of
 * §8.2 / §16.3 (mandatory headers, CSeq method, version, Request-URI
 * headers, repeated single-value headers). A receiver calls both and
 * answers 400 (or the status validate suggests) when either fails. See
 * docs/sip.md for how each RFC 4475 torture message is classified.
 *
 * Headers we interpret are parsed eagerly and a malformed one fails the
 * whole message; any other header is kept as a name/value pair and its
 * syntax is not checked beyond the header-line grammar.
 */
#ifndef SVOPI_SIP_MSG_H
#define SVOPI_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip-str.h"
#include "sip-uri.h"

/* Largest message, headers and body together. UDP cannot carry more than
 * 64 KiB, and our biggest body (SDP with a MIKEY I_MESSAGE holding a
 * certificate) is a few KiB; a stream peer cannot make us buffer more. */
#define SIP_MSG_MAX 65536
/* Largest header section (start line through the empty line). */
#define SIP_HEAD_MAX 16384
/* Header lines (after unfolding) we keep; RFC 4475 messages have < 40. */
#define SIP_HEADERS_MAX 128
/* Longest start line or (unfolded) header line. */
#define SIP_LINE_MAX 8192
/* Via entries (header values, counting comma-separated ones). RFC 4475
 * longreq, a legal message, has 34; a path much longer than that is a
 * loop or an attack (Max-Forwards starts at 70). */
#define SIP_VIA_MAX 64
/* Route / Record-Route entries, each. */
#define SIP_ROUTE_MAX 32
/* Contact entries (a REGISTER response lists all bindings). */
#define SIP_CONTACT_MAX 16
/* Longest method name (RFC 4475 intmeth, legal, has 43 characters). */
#define SIP_METHOD_MAX 64
/* Largest CSeq number: RFC 3261 §8.1.1.5 says less than 2**31. */
#define SIP_CSEQ_MAX 0x7fffffffu
/* Expires values (header and contact parameter) above this are clamped by
 * nobody: they are refused as malformed, like RFC 4475 scalar02. */
#define SIP_EXPIRES_MAX 0xffffffffu

/* Results of sip_msg_frame() besides errors. */
enum sip_frame {
	SIP_FRAME_MSG = 1,	/* a whole message of *ret_len bytes */
	SIP_FRAME_PING = 2,	/* CRLFCRLF keep-alive: consume, answer CRLF */
	SIP_FRAME_PONG = 3,	/* lone CRLF: consume and note liveness */
};

/* Flags for sip_msg_parse(). */
#define SIP_PARSE_STREAM 0x1	/* Content-Length mandatory and exact */

enum sip_method {
	SIP_METHOD_OTHER = 0,
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_REGISTER,
	SIP_METHOD_PRACK,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_PUBLISH,
	SIP_METHOD_INFO,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_UPDATE,
};

/* Header identities; compact forms map to the same id. */
enum sip_hdr {
	SIP_HDR_OTHER = 0,
	SIP_HDR_VIA,			/* v */
	SIP_HDR_FROM,			/* f */
	SIP_HDR_TO,			/* t */
	SIP_HDR_CALL_ID,		/* i */
	SIP_HDR_CSEQ,
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_CONTACT,		/* m */
	SIP_HDR_ROUTE,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_EXPIRES,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_CONTENT_TYPE,		/* c */
	SIP_HDR_CONTENT_LENGTH,		/* l */
	SIP_HDR_CONTENT_ENCODING,	/* e */
	SIP_HDR_CONTENT_DISPOSITION,
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_WARNING,
	SIP_HDR_ALLOW,
	SIP_HDR_SUPPORTED,		/* k */
	SIP_HDR_REQUIRE,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR_ACCEPT,
	SIP_HDR_SUBJECT,		/* s */
	SIP_HDR_USER_AGENT,
	SIP_HDR_SERVER,
	SIP_HDR_EVENT,			/* o */
	SIP_HDR_ALLOW_EVENTS,		/* u */
	SIP_HDR_REFER_TO,		/* r */
	SIP_HDR_SESSION_EXPIRES,	/* x */
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_DATE,
	SIP_HDR_TIMESTAMP,
};

struct sip_header {
	enum sip_hdr id;
	struct sip_str name;	/* as written (possibly compact) */
	struct sip_str value;	/* trimmed, unfolded */
};

/* One via-parm: "SIP/2.0/TLS host:port;branch=z9hG4bK...;rport". */
struct sip_via {
	struct sip_str raw;	/* the whole via-parm, for copying */
	struct sip_str transport;	/* "UDP", "TCP", "TLS", ... as written */
	struct sip_str host;	/* sent-by host, IPv6 without [ ] */
	enum sip_host_type host_type;
	uint16_t port;		/* 0 when absent */
	struct sip_str params;	/* ";branch=...;rport" as written */
	struct sip_str branch;	/* empty when absent */
	struct sip_str received;	/* empty when absent */
	bool rport;		/* rport parameter present */
	uint16_t rport_value;	/* 0 for a bare "rport" */
};

/* A name-addr or addr-spec with header parameters: From, To, Contact,
 * Route, Record-Route. */
struct sip_nameaddr {
	struct sip_str raw;	/* the whole element, for copying */
	struct sip_str display;	/* as written, quotes kept; empty if none;
				 * sip_str_unquote() gives the text */
	struct sip_uri uri;
	struct sip_str params;	/* header params after the URI */
	struct sip_str tag;	/* tag= value, empty when absent */
	int64_t expires;	/* Contact expires= value, -1 when absent */
};

struct sip_msg {
	bool request;
	/* Request line. */
	struct sip_str method;	/* as written; methods are case-sensitive */
	enum sip_method method_id;
	struct sip_uri ruri;
	/* Status line. */
	unsigned status;	/* 100..699 */
	struct sip_str reason;	/* may be empty */
	/* Both. "SIP/x.y" with x.y kept so that validate can answer 505. */
	unsigned version_major, version_minor;

	struct sip_header headers[SIP_HEADERS_MAX];
	size_t nheaders;

	struct sip_via via[SIP_VIA_MAX];
	size_t nvia;
	struct sip_nameaddr from, to;	/* uri.scheme OTHER + empty raw if
					 * the header is absent */
	bool has_from, has_to;
	struct sip_str call_id;	/* empty when absent */
	bool has_cseq;
	uint32_t cseq;
	struct sip_str cseq_method;
	enum sip_method cseq_method_id;
	int max_forwards;	/* -1 when absent */
	struct sip_nameaddr contact[SIP_CONTACT_MAX];
	size_t ncontact;
	bool contact_star;	/* "Contact: *" */
	struct sip_nameaddr route[SIP_ROUTE_MAX];
	size_t nroute;
	struct sip_nameaddr record_route[SIP_ROUTE_MAX];
	size_t nrecord_route;
	int64_t expires;	/* Expires header, -1 when absent */
	struct sip_str content_type;	/* media type only, e.g.
					 * "application/sdp"; empty if absent */
	struct sip_str content_type_params;	/* ";charset=..." raw */
	long content_length;	/* -1 when absent */
	struct sip_str body;	/* exactly the bytes Content-Length covers */

	/* Private: the unfolded copy every view points into. */
	char *copy_;
	size_t len_;
};

/* Semantic problem found by sip_msg_validate(). */
struct sip_problem {
	unsigned status;	/* suggested response: 400, 416, 505, ... */
	const char *why;	/* static text for a reason phrase/Warning */
};

/* Stream framing (TCP/TLS). Looks at the bytes received so far and says
 * what the first unit is:
 *  - SIP_FRAME_PING: they start with CRLFCRLF (RFC 5626 §4.4.1 ping);
 *    consume *ret_len (4) bytes and answer with one CRLF;
 *  - SIP_FRAME_PONG: they start with a lone CRLF (a pong, or a stray CRLF
 *    before a start line, which RFC 3261 §7.5 says to ignore); consume
 *    *ret_len (2) bytes;
 *  - SIP_FRAME_MSG: a whole message of *ret_len bytes (head, empty line
 *    and Content-Length body) is present.
 * Returns -ENODATA if more bytes are needed, -EBADMSG if the head is
 * complete but has no (or a bad, or more than one differing)
 * Content-Length, -E2BIG if the head exceeds SIP_HEAD_MAX or the message
 * SIP_MSG_MAX. The transport closes the connection on any error but
 * -ENODATA: a stream cannot be resynchronised. Does not parse the rest. */
int sip_msg_frame(const uint8_t *data, size_t len, size_t *ret_len);

/* Parses one message from data[0..len). Leading CRLFs are skipped. With
 * SIP_PARSE_STREAM, Content-Length is mandatory and must cover exactly the
 * rest of data; without (datagrams), a missing Content-Length means the
 * body is the rest, and bytes beyond Content-Length are ignored (RFC 3261
 * §18.3). Returns 0 and a message to free with sip_msg_free(), -EBADMSG if
 * malformed (including a body shorter than Content-Length), -E2BIG if over
 * a SIP_*_MAX limit, -ENOMEM. */
int sip_msg_parse(const uint8_t *data, size_t len, unsigned flags,
    struct sip_msg **ret_msg);

/* Frees m. NULL-safe; returns NULL. */
struct sip_msg *sip_msg_free(struct sip_msg *m);

/* Semantic checks on a parsed message (RFC 3261 §8.2.1-8.2.2, §16.3):
 * SIP/2.0, a sip/sips Request-URI without headers, Via present,
 * To/From/Call-ID/CSeq present, From/To/Call-ID/CSeq/Max-Forwards/
 * Content-Length/Content-Type/Expires not repeated, CSeq method == request
 * method (ACK and CANCEL carry their own method there too). Max-Forwards is
 * not required: RFC 2543 requests lack it and a proxy adds it (§16.6;
 * RFC 4475 inv2543 must be accepted). Returns 0,
 * or -EBADMSG with *why filled (if why != NULL), or -EPROTONOSUPPORT
 * (status 416) for a Request-URI scheme we do not serve, or -ENOTSUP
 * (status 505) for a SIP version other than 2.0. */
int sip_msg_validate(const struct sip_msg *m, struct sip_problem *why);

/* The idx-th header with identity id (idx counts from 0 in message order;
 * for SIP_HDR_OTHER use sip_msg_header_named()). NULL if there is none. */
const struct sip_header *sip_msg_header(const struct sip_msg *m,
    enum sip_hdr id, size_t idx);
/* The idx-th header whose name matches name case-insensitively, compact
 * forms included ("i" finds "Call-ID" and vice versa). NULL if none. */
const struct sip_header *sip_msg_header_named(const struct sip_msg *m,
    const char *name, size_t idx);
/* True if a token list header (Allow, Supported, Require, Proxy-Require,
 * Unsupported; all occurrences) holds token, case-insensitively. */
bool sip_msg_has_token(const struct sip_msg *m, enum sip_hdr id,
    const char *token);

/* The method identity of a method name (case-sensitive per §7.1). */
enum sip_method sip_method_id(struct sip_str name);
/* The canonical name of a method, "" for SIP_METHOD_OTHER. */
const char *sip_method_name(enum sip_method m);
/* Header identity of a name (full or compact, case-insensitive). */
enum sip_hdr sip_hdr_id(struct sip_str name);
/* Canonical full name of a header identity, NULL for SIP_HDR_OTHER. */
const char *sip_hdr_name(enum sip_hdr id);

/* A Warning header value element (RFC 3261 §20.43). */
struct sip_warning {
	unsigned code;		/* 3 digits */
	struct sip_str agent;
	struct sip_str text;	/* quoted-string, quotes kept */
};
/* Parses one warning-value (use sip_str_list_next() to split a header).
 * Returns 0 or -EBADMSG. */
int sip_warning_parse(struct sip_str value, struct sip_warning *ret_w);

/* Parses a name-addr / addr-spec element with parameters (one element of
 * From, To, Contact, Route, Record-Route, Refer-To). Returns 0, -EBADMSG,
 * -E2BIG. The result borrows from value. */
int sip_nameaddr_parse(struct sip_str value, struct sip_nameaddr *ret_na);

/* Parses one via-parm. Returns 0, -EBADMSG. Borrows from value. */
int sip_via_parse(struct sip_str value, struct sip_via *ret_via);

#endif
