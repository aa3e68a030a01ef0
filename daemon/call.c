/* The call state machine: dial, the pre-call exchange's outcome, the
 * INVITE, ringing, answer, hang-up and the end of a call, and the requests
 * the user agent hands up. See call.h, call-int.h and docs/calls.md. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/clock.h"
#include "daemon/call-int.h"
#include "daemon/conf.h"
#include "daemon/identity.h"
#include "common/log.h"

static struct log_ratelimit call_rl = LOG_RATELIMIT_INIT(5000, 10);

static void call_answer(struct call *c);

/* --- the flow --- */

/* What a call sends when it ends from our side: CANCEL, BYE or a final
 * response to the held request (603 on hang-up, 480 when the daemon
 * stops, which also says BYE in any dialog). */
static void
call_leave(struct call *c, bool stopping)
{
	if (c->outgoing && !c->dlg && c->tc && c->invite)
		call_send_cancel(c);
	else if (c->dlg && (stopping || c->state == CALL_ACTIVE ||
	    (c->outgoing && c->state == CALL_RINGING)))
		call_send_in_dialog(c, "BYE");
	else if (!c->outgoing && c->st && c->req)
		call_reply(c, stopping ? 480 : 603, stopping ?
			"shutting down" : "declined", NULL, 0);
}

int
call_hangup_user(struct call *c)
{
	if (c->state == CALL_ENDED)
		return -ESTALE;
	call_leave(c, false);
	call_end(c, "local hangup");
	calls_gc(c->cs);
	return 0;
}

/* A call rings at most [calls] ring_timeout seconds: the caller then
 * CANCELs ("no answer"); the callee, a few seconds later so that a caller
 * with the same limit goes first, answers 480 (call_end). Without it a
 * ringing call would end only when a SIP timer ran out: the caller's
 * INVITE after 32 s without a CANCEL, as it did before. */
#define CALL_RING_CALLEE_GRACE_S 5

static void
call_ring_limit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	/* The caller's INVITE may have had only a 100 so far. */
	if (c->state == CALL_ENDED || c->state == CALL_ACTIVE ||
	    (!c->outgoing && c->state != CALL_RINGING))
		return;
	if (c->outgoing) {
		call_leave(c, false);
		call_end(c, "no answer");
	} else {
		call_end(c, "not answered");
	}
	calls_gc(c->cs);
}

static void
call_arm_ring_limit(struct call *c)
{
	struct timeval tv = { (time_t)c->cs->d->conf->ring_timeout +
		(c->outgoing ? 0 : CALL_RING_CALLEE_GRACE_S), 0 };

	if (!c->ring_limit)
		c->ring_limit = evtimer_new(c->cs->d->base, call_ring_limit_cb,
			c);
	if (c->ring_limit)
		evtimer_add(c->ring_limit, &tv);
}

static void
call_ring(struct call *c)
{
	struct calls *cs = c->cs;
	int r;

	if (call_keys_answer(c) < 0)
		return;
	if (call_voice_negotiate(cs->d->conf, c->req, true, &c->codec) < 0) {
		call_reply(c, 488, "no common codec", NULL, 0);
		call_end(c, "no common codec");
		return;
	}
	c->have_codec = true;
	r = call_media_new(c, c->remote_addr, c->remote_port);
	if (r < 0) {
		call_reply(c, 500, "no media port", NULL, 0);
		call_end(c, "media setup failed");
		return;
	}
	c->t_ringing = call_ms(c);
	call_reply(c, 180, NULL, NULL, 0);
	call_set_state(c, CALL_RINGING);
	call_arm_ring_limit(c);
	if (cs->d->conf->auto_answer)
		call_answer(c);
}

/* Keeps the call's play/record files (copies). */
static int
call_take_options(struct call *c, const struct call_options *opt)
{
	char *play = opt && opt->play ? strdup(opt->play) : NULL;
	char *record = opt && opt->record ? strdup(opt->record) : NULL;

	if ((opt && opt->play && !play) || (opt && opt->record && !record)) {
		free(play);
		free(record);
		return -ENOMEM;
	}
	free(c->play);
	free(c->record);
	c->play = play;
	c->record = record;
	return 0;
}

