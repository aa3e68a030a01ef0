/* See txn.h. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <openssl/rand.h>

#include "common/log.h"
#include "daemon/siphash.h"
#include "daemon/txn.h"
#include "hex.h"
#include "sip-out.h"

enum txn_state {
	TXN_CALLING,	/* INVITE client */
	TXN_TRYING,	/* non-INVITE client and server */
	TXN_PROCEEDING,
	TXN_COMPLETED,
	TXN_CONFIRMED,	/* INVITE server */
	TXN_ACCEPTED,	/* INVITE, after a 2xx (RFC 6026 §7.1, §7.2) */
	TXN_TERMINATED,
};

struct txn_client {
	LIST_ENTRY(txn_client) link;
	struct txn_layer *l;
	enum txn_state state;
	enum sip_method method;
	char branch[TXN_BRANCH_MAX];
	struct tp_dest dest;
	uint8_t *req;
	size_t len;
	bool reliable;
	unsigned interval;	/* current A/E interval, ms */
	struct event *retrans;	/* A, E */
	struct event *timeout;	/* B, F, then D, K */
	txn_client_cb *cb;
	void *userdata;
	/* Accepted INVITE: the dialog's ACK, resent for each retransmitted
	 * 2xx (§13.2.2.4), as the TU sent it through txn_layer_sent(). */
	char *call_id;		/* owned: Call-ID of the 2xx */
	uint32_t cseq;
	char *to_tag;		/* owned: To tag of the first 2xx */
	uint8_t *ack;		/* owned: the ACK, or NULL before it went */
	size_t ack_len;
	struct tp_dest ack_dest;
};

/* Server transactions are found by key in a hash table: a flood keeps
 * tens of thousands alive (Timer J), a list would be searched per
 * request. */
#define TXN_BUCKETS 16384
#define TXN_SRC_BUCKETS 1024

/* How many server transactions one source address holds (TXN_PER_SOURCE);
 * owned by the layer, freed with its last transaction. */
struct txn_src {
	LIST_ENTRY(txn_src) link;
	uint64_t hash;
	sa_family_t family;
	uint8_t ip[16];
	unsigned n;
};

struct txn_server {
	LIST_ENTRY(txn_server) link;
	LIST_ENTRY(txn_server) hlink;
	uint64_t hash;
	struct txn_layer *l;
	enum txn_state state;
	enum sip_method method;
	char *key;		/* branch|sent-by|method */
	struct tp_source src;
	bool reliable;
	bool provisional;	/* a 1xx went out */
	struct txn_src *from;	/* the layer's; NULL for the reserved one */
	uint8_t *resp;		/* last response sent */
	size_t resp_len;
	unsigned resp_code;
	unsigned interval;	/* G, and the 2xx retransmission */
	struct event *retrans;	/* G, and the 2xx retransmission */
	struct event *timeout;	/* H, I, J, L */
	/* INVITE: what a 2xx's ACK (a new transaction) is matched by. */
	char *call_id;		/* owned; NULL for other methods */
	uint32_t cseq;
	LIST_ENTRY(txn_server) alink;	/* in l->accepted while ACCEPTED */
	bool acked;
	txn_ack_cb *ack_cb;	/* borrowed, with ack_ud; NULL once told */
	void *ack_ud;
	unsigned ack_id;
};

struct txn_layer {
	struct svopid *d;
	struct transport *tp;
	struct txn_handler h;
	void *userdata;
	LIST_HEAD(, txn_client) clients;
	LIST_HEAD(, txn_server) servers;
	LIST_HEAD(txn_bucket, txn_server) *buckets;
	LIST_HEAD(, txn_server) accepted;	/* INVITE servers that sent a
						 * 2xx, awaiting or past ACK */
	uint8_t hash_key[SIPHASH_KEY_LEN];
	size_t nservers;
	LIST_HEAD(, txn_src) *srcs;	/* owned: TXN_SRC_BUCKETS buckets */
	struct tp_addr reserved;	/* the proxy; proto 0 and len 0: none */
};

static struct log_ratelimit txn_rl = LOG_RATELIMIT_INIT(5000, 10);

void
txn_new_branch(char out[TXN_BRANCH_MAX])
{
	uint8_t rnd[12];

	RAND_bytes(rnd, sizeof(rnd));
	memcpy(out, "z9hG4bK", 7);
	hex_encode(rnd, sizeof(rnd), out + 7);
}

