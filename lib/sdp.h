/* SDP session descriptions (RFC 8866) for offer/answer (RFC 3264), with
 * the RFC 4567 key-mgmt attribute that carries MIKEY.
 *
 * sdp_parse() copies the text once into the struct sdp_session it
 * allocates; every view in it is valid until sdp_free(). Lines end in LF or
 * CRLF (RFC 8866 §5 asks parsers to accept both). The type order of
 * RFC 8866 §5 is enforced for the lines we interpret (v, o, s first; then
 * session lines; then media sections); unknown line types are refused
 * (§5: "parsers MUST completely ignore any session description that
 * contains a type letter that it does not understand" — we refuse it, which
 * is what ignoring a whole description means for offer/answer).
 *
 * Policy (SPEC §4) lives in the daemon; the parser only reports facts:
 * sdp_has_crypto() says whether any SDES a=crypto is present,
 * sdp_key_mgmt() finds the MIKEY data for a media section.
 */
#ifndef SVOPI_SDP_H
#define SVOPI_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sip-str.h"

/* Largest SDP body: bounded by the SIP message that carries it. */
#define SDP_MAX 65536
/* Longest line: a key-mgmt attribute holds a base64 MIKEY message with a
 * certificate and a signature (a few KiB binary, 4/3 of that in base64). */
#define SDP_LINE_MAX 16384
/* Media sections (m=): we use one audio stream; offers with a few more
 * (video we reject with port 0) must still parse. */
#define SDP_MEDIA_MAX 8
/* Attribute lines per level (session, each media). */
#define SDP_ATTR_MAX 64
/* Formats (payload types) on one m= line. */
#define SDP_FMT_MAX 32
/* Longest decoded MIKEY message from a key-mgmt attribute. */
#define SDP_KEY_MGMT_MAX 12288

struct sdp_attr {
	struct sip_str name;	/* "rtpmap", "key-mgmt", "sendrecv" ... */
	struct sip_str value;	/* after ':', empty for property attributes */
	bool has_value;
};

struct sdp_conn {		/* c= */
	struct sip_str nettype;	/* "IN" */
	struct sip_str addrtype;	/* "IP4" / "IP6" */
	struct sip_str addr;	/* may carry "/ttl" for multicast */
};

struct sdp_media {
	struct sip_str media;	/* "audio", "video", ... */
	uint16_t port;		/* 0 = rejected/disabled stream */
	unsigned nports;	/* "/2" suffix, 1 when absent */
	struct sip_str proto;	/* "RTP/SAVP", "RTP/AVP", ... */
	struct sip_str fmt[SDP_FMT_MAX];
	size_t nfmt;
	bool has_conn;
	struct sdp_conn conn;
	struct sdp_attr attr[SDP_ATTR_MAX];
	size_t nattr;
};

struct sdp_session {
	unsigned version;	/* v=0 */
	struct {		/* o= */
		struct sip_str username;
		struct sip_str sess_id;
		struct sip_str sess_version;
		struct sip_str nettype, addrtype, addr;
	} origin;
	struct sip_str name;	/* s= */
	bool has_conn;
	struct sdp_conn conn;	/* session-level c= */
	struct sip_str time_start, time_stop;	/* first t= */
	struct sdp_attr attr[SDP_ATTR_MAX];
	size_t nattr;
	struct sdp_media media[SDP_MEDIA_MAX];
	size_t nmedia;

	char *copy_;		/* private */
	size_t len_;
};

/* Parses data[0..len). Returns 0 and a session to free with sdp_free(),
 * -EBADMSG if malformed (bad line, missing v/o/s/t, media without a
 * connection address at either level, a bad port or payload type), -E2BIG
 * if over an SDP_*_MAX limit, -ENOMEM. */
int sdp_parse(const uint8_t *data, size_t len, struct sdp_session **ret_s);

/* Frees s. NULL-safe; returns NULL. */
struct sdp_session *sdp_free(struct sdp_session *s);

/* The idx-th attribute named name (case-sensitive per RFC 8866) in the
 * array. NULL if none. */
const struct sdp_attr *sdp_attr_find(const struct sdp_attr *attr,
    size_t nattr, const char *name, size_t idx);

/* The connection address for media section m: media-level c= or else the
 * session one. NULL if m is out of range. */
const struct sdp_conn *sdp_media_conn(const struct sdp_session *s,
    size_t m);

/* The direction of media section m: "sendrecv", "sendonly", "recvonly" or
 * "inactive", media-level first, then session, default "sendrecv". */
const char *sdp_media_direction(const struct sdp_session *s, size_t m);

