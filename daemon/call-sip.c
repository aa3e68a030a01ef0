/* The SIP messages of a call: responses to the held request, OPTIONS and
 * INVITE, ACK, BYE and CANCEL. Everything leaves through cs->sip (struct
 * ua_sip_ops), never through the user agent by name. See call-int.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "daemon/call-int.h"
#include "daemon/ua.h"
#include "sip-out.h"

int
call_aor_of(const char *text, size_t len, char *out, size_t outlen)
{
	struct sip_uri u;
	struct buf b;
	uint8_t *p;
	size_t n;
	int r;

	if (sip_uri_parse(text, len, &u) < 0 || sip_str_empty(u.user))
		return -EINVAL;
	buf_init(&b, SIP_URI_MAX);
	r = sip_uri_aor(&u, &b);
	if (r == 0)
		r = buf_steal(&b, &p, &n);
	buf_release(&b);
	if (r < 0)
		return -EINVAL;
	if (n >= outlen) {
		free(p);
		return -E2BIG;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	free(p);
	return 0;
}

/* Sends the response in b through st; releases b. */
static void
call_reply_send(struct calls *cs, struct txn_server *st, unsigned code,
	struct buf *b)
{
	uint8_t *out;
	size_t n;

	if (buf_steal(b, &out, &n) == 0) {
		cs->sip->reply(cs->ua, st, code, out, n);
		free(out);
	}
	buf_release(b);
}

static void
call_put_warning(struct buf *b, const struct tp_source *src,
	const char *warning)
{
	if (warning)
		sip_out_headerf(b, "Warning", "399 %s \"%s\"",
			src->local_host[0] ? src->local_host : "svopid",
			warning);
}

void
call_reply(struct call *c, unsigned code, const char *warning,
	const uint8_t *sdp, size_t sdp_len)
{
	struct calls *cs = c->cs;
	struct buf b;
	char contact[CONF_HOST_MAX + 64];

	if (!c->req || !c->st)
		return;
	if (!c->local_tag[0])
		ua_random_hex(c->local_tag, 8);
	buf_init(&b, SIP_MSG_MAX);
	if (ua_response_start(&b, c->req, &c->src, code, NULL,
	    c->local_tag) < 0) {
		buf_release(&b);
		return;
	}
	if (c->req_is_invite && code > 100 && code < 300)
		for (size_t i = 0; i < c->req->nrecord_route; i++)
			sip_out_header_str(&b, "Record-Route",
				c->req->record_route[i].raw);
	call_put_warning(&b, &c->src, warning);
	if (code >= 200 && code < 300) {
		cs->sip->contact(cs->ua, c->src.addr.proto, contact,
			sizeof(contact));
		sip_out_header(&b, "Contact", contact);
		sip_out_header(&b, "Allow", UA_ALLOW);
	}
	if (code == 488)
		sip_out_header(&b, "Accept", "application/sdp");
	sip_out_end(&b, sdp_len ? "application/sdp" : NULL, sdp, sdp_len);
	call_reply_send(cs, c->st, code, &b);
	if (code >= 200) {
		c->st = NULL;
		if (!c->req_is_invite || code >= 300) {
			sip_msg_free(c->req);
			c->req = NULL;
		}
	}
}

void
calls_respond(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src, unsigned code,
	const char *warning, bool accept_sdp)
{
	struct buf b;
	char tag[17];

	ua_random_hex(tag, 8);
	buf_init(&b, SIP_MSG_MAX);
	if (ua_response_start(&b, req, src, code, NULL, tag) < 0) {
		buf_release(&b);
		return;
	}
	call_put_warning(&b, src, warning);
	if (code == 405 || code == 488)
		sip_out_header(&b, "Allow", UA_ALLOW);
	if (accept_sdp)
		sip_out_header(&b, "Accept", "application/sdp");
	sip_out_end(&b, NULL, NULL, 0);
	call_reply_send(cs, st, code, &b);
}

