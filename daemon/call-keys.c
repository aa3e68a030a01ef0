/* MIKEY of a call: our offer, the peer's answer, an incoming offer, and
 * the checks that bind each to the AOR it claims. See call-int.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/clock.h"
#include "daemon/call-int.h"
#include "daemon/identity.h"
#include "common/log.h"

/* True when the MIKEY peer identity of c->res is c->peer, in the URI and
 * in the certificate. */
static bool
call_keys_identity_ok(const struct call *c)
{
	char id[TRUSTSTORE_PEER_MAX + 1];

	return call_aor_of(c->res.peer_uri, strlen(c->res.peer_uri), id,
		sizeof(id)) == 0 && strcmp(id, c->peer) == 0 &&
		mikey_msg_cert_has_uri(c->res.peer_cert, c->peer);
}

/* --- DH key pairs made ahead of time --- */

/* Makes one key pair per quiet moment, until the pool is full. */
static void
calls_dh_refill_cb(evutil_socket_t fd, short what, void *arg)
{
	struct calls *cs = arg;
	struct timeval next = { 0, 1000 };
	struct mikey_dh *dh = NULL;

	(void)fd;
	(void)what;
	if (cs->dh_n >= CALL_DH_POOL)
		return;
	if (mikey_dh_new(MIKEY_DH_OAKLEY5, &dh) < 0) {
		log_warning("cannot make a DH key pair ahead of time");
		return;
	}
	cs->dh_pool[cs->dh_n++] = dh;
	if (cs->dh_n < CALL_DH_POOL)
		evtimer_add(cs->dh_refill, &next);
}

/* The next refill after CALL_DH_REFILL_MS without a take. */
static void
calls_dh_arm(struct calls *cs)
{
	struct timeval tv = { 0, CALL_DH_REFILL_MS * 1000 };

	if (cs->dh_refill)
		evtimer_add(cs->dh_refill, &tv);
}

struct mikey_dh *
call_dh_take(struct calls *cs)
{
	struct mikey_dh *dh = NULL;

	if (cs->dh_n > 0) {
		dh = cs->dh_pool[--cs->dh_n];
		cs->dh_pool[cs->dh_n] = NULL;
	}
	calls_dh_arm(cs);
	return dh;
}

int
calls_dh_new(struct calls *cs)
{
	cs->dh_refill = evtimer_new(cs->d->base, calls_dh_refill_cb, cs);
	if (!cs->dh_refill)
		return -ENOMEM;
	calls_dh_arm(cs);
	return 0;
}

void
calls_dh_free(struct calls *cs)
{
	if (cs->dh_refill)
		event_free(cs->dh_refill);
	cs->dh_refill = NULL;
	while (cs->dh_n > 0) {
		cs->dh_n--;
		cs->dh_pool[cs->dh_n] = mikey_dh_free(cs->dh_pool[cs->dh_n]);
	}
}

/* --- offers and answers --- */

static void
call_keys_answer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	(void)fd;
	(void)what;
	if (c->state == CALL_ENDED || !c->offer)
		return;
	if (call_keys_answer(c) < 0)
		calls_gc(c->cs);	/* may free c */
}

void
call_keys_answer_soon(struct call *c)
{
	struct timeval now = { 0, 0 };

	if (c->state == CALL_ENDED || !c->offer)
		return;
	if (!c->answer_ev) {
		c->answer_ev = evtimer_new(c->cs->d->base,
			call_keys_answer_cb, c);
		/* Fails harmlessly on a base without priorities (tests). */
		if (c->answer_ev)
			event_priority_set(c->answer_ev,
				SVOPID_PRIO_BACKGROUND);
	}
	if (!c->answer_ev || evtimer_add(c->answer_ev, &now) < 0)
		call_keys_answer(c);
}

/* Our I_MESSAGE for an outgoing call (c->ist, c->imsg). */
int
call_keys_offer(struct call *c)
{
	struct mikey_init_params ip;
	uint32_t ssrc;

	memset(&ip, 0, sizeof(ip));
	ip.self = &c->cs->self;
	ip.peer_uri = c->peer;
	ip.suite = MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80;
	RAND_bytes((uint8_t *)&ssrc, sizeof(ssrc));
	ip.ssrc = ssrc | 1;
	ip.now_ntp = clock_ntp_now();
	ip.dh = call_dh_take(c->cs);	/* taken by build_init */
	return mikey_msg_build_init(&ip, &c->ist, &c->imsg, &c->ilen);
}

/* The peer's R_MESSAGE (from the 200 to OPTIONS or to a direct INVITE):
 * stores it in the call, finishes MIKEY and binds the responder to the AOR
 * we called. Takes *rm: from here on it is c->rmsg (freed by call_free)
 * and *rm is NULL on every path, so no error path of the caller can free
 * it again. Returns 0, or -1 with an alert raised and the call ended. */