int
call_answer_user(struct call *c, const struct call_options *opt)
{
	int r;

	if (c->outgoing || c->state != CALL_RINGING)
		return -EBUSY;
	if (opt && opt->play && (r = call_voice_check_play(opt->play)) < 0)
		return r;
	if (call_take_options(c, opt) < 0)
		return -ENOMEM;
	call_answer(c);
	return 0;
}

int
call_dtmf_user(struct call *c, const char *digits)
{
	if (c->state != CALL_ACTIVE || !c->voice)
		return -ESTALE;
	return media_voice_dtmf(c->voice, digits, 0);
}

void
call_mute_user(struct call *c, bool mute)
{
	c->mute = mute;
	if (c->voice)
		media_voice_set_mute(c->voice, mute);
}

/* The voice and the media of an active call. Returns 0, or -1 with the
 * call ended (BYE sent) when the audio could not start. */
static int
call_media_on(struct call *c)
{
	if (call_voice_on(c) < 0) {
		call_send_in_dialog(c, "BYE");
		call_end(c, "audio setup failed");
		return -1;
	}
	media_start(c->media);
	return 0;
}

static void
call_media_on_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	(void)fd;
	(void)what;
	if (c->state != CALL_ACTIVE || c->voice)
		return;
	if (call_media_on(c) < 0)
		calls_gc(c->cs);	/* may free c */
}

/* The call is answered (our 200 queued, or the peer's 2xx taken and our
 * ACK queued): active now. The voice and media start at the loop's next
 * turn, on a zero timer at the default priority: libevent runs timers
 * after the I/O that the same epoll_wait reported, so the 200 (or ACK)
 * this turn queued is written first. Building the voice (codec state,
 * files) and the first frame before it cost the caller ~1 ms of waiting
 * for the 200 (bench/setup, callee INVITE -> 200). Returns 0, or -1 with
 * the call ended. */
static int
call_go_active(struct call *c)
{
	struct timeval now = { 0, 0 };

	call_mark_answered(c);
	call_set_state(c, CALL_ACTIVE);
	if (!c->start_ev)
		c->start_ev = evtimer_new(c->cs->d->base, call_media_on_cb, c);
	if (c->start_ev && evtimer_add(c->start_ev, &now) == 0)
		return 0;
	return call_media_on(c);
}

/* What became of the request a call holds (txn_server_watch): dropped
 * unanswered after 64*T1 + T4 (the caller gave up without a CANCEL: c->st
 * is gone), or no ACK for our 2xx within 64*T1 (RFC 3261 §13.3.1.4: the
 * caller never learnt of the answer, so the call ends with a BYE). */
static void
calls_txn_event(void *userdata, unsigned id, int err)
{
	struct calls *cs = userdata;
	struct call *c;

	if (err == 0)
		return;
	LIST_FOREACH(c, &cs->calls, link) {
		if (c->id != id || c->outgoing || c->state == CALL_ENDED)
			continue;
		if (err == -ECANCELED) {
			c->st = NULL;
			call_end(c, "the caller gave up");
			return;
		}
		log_warning("call %u: no ACK for our 200, hanging up", c->id);
		call_send_in_dialog(c, "BYE");
		call_end(c, "no ACK for the answer");
		return;
	}
}

static void
call_answer(struct call *c)
{
	struct calls *cs = c->cs;
	struct txn_server *st;
	uint8_t *sdp = NULL;
	size_t n = 0;

	if (call_sdp(c, media_local_port(c->media), true, c->rmsg, c->rlen,
	    &sdp, &n) < 0) {
		call_reply(c, 500, "cannot build the answer", NULL, 0);
		call_end(c, "cannot build the answer");
		return;
	}
	if (!c->local_tag[0])
		ua_random_hex(c->local_tag, 8);
	if (dialog_new_uas(c->req, c->local_tag, &c->dlg) < 0) {
		free(sdp);
		call_reply(c, 400, "no Contact", NULL, 0);
		call_end(c, "bad INVITE");
		return;
	}
	st = c->st;
	call_reply(c, 200, NULL, sdp, n);
	if (st && cs->sip->watch)
		cs->sip->watch(cs->ua, st, calls_txn_event, cs, c->id);
	free(sdp);
	sip_msg_free(c->req);
	c->req = NULL;
	call_go_active(c);
}