static void
txn_arm(struct event *ev, unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
		(suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* --- client --- */

static void
txn_client_free(struct txn_client *t)
{
	LIST_REMOVE(t, link);
	if (t->retrans)
		event_free(t->retrans);
	if (t->timeout)
		event_free(t->timeout);
	free(t->req);
	free(t->call_id);
	free(t->to_tag);
	free(t->ack);
	free(t);
}

static void
txn_client_report(struct txn_client *t, const struct sip_msg *m, int err)
{
	txn_client_cb *cb = t->cb;

	if (m && m->status < 200) {
		if (cb)
			cb(t->userdata, m, 0);
		return;
	}
	t->cb = NULL;
	if (cb)
		cb(t->userdata, m, err);
}

static void
txn_client_retrans_cb(evutil_socket_t fd, short what, void *arg)
{
	struct txn_client *t = arg;

	if (t->state != TXN_CALLING && t->state != TXN_TRYING &&
	    t->state != TXN_PROCEEDING)
		return;
	if (t->method == SIP_METHOD_INVITE && t->state != TXN_CALLING)
		return;
	transport_send(t->l->tp, &t->dest, t->req, t->len);
	/* Timer A doubles without cap; E doubles up to T2, and is T2 once
	 * a provisional response came (§17.1.2.2). */
	if (t->method == SIP_METHOD_INVITE)
		t->interval *= 2;
	else if (t->state == TXN_PROCEEDING)
		t->interval = TXN_T2_MS;
	else
		t->interval = t->interval * 2 > TXN_T2_MS ? TXN_T2_MS :
			t->interval * 2;
	txn_arm(t->retrans, t->interval);
}

static void
txn_client_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct txn_client *t = arg;

	if (t->state == TXN_COMPLETED || t->state == TXN_ACCEPTED) {
		/* Timer D, K or M */
		txn_client_free(t);
		return;
	}
	/* Timer B or F */
	t->state = TXN_TERMINATED;
	txn_client_report(t, NULL, -ETIMEDOUT);
	txn_client_free(t);
}

int
txn_client_start(struct txn_layer *l, const struct tp_dest *dest,
	const uint8_t *req, size_t len, enum sip_method method,
	const char *branch, txn_client_cb *cb, void *userdata,
	struct txn_client **ret)
{
	struct txn_client *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	t->l = l;
	t->method = method;
	snprintf(t->branch, sizeof(t->branch), "%s", branch);
	t->dest = *dest;
	t->reliable = dest->addr.proto != CONF_PROTO_UDP;
	t->req = malloc(len);
	t->len = len;
	t->cb = cb;
	t->userdata = userdata;
	t->state = method == SIP_METHOD_INVITE ? TXN_CALLING : TXN_TRYING;
	t->interval = TXN_T1_MS;
	t->retrans = evtimer_new(l->d->base, txn_client_retrans_cb, t);
	t->timeout = evtimer_new(l->d->base, txn_client_timeout_cb, t);
	LIST_INSERT_HEAD(&l->clients, t, link);
	if (!t->req || !t->retrans || !t->timeout) {
		txn_client_free(t);
		return -ENOMEM;
	}
	memcpy(t->req, req, len);
	r = transport_send(l->tp, dest, req, len);
	if (r < 0) {
		txn_client_free(t);
		return r;
	}
	if (!t->reliable)
		txn_arm(t->retrans, t->interval);
	txn_arm(t->timeout, 64 * TXN_T1_MS);	/* B or F */
	if (ret)
		*ret = t;
	return 0;
}

void
txn_client_forget(struct txn_client *t)
{
	if (t)
		t->cb = NULL;
}

void
txn_layer_sent(struct txn_layer *l, const struct tp_dest *dest,
	const uint8_t *msg, size_t len)
{
	struct sip_msg *m = NULL;
	struct txn_client *t;

	if (len < 4 || memcmp(msg, "ACK ", 4) != 0 ||
	    sip_msg_parse(msg, len, 0, &m) < 0)
		return;
	LIST_FOREACH(t, &l->clients, link)
		if (t->state == TXN_ACCEPTED && t->cseq == m->cseq &&
		    t->call_id && sip_str_eq(m->call_id, t->call_id))
			break;
	if (t && !t->ack && (t->ack = malloc(len)) != NULL) {
		memcpy(t->ack, msg, len);
		t->ack_len = len;
		t->ack_dest = *dest;
	}
	sip_msg_free(m);
}

/* ACK for a non-2xx final response (§17.1.1.3): Request-URI, Call-ID,
 * From, CSeq number, top Via and Route of the INVITE, To of the
 * response. */
static void
txn_client_ack(struct txn_client *t, const struct sip_msg *resp)
{
	struct sip_msg *inv = NULL;
	struct buf b;
	uint8_t *out;
	size_t n;
	char *ruri;

	if (sip_msg_parse(t->req, t->len, 0, &inv) < 0)
		return;
	ruri = sip_str_dup(inv->ruri.raw);
	buf_init(&b, SIP_MSG_MAX);
	if (ruri && inv->nvia > 0) {
		sip_out_request(&b, "ACK", ruri);
		sip_out_header_str(&b, "Via", inv->via[0].raw);
		sip_out_header(&b, "Max-Forwards", "70");
		sip_out_header_str(&b, "From", inv->from.raw);
		sip_out_header_str(&b, "To", resp->to.raw);
		sip_out_header_str(&b, "Call-ID", inv->call_id);
		sip_out_headerf(&b, "CSeq", "%u ACK", inv->cseq);
		for (size_t i = 0; i < inv->nroute; i++)
			sip_out_header_str(&b, "Route", inv->route[i].raw);
		sip_out_end(&b, NULL, NULL, 0);
		if (buf_steal(&b, &out, &n) == 0) {
			transport_send(t->l->tp, &t->dest, out, n);
			free(out);
		}
	}
	buf_release(&b);
	free(ruri);
	sip_msg_free(inv);
}

static void
txn_client_recv(struct txn_layer *l, const struct sip_msg *m)
{
	struct txn_client *t;
	enum sip_method cm = m->cseq_method_id;

	if (m->nvia == 0)
		return;
	LIST_FOREACH(t, &l->clients, link) {
		if (!sip_str_eq(m->via[0].branch, t->branch))
			continue;
		if (t->method == SIP_METHOD_OTHER ?
		    false : cm != t->method)
			continue;
		break;
	}
	if (!t) {
		log_ratelimited(&txn_rl, LOG_DEBUG, "stray response %u",
			m->status);
		return;
	}
	if (t->state == TXN_ACCEPTED) {
		/* A retransmitted 2xx (its ACK was lost, or the 2xx): ACK
		 * it again, the same way (§13.2.2.4). Another fork's 2xx
		 * is not ours to confirm. */
		if (m->status >= 200 && m->status < 300 && t->ack &&
		    sip_str_eq(m->to.tag, t->to_tag ? t->to_tag : ""))
			transport_send(t->l->tp, &t->ack_dest, t->ack,
				t->ack_len);
		return;
	}
	if (t->state == TXN_COMPLETED || t->state == TXN_TERMINATED) {
		/* Retransmitted final: repeat the ACK for INVITE. */
		if (t->method == SIP_METHOD_INVITE && m->status >= 300)
			txn_client_ack(t, m);
		return;
	}
	if (m->status < 200) {
		if (t->state == TXN_CALLING || t->state == TXN_TRYING)
			t->state = TXN_PROCEEDING;
		/* §17.1.1.2: Timer B only runs while Calling. A phone that
		 * rings is waited for; how long is the TU's choice (svopid:
		 * [calls] ring_timeout, then CANCEL). */
		if (t->method == SIP_METHOD_INVITE)
			evtimer_del(t->timeout);
		txn_client_report(t, m, 0);
		return;
	}
	evtimer_del(t->retrans);
	evtimer_del(t->timeout);
	if (t->method == SIP_METHOD_INVITE && m->status < 300) {
		/* 2xx: the TU sends the ACK (txn_layer_sent() keeps a
		 * copy); the transaction stays Accepted for 64*T1 (Timer M,
		 * RFC 6026 §7.2) to ACK retransmitted 2xx. */
		t->state = TXN_ACCEPTED;
		t->call_id = sip_str_dup(m->call_id);
		t->to_tag = sip_str_dup(m->to.tag);
		t->cseq = m->cseq;
		txn_arm(t->timeout, 64 * TXN_T1_MS);
		txn_client_report(t, m, 0);
		return;
	}
	if (t->method == SIP_METHOD_INVITE)
		txn_client_ack(t, m);
	t->state = TXN_COMPLETED;
	txn_client_report(t, m, 0);
	if (t->reliable) {
		txn_client_free(t);
		return;
	}
	/* Timer D (32 s) or K (T4) absorb retransmissions. */
	txn_arm(t->timeout, t->method == SIP_METHOD_INVITE ? 32000 :
		TXN_T4_MS);
}

void
txn_layer_closed(struct txn_layer *l, const struct tp_addr *remote)
{
	struct txn_client *t, *next;

	for (t = LIST_FIRST(&l->clients); t; t = next) {
		next = LIST_NEXT(t, link);
		if (!transport_addr_equal(&t->dest.addr, remote))
			continue;
		if (t->state == TXN_COMPLETED || t->state == TXN_ACCEPTED) {
			txn_client_free(t);
			continue;
		}
		/* Closed before any response (refused, or reset before
		 * it answered): -ECONNREFUSED, which lets the TU fall back
		 * to UDP (RFC 3261 §18.1.1); after one, -ECONNRESET. */
		bool early = t->state == TXN_CALLING ||
			t->state == TXN_TRYING;
		t->state = TXN_TERMINATED;
		txn_client_report(t, NULL, early ? -ECONNREFUSED :
			-ECONNRESET);
		/* The callback may start new transactions; they are
		 * inserted at the head, behind us. */
		txn_client_free(t);
	}
}

/* --- server --- */

/* The host part of a (IPv4 or IPv6) address into ip[16]. */
static sa_family_t
txn_ip(const struct tp_addr *a, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&a->ss;

		memcpy(ip, &s->sin_addr, 4);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&a->ss;

		memcpy(ip, &s->sin6_addr, 16);
	}
	return a->ss.ss_family;
}

