/* The SIP user agent core of svopid: owns transports and the transaction
 * layer, answers requests (OPTIONS, INVITE policy, CANCEL, BYE, ACK) and
 * sends OPTIONS pings; registration is in reg.c. */
#ifndef SVOPID_UA_H
#define SVOPID_UA_H

#include <stdint.h>

#include "daemon/svopid.h"
#include "daemon/transport.h"
#include "daemon/txn.h"
#include "buf.h"

#define UA_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS"
#define UA_USER_AGENT "svopid/" PACKAGE_VERSION

int ua_new(struct svopid *d, struct ua **ret);
struct ua *ua_free(struct ua *ua);
/* Opens listeners and starts registration when a proxy is configured. */
int ua_start(struct ua *ua);
/* Starts the shutdown (un-REGISTER). Returns 0 when there is nothing to
 * wait for, 1 when svopid_unregistered_for_exit() will be called. */
int ua_stop(struct ua *ua);

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
