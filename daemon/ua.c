/* See ua.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#include <openssl/rand.h>

#include "daemon/conf.h"
#include "daemon/dialog.h"
#include "common/log.h"
#include "daemon/ua.h"
#include "hex.h"
#include "sdp.h"
#include "sip-out.h"
#include "sip-uri.h"

/* Dialogs the UA itself is in, for in-dialog requests no call took. None
 * is made today: calls keep their dialogs (call.c), so a BYE or re-INVITE
 * that no call takes is answered 481 here. */
struct ua_dialog {
	LIST_ENTRY(ua_dialog) link;
	struct dialog *dlg;
};

struct ua {
	struct svopid *d;
	LIST_HEAD(, ua_dialog) dialogs;
	struct transport *tp;
	struct txn_layer *txl;
	ua_request_fn *on_request;	/* borrowed, with its userdata */
	void *request_ud;
	ua_closed_fn *on_closed;	/* borrowed, with its userdata */
	void *closed_ud;
	bool have_proxy;
	struct tp_dest proxy;
};

static struct log_ratelimit ua_rl = LOG_RATELIMIT_INIT(5000, 10);

void
ua_random_hex(char *out, size_t nbytes)
{
	uint8_t rnd[32];

	if (nbytes > sizeof(rnd))
		nbytes = sizeof(rnd);
	RAND_bytes(rnd, (int)nbytes);
	hex_encode(rnd, nbytes, out);
}

struct txn_layer *
ua_txn(struct ua *ua)
{
	return ua->txl;
}

static const char *
ua_proto_upper(enum conf_proto p)
{
	return p == CONF_PROTO_TLS ? "TLS" : p == CONF_PROTO_TCP ? "TCP" :
		"UDP";
}

static void
ua_hostport(struct ua *ua, enum conf_proto proto, char *out, size_t len)
{
	char host[CONF_HOST_MAX];
	unsigned port = 0;

	transport_local(ua->tp, proto, host, sizeof(host), &port);
	if (strchr(host, ':'))
		snprintf(out, len, port ? "[%s]:%u" : "[%s]", host, port);
	else
		snprintf(out, len, port ? "%s:%u" : "%s", host, port);
}

void
ua_via(struct ua *ua, enum conf_proto proto, const char *branch, char *out,
	size_t len)
{
	char hp[CONF_HOST_MAX + 16];

	ua_hostport(ua, proto, hp, sizeof(hp));
	/* ;alias (RFC 5923): a proxy may send requests for our listener
	 * back over this connection instead of opening one to us (a TLS
	 * handshake on the first call's critical path). */
	snprintf(out, len, "SIP/2.0/%s %s;branch=%s;rport%s",
		ua_proto_upper(proto), hp, branch,
		proto == CONF_PROTO_UDP ? "" : ";alias");
}

void
ua_contact(struct ua *ua, enum conf_proto proto, char *out, size_t len)
{
	const char *aor = ua->d->conf->uri;
	const char *u = strchr(aor, ':') + 1;
	size_t ulen = strcspn(u, "@");
	char hp[CONF_HOST_MAX + 16];

	ua_hostport(ua, proto, hp, sizeof(hp));
	snprintf(out, len, "<sip:%.*s@%s%s>", (int)ulen, u, hp,
		proto == CONF_PROTO_TLS ? ";transport=tls" :
		proto == CONF_PROTO_TCP ? ";transport=tcp" : "");
}

/* A URI's transport and address. Without transport= a sips URI means
 * TLS, and so does a plain sip URI: svopi sends nothing in clear text
 * unless the URI asks for udp or tcp explicitly (docs/daemon.md). */