static void call_out_invite_cb(void *userdata, const struct sip_msg *m,
	int err);

/* Validation done and the relationship trusted. */
static void
call_trusted(struct call *c)
{
	uint8_t *sdp = NULL;
	size_t n = 0;
	int r;

	call_mark_trusted(c);
	if (c->deadline)
		evtimer_del(c->deadline);
	if (c->outgoing) {
		/* Keys are ready: bind the media port, then INVITE with the
		 * same I_MESSAGE. */
		r = call_media_new(c, "127.0.0.1", 9);
		if (r == 0)
			r = call_sdp(c, media_local_port(c->media), false,
				c->imsg, c->ilen, &sdp, &n);
		if (r == 0)
			r = call_send(c, "INVITE", sdp, n, call_out_invite_cb);
		free(sdp);
		if (r < 0) {
			call_end(c, "cannot send the INVITE");
			return;
		}
		call_changed(c);
		return;
	}
	/* Bob: answer a held OPTIONS; ring a held INVITE. */
	if (c->req && !c->req_is_invite) {
		call_answer_options(c);
		call_arm_deadline(c);	/* the exchange's lifetime */
		return;
	}
	if (c->req && c->req_is_invite)
		call_ring(c);
}

/* The trust server withdrew the cached trust of this call: leave it as
 * its state asks (CANCEL, BYE; a held request gets 403 from call_end's
 * path below) and end it. */
static void
call_withdrawn(struct call *c, const char *why)
{
	c->peer_verified = false;
	if (!c->outgoing && c->st && c->req && c->trust != CALL_TRUST_OK)
		call_reply(c, 403, why, NULL, 0);
	else
		call_leave(c, false);
	call_end(c, why);
}

/* --- Alice: answers to our requests --- */

/* "403 Forbidden: warning" of a final response into why. */
static void
call_status_text(const struct sip_msg *m, char *why, size_t len)
{
	const struct sip_header *w = sip_msg_header(m, SIP_HDR_WARNING, 0);

	snprintf(why, len, "%u %.*s%s%.*s", m->status, (int)m->reason.len,
		m->reason.p, w ? ": " : "", w ? (int)w->value.len : 0,
		w ? w->value.p : "");
}

static void
call_out_options_cb(void *userdata, const struct sip_msg *m, int err)
{
	struct call *c = userdata;
	struct calls *cs = c->cs;
	uint8_t *rm = NULL;
	size_t rlen = 0;
	char why[256];
	int r;

	if (m && m->status < 200)
		return;
	c->tc = NULL;
	if (!m && call_send_fallback(c, err) == 0)
		return;
	if (!m) {
		call_end(c, err == -ETIMEDOUT ? "no answer to the pre-call "
			"exchange" : "cannot reach the peer");
		calls_gc(cs);
		return;
	}
	if (m->status >= 300) {
		call_status_text(m, why, sizeof(why));
		if (m->status == 403)
			call_alert(c, why);
		call_end(c, why);
		return;
	}
	r = call_sdp_read(m, &rm, &rlen, NULL, 0, NULL, NULL);
	if (r < 0) {
		call_alert(c, "the peer's answer carries no MIKEY "
			"R_MESSAGE");
		call_end(c, "no key exchange in the answer");
		return;
	}
	if (call_take_answer(c, &rm, rlen) < 0)
		return;
	call_validate(c);
}

