/* SIP transports of svopid (RFC 3261 §18): UDP with rport (RFC 3581),
 * TCP and TLS with connection reuse, CRLF keep-alive (RFC 5626 §4.4.1) and
 * TCP_NODELAY. Stream input is framed with sip_msg_frame() and parsed with
 * sip_msg_parse(); anything malformed closes the connection (a stream
 * cannot be resynchronised) or drops the datagram, with a rate-limited
 * log line. Parsed messages go to one receive callback. */
#ifndef SVOPID_TRANSPORT_H
#define SVOPID_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon/conf.h"
#include "daemon/svopid.h"
#include "sip-msg.h"

/* Inbound stream connections we keep at most; a new one beyond closes
 * the inbound connection that received nothing for the longest time. */
#define TP_CONN_MAX 256
/* Datagrams a second (and a burst) we read from one source host over
 * UDP; beyond, they are dropped unparsed (the proxy is exempt). */
#define TP_UDP_RATE 200
#define TP_UDP_BURST 400
#define TP_RATE_SLOTS 4096
/* An inbound connection idle this long is closed. */
#define TP_IDLE_SEC 900

struct tp_addr {
	enum conf_proto proto;
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Where a request goes. host is what a TLS peer's certificate must match
 * (name or numeric address) when verify is set. */
struct tp_dest {
	struct tp_addr addr;
	char host[CONF_HOST_MAX];
	bool verify;
};

/* Where a message came from: responses go back over the same connection
 * (conn_id) or from the same UDP socket to the source address. */
struct tp_source {
	struct tp_addr addr;
	uint64_t conn_id;	/* 0 for UDP */
	int udp_fd;		/* -1 for streams */
	char local_host[64];	/* numeric address that received it */
};

struct transport;

struct tp_handler {
	void (*recv)(void *userdata, struct sip_msg *m,
		const struct tp_source *src);
	/* A connection we opened (to dest) closed or failed to connect;
	 * why is a short text ("closed by peer", an OpenSSL reason). */
	void (*closed)(void *userdata, const struct tp_addr *remote,
		const char *why);
};

int transport_new(struct svopid *d, const struct tp_handler *h,
	void *userdata, struct transport **ret);
struct transport *transport_free(struct transport *tp);
/* Datagrams from a's host are not rate-limited (the proxy's). */
void transport_exempt(struct transport *tp, const struct tp_addr *a);
/* Opens the [sip] listen sockets (TLS ones with the identity). */
int transport_listen(struct transport *tp);

/* Sends a request (or a stateless message) to dest, reusing a connection
 * to the same address when one is open. Returns 0 or a negative errno. */
int transport_send(struct transport *tp, const struct tp_dest *dest,
	const uint8_t *data, size_t len);
/* Sends a response back where src came from. */
int transport_reply(struct transport *tp, const struct tp_source *src,
	const uint8_t *data, size_t len);

/* Host and port to put in Via and Contact for proto: the listen address of
 * that protocol if any, else the first listen host with port 0, else
 * 127.0.0.1. */
void transport_local(struct transport *tp, enum conf_proto proto,
	char *host, size_t hostlen, unsigned *ret_port);

/* Resolves host (numeric, or a name through getaddrinfo; SRV is not used)
 * and port into addr. Returns 0 or -EHOSTUNREACH. */
int transport_resolve(const char *host, unsigned port, enum conf_proto proto,
	struct tp_addr *ret);

/* Text "proto:addr:port" for logs. */
const char *transport_addr_str(const struct tp_addr *a, char *out,
	size_t len);
bool transport_addr_equal(const struct tp_addr *a, const struct tp_addr *b);

#endif