int
ua_uri_dest(const char *text, struct tp_dest *ret)
{
	struct sip_uri u;
	struct tp_dest d;
	enum conf_proto proto = CONF_PROTO_TLS;
	char *host;
	int r;

	if (sip_uri_parse(text, strlen(text), &u) < 0 ||
	    (u.scheme != SIP_URI_SIP && u.scheme != SIP_URI_SIPS))
		return -EINVAL;
	if (u.scheme == SIP_URI_SIP && !sip_str_empty(u.transport)) {
		if (sip_str_caseeq(u.transport, "udp"))
			proto = CONF_PROTO_UDP;
		else if (sip_str_caseeq(u.transport, "tcp"))
			proto = CONF_PROTO_TCP;
		else if (!sip_str_caseeq(u.transport, "tls"))
			return -EINVAL;
	}
	memset(&d, 0, sizeof(d));
	host = sip_str_dup(sip_str_empty(u.maddr) ? u.host : u.maddr);
	if (!host)
		return -ENOMEM;
	if (strlen(host) >= sizeof(d.host)) {
		free(host);
		return -EINVAL;
	}
	snprintf(d.host, sizeof(d.host), "%s", host);
	r = transport_resolve(host, u.port ? u.port :
		proto == CONF_PROTO_TLS ? 5061 : 5060, proto, &d.addr);
	free(host);
	if (r < 0)
		return r;
	*ret = d;
	return 0;
}

int
ua_proxy_dest(struct ua *ua, struct tp_dest *ret)
{
	if (!ua->have_proxy)
		return -ENOENT;
	*ret = ua->proxy;
	return 0;
}

/* --- responses --- */

/* Writes the top Via with RFC 3581 received/rport filled in for UDP. */
static void
ua_put_top_via(struct buf *b, const struct sip_via *v,
	const struct tp_source *src)
{
	char host[64], val[SIP_LINE_MAX];
	const char *raw = v->raw.p;
	size_t n = v->raw.len, o = 0;
	unsigned port = 0;
	bool done_rport = false;

	if (src->addr.proto != CONF_PROTO_UDP || n >= sizeof(val) - 128) {
		sip_out_header_str(b, "Via", v->raw);
		return;
	}
	if (src->addr.ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&src->addr.ss;

		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)&src->addr.ss;

		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		port = ntohs(s->sin6_port);
	}
	/* Copy, turning a bare ";rport" into ";rport=PORT". */
	for (size_t i = 0; i < n;) {
		if (!done_rport && v->rport && v->rport_value == 0 &&
		    raw[i] == ';' && i + 6 <= n &&
		    strncasecmp(raw + i + 1, "rport", 5) == 0 &&
		    (i + 6 == n || raw[i + 6] == ';' || raw[i + 6] == ' ' ||
		    raw[i + 6] == '\t')) {
			o += (size_t)snprintf(val + o, sizeof(val) - o,
				";rport=%u", port);
			i += 6;
			done_rport = true;
			continue;
		}
		val[o++] = raw[i++];
	}
	val[o] = '\0';
	if (sip_str_empty(v->received))
		snprintf(val + o, sizeof(val) - o, ";received=%s", host);
	sip_out_header(b, "Via", val);
}

/* Status line and the headers a response copies from its request. */
int
ua_response_start(struct buf *b, const struct sip_msg *req,
	const struct tp_source *src, unsigned code, const char *reason,
	const char *to_tag)
{
	const struct sip_header *h;

	if (req->nvia == 0 || !req->has_from || !req->has_to ||
	    sip_str_empty(req->call_id) || !req->has_cseq)
		return -EBADMSG;
	sip_out_response(b, code, reason);
	ua_put_top_via(b, &req->via[0], src);
	for (size_t i = 1; i < req->nvia; i++)
		sip_out_header_str(b, "Via", req->via[i].raw);
	h = sip_msg_header(req, SIP_HDR_FROM, 0);
	if (h)
		sip_out_header_str(b, "From", h->value);
	h = sip_msg_header(req, SIP_HDR_TO, 0);
	if (h && sip_str_empty(req->to.tag) && to_tag && code > 100) {
		sip_out_headerf(b, "To", "%.*s;tag=%s", (int)h->value.len,
			h->value.p, to_tag);
	} else if (h) {
		sip_out_header_str(b, "To", h->value);
	}
	sip_out_header_str(b, "Call-ID", req->call_id);
	h = sip_msg_header(req, SIP_HDR_CSEQ, 0);
	if (h)
		sip_out_header_str(b, "CSeq", h->value);
	sip_out_header(b, "Server", UA_USER_AGENT);
	return b->err;
}

/* Sends a simple response through the server transaction (or statelessly
 * when st is NULL). warning is the text of a 399 Warning, or NULL. */