/* Builds the out-of-dialog request in out for dest's transport proto. */
static int
call_build(struct call *c, const char *method, enum conf_proto proto,
	const char *branch, const uint8_t *body, size_t body_len,
	const char *callid, uint8_t **out, size_t *n)
{
	struct calls *cs = c->cs;
	char via[CONF_HOST_MAX + 128], contact[CONF_HOST_MAX + 64];
	struct buf b;
	int r;

	cs->sip->via(cs->ua, proto, branch, via, sizeof(via));
	cs->sip->contact(cs->ua, proto, contact, sizeof(contact));
	buf_init(&b, SIP_MSG_MAX);
	sip_out_request(&b, method, c->dial_uri);
	sip_out_header(&b, "Via", via);
	sip_out_header(&b, "Max-Forwards", "70");
	sip_out_headerf(&b, "From", "<%s>;tag=%s", cs->d->conf->uri,
		c->local_tag);
	sip_out_headerf(&b, "To", "<%s>", c->dial_uri);
	sip_out_header(&b, "Call-ID", callid);
	sip_out_headerf(&b, "CSeq", "1 %s", method);
	sip_out_header(&b, "Contact", contact);
	sip_out_header(&b, "Allow", UA_ALLOW);
	sip_out_header(&b, "Accept", "application/sdp");
	sip_out_header(&b, "User-Agent", UA_USER_AGENT);
	sip_out_end(&b, "application/sdp", body, body_len);
	r = buf_steal(&b, out, n);
	buf_release(&b);
	return r;
}

/* Sends method with body; switch: over TCP when the destination is UDP
 * and the request too big for it. */
static int
call_send_as(struct call *c, const char *method, const uint8_t *body,
	size_t body_len, txn_client_cb *cb, bool may_switch)
{
	struct calls *cs = c->cs;
	bool inv = strcmp(method, "INVITE") == 0;
	char branch[TXN_BRANCH_MAX], callid[40];
	struct tp_dest dest = c->dest;
	uint8_t *out;
	size_t n;
	int r;

	txn_new_branch(branch);
	if (inv) {
		snprintf(callid, sizeof(callid), "%s", c->call_id);
		c->invite_cseq = 1;
	} else {
		ua_random_hex(callid, 16);
	}
	r = call_build(c, method, dest.addr.proto, branch, body, body_len,
		callid, &out, &n);
	if (r == 0 && may_switch && ua_request_proto(dest.addr.proto, n) !=
	    dest.addr.proto) {
		free(out);
		dest.addr.proto = ua_request_proto(dest.addr.proto, n);
		r = call_build(c, method, dest.addr.proto, branch, body,
			body_len, callid, &out, &n);
	}
	if (r < 0)
		return r;
	r = cs->sip->request(cs->ua, &dest, out, n,
		inv ? SIP_METHOD_INVITE : SIP_METHOD_OPTIONS, branch, cb, c,
		&c->tc);
	if (r < 0 || !inv) {
		free(out);
		return r;
	}
	free(c->invite);
	c->invite = out;
	c->invite_len = n;
	return 0;
}

/* An OPTIONS or INVITE with our MIKEY offer (about 3 KB): over TCP when
 * the destination is UDP (RFC 3261 §18.1.1, ua_request_proto); c->dest
 * stays as it was for the small requests (ACK). A switched request keeps
 * a copy of its body for call_send_fallback. */
int
call_send(struct call *c, const char *method, const uint8_t *body,
	size_t body_len, txn_client_cb *cb)
{
	bool sw = c->dest.addr.proto == CONF_PROTO_UDP &&
		ua_request_proto(CONF_PROTO_UDP, body_len) == CONF_PROTO_TCP;

	free(c->switched.body);
	memset(&c->switched, 0, sizeof(c->switched));
	/* The body alone over the limit is a lower bound of the request's
	 * size; a request switched by its headers only is rare and keeps
	 * no copy (no fallback). */
	if (sw && (c->switched.body = malloc(body_len)) != NULL) {
		memcpy(c->switched.body, body, body_len);
		c->switched.len = body_len;
		c->switched.method = strcmp(method, "INVITE") == 0 ?
			"INVITE" : "OPTIONS";
		c->switched.cb = cb;
	}
	return call_send_as(c, method, body, body_len, cb, true);
}

int
call_send_fallback(struct call *c, int err)
{
	uint8_t *body = c->switched.body;
	int r;

	if (!body || err != -ECONNREFUSED)
		return -ENOENT;
	c->switched.body = NULL;
	log_info("call %u: %s over TCP refused, sent over UDP (RFC 3261 "
		"§18.1.1)", c->id, c->switched.method);
	r = call_send_as(c, c->switched.method, body, c->switched.len,
		c->switched.cb, false);
	free(body);
	return r;
}