void
txn_layer_reserve_for(struct txn_layer *l, const struct tp_addr *a)
{
	l->reserved = *a;
}

size_t
txn_layer_nservers(const struct txn_layer *l)
{
	return l->nservers;
}

static bool
txn_is_reserved(const struct txn_layer *l, const struct tp_addr *a)
{
	uint8_t x[16], y[16];

	return l->reserved.len && txn_ip(a, x) == txn_ip(&l->reserved, y) &&
		memcmp(x, y, 16) == 0;
}

/* The source entry of a (made when missing), or NULL without memory. */
static struct txn_src *
txn_src_get(struct txn_layer *l, const struct tp_addr *a)
{
	struct txn_src *e;
	uint8_t ip[16];
	sa_family_t fam = txn_ip(a, ip);
	uint64_t h = siphash24(ip, sizeof(ip), l->hash_key) ^ fam;

	LIST_FOREACH(e, &l->srcs[h & (TXN_SRC_BUCKETS - 1)], link)
		if (e->hash == h && e->family == fam &&
		    memcmp(e->ip, ip, 16) == 0)
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->hash = h;
	e->family = fam;
	memcpy(e->ip, ip, 16);
	LIST_INSERT_HEAD(&l->srcs[h & (TXN_SRC_BUCKETS - 1)], e, link);
	return e;
}