void
ua_respond(struct ua *ua, struct txn_server *st, const struct sip_msg *req,
	const struct tp_source *src, unsigned code, const char *reason,
	const char *warning, const char *extra_name, const char *extra_value)
{
	struct buf b;
	char tag[17];
	uint8_t *out;
	size_t n;

	ua_random_hex(tag, 8);
	buf_init(&b, SIP_MSG_MAX);
	if (ua_response_start(&b, req, src, code, reason, tag) < 0) {
		buf_release(&b);
		return;
	}
	if (warning)
		sip_out_headerf(&b, "Warning", "399 %s \"%s\"",
			src->local_host[0] ? src->local_host : "svopid",
			warning);
	if (code == 405 || code == 488)
		sip_out_header(&b, "Allow", UA_ALLOW);
	if (extra_name)
		sip_out_header(&b, extra_name, extra_value);
	sip_out_end(&b, NULL, NULL, 0);
	if (buf_steal(&b, &out, &n) == 0) {
		if (st)
			txn_server_reply(st, code, out, n);
		else
			transport_reply(ua->tp, src, out, n);
		free(out);
	}
	buf_release(&b);
}

/* The SDP of our OPTIONS answer: what an offer must carry, as RFC 5939
 * capabilities (RTP/SAVP and MIKEY key management), no stream. */
static int
ua_options_sdp(const char *addr, struct buf *out)
{
	static const struct sdp_codec codecs[] = {
		{ 111, "opus", 48000, 2, NULL },
		{ 0, "PCMU", 8000, 0, NULL },
		{ 8, "PCMA", 8000, 0, NULL },
	};
	static const char *const caps[] = {
		"tcap:1 RTP/SAVP", "acap:1 key-mgmt:mikey",
	};
	struct sdp_build p;

	memset(&p, 0, sizeof(p));
	p.user = "-";
	p.addr = addr;
	p.port = 0;
	p.codecs = codecs;
	p.ncodecs = sizeof(codecs) / sizeof(codecs[0]);
	p.media_attrs = caps;
	p.nmedia_attrs = sizeof(caps) / sizeof(caps[0]);
	return sdp_build(&p, out);
}

/* OPTIONS: capabilities, with an SDP that lists what an offer must carry;
 * statelessly when st is NULL. */
static void
ua_options(struct ua *ua, struct txn_server *st, const struct sip_msg *req,
	const struct tp_source *src)
{
	struct buf b, sdp;
	char tag[17], contact[CONF_HOST_MAX + 64];
	const char *addr = src->local_host[0] ? src->local_host : "127.0.0.1";
	uint8_t *out;
	size_t n;

	buf_init(&sdp, SDP_MAX);
	if (ua_options_sdp(addr, &sdp) < 0) {
		buf_release(&sdp);
		ua_respond(ua, st, req, src, 500, NULL, NULL, NULL, NULL);
		return;
	}
	ua_random_hex(tag, 8);
	buf_init(&b, SIP_MSG_MAX);
	if (ua_response_start(&b, req, src, 200, NULL, tag) < 0) {
		buf_release(&b);
		buf_release(&sdp);
		return;
	}
	ua_contact(ua, src->addr.proto, contact, sizeof(contact));
	sip_out_header(&b, "Contact", contact);
	sip_out_header(&b, "Allow", UA_ALLOW);
	sip_out_header(&b, "Accept", "application/sdp");
	sip_out_header(&b, "Supported", "");
	sip_out_end(&b, "application/sdp", sdp.data, sdp.len);
	buf_release(&sdp);
	if (buf_steal(&b, &out, &n) == 0) {
		if (st)
			txn_server_reply(st, 200, out, n);
		else
			transport_reply(ua->tp, src, out, n);
		free(out);
	}
	buf_release(&b);
}

/* SPEC §4 policy: an offer without MIKEY, or with SDES a=crypto, is
 * refused with 488 and a Warning, never downgraded. Secure calls come
 * with MIKEY in a later version, so every INVITE ends in 488 for now:
 * nothing here can set up an insecure call. Returns the Warning text. */
