/* See call-fake.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/call-int.h"
#include "daemon/conf.h"
#include "daemon/identity.h"
#include "tests/unit/call-fake.h"

/* --- the fake user agent --- */

static struct fake_sent *
fake_add(struct node *n, enum fake_kind kind, const uint8_t *msg,
	size_t len)
{
	struct fake_sent *s;

	if (n->nsent >= FAKE_SENT_MAX)
		return NULL;
	s = &n->sent[n->nsent++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->msg = malloc(len + 1);
	if (s->msg) {
		memcpy(s->msg, msg, len);
		s->msg[len] = '\0';
	}
	s->len = len;
	return s;
}

static int
fake_request(void *ua, const struct tp_dest *dest, const uint8_t *msg,
	size_t len, enum sip_method method, const char *branch,
	txn_client_cb *cb, void *cbdata, struct txn_client **ret)
{
	struct node *n = ua;
	struct fake_sent *s = fake_add(n, FAKE_REQUEST, msg, len);

	if (!s)
		return -ENOBUFS;
	s->method = method;
	s->cb = cb;
	s->cbdata = cbdata;
	if (ret)
		*ret = (struct txn_client *)&n->txc[n->nsent - 1];
	return 0;
}

static void
fake_forget(void *ua, struct txn_client *t)
{
	struct node *n = ua;
	size_t i = (size_t)((char *)t - n->txc);

	if (i < FAKE_SENT_MAX)
		n->sent[i].cb = NULL;
}

static int
fake_send(void *ua, const struct tp_dest *dest, const uint8_t *msg,
	size_t len)
{
	return fake_add(ua, FAKE_SEND, msg, len) ? 0 : -ENOBUFS;
}

static int
fake_reply(void *ua, struct txn_server *st, unsigned code,
	const uint8_t *msg, size_t len)
{
	struct fake_sent *s = fake_add(ua, FAKE_REPLY, msg, len);

	if (!s)
		return -ENOBUFS;
	s->code = code;
	s->st = st;
	return 0;
}

static void
fake_via(void *ua, enum conf_proto proto, const char *branch, char *out,
	size_t len)
{
	snprintf(out, len, "SIP/2.0/TLS 127.0.0.1:5061;branch=%s;rport",
		branch);
}

static void
fake_contact(void *ua, enum conf_proto proto, char *out, size_t len)
{
	struct node *n = ua;

	snprintf(out, len, "<sip:%s@127.0.0.1:5061;transport=tls>", n->name);
}

static int
fake_dest(void *ua, const char *uri, struct tp_dest *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->addr.proto = CONF_PROTO_TLS;
	snprintf(ret->host, sizeof(ret->host), "127.0.0.1");
	return strncmp(uri, "sip:", 4) == 0 ? 0 : -EINVAL;
}

static const struct ua_sip_ops fake_ops = {
	.request = fake_request,
	.forget = fake_forget,
	.send = fake_send,
	.reply = fake_reply,
	.via = fake_via,
	.contact = fake_contact,
	.request_dest = fake_dest,
	.uri_dest = fake_dest,
};

/* --- the event recorder --- */

static void
ev_added(void *ctx, struct call *c)
{
	((struct node *)ctx)->ev.added++;
}

static void
ev_state(void *ctx, struct call *c)
{
	struct node *n = ctx;
	struct call_info ci;

	call_info(c, &ci);
	n->ev.states++;
	snprintf(n->ev.state, sizeof(n->ev.state), "%s", ci.state);
	snprintf(n->ev.end_reason, sizeof(n->ev.end_reason), "%s",
		ci.end_reason);
}

static void
ev_changed(void *ctx, struct call *c)
{
	((struct node *)ctx)->ev.changed++;
}

static void
ev_gone(void *ctx, struct call *c)
{
	((struct node *)ctx)->ev.gone++;
}

static void
ev_alert(void *ctx, const char *peer, const char *reason)
{
	struct node *n = ctx;

	n->ev.alerts++;
	snprintf(n->ev.alert, sizeof(n->ev.alert), "%s", reason);
}

static void
ev_vuc(void *ctx, const char *peer, const char *code, int64_t expires)
{
	((struct node *)ctx)->ev.vucs++;
}

static const struct calls_events fake_events = {
	.call_added = ev_added,
	.call_state = ev_state,
	.call_changed = ev_changed,
	.call_gone = ev_gone,
	.alert = ev_alert,
	.vuc = ev_vuc,
};

/* --- nodes --- */

struct node *
node_new(const char *name)
{
	struct node *n = calloc(1, sizeof(*n));
	char conf[512], err[256];

	if (!n)
		return NULL;
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->dir, sizeof(n->dir), "/tmp/test-call-%s.XXXXXX", name);
	if (!mkdtemp(n->dir))
		goto fail;
	snprintf(conf, sizeof(conf),
		"[account]\nuri = sip:%s@127.0.0.1\n"
		"[media]\nrtp_ports = 21000-21999\n"
		"[paths]\nstate_dir = %s\n", name, n->dir);
	n->d.conf = conf_new();
	n->d.base = event_base_new();
	if (!n->d.conf || !n->d.base ||
	    conf_load_buf(n->d.conf, name, conf, strlen(conf), err,
	    sizeof(err)) < 0 || conf_finish(n->d.conf, err, sizeof(err)) < 0 ||
	    identity_load_or_create(n->dir, n->d.conf->uri, &n->d.id, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "node %s: %s\n", name, err);
		goto fail;
	}
	if (calls_new(&n->d, &fake_ops, n, &fake_events, n, &n->cs) < 0)
		goto fail;
	return n;
fail:
	node_free(n);
	return NULL;
}