/* Whether a new server transaction for m from src fits (TXN_SERVER_MAX,
 * the reserve, TXN_PER_SOURCE); *from is the source entry to count it
 * in (NULL for the reserved address). */
static bool
txn_server_admit(struct txn_layer *l, const struct sip_msg *m,
	const struct tp_source *src, struct txn_src **from)
{
	bool reserved = txn_is_reserved(l, &src->addr);

	*from = NULL;
	if (l->nservers >= TXN_SERVER_MAX)
		return false;
	if (!reserved && sip_str_empty(m->to.tag) &&
	    l->nservers >= TXN_SERVER_MAX - TXN_SERVER_RESERVE)
		return false;
	if (reserved)
		return true;
	*from = txn_src_get(l, &src->addr);
	if (!*from)
		return false;
	return (*from)->n < TXN_PER_SOURCE;
}

static void
txn_server_free(struct txn_server *st)
{
	if (st->from && --st->from->n == 0) {
		LIST_REMOVE(st->from, link);
		free(st->from);
	}
	LIST_REMOVE(st, link);
	if (st->key)
		LIST_REMOVE(st, hlink);
	if (st->state == TXN_ACCEPTED)
		LIST_REMOVE(st, alink);
	st->l->nservers--;
	if (st->retrans)
		event_free(st->retrans);
	if (st->timeout)
		event_free(st->timeout);
	free(st->resp);
	free(st->key);
	free(st->call_id);
	free(st);
}