static const char *
ua_invite_policy(const struct sip_msg *req)
{
	struct sdp_session *sdp = NULL;
	const char *why = NULL;
	bool audio = false;

	if (sip_str_empty(req->body))
		return "offer required: calls need MIKEY key-mgmt in the INVITE";
	if (!sip_str_caseeq(req->content_type, "application/sdp"))
		return "offer must be application/sdp with MIKEY key-mgmt";
	if (sdp_parse((const uint8_t *)req->body.p, req->body.len, &sdp) < 0)
		return "malformed SDP offer";
	if (sdp_has_crypto(sdp)) {
		why = "SDES a=crypto refused: keys only through MIKEY";
		goto out;
	}
	for (size_t i = 0; i < sdp->nmedia; i++) {
		struct sip_str b64;
		int r;

		if (sdp->media[i].port == 0)
			continue;
		audio = true;
		r = sdp_key_mgmt(sdp, i, &b64);
		if (r == -ENOENT) {
			why = "no MIKEY key-mgmt: insecure calls are refused";
			goto out;
		}
		if (r < 0) {
			why = "ambiguous or bad key-mgmt attribute";
			goto out;
		}
	}
	if (!audio) {
		why = "offer without an active media stream";
		goto out;
	}
	/* Reached only when calls.c could not use the key-mgmt data. */
	why = "unusable MIKEY key-mgmt data";
out:
	sdp_free(sdp);
	return why;
}

static struct ua_dialog *
ua_dialog_find(struct ua *ua, const struct sip_msg *req)
{
	struct ua_dialog *ud;

	LIST_FOREACH(ud, &ua->dialogs, link)
		if (dialog_match_request(ud->dlg, req))
			return ud;
	return NULL;
}

static void
ua_dialog_remove(struct ua_dialog *ud)
{
	LIST_REMOVE(ud, link);
	dialog_free(ud->dlg);
	free(ud);
}

static void
ua_txn_request(void *userdata, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	struct txn_server *invite)
{
	struct ua *ua = userdata;
	struct sip_problem prob = { 0, NULL };
	const struct sip_header *h;
	char a[96];
	int r;

	r = sip_msg_validate(req, &prob);
	if (r < 0) {
		log_ratelimited(&ua_rl, LOG_INFO, "bad request from %s: %s",
			transport_addr_str(&src->addr, a, sizeof(a)),
			prob.why ? prob.why : "invalid");
		ua_respond(ua, st, req, src, prob.status ? prob.status : 400,
			NULL, prob.why, NULL, NULL);
		return;
	}
	if (ua->d->stopping && req->method_id != SIP_METHOD_CANCEL &&
	    req->method_id != SIP_METHOD_BYE) {
		ua_respond(ua, st, req, src, 503, NULL, "shutting down", NULL,
			NULL);
		return;
	}
	h = sip_msg_header(req, SIP_HDR_REQUIRE, 0);
	if (h && req->method_id != SIP_METHOD_CANCEL) {
		/* We support no extension (§8.2.2.3). */
		char *list = sip_str_dup(h->value);

		ua_respond(ua, st, req, src, 420, NULL, NULL, "Unsupported",
			list ? list : "");
		free(list);
		return;
	}
	log_ratelimited(&ua_rl, LOG_DEBUG, "%.*s from %s",
		(int)req->method.len, req->method.p,
		transport_addr_str(&src->addr, a, sizeof(a)));
	if (ua->on_request && ua->on_request(ua->request_ud, st, req, src,
	    invite))
		return;
	switch (req->method_id) {
	case SIP_METHOD_OPTIONS:
		ua_options(ua, st, req, src);
		return;
	case SIP_METHOD_INVITE: {
		const char *why;

		if (!sip_str_empty(req->to.tag)) {
			struct ua_dialog *ud = ua_dialog_find(ua, req);

			if (!ud) {
				ua_respond(ua, st, req, src, 481, NULL, NULL,
					NULL, NULL);
				return;
			}
			if (dialog_remote_cseq(ud->dlg, req) < 0) {
				ua_respond(ua, st, req, src, 500, NULL,
					"CSeq out of order", NULL, NULL);
				return;
			}
			/* SPEC §4: a re-INVITE cannot remove or weaken the
			 * key exchange; until MIKEY re-keying exists none
			 * is accepted. */
			ua_respond(ua, st, req, src, 488, NULL,
				"re-INVITE not accepted", NULL, NULL);
			return;
		}
		why = ua_invite_policy(req);
		log_ratelimited(&ua_rl, LOG_INFO,
			"refusing INVITE from %s: %s",
			transport_addr_str(&src->addr, a, sizeof(a)), why);
		ua_respond(ua, st, req, src, 488, NULL, why, "Accept",
			"application/sdp");
		return;
	}
	case SIP_METHOD_CANCEL:
		if (!invite) {
			ua_respond(ua, st, req, src, 481, NULL, NULL, NULL,
				NULL);
			return;
		}
		ua_respond(ua, st, req, src, 200, NULL, NULL, NULL, NULL);
		/* §9.2: a pending INVITE ends with 487. None stays pending
		 * today, the check keeps it right when calls can ring. */
		(void)txn_server_pending(invite);
		return;
	case SIP_METHOD_BYE: {
		struct ua_dialog *ud = ua_dialog_find(ua, req);

		if (!ud) {
			ua_respond(ua, st, req, src, 481, NULL, NULL, NULL,
				NULL);
			return;
		}
		if (dialog_remote_cseq(ud->dlg, req) < 0) {
			ua_respond(ua, st, req, src, 500, NULL,
				"CSeq out of order", NULL, NULL);
			return;
		}
		ua_respond(ua, st, req, src, 200, NULL, NULL, NULL, NULL);
		ua_dialog_remove(ud);
		return;
	}
	default:
		ua_respond(ua, st, req, src, 405, NULL, NULL, NULL, NULL);
		return;
	}
}