/* The 2xx to our INVITE, once the dialog exists and the ACK is sent. */
static void
call_out_invite_2xx(struct call *c, const struct sip_msg *m)
{
	uint8_t *rm = NULL;
	size_t rlen = 0;
	int r;

	r = call_sdp_read(m, &rm, &rlen, c->remote_addr,
		sizeof(c->remote_addr), &c->remote_port, NULL);
	if (r == 0 && call_voice_negotiate(c->cs->d->conf, m, false,
	    &c->codec) < 0) {
		free(rm);
		call_send_in_dialog(c, "BYE");
		call_end(c, "no common codec");
		return;
	}
	c->have_codec = true;
	if (c->direct) {
		if (r < 0 || call_direct_answer(c, &rm, rlen) < 0) {
			free(rm);	/* NULL unless call_sdp_read failed */
			call_send_in_dialog(c, "BYE");
			if (c->state != CALL_ENDED)
				call_end(c, "no valid key exchange in the "
					"answer");
			return;
		}
		if (call_go_active(c) < 0)
			return;
		/* In parallel with the voice: is the cached trust still
		 * the trust server's? (cs->withdrawn ends it if not) */
		call_revalidate(c);
		return;
	}
	/* The answer must carry the R_MESSAGE we validated. */
	if (r < 0 || rlen != c->rlen || CRYPTO_memcmp(rm, c->rmsg, rlen) != 0 ||
	    !c->remote_port) {
		free(rm);
		call_alert(c, "the answer's key exchange is not "
			"the one we validated");
		call_send_in_dialog(c, "BYE");
		call_end(c, "key exchange changed in the answer");
		return;
	}
	free(rm);
	media_set_remote(c->media, c->remote_addr, c->remote_port, 0);
	call_go_active(c);
}

static void
call_out_invite_cb(void *userdata, const struct sip_msg *m, int err)
{
	struct call *c = userdata;
	struct sip_msg *req = NULL;
	char why[256];

	if (!m) {
		c->tc = NULL;
		if (call_send_fallback(c, err) == 0)
			return;
		call_end(c, err == -ETIMEDOUT ? "no answer" :
			"connection lost");
		return;
	}
	if (m->status < 200) {
		if (!c->ring_limit)	/* from the first provisional */
			call_arm_ring_limit(c);
		if (m->status == 180 || m->status == 183) {
			if (c->t_ringing < 0)
				c->t_ringing = call_ms(c);
			call_set_state(c, CALL_RINGING);
		}
		return;
	}
	c->tc = NULL;
	if (m->status >= 300) {
		call_status_text(m, why, sizeof(why));
		if (m->status == 403 || m->status == 488)
			call_alert(c, why);
		call_end(c, why);
		return;
	}
	if (c->dlg) {	/* a retransmitted 2xx: ACK again */
		call_send_in_dialog(c, "ACK");
		return;
	}
	if (sip_msg_parse(c->invite, c->invite_len, 0, &req) < 0 ||
	    dialog_new_uac(req, m, &c->dlg) < 0) {
		sip_msg_free(req);
		call_end(c, "bad 2xx to INVITE");
		return;
	}
	sip_msg_free(req);
	call_send_in_dialog(c, "ACK");
	call_out_invite_2xx(c, m);
}

/* --- Bob: incoming OPTIONS / INVITE with MIKEY --- */

static struct call *
calls_find_exchange(struct calls *cs, const uint8_t *msg, size_t len,
	const uint8_t digest[32])
{
	struct call *c;

	LIST_FOREACH(c, &cs->calls, link)
		if (!c->outgoing && c->imsg && c->ilen == len &&
		    c->state != CALL_ENDED && !c->visible &&
		    CRYPTO_memcmp(c->idigest, digest, 32) == 0 &&
		    CRYPTO_memcmp(c->imsg, msg, len) == 0)
			return c;
	return NULL;
}

static void
calls_refuse(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src, unsigned code,
	const char *peer, const char *why)
{
	log_ratelimited(&call_rl, LOG_WARNING, "refusing %.*s from %s: %s",
		(int)req->method.len, req->method.p, peer, why);
	calls_respond(cs, st, req, src, code, why, code == 488);
	calls_alert(cs, peer, why);
}