int
call_send_in_dialog(struct call *c, const char *method)
{
	struct calls *cs = c->cs;
	struct tp_dest dest;
	char branch[TXN_BRANCH_MAX], via[CONF_HOST_MAX + 128];
	struct buf b;
	uint8_t *out;
	size_t n;
	bool ack = strcmp(method, "ACK") == 0;
	int r;

	if (!c->dlg)
		return -ENOENT;
	/* Through the proxy when the dialog has a route set (the proxy
	 * Record-Routes); without one, as the dialog was set up: the
	 * caller the way its INVITE went, the callee straight to the
	 * caller's Contact (a direct call). */
	if (c->dlg->nroute > 0)
		r = cs->sip->request_dest(cs->ua, dialog_next_hop(c->dlg),
			&dest);
	else if (c->outgoing) {
		dest = c->dest;
		r = 0;
	} else
		r = cs->sip->uri_dest(cs->ua, dialog_next_hop(c->dlg), &dest);
	if (r < 0)
		return r;
	txn_new_branch(branch);
	cs->sip->via(cs->ua, dest.addr.proto, branch, via, sizeof(via));
	buf_init(&b, SIP_MSG_MAX);
	dialog_request(c->dlg, method, via, c->invite_cseq, &b);
	sip_out_header(&b, "User-Agent", UA_USER_AGENT);
	sip_out_end(&b, NULL, NULL, 0);
	r = buf_steal(&b, &out, &n);
	buf_release(&b);
	if (r < 0)
		return r;
	if (ack)
		r = cs->sip->send(cs->ua, &dest, out, n);
	else
		r = cs->sip->request(cs->ua, &dest, out, n, SIP_METHOD_BYE,
			branch, NULL, NULL, NULL);
	free(out);
	return r;
}

/* CANCEL of our pending INVITE (RFC 3261 §9.1): same Request-URI, top
 * Via (branch), From, To, Call-ID and CSeq number. */
int
call_send_cancel(struct call *c)
{
	struct calls *cs = c->cs;
	struct tp_dest dest;
	struct sip_msg *inv = NULL;
	struct buf b;
	char branch[TXN_BRANCH_MAX], ruri[SIP_URI_MAX + 1];
	uint8_t *out;
	size_t n;
	int r;

	if (!c->invite || sip_msg_parse(c->invite, c->invite_len, 0,
	    &inv) < 0)
		return -ENOENT;
	if (inv->nvia == 0 || inv->via[0].branch.len >= sizeof(branch) ||
	    inv->ruri.raw.len >= sizeof(ruri)) {
		sip_msg_free(inv);
		return -EBADMSG;
	}
	/* The way the INVITE went (§9.1), TCP if it was too big for UDP. */
	dest = c->dest;
	if (dest.addr.proto == CONF_PROTO_UDP &&
	    sip_str_caseeq(inv->via[0].transport, "TCP"))
		dest.addr.proto = CONF_PROTO_TCP;
	memcpy(branch, inv->via[0].branch.p, inv->via[0].branch.len);
	branch[inv->via[0].branch.len] = '\0';
	memcpy(ruri, inv->ruri.raw.p, inv->ruri.raw.len);
	ruri[inv->ruri.raw.len] = '\0';
	buf_init(&b, SIP_MSG_MAX);
	sip_out_request(&b, "CANCEL", ruri);
	sip_out_header_str(&b, "Via", inv->via[0].raw);
	sip_out_header(&b, "Max-Forwards", "70");
	sip_out_header_str(&b, "From", sip_msg_header(inv, SIP_HDR_FROM,
		0)->value);
	sip_out_header_str(&b, "To", sip_msg_header(inv, SIP_HDR_TO,
		0)->value);
	sip_out_header_str(&b, "Call-ID", inv->call_id);
	sip_out_headerf(&b, "CSeq", "%u CANCEL", inv->cseq);
	sip_out_header(&b, "User-Agent", UA_USER_AGENT);
	sip_out_end(&b, NULL, NULL, 0);
	sip_msg_free(inv);
	r = buf_steal(&b, &out, &n);
	buf_release(&b);
	if (r < 0)
		return r;
	r = cs->sip->request(cs->ua, &dest, out, n, SIP_METHOD_CANCEL,
		branch, NULL, NULL, NULL);
	free(out);
	return r;
}

void
call_forget_txn(struct call *c)
{
	if (c->tc) {
		c->cs->sip->forget(c->cs->ua, c->tc);
		c->tc = NULL;
	}
}