static char *
txn_server_key(const struct sip_msg *m)
{
	const struct sip_via *v = &m->via[0];
	enum sip_method meth = m->method_id == SIP_METHOD_ACK ?
		SIP_METHOD_INVITE : m->method_id;
	struct buf b;
	uint8_t *out;
	size_t n;
	char port[12];

	buf_init(&b, 4096);
	if (v->branch.len >= 7 && memcmp(v->branch.p, "z9hG4bK", 7) == 0) {
		buf_put_bytes(&b, v->branch.p, v->branch.len);
		buf_put_u8(&b, '|');
		buf_put_bytes(&b, v->host.p, v->host.len);
		snprintf(port, sizeof(port), ":%u|", v->port);
		buf_put_bytes(&b, port, strlen(port));
	} else {
		/* RFC 2543 peers: Call-ID, CSeq number and the raw Via. */
		buf_put_bytes(&b, m->call_id.p, m->call_id.len);
		snprintf(port, sizeof(port), "|%u|", m->cseq);
		buf_put_bytes(&b, port, strlen(port));
		buf_put_bytes(&b, v->raw.p, v->raw.len);
		buf_put_u8(&b, '|');
	}
	if (meth == SIP_METHOD_OTHER)
		buf_put_bytes(&b, m->method.p, m->method.len);
	else
		buf_put_bytes(&b, sip_method_name(meth),
			strlen(sip_method_name(meth)));
	buf_put_u8(&b, 0);
	if (buf_steal(&b, &out, &n) < 0)
		return NULL;
	return (char *)out;
}

static uint64_t
txn_hash(struct txn_layer *l, const char *key)
{
	return siphash24(key, strlen(key), l->hash_key);
}

static struct txn_server *
txn_server_find(struct txn_layer *l, const char *key)
{
	uint64_t h = txn_hash(l, key);
	struct txn_server *st;

	LIST_FOREACH(st, &l->buckets[h & (TXN_BUCKETS - 1)], hlink)
		if (st->hash == h && strcmp(st->key, key) == 0)
			return st;
	return NULL;
}

static void
txn_server_retrans_cb(evutil_socket_t fd, short what, void *arg)
{
	struct txn_server *st = arg;

	if ((st->state != TXN_COMPLETED && st->state != TXN_ACCEPTED) ||
	    !st->resp || st->acked)
		return;
	transport_reply(st->l->tp, &st->src, st->resp, st->resp_len);
	st->interval = st->interval * 2 > TXN_T2_MS ? TXN_T2_MS :
		st->interval * 2;
	txn_arm(st->retrans, st->interval);
}

/* Tells the TU watching a 2xx whether its ACK came (0) or not. */
static void
txn_server_tell(struct txn_server *st, int err)
{
	txn_ack_cb *cb = st->ack_cb;

	st->ack_cb = NULL;
	if (cb)
		cb(st->ack_ud, st->ack_id, err);
}

int
txn_server_watch(struct txn_server *st, txn_ack_cb *cb, void *userdata,
	unsigned id)
{
	if (!txn_server_pending(st) &&
	    (st->state != TXN_ACCEPTED || st->acked))
		return -EINVAL;
	st->ack_cb = cb;
	st->ack_ud = userdata;
	st->ack_id = id;
	return 0;
}

static void
txn_server_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct txn_server *st = arg;

	/* Timer H (no ACK came), I, J, or L (RFC 6026: 64*T1 after a 2xx). */
	if ((st->state == TXN_COMPLETED || st->state == TXN_ACCEPTED) &&
	    st->method == SIP_METHOD_INVITE && !st->acked)
		log_ratelimited(&txn_rl, LOG_INFO, "no ACK for %u",
			st->resp_code);
	if (st->state == TXN_ACCEPTED && !st->acked)
		txn_server_tell(st, -ETIMEDOUT);
	else if (txn_server_pending(st))	/* the TU never answered */
		txn_server_tell(st, -ECANCELED);
	txn_server_free(st);
}

bool
txn_server_pending(const struct txn_server *st)
{
	return st->state == TXN_TRYING || st->state == TXN_PROCEEDING;
}