/* Holds req (a copy) in c until it is answered. Returns 0 or -ENOMEM. */
static int
call_hold(struct call *c, struct txn_server *st, const struct sip_msg *req,
	const struct tp_source *src, bool invite)
{
	sip_msg_free(c->req);
	c->req = NULL;
	if (sip_msg_parse((const uint8_t *)req->copy_, req->len_, 0,
	    &c->req) < 0)
		return -ENOMEM;
	c->st = st;
	c->src = *src;
	c->req_is_invite = invite;
	if (c->cs->sip->watch)
		c->cs->sip->watch(c->cs->ua, st, calls_txn_event, c->cs, c->id);
	return 0;
}

/* The INVITE that re-uses the exchange c answered (same I_MESSAGE). */
static void
call_incoming_invite(struct call *c, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	const char *raddr, uint16_t rport)
{
	if (call_hold(c, st, req, src, true) < 0) {
		calls_respond(c->cs, st, req, src, 500, NULL, false);
		return;
	}
	snprintf(c->remote_addr, sizeof(c->remote_addr), "%s", raddr);
	c->remote_port = rport;
	c->t0_ns = clock_mono_ns();
	c->t_trust = c->trust == CALL_TRUST_OK ? 0 : -1;
	call_publish(c);
	if (c->trust == CALL_TRUST_OK) {
		call_ring(c);
	} else {
		/* Held: nothing rings before validation. */
		call_set_state(c, CALL_AWAITING_TRUST);
		call_arm_deadline(c);
	}
}

/* A new offer from peer: answer MIKEY, hold the request, validate. Takes
 * *im. */
static void
calls_incoming_offer(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	const char *peer, uint8_t **im, size_t ilen, const uint8_t digest[32],
	const char *raddr, uint16_t rport)
{
	bool invite = req->method_id == SIP_METHOD_INVITE;
	char why[200];
	struct call *c;
	unsigned code;

	c = call_new(cs, false, peer);
	if (!c) {
		calls_respond(cs, st, req, src, 500, NULL, false);
		return;
	}
	code = call_keys_accept(c, im, ilen, digest, why, sizeof(why));
	if (code) {
		calls_refuse(cs, st, req, src, code, peer, why);
		calls_gc(cs);
		return;
	}
	if (call_hold(c, st, req, src, invite) < 0) {
		call_end(c, "out of memory");
		calls_respond(cs, st, req, src, 500, NULL, false);
		calls_gc(cs);
		return;
	}
	if (invite) {
		snprintf(c->remote_addr, sizeof(c->remote_addr), "%s", raddr);
		c->remote_port = rport;
		call_publish(c);
	}
	/* The validation first (its trust server request goes out at the
	 * loop's next turn), then our answer (DH and signature) while the
	 * server works; a validation decided at once has built the answer
	 * already, and a reply that comes first builds it then. */
	call_validate(c);
	call_keys_answer_soon(c);
}

/* Refusals of an offer before any call exists; returns the SIP status (and
 * why) or 0 to go on. */
static unsigned
calls_incoming_check(bool invite, uint16_t rport, const uint8_t *im,
	size_t ilen, uint8_t digest[32], const char **why)
{
	if (invite && !rport) {
		*why = "offer without an active media stream";
		return 488;
	}
	if (mikey_msg_digest(im, ilen, digest) < 0) {
		*why = "malformed MIKEY message";
		return 488;
	}
	return 0;
}