/* Before a server transaction is made (txn_handler.stateless): what needs
 * none is answered here, once per request, keeping nothing: a malformed
 * request, an extension we do not support, a method we do not know, and
 * an OPTIONS without an offer (a capability query or a keep-alive; one
 * with MIKEY goes to the call layer, statefully). A repeated request is
 * answered again, as a transaction would. */
static bool
ua_txn_stateless(void *userdata, const struct sip_msg *req,
	const struct tp_source *src)
{
	struct ua *ua = userdata;
	struct sip_problem prob = { 0, NULL };
	char a[96];

	if (sip_msg_validate(req, &prob) < 0) {
		log_ratelimited(&ua_rl, LOG_INFO, "bad request from %s: %s",
			transport_addr_str(&src->addr, a, sizeof(a)),
			prob.why ? prob.why : "invalid");
		ua_respond(ua, NULL, req, src, prob.status ? prob.status : 400,
			NULL, prob.why, NULL, NULL);
		return true;
	}
	switch (req->method_id) {
	case SIP_METHOD_INVITE:
	case SIP_METHOD_CANCEL:
	case SIP_METHOD_BYE:
		return false;
	case SIP_METHOD_OPTIONS:
		if (!sip_str_empty(req->body) ||
		    sip_msg_header(req, SIP_HDR_REQUIRE, 0))
			return false;
		if (ua->d->stopping)
			ua_respond(ua, NULL, req, src, 503, NULL,
				"shutting down", NULL, NULL);
		else
			ua_options(ua, NULL, req, src);
		return true;
	default:
		ua_respond(ua, NULL, req, src, 405, NULL, NULL, NULL, NULL);
		return true;
	}
}

static void
ua_txn_ack(void *userdata, const struct sip_msg *m,
	const struct tp_source *src)
{
	/* An ACK for a 2xx of ours (a call's: its media started with the
	 * 2xx, the keys being ready) or for none (§17.2.3): nothing to
	 * do. */
}

static void
ua_tp_recv(void *userdata, struct sip_msg *m, const struct tp_source *src)
{
	struct ua *ua = userdata;

	txn_layer_recv(ua->txl, m, src);
}

static void
ua_tp_closed(void *userdata, const struct tp_addr *remote, const char *why)
{
	struct ua *ua = userdata;

	/* The handler (registration) first, so that a REGISTER failing
	 * with this connection can say why. */
	if (ua->on_closed)
		ua->on_closed(ua->closed_ud, remote, why);
	txn_layer_closed(ua->txl, remote);
}

/* --- OPTIONS ping --- */

struct ua_ping {
	struct ua *ua;
	void (*done)(void *, int, const char *, uint64_t);
	void *userdata;
	struct timespec start;
};