int
txn_server_reply(struct txn_server *st, unsigned code, const uint8_t *resp,
	size_t len)
{
	uint8_t *copy;

	if (!txn_server_pending(st))
		return -EALREADY;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, resp, len);
	free(st->resp);
	st->resp = copy;
	st->resp_len = len;
	st->resp_code = code;
	transport_reply(st->l->tp, &st->src, resp, len);
	if (code < 200) {
		st->state = TXN_PROCEEDING;
		st->provisional = true;
		/* A TU that says it is ringing has taken the final answer on
		 * itself (svopid's call layer bounds ringing by [calls]
		 * ring_timeout): the guard against a silent TU stops. */
		if (st->method == SIP_METHOD_INVITE)
			evtimer_del(st->timeout);
		return 0;
	}
	if (st->method != SIP_METHOD_INVITE || code >= 300)
		st->ack_cb = NULL;	/* the TU is done with it */
	if (st->method == SIP_METHOD_INVITE) {
		if (code < 300) {
			/* 2xx (§13.3.1.4, RFC 6026 Accepted): repeated from
			 * T1 doubling to T2 until the ACK, over every
			 * transport (a later hop may be UDP); Timer L ends
			 * it, telling a watching TU if no ACK came. */
			st->state = TXN_ACCEPTED;
			LIST_INSERT_HEAD(&st->l->accepted, st, alink);
			st->interval = TXN_T1_MS;
			txn_arm(st->retrans, st->interval);
			txn_arm(st->timeout, 64 * TXN_T1_MS);
			return 0;
		}
		st->state = TXN_COMPLETED;
		/* Timer G only once a 1xx went out: before that the client
		 * repeats its INVITE (Timer A) and gets the response again
		 * from here. An unprovoked flood of INVITEs thus gets one
		 * answer per request, not 2.2 (no reflection amplifier). */
		if (!st->reliable && st->provisional) {
			st->interval = TXN_T1_MS;
			txn_arm(st->retrans, st->interval);	/* G */
		}
		txn_arm(st->timeout, 64 * TXN_T1_MS);		/* H */
		return 0;
	}
	st->state = TXN_COMPLETED;
	txn_arm(st->timeout, st->reliable ? 0 : 64 * TXN_T1_MS);	/* J */
	return 0;
}

/* The ACK of a 2xx is a transaction of its own: matched to the Accepted
 * INVITE by Call-ID and CSeq number. */
static void
txn_server_ack_2xx(struct txn_layer *l, const struct sip_msg *m)
{
	struct txn_server *st;

	LIST_FOREACH(st, &l->accepted, alink)
		if (!st->acked && st->cseq == m->cseq &&
		    sip_str_eq(m->call_id, st->call_id))
			break;
	if (!st)
		return;
	st->acked = true;
	evtimer_del(st->retrans);
	txn_server_tell(st, 0);
}