static bool
calls_incoming(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src, bool invite)
{
	struct call *c = NULL;
	char peer[TRUSTSTORE_PEER_MAX + 1], raddr[64] = "";
	char expect[TRUSTSTORE_FP_LEN + 1] = "";
	const char *why = NULL;
	uint8_t *im = NULL, digest[32];
	uint16_t rport = 0;
	size_t ilen = 0;
	unsigned code;
	int r;

	r = call_sdp_read(req, &im, &ilen, invite ? raddr : NULL,
		sizeof(raddr), &rport, expect);
	if (r == -ENOENT && !invite)
		return false;	/* a plain OPTIONS: capabilities */
	if (r < 0) {
		free(im);
		return false;	/* the UA's INVITE policy answers 488 */
	}
	if (call_aor_of(req->from.uri.raw.p, req->from.uri.raw.len, peer,
	    sizeof(peer)) < 0) {
		free(im);
		calls_respond(cs, st, req, src, 400, "bad From", false);
		return true;
	}
	code = calls_incoming_check(invite, rport, im, ilen, digest, &why);
	if (!code && invite) {
		c = calls_find_exchange(cs, im, ilen, digest);
		if (c && strcmp(c->peer, peer) == 0) {
			free(im);
			call_incoming_invite(c, st, req, src, raddr, rport);
			return true;
		}
	}
	if (!code && expect[0] && strcmp(expect, cs->own_fp) != 0) {
		/* The caller trusts another certificate for us: we were
		 * re-keyed (or someone else answers for us). Refuse before
		 * ringing; the caller raises its alert on the 403. */
		code = 403;
		why = "certificate mismatch: the caller trusts another "
			"certificate for this user";
	}
	if (!code && mikey_replay_contains(cs->replay, digest,
	    (uint64_t)call_now_unix())) {
		code = 488;
		why = "replayed MIKEY message";
	}
	if (code) {
		free(im);
		calls_refuse(cs, st, req, src, code, peer, why);
		return true;
	}
	/* A stream's peer went through a handshake (no spoofed source to
	 * reflect to): 100 at once, before the key exchange and the
	 * validation, so that the proxy's INVITE timer applies instead of
	 * its non-INVITE one while a burst of INVITEs queues here. Over UDP
	 * an offer gets one answer, its final one (docs/security.md). */
	if (invite && src->conn_id)
		calls_respond(cs, st, req, src, 100, NULL, false);
	calls_incoming_offer(cs, st, req, src, peer, &im, ilen, digest,
		raddr, rport);
	free(im);	/* NULL when the call took it */
	return true;
}

/* A CANCEL of an INVITE a call holds, or a BYE of a call's dialog. */
static bool
calls_end_request(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	struct txn_server *invite)
{
	struct call *c;

	LIST_FOREACH(c, &cs->calls, link) {
		if (req->method_id == SIP_METHOD_CANCEL && invite &&
		    c->st == invite && c->state != CALL_ENDED) {
			calls_respond(cs, st, req, src, 200, NULL, false);
			call_reply(c, 487, NULL, NULL, 0);
			call_end(c, "cancelled by the caller");
			return true;
		}
		if (req->method_id == SIP_METHOD_BYE && c->dlg &&
		    dialog_match_request(c->dlg, req)) {
			calls_respond(cs, st, req, src, 200, NULL, false);
			call_end(c, "remote hangup");
			return true;
		}
	}
	return false;
}

/* A re-INVITE in a call's dialog. SPEC §4: a re-INVITE cannot remove or
 * weaken the key exchange. svopid never re-keys or moves media, so none
 * is accepted: 488 with a Warning, and an alert, because only an attacker
 * on the path or a broken peer sends one (issue 9: the proxy injects it).
 * The call goes on with its keys and media address. Returns false when no
 * live call has the dialog (the UA answers 481). */
static bool
calls_reinvite(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src)
{
	const char *why = "re-INVITE without MIKEY key-mgmt refused: the key "
		"exchange cannot be removed";
	uint8_t *im = NULL;
	size_t ilen = 0;
	struct call *c;

	LIST_FOREACH(c, &cs->calls, link) {
		if (!c->dlg || c->state == CALL_ENDED ||
		    !dialog_match_request(c->dlg, req))
			continue;
		if (dialog_remote_cseq(c->dlg, req) < 0) {
			calls_respond(cs, st, req, src, 500,
				"CSeq out of order", false);
			return true;
		}
		if (call_sdp_read(req, &im, &ilen, NULL, 0, NULL, NULL) == 0)
			why = "re-INVITE with another key exchange refused: "
				"keys are not changed mid-call";
		free(im);
		log_ratelimited(&call_rl, LOG_WARNING, "call %u: %s", c->id,
			why);
		calls_respond(cs, st, req, src, 488, why, true);
		call_alert(c, why);
		return true;
	}
	return false;
}