static void
ua_ping_cb(void *userdata, const struct sip_msg *m, int err)
{
	struct ua_ping *p = userdata;
	struct timespec now;
	uint64_t us;
	char *reason = NULL;

	if (m && m->status < 200)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (uint64_t)(now.tv_sec - p->start.tv_sec) * 1000000 +
		(uint64_t)((now.tv_nsec - p->start.tv_nsec) / 1000);
	if (m)
		reason = sip_str_dup(m->reason);
	p->done(p->userdata, m ? (int)m->status : err,
		reason ? reason : err == -ETIMEDOUT ? "timeout" :
		err == -ECONNRESET || err == -ECONNREFUSED ?
		"connection failed" : "", us);
	free(reason);
	free(p);
}

int
ua_ping(struct ua *ua, const char *uri,
	void (*done)(void *userdata, int status, const char *reason,
		uint64_t rtt_us),
	void *userdata)
{
	struct tp_dest dest;
	struct sip_uri u;
	struct ua_ping *p;
	struct buf b;
	char branch[TXN_BRANCH_MAX], via[CONF_HOST_MAX + 128];
	char tag[17], callid[33], contact[CONF_HOST_MAX + 64];
	uint8_t *out;
	size_t n;
	int r;

	if (!ua || sip_uri_parse(uri, strlen(uri), &u) < 0 ||
	    (u.scheme != SIP_URI_SIP && u.scheme != SIP_URI_SIPS))
		return -EINVAL;
	if (ua->have_proxy)
		dest = ua->proxy;
	else if ((r = ua_uri_dest(uri, &dest)) < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ua = ua;
	p->done = done;
	p->userdata = userdata;
	txn_new_branch(branch);
	ua_via(ua, dest.addr.proto, branch, via, sizeof(via));
	ua_contact(ua, dest.addr.proto, contact, sizeof(contact));
	ua_random_hex(tag, 8);
	ua_random_hex(callid, 16);
	buf_init(&b, SIP_MSG_MAX);
	sip_out_request(&b, "OPTIONS", uri);
	sip_out_header(&b, "Via", via);
	sip_out_header(&b, "Max-Forwards", "70");
	sip_out_headerf(&b, "From", "<%s>;tag=%s", ua->d->conf->uri, tag);
	sip_out_headerf(&b, "To", "<%s>", uri);
	sip_out_header(&b, "Call-ID", callid);
	sip_out_header(&b, "CSeq", "1 OPTIONS");
	sip_out_header(&b, "Contact", contact);
	sip_out_header(&b, "Accept", "application/sdp");
	sip_out_header(&b, "User-Agent", UA_USER_AGENT);
	sip_out_end(&b, NULL, NULL, 0);
	r = buf_steal(&b, &out, &n);
	buf_release(&b);
	if (r < 0) {
		free(p);
		return r == -EINVAL ? -EINVAL : r;
	}
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	r = txn_client_start(ua->txl, &dest, out, n, SIP_METHOD_OPTIONS,
		branch, ua_ping_cb, p, NULL);
	free(out);
	if (r < 0)
		free(p);
	return r;
}

/* --- lifecycle --- */

int
ua_new(struct svopid *d, struct ua **ret)
{
	static const struct tp_handler tph = {
		.recv = ua_tp_recv, .closed = ua_tp_closed,
	};
	static const struct txn_handler txh = {
		.request = ua_txn_request, .stateless = ua_txn_stateless,
		.ack = ua_txn_ack,
	};
	struct ua *ua = calloc(1, sizeof(*ua));
	int r;

	if (!ua)
		return -ENOMEM;
	ua->d = d;
	LIST_INIT(&ua->dialogs);
	*ret = ua;	/* freed by the caller's ua_free on error */
	if (d->conf->proxy) {
		r = ua_uri_dest(d->conf->proxy, &ua->proxy);
		if (r < 0) {
			log_error("proxy %s: %s", d->conf->proxy,
				r == -EINVAL ? "not a usable SIP URI" :
				"cannot resolve");
			return r;
		}
		/* The proxy's certificate must match its host. */
		ua->proxy.verify = true;
		ua->have_proxy = true;
	}
	r = transport_new(d, &tph, ua, &ua->tp);
	if (r < 0)
		return r;
	r = txn_layer_new(d, ua->tp, &txh, ua, &ua->txl);
	if (r == 0 && ua->have_proxy) {
		txn_layer_reserve_for(ua->txl, &ua->proxy.addr);
		transport_exempt(ua->tp, &ua->proxy.addr);
	}
	return r;
}

struct ua *
ua_free(struct ua *ua)
{
	if (!ua)
		return NULL;
	while (!LIST_EMPTY(&ua->dialogs))
		ua_dialog_remove(LIST_FIRST(&ua->dialogs));
	ua->txl = txn_layer_free(ua->txl);
	ua->tp = transport_free(ua->tp);
	free(ua);
	return NULL;
}

int
ua_start(struct ua *ua)
{
	int r = transport_listen(ua->tp);

	if (r < 0)
		return r;
	if (ua->have_proxy) {
		const struct conf *c = ua->d->conf;
		bool found = false;

		for (size_t i = 0; i < c->n_listen; i++)
			if (c->listen[i].proto == ua->proxy.addr.proto)
				found = true;
		if (!found)
			log_warning("no %s listen address in [sip] listen: the "
				"proxy cannot forward requests to us",
				conf_proto_name(ua->proxy.addr.proto));
	}
	return 0;
}

bool
ua_has_proxy(const struct ua *ua)
{
	return ua->have_proxy;
}

void
ua_set_request_handler(struct ua *ua, ua_request_fn *fn, void *userdata)
{
	ua->on_request = fn;
	ua->request_ud = userdata;
}

void
ua_set_closed_handler(struct ua *ua, ua_closed_fn *fn, void *userdata)
{
	ua->on_closed = fn;
	ua->closed_ud = userdata;
}

int
ua_request_dest(struct ua *ua, const char *uri, struct tp_dest *ret)
{
	if (ua->have_proxy) {
		*ret = ua->proxy;
		return 0;
	}
	return ua_uri_dest(uri, ret);
}

struct transport *
ua_transport(struct ua *ua)
{
	return ua->tp;
}

/* --- the table for the layers above (struct ua_sip_ops) --- */

static int
ua_ops_request(void *ua, const struct tp_dest *dest, const uint8_t *msg,
	size_t len, enum sip_method method, const char *branch,
	txn_client_cb *cb, void *cbdata, struct txn_client **ret)
{
	return txn_client_start(ua_txn(ua), dest, msg, len, method, branch,
		cb, cbdata, ret);
}

static void
ua_ops_forget(void *ua, struct txn_client *t)
{
	txn_client_forget(t);
}

static int
ua_ops_send(void *ua, const struct tp_dest *dest, const uint8_t *msg,
	size_t len)
{
	int r = transport_send(ua_transport(ua), dest, msg, len);

	if (r == 0)
		txn_layer_sent(ua_txn(ua), dest, msg, len);
	return r;
}

static int
ua_ops_reply(void *ua, struct txn_server *st, unsigned code,
	const uint8_t *msg, size_t len)
{
	return txn_server_reply(st, code, msg, len);
}

static int
ua_ops_watch(void *ua, struct txn_server *st, txn_ack_cb *cb,
	void *cbdata, unsigned id)
{
	return txn_server_watch(st, cb, cbdata, id);
}

static void
ua_ops_via(void *ua, enum conf_proto proto, const char *branch, char *out,
	size_t len)
{
	ua_via(ua, proto, branch, out, len);
}

static void
ua_ops_contact(void *ua, enum conf_proto proto, char *out, size_t len)
{
	ua_contact(ua, proto, out, len);
}

static int
ua_ops_request_dest(void *ua, const char *uri, struct tp_dest *ret)
{
	return ua_request_dest(ua, uri, ret);
}

static int
ua_ops_uri_dest(void *ua, const char *uri, struct tp_dest *ret)
{
	return ua_uri_dest(uri, ret);
}

const struct ua_sip_ops ua_sip_ops = {
	.request = ua_ops_request,
	.forget = ua_ops_forget,
	.send = ua_ops_send,
	.reply = ua_ops_reply,
	.watch = ua_ops_watch,
	.via = ua_ops_via,
	.contact = ua_ops_contact,
	.request_dest = ua_ops_request_dest,
	.uri_dest = ua_ops_uri_dest,
};