/* True if any a=crypto (RFC 4568 SDES) attribute exists at any level. */
bool sdp_has_crypto(const struct sdp_session *s);

/* The base64 MIKEY data of a=key-mgmt:mikey for media section m: the
 * media-level attribute overrides the session-level one (RFC 4567 §4.1).
 * Returns 0 with the view of the base64 text, -ENOENT if neither level has
 * a mikey key-mgmt, -EBADMSG if one level holds more than one mikey
 * key-mgmt (ambiguous: refuse rather than pick), -EINVAL if m is out of
 * range. Other protocol ids are ignored. */
int sdp_key_mgmt(const struct sdp_session *s, size_t m,
    struct sip_str *ret_b64);

/* As sdp_key_mgmt(), then decodes the base64. Returns 0 with a malloc'ed
 * buffer (caller frees), -ENOENT, -EBADMSG (also for bad base64), -E2BIG
 * if the data is over SDP_KEY_MGMT_MAX, -ENOMEM. */
int sdp_key_mgmt_decode(const struct sdp_session *s, size_t m,
    uint8_t **ret_data, size_t *ret_len);

struct sdp_rtpmap {
	unsigned pt;
	struct sip_str encoding;	/* "opus", "PCMU", "telephone-event" */
	unsigned rate;
	unsigned channels;	/* 1 when absent */
};

/* The a=rtpmap for payload type pt in media section m. Returns 0,
 * -ENOENT if there is none, -EBADMSG if it is malformed. */
int sdp_rtpmap(const struct sdp_session *s, size_t m, unsigned pt,
    struct sdp_rtpmap *ret_map);

/* The a=fmtp parameters (text after "PT ") for pt in media section m.
 * Returns 0 or -ENOENT. */
int sdp_fmtp(const struct sdp_session *s, size_t m, unsigned pt,
    struct sip_str *ret_params);

/* The a=ptime of media section m in ms, 0 when absent or malformed. */
unsigned sdp_ptime(const struct sdp_session *s, size_t m);

/* One codec of an offer/answer we build. */
struct sdp_codec {
	uint8_t pt;		/* 0..127 */
	const char *name;	/* "opus", "PCMU", "PCMA", "telephone-event" */
	unsigned rate;		/* 48000, 8000 */
	unsigned channels;	/* 0 or 1: omitted; 2 for opus */
	const char *fmtp;	/* NULL or "0-16", "useinbandfec=1" */
};

/* What sdp_build() writes: one audio stream
 *   v=0
 *   o=USER SESS_ID SESS_VERSION IN IP4|IP6 ADDR
 *   s=-
 *   c=IN IP4|IP6 ADDR
 *   t=0 0
 *   a=key-mgmt:mikey BASE64          (when key_mgmt_len > 0)
 *   a=SESSION_ATTR                   (per session_attrs entry)
 *   m=audio PORT RTP/SAVP PT...
 *   a=rtpmap:PT NAME/RATE[/CH]       (per codec)
 *   a=fmtp:PT FMTP                   (per codec with fmtp)
 *   a=ptime:PTIME                    (when ptime > 0)
 *   a=DIRECTION                      (when direction != NULL)
 *   a=MEDIA_ATTR                     (per media_attrs entry)
 * with CRLF line ends. The key-mgmt attribute goes at session level so
 * that it covers the stream (RFC 4567 §4.1). */
struct sdp_build {
	const char *user;	/* o= username, "-" if NULL */
	uint64_t sess_id, sess_version;
	const char *addr;	/* numeric IPv4 or IPv6 address */
	uint16_t port;		/* 0 rejects the stream */
	const char *proto;	/* NULL = "RTP/SAVP" */
	const struct sdp_codec *codecs;
	size_t ncodecs;		/* 1..SDP_FMT_MAX */
	unsigned ptime;		/* 20 */
	const char *direction;	/* NULL, "sendrecv", "sendonly", ... */
	const uint8_t *key_mgmt;	/* MIKEY message, base64-encoded here */
	size_t key_mgmt_len;
	/* Further attributes, "name" or "name:value" (no line breaks),
	 * at session level and at media level; at most SDP_ATTR_MAX - 8
	 * each. */
	const char *const *session_attrs;
	size_t nsession_attrs;
	const char *const *media_attrs;
	size_t nmedia_attrs;
};

/* Appends the description to out. Returns 0, -EINVAL for a bad argument
 * (no codecs, address not numeric, text with spaces or line breaks), -E2BIG
 * if the MIKEY data exceeds SDP_KEY_MGMT_MAX, or out->err. */
int sdp_build(const struct sdp_build *p, struct buf *out);

#endif