void
node_free(struct node *n)
{
	char cmd[128];

	if (!n)
		return;
	n->cs = calls_free(n->cs);
	for (size_t i = 0; i < n->nsent; i++)
		free(n->sent[i].msg);
	identity_free(n->d.id);
	conf_free(n->d.conf);
	if (n->d.base)
		event_base_free(n->d.base);
	if (n->dir[0] && strstr(n->dir, "/tmp/test-call-") == n->dir) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", n->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", n->dir);
	}
	free(n);
}

struct txn_server *
node_st(struct node *n, size_t i)
{
	return (struct txn_server *)&n->txs[i % FAKE_SENT_MAX];
}

int
node_request(struct node *n, const uint8_t *msg, size_t len,
	struct txn_server *st)
{
	struct tp_source src;
	struct sip_msg *m = NULL;
	bool took;

	if (sip_msg_parse(msg, len, 0, &m) < 0)
		return -1;
	memset(&src, 0, sizeof(src));
	src.addr.proto = CONF_PROTO_TLS;
	src.udp_fd = -1;
	snprintf(src.local_host, sizeof(src.local_host), "127.0.0.1");
	took = calls_request(n->cs, st, m, &src, NULL);
	sip_msg_free(m);
	return took;
}

int
node_response(struct node *n, size_t i, const uint8_t *msg, size_t len)
{
	struct sip_msg *m = NULL;

	if (i >= n->nsent || !n->sent[i].cb ||
	    sip_msg_parse(msg, len, 0, &m) < 0)
		return -1;
	n->sent[i].cb(n->sent[i].cbdata, m, 0);
	sip_msg_free(m);
	return 0;
}

void
node_txn_error(struct node *n, size_t i, int err)
{
	if (i < n->nsent && n->sent[i].cb)
		n->sent[i].cb(n->sent[i].cbdata, NULL, err);
}

const struct fake_sent *
node_last(const struct node *n)
{
	return n->nsent ? &n->sent[n->nsent - 1] : NULL;
}

int
node_trust(struct node *n, const struct node *peer, int64_t age)
{
	char fp[TRUSTSTORE_FP_LEN + 1];

	if (truststore_fp_normalize(peer->d.id->fingerprint, fp) < 0)
		return -EINVAL;
	return truststore_record(n->cs->ts, peer->d.conf->uri, fp,
		TRUSTSTORE_TRUSTED, call_now_unix() - age);
}

bool
fake_has(const struct fake_sent *s, const char *text)
{
	return s && s->msg && memmem(s->msg, s->len, text, strlen(text));
}