bool
calls_request(void *userdata, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	struct txn_server *invite)
{
	struct calls *cs = userdata;

	if (!cs)
		return false;
	switch (req->method_id) {
	case SIP_METHOD_OPTIONS:
		return calls_incoming(cs, st, req, src, false);
	case SIP_METHOD_INVITE:
		if (!sip_str_empty(req->to.tag))
			return calls_reinvite(cs, st, req, src);
		return calls_incoming(cs, st, req, src, true);
	case SIP_METHOD_CANCEL:
	case SIP_METHOD_BYE:
		return calls_end_request(cs, st, req, src, invite);
	default:
		return false;
	}
}

/* --- Alice: dialling --- */

/* A fresh trusted entry: skip the pre-call OPTIONS and put the I_MESSAGE
 * in the INVITE (SPEC §4 step 3). */
static void
call_dial_direct(struct call *c)
{
	struct calls *cs = c->cs;
	struct truststore_entry te;
	int64_t now = call_now_unix();

	if (truststore_get(cs->ts, c->peer, &te) == 0 &&
	    te.status == TRUSTSTORE_TRUSTED && te.checked_at <= now &&
	    now - te.checked_at < (int64_t)cs->d->conf->trust_cache_ttl &&
	    call_reserve_port(c) == 0) {
		c->direct = true;
		memcpy(c->expect_fp, te.fingerprint, sizeof(c->expect_fp));
		c->t_trust = call_ms(c);	/* decided from the store */
	}
}

static void call_out_options_cb(void *userdata, const struct sip_msg *m,
	int err);

int
calls_dial(struct calls *cs, const char *uri, const struct call_options *opt,
	struct call **ret, char *why, size_t len)
{
	char peer[TRUSTSTORE_PEER_MAX + 1];
	uint8_t *sdp = NULL;
	struct call *c;
	size_t n = 0;
	int r;

	if (call_aor_of(uri, strlen(uri), peer, sizeof(peer)) < 0) {
		snprintf(why, len, "not a SIP URI with a user: %s", uri);
		return -EINVAL;
	}
	/* A file that cannot be played is an error before dialling. */
	if (opt && opt->play && (r = call_voice_check_play(opt->play)) < 0) {
		snprintf(why, len, "cannot play \"%s\": %s", opt->play,
			strerror(-r));
		return -EINVAL;
	}
	c = call_new(cs, true, peer);
	if (!c)
		return -ENOMEM;
	if (call_take_options(c, opt) < 0) {
		call_free(c);
		return -ENOMEM;
	}
	snprintf(c->dial_uri, sizeof(c->dial_uri), "%s", uri);
	if (cs->sip->request_dest(cs->ua, uri, &c->dest) < 0) {
		call_free(c);
		snprintf(why, len, "cannot reach %s", uri);
		return -EINVAL;
	}
	ua_random_hex(c->local_tag, 8);
	ua_random_hex(c->call_id, 16);
	r = call_keys_offer(c);
	if (r < 0) {
		call_free(c);
		snprintf(why, len, "cannot build the MIKEY offer: %s",
			strerror(-r));
		return r;
	}
	call_dial_direct(c);
	r = call_sdp(c, c->direct ? c->ports.port : 0, false, c->imsg,
		c->ilen, &sdp, &n);
	if (r == 0)
		r = call_send(c, c->direct ? "INVITE" : "OPTIONS", sdp, n,
			c->direct ? call_out_invite_cb : call_out_options_cb);
	free(sdp);
	if (r < 0) {
		call_free(c);
		snprintf(why, len, "cannot send: %s", strerror(-r));
		return r;
	}
	log_info("call %u: dialing %s%s", c->id, uri, c->direct ?
		" (trusted from the store: INVITE without pre-call OPTIONS)" :
		"");
	call_publish(c);
	calls_gc(cs);
	*ret = c;
	return 0;
}