int
call_take_answer(struct call *c, uint8_t **rm, size_t rlen)
{
	struct mikey_policy pol = { .certs = c->cs->certs };
	struct mikey_fail fail = { 0, NULL, 0 };
	char why[256];
	int r;

	free(c->rmsg);
	c->rmsg = *rm;
	c->rlen = rlen;
	*rm = NULL;
	r = mikey_msg_finish(c->ist, c->rmsg, rlen, &pol, clock_ntp_now(),
		&c->res, &fail);
	if (r < 0) {
		snprintf(why, sizeof(why), "MIKEY answer refused: %s",
			fail.reason ? fail.reason : strerror(-r));
		call_alert(c, why);
		call_end(c, why);
		return -1;
	}
	c->have_res = true;
	if (!call_keys_identity_ok(c)) {
		call_alert(c, "the answer is signed by another "
			"identity");
		call_end(c, "identity mismatch");
		return -1;
	}
	return 0;
}

/* The 2xx of a direct INVITE: finish MIKEY, bind the responder to the
 * AOR we called and check its certificate against the fresh trusted
 * entry (no trust server here: it is never waited for after the answer).
 * Takes *rm: on return it belongs to the call (c->rmsg) and *rm is NULL,
 * on every path, so the caller's error path cannot free it a second time.
 * Returns 0 with the media set up, or -1 (call ended). */
int
call_direct_answer(struct call *c, uint8_t **rm, size_t rlen)
{
	struct calls *cs = c->cs;
	enum truststore_result tr = TRUSTSTORE_UNKNOWN;
	char fpc[IDENTITY_FPR_LEN];

	if (call_take_answer(c, rm, rlen) < 0)
		return -1;
	identity_fingerprint(c->res.peer_cert, fpc);
	truststore_fp_normalize(fpc, c->fp);
	truststore_lookup(cs->ts, c->peer, c->fp, call_now_unix(),
		cs->d->conf->trust_cache_ttl, &tr);
	if (tr != TRUSTSTORE_TRUSTED_FRESH && tr != TRUSTSTORE_TRUSTED_STALE) {
		call_alert(c, "peer certificate is not the one "
			"trusted for this peer");
		call_end(c, "peer certificate changed: not trusted");
		return -1;
	}
	call_mark_trusted(c);
	if (!c->remote_port ||
	    call_media_new(c, c->remote_addr, c->remote_port) < 0) {
		call_end(c, "media setup failed");
		return -1;
	}
	return 0;
}

/* The parameters of our answer to an offer. */
static void
call_keys_params(struct call *c, struct mikey_respond_params *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->self = &c->cs->self;
	rp->peer_uri = NULL;
	rp->policy = &c->cs->policy;
	RAND_bytes((uint8_t *)&rp->ssrc, sizeof(rp->ssrc));
	rp->ssrc |= 1;
	rp->now_ntp = clock_ntp_now();
}

unsigned
call_keys_accept(struct call *c, uint8_t **im, size_t ilen,
	const uint8_t digest[32], char *why, size_t len)
{
	struct calls *cs = c->cs;
	struct mikey_respond_params rp;
	struct mikey_fail fail = { 0, NULL, 0 };
	uint64_t now = (uint64_t)call_now_unix();
	int r;

	call_keys_params(c, &rp);
	r = mikey_msg_accept(*im, ilen, &rp, &c->offer, &c->res, &fail);
	if (r < 0) {
		c->offer = NULL;
		snprintf(why, len, "MIKEY offer refused: %s",
			fail.reason ? fail.reason : strerror(-r));
		call_end(c, why);
		return 488;
	}
	c->have_res = true;
	mikey_replay_add(cs->replay, digest, now, now +
		2 * MIKEY_SKEW_DEFAULT + cs->d->conf->trust_wait);
	if (!call_keys_identity_ok(c)) {
		call_end(c, "identity mismatch");
		snprintf(why, len, "certificate identity is not the From AOR");
		return 403;
	}
	c->imsg = *im;
	c->ilen = ilen;
	*im = NULL;
	memcpy(c->idigest, digest, 32);
	return 0;
}

int
call_keys_answer(struct call *c)
{
	struct mikey_respond_params rp;
	struct mikey_fail fail = { 0, NULL, 0 };
	int r;

	if (!c->offer)
		return c->rmsg ? 0 : -EINVAL;
	call_keys_params(c, &rp);
	r = mikey_msg_answer(c->offer, &rp, call_dh_take(c->cs), &c->res,
		&c->rmsg, &c->rlen, &fail);
	c->offer = mikey_offer_free(c->offer);
	if (r < 0) {
		c->rmsg = NULL;
		log_warning("call %u: cannot answer the MIKEY offer: %s",
			c->id, fail.reason ? fail.reason : strerror(-r));
		if (c->req)
			call_reply(c, 500, "cannot build the key exchange",
				NULL, 0);
		call_end(c, "cannot build the key exchange");
	}
	return r;
}