static void
txn_server_recv(struct txn_layer *l, const struct sip_msg *m,
	const struct tp_source *src)
{
	struct txn_server *st, *invite = NULL;
	struct txn_src *from;
	char *key;

	if (m->nvia == 0)
		return;
	key = txn_server_key(m);
	if (!key)
		return;
	st = txn_server_find(l, key);
	if (st) {
		free(key);
		if (m->method_id == SIP_METHOD_ACK) {
			if (st->state == TXN_ACCEPTED)
				txn_server_ack_2xx(l, m);
			if (st->method == SIP_METHOD_INVITE &&
			    st->state == TXN_COMPLETED) {
				st->state = TXN_CONFIRMED;
				evtimer_del(st->retrans);
				/* Timer I */
				txn_arm(st->timeout,
					st->reliable ? 0 : TXN_T4_MS);
			}
			return;
		}
		/* A retransmitted request: repeat the last response (an
		 * Accepted INVITE's 2xx goes on its own timer). */
		if (st->resp && (st->state == TXN_PROCEEDING ||
		    st->state == TXN_COMPLETED))
			transport_reply(l->tp, &st->src, st->resp,
				st->resp_len);
		return;
	}
	if (m->method_id == SIP_METHOD_ACK) {
		free(key);
		txn_server_ack_2xx(l, m);
		if (l->h.ack)
			l->h.ack(l->userdata, m, src);
		return;
	}
	/* Cheap requests (OPTIONS without an offer, junk) are answered
	 * without a transaction, so a flood of them costs no memory. */
	if (l->h.stateless && l->h.stateless(l->userdata, m, src)) {
		free(key);
		return;
	}
	if (!txn_server_admit(l, m, src, &from)) {
		char a[96];

		free(key);
		log_ratelimited(&txn_rl, LOG_WARNING, "too many transactions "
			"(%zu, this source's bound or the reserve), dropping "
			"a request from %s", l->nservers,
			transport_addr_str(&src->addr, a, sizeof(a)));
		return;
	}
	if (m->method_id == SIP_METHOD_CANCEL) {
		/* §9.2: the INVITE with the same branch and sent-by. */
		size_t pre = (size_t)(strrchr(key, '|') - key) + 1;
		char *full = malloc(pre + sizeof("INVITE"));

		if (full) {
			memcpy(full, key, pre);
			memcpy(full + pre, "INVITE", sizeof("INVITE"));
			invite = txn_server_find(l, full);
			free(full);
		}
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		free(key);
		if (from && from->n == 0) {
			LIST_REMOVE(from, link);
			free(from);
		}
		return;
	}
	st->l = l;
	st->from = from;
	if (from)
		from->n++;
	st->key = key;
	st->hash = txn_hash(l, key);
	LIST_INSERT_HEAD(&l->buckets[st->hash & (TXN_BUCKETS - 1)], st, hlink);
	st->method = m->method_id;
	if (m->method_id == SIP_METHOD_INVITE) {
		st->call_id = sip_str_dup(m->call_id);
		st->cseq = m->cseq;
	}
	st->src = *src;
	st->reliable = src->addr.proto != CONF_PROTO_UDP;
	st->state = m->method_id == SIP_METHOD_INVITE ? TXN_PROCEEDING :
		TXN_TRYING;
	st->retrans = evtimer_new(l->d->base, txn_server_retrans_cb, st);
	st->timeout = evtimer_new(l->d->base, txn_server_timeout_cb, st);
	LIST_INSERT_HEAD(&l->servers, st, link);
	l->nservers++;
	if (!st->retrans || !st->timeout) {
		txn_server_free(st);
		return;
	}
	l->h.request(l->userdata, st, m, src, invite);
	/* A TU that never answers leaves the transaction to Timer J/H's
	 * worth of time: it is freed after 64*T1 in any case. */
	if (txn_server_pending(st) && !evtimer_pending(st->timeout, NULL))
		txn_arm(st->timeout, 64 * TXN_T1_MS + TXN_T4_MS);
}

void
txn_layer_recv(struct txn_layer *l, struct sip_msg *m,
	const struct tp_source *src)
{
	if (m->request)
		txn_server_recv(l, m, src);
	else
		txn_client_recv(l, m);
	sip_msg_free(m);
}

int
txn_layer_new(struct svopid *d, struct transport *tp,
	const struct txn_handler *h, void *userdata, struct txn_layer **ret)
{
	struct txn_layer *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->d = d;
	l->tp = tp;
	l->h = *h;
	l->userdata = userdata;
	LIST_INIT(&l->clients);
	LIST_INIT(&l->servers);
	LIST_INIT(&l->accepted);
	l->buckets = calloc(TXN_BUCKETS, sizeof(*l->buckets));
	l->srcs = calloc(TXN_SRC_BUCKETS, sizeof(*l->srcs));
	if (!l->buckets || !l->srcs ||
	    RAND_bytes(l->hash_key, sizeof(l->hash_key)) != 1) {
		free(l->buckets);
		free(l->srcs);
		free(l);
		return -ENOMEM;
	}
	for (size_t i = 0; i < TXN_BUCKETS; i++)
		LIST_INIT(&l->buckets[i]);
	for (size_t i = 0; i < TXN_SRC_BUCKETS; i++)
		LIST_INIT(&l->srcs[i]);
	*ret = l;
	return 0;
}

struct txn_layer *
txn_layer_free(struct txn_layer *l)
{
	if (!l)
		return NULL;
	/* A TU still waiting (a D-Bus Ping) hears that it is over. */
	while (!LIST_EMPTY(&l->clients)) {
		struct txn_client *t = LIST_FIRST(&l->clients);

		if (t->state != TXN_COMPLETED && t->state != TXN_TERMINATED &&
		    t->state != TXN_ACCEPTED)
			txn_client_report(t, NULL, -ECANCELED);
		txn_client_free(t);
	}
	while (!LIST_EMPTY(&l->servers))
		txn_server_free(LIST_FIRST(&l->servers));
	free(l->buckets);
	free(l->srcs);
	free(l);
	return NULL;
}