/* --- lifecycle --- */

static const char *
calls_login(const char *aor)
{
	return strncmp(aor, "sip:", 4) == 0 ? aor + 4 : aor;
}

/* Our identity for MIKEY: key, certificate (DER and PEM), fingerprint. */
static int
calls_self_new(struct calls *cs)
{
	struct svopid *d = cs->d;
	unsigned char *der = NULL;
	int len;

	cs->cert_pem = call_cert_pem(d->id->cert);
	len = i2d_X509(d->id->cert, &der);
	if (!cs->cert_pem || len <= 0)
		return -ENOMEM;
	cs->cert_der = der;
	cs->cert_len = (size_t)len;
	truststore_fp_normalize(d->id->fingerprint, cs->own_fp);
	cs->self.key = d->id->key;
	cs->self.cert_der = cs->cert_der;
	cs->self.cert_len = cs->cert_len;
	cs->self.uri = d->conf->uri;
	cs->self.s_type = MIKEY_SIGN_PKCS1;
	return 0;
}

int
calls_new(struct svopid *d, const struct ua_sip_ops *sip, void *ua,
	const struct calls_events *ev, void *ev_ctx, struct calls **ret)
{
	struct calls *cs = calloc(1, sizeof(*cs));
	int r;

	if (!cs)
		return -ENOMEM;
	*ret = cs;	/* freed by the caller's calls_free on error */
	cs->d = d;
	cs->sip = sip;
	cs->ua = ua;
	cs->ev = ev;
	cs->ev_ctx = ev_ctx;
	cs->trusted = call_trusted;
	cs->withdrawn = call_withdrawn;
	LIST_INIT(&cs->calls);
	LIST_INIT(&cs->vucs);
	snprintf(cs->login, sizeof(cs->login), "%s", calls_login(d->conf->uri));
	cs->replay = mikey_replay_new(CALL_REPLAY_MAX);
	cs->policy.not_before_ntp = clock_ntp_now();
	cs->certs = mikey_cert_cache_new(CALL_CERT_CACHE);
	cs->policy.certs = cs->certs;
	coalesce_init(&cs->alerts, CALL_ALERT_WINDOW_MS, CALL_ALERT_BUDGET);
	if (calls_dh_new(cs) < 0 || calls_trim_new(cs) < 0)
		return -ENOMEM;
	/* SRTP (and the NSS under Debian's libsrtp2) once, now, rather
	 * than on the first call's critical path. */
	if (media_global_init() < 0)
		log_warning("SRTP could not start: calls will fail");
	RAND_bytes(cs->alert_key, sizeof(cs->alert_key));
	if (!cs->replay || !cs->certs)
		return -ENOMEM;
	r = calls_self_new(cs);
	if (r < 0)
		return r;
	return calls_trust_new(cs);
}

void
calls_stop(struct calls *cs)
{
	struct call *c;

	if (!cs)
		return;
	LIST_FOREACH(c, &cs->calls, link)
		if (c->state != CALL_ENDED && c->visible) {
			call_leave(c, true);
			call_end(c, "daemon stopped");
		}
}

struct calls *
calls_free(struct calls *cs)
{
	if (!cs)
		return NULL;
	while (!LIST_EMPTY(&cs->calls))
		call_free(LIST_FIRST(&cs->calls));
	calls_vuc_free_all(cs);
	cs->tc = trust_client_free(cs->tc);
	cs->ts = truststore_close(cs->ts);
	mikey_replay_free(cs->replay);
	mikey_cert_cache_free(cs->certs);
	calls_dh_free(cs);
	if (cs->trim)
		event_free(cs->trim);
	conf_secret_free(cs->trust_password);
	free(cs->cert_pem);
	OPENSSL_free(cs->cert_der);
	media_global_done();
	free(cs);
	return NULL;
}
