/* The SIP user agent core of svopid: owns transports and the transaction
 * layer, answers requests (OPTIONS, INVITE policy, CANCEL, BYE, ACK) and
 * sends OPTIONS pings. It knows nothing above it: requests go first to
 * the handler the owner registered (the call layer), closed connections
 * to the closed handler (registration, reg.c). */
#ifndef SVOPID_UA_H
#define SVOPID_UA_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/svopid.h"
#include "daemon/transport.h"
#include "daemon/txn.h"
#include "buf.h"

#define UA_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS"
#define UA_USER_AGENT "svopid/" PACKAGE_VERSION

/* RFC 3261 §18.1.1: a request within this many bytes of the path MTU
 * (1500) goes over UDP when its destination is UDP; a larger one goes
 * over TCP to the same host and port (its Via and Contact say so). */
#define UA_UDP_REQUEST_MAX 1300

/* The transport a request of len bytes to a proto destination takes. */
static inline enum conf_proto
ua_request_proto(enum conf_proto proto, size_t len)
{
	return proto == CONF_PROTO_UDP && len > UA_UDP_REQUEST_MAX ?
		CONF_PROTO_TCP : proto;
}

int ua_new(struct svopid *d, struct ua **ret);
struct ua *ua_free(struct ua *ua);
/* Opens listeners. */
int ua_start(struct ua *ua);
/* True when a proxy is configured. */
bool ua_has_proxy(const struct ua *ua);

/* A request, offered to the layer above before the UA's defaults: true
 * when it took it (answered or will answer). As txn_handler.request. */
typedef bool ua_request_fn(void *userdata, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	struct txn_server *invite);
void ua_set_request_handler(struct ua *ua, ua_request_fn *fn, void *userdata);
/* A connection we opened closed (why: reason text). */
typedef void ua_closed_fn(void *userdata, const struct tp_addr *remote,
	const char *why);
void ua_set_closed_handler(struct ua *ua, ua_closed_fn *fn, void *userdata);

/* What a layer above sends through the user agent, as a table: the call
 * layer holds one (ua_sip_ops, or a fake in unit tests) instead of
 * calling ua.c by name. ua is the struct ua passed with it. */
struct ua_sip_ops {
	/* Starts a client transaction (OPTIONS, INVITE, BYE, CANCEL); cb
	 * and ret may be NULL. As txn_client_start(). */
	int (*request)(void *ua, const struct tp_dest *dest,
		const uint8_t *msg, size_t len, enum sip_method method,
		const char *branch, txn_client_cb *cb, void *cbdata,
		struct txn_client **ret);
	/* As txn_client_forget(). */
	void (*forget)(void *ua, struct txn_client *t);
	/* Sends outside any transaction (the ACK of a 2xx). */
	int (*send)(void *ua, const struct tp_dest *dest, const uint8_t *msg,
		size_t len);
	/* A response through a server transaction, as txn_server_reply(). */
	int (*reply)(void *ua, struct txn_server *st, unsigned code,
		const uint8_t *msg, size_t len);
	/* What becomes of a held server transaction (dropped unanswered;
	 * after a 2xx, its ACK), as txn_server_watch(). May be NULL (a
	 * fake). */
	int (*watch)(void *ua, struct txn_server *st, txn_ack_cb *cb,
		void *cbdata, unsigned id);
	/* Via and Contact header values for proto, as ua_via/ua_contact. */
	void (*via)(void *ua, enum conf_proto proto, const char *branch,
		char *out, size_t len);
	void (*contact)(void *ua, enum conf_proto proto, char *out,
		size_t len);
	/* Where an out-of-dialog request to uri goes (the proxy when one is
	 * configured), and a URI's own address (in-dialog requests). */
	int (*request_dest)(void *ua, const char *uri, struct tp_dest *ret);
	int (*uri_dest)(void *ua, const char *uri, struct tp_dest *ret);
};

extern const struct ua_sip_ops ua_sip_ops;

/* Sends OPTIONS to uri (through the proxy when one is configured) and calls
 * done with the final status code, or a negative errno (-ETIMEDOUT, ...)
 * and the round-trip time. Returns 0 or -EINVAL for a bad URI. */
int ua_ping(struct ua *ua, const char *uri,
	void (*done)(void *userdata, int status, const char *reason,
		uint64_t rtt_us),
	void *userdata);

/* A request's destination: the proxy when one is configured, else the
 * URI's host (TLS unless transport= says otherwise). */
int ua_request_dest(struct ua *ua, const char *uri, struct tp_dest *ret);
/* A URI's own transport and address. */
int ua_uri_dest(const char *text, struct tp_dest *ret);
/* Status line and the headers a response copies from its request (top
 * Via with received/rport over UDP). */
int ua_response_start(struct buf *b, const struct sip_msg *req,
	const struct tp_source *src, unsigned code, const char *reason,
	const char *to_tag);
/* A simple response; warning is the text of a 399 Warning or NULL. */
void ua_respond(struct ua *ua, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src, unsigned code,
	const char *reason, const char *warning, const char *extra_name,
	const char *extra_value);
struct transport *ua_transport(struct ua *ua);

/* Helpers for request builders (reg.c). */
struct txn_layer *ua_txn(struct ua *ua);
/* The proxy as a destination; -ENOENT without a proxy. */
int ua_proxy_dest(struct ua *ua, struct tp_dest *ret);
/* "SIP/2.0/TLS host:port;branch=B;rport" for proto. */
void ua_via(struct ua *ua, enum conf_proto proto, const char *branch,
	char *out, size_t len);
/* "<sip:user@host:port;transport=tls>" for proto. */
void ua_contact(struct ua *ua, enum conf_proto proto, char *out, size_t len);
/* 2*nbytes random hex digits and a NUL into out. */
void ua_random_hex(char *out, size_t nbytes);

#endif
