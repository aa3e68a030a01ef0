/* The core of a call: the objects, what the layer above is told about
 * them (struct calls_events), their media, and the end of a call. Below
 * the state machine (call.c) and its helpers for keys and trust; above
 * the SIP messages (call-sip.c) and the SDP (call-sdp.c). See
 * call-int.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "daemon/call-int.h"
#include "daemon/conf.h"
#include "common/clock.h"
#include "common/log.h"

static const char *const call_state_names[] = {
	"dialing", "awaiting-trust", "ringing", "active", "ended",
};


/* --- helpers --- */

int64_t
call_now_unix(void)
{
	return (int64_t)time(NULL);
}

/* Whole ms from the call's t0 to ns (a CLOCK_MONOTONIC reading), rounded
 * down; -1 before t0. */
static int64_t
call_ms_at(const struct call *c, uint64_t ns)
{
	return ns < c->t0_ns ? -1 : (int64_t)((ns - c->t0_ns) / 1000000u);
}

/* t_audio: kept once the media is gone, else from the voice engine. */
static int64_t
call_first_audio(const struct call *c)
{
	struct media_voice_stats vs;

	if (c->t_audio >= 0 || !c->voice)
		return c->t_audio;
	media_voice_stats(c->voice, &vs);
	return vs.first_audio_ns ? call_ms_at(c, vs.first_audio_ns) : -1;
}

int64_t
call_ms(const struct call *c)
{
	return call_ms_at(c, clock_mono_ns());
}

/* --- what the layer above sees --- */

void
call_changed(struct call *c)
{
	if (c->visible)
		CALLS_EV(c->cs, call_changed, c);
}

void
call_publish(struct call *c)
{
	if (c->visible)
		return;
	c->visible = true;
	CALLS_EV(c->cs, call_added, c);
	CALLS_EV(c->cs, call_state, c);
}

void
call_set_state(struct call *c, enum call_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	log_info("call %u (%s): %s%s%s", c->id, c->peer, call_state_names[s],
		*c->end_reason ? ": " : "", c->end_reason);
	if (c->visible)
		CALLS_EV(c->cs, call_state, c);
}

static void
calls_alert_emit(struct calls *cs, const char *peer, const char *reason)
{
	log_warning("security alert (%s): %s", peer, reason);
	CALLS_EV(cs, alert, peer, reason);
}

/* Alerts about our own outgoing calls come from the user's own dialling,
 * one per call: never held back. Peers' doings are coalesced. */
void
call_alert(struct call *c, const char *reason)
{
	if (c->outgoing)
		calls_alert_emit(c->cs, c->peer, reason);
	else
		calls_alert(c->cs, c->peer, reason);
}

void
calls_alert(struct calls *cs, const char *peer, const char *reason)
{
	char keybuf[TRUSTSTORE_PEER_MAX + 1 + 256], text[320];
	unsigned repeats = 0, others;
	uint64_t key;
	int n;

	/* The key: peer and reason, so a peer's flood of one kind cannot
	 * hide another kind, nor another peer's alert. */
	n = snprintf(keybuf, sizeof(keybuf), "%s%c%s", peer, '\0', reason);
	if (n < 0 || (size_t)n >= sizeof(keybuf))
		n = (int)sizeof(keybuf) - 1;
	key = siphash24(keybuf, (size_t)n, cs->alert_key);
	if (!coalesce_event(&cs->alerts, key, clock_mono_ms(), &repeats))
		return;
	others = coalesce_take_over_budget(&cs->alerts);
	if (others)
		log_warning("%u security alerts held back in the last %u s "
			"(too many at once)", others,
			CALL_ALERT_WINDOW_MS / 1000);
	if (repeats) {
		snprintf(text, sizeof(text), "%s (and %u more like it in the "
			"last %u s)", reason, repeats,
			CALL_ALERT_WINDOW_MS / 1000);
		reason = text;
	}
	calls_alert_emit(cs, peer, reason);
}

void
call_info(const struct call *c, struct call_info *ret)
{
	struct media_stats st = c->final;

	if (c->media)
		media_stats(c->media, &st);
	memset(ret, 0, sizeof(*ret));
	ret->id = c->id;
	ret->peer = c->peer;
	ret->outgoing = c->outgoing;
	ret->state = call_state_names[c->state];
	ret->secure = c->secure;
	ret->peer_verified = c->peer_verified;
	ret->verified_by = c->verified_by;
	ret->cipher = c->cipher;
	ret->end_reason = c->end_reason;
	ret->t_trust = c->t_trust;
	ret->t_ringing = c->t_ringing;
	ret->t_answered = c->t_answered;
	ret->t_media = c->t_media;
	ret->t_audio = call_first_audio(c);
	ret->sent = st.sent;
	ret->received = st.received;
	ret->rejected = st.rejected;
	ret->codec = c->have_codec ? c->codec.name : "";
	ret->lost = st.lost;
	ret->jitter_ms = st.jitter_us / 1000;
	ret->rtt_ms = st.rtt_us < 0 ? -1 : (int32_t)(st.rtt_us / 1000);
	ret->mute = c->mute;
	if (c->voice) {
		struct media_voice_stats vs;

		media_voice_stats(c->voice, &vs);
		ret->jitter_buffer_ms = vs.buffer_ms;
	}
}

unsigned
call_id(const struct call *c)
{
	return c->id;
}

size_t
calls_list(struct calls *cs, struct call **out, size_t max)
{
	struct call *c;
	size_t n = 0, i;

	/* The list is newest first. */
	LIST_FOREACH(c, &cs->calls, link)
		if (c->visible)
			n++;
	i = n;
	LIST_FOREACH(c, &cs->calls, link)
		if (c->visible) {
			i--;
			if (i < max)
				out[i] = c;
		}
	return n;
}

/* --- call objects --- */

struct call *
call_new(struct calls *cs, bool outgoing, const char *peer)
{
	struct call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cs = cs;
	c->id = ++cs->next_id;
	c->outgoing = outgoing;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->t0_ns = clock_mono_ns();
	c->t_trust = c->t_ringing = c->t_answered = c->t_media = -1;
	c->t_audio = -1;
	c->verified_by = "";
	c->src.udp_fd = -1;
	c->ports = (struct media_ports)MEDIA_PORTS_INIT;
	LIST_INSERT_HEAD(&cs->calls, c, link);
	return c;
}

/* Start-up (identity, TLS contexts, NSS) and every call (keys, SIP
 * messages, the voice engine) leave free memory inside the heap that
 * glibc keeps; an idle daemon gives it back. */
static void
calls_trim_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

int
calls_trim_new(struct calls *cs)
{
	cs->trim = evtimer_new(cs->d->base, calls_trim_cb, cs);
	if (!cs->trim)
		return -ENOMEM;
	calls_trim_arm(cs);
	return 0;
}

void
calls_trim_arm(struct calls *cs)
{
	struct timeval tv = { CALL_TRIM_MS / 1000,
		(CALL_TRIM_MS % 1000) * 1000 };

	if (cs->trim)
		evtimer_add(cs->trim, &tv);
}

void
call_free(struct call *c)
{
	if (c->visible)
		CALLS_EV(c->cs, call_gone, c);
	LIST_REMOVE(c, link);
	if (c->treq)
		trust_client_cancel(c->treq);
	if (c->reval)
		trust_client_cancel(c->reval);
	if (c->deadline)
		event_free(c->deadline);
	if (c->ring_limit)
		event_free(c->ring_limit);
	free(c->switched.body);
	if (c->reval_timer)
		event_free(c->reval_timer);
	if (c->answer_ev)
		event_free(c->answer_ev);
	if (c->start_ev)
		event_free(c->start_ev);
	call_forget_txn(c);
	c->media = media_free(c->media);
	c->voice = NULL;	/* went with the media */
	if (c->ev_quality)
		event_free(c->ev_quality);
	free(c->play);
	free(c->record);
	media_ports_close(&c->ports);
	mikey_init_state_free(c->ist);
	mikey_offer_free(c->offer);
	mikey_result_clear(&c->res);
	free(c->imsg);
	free(c->rmsg);
	free(c->invite);
	sip_msg_free(c->req);
	dialog_free(c->dlg);
	free(c);
}

/* Keeps at most CALL_ENDED_KEEP ended calls; hidden ended ones go now. */
void
calls_gc(struct calls *cs)
{
	struct call *c, *n, *oldest;
	unsigned ended;

	for (c = LIST_FIRST(&cs->calls); c; c = n) {
		n = LIST_NEXT(c, link);
		if (c->state == CALL_ENDED && !c->visible && !c->treq)
			call_free(c);
	}
	for (;;) {
		ended = 0;
		oldest = NULL;
		LIST_FOREACH(c, &cs->calls, link)
			if (c->state == CALL_ENDED) {
				ended++;
				if (!oldest || c->id < oldest->id)
					oldest = c;
			}
		if (ended <= CALL_ENDED_KEEP)
			break;
		call_free(oldest);
	}
}

/* --- media --- */

static void
call_media_ready(void *ctx)
{
	struct call *c = ctx;

	/* The callee's first packet can beat its 200 to the caller: the
	 * timing then reads as the answer's (timings are ordered). */
	if (c->t_media < 0 && c->t_answered < 0) {
		c->media_early = true;
		return;
	}
	if (c->t_media < 0) {
		c->t_media = call_ms(c);
		log_info("call %u: media ready after %lld ms", c->id,
			(long long)c->t_media);
		call_changed(c);
	}
}

void
call_mark_trusted(struct call *c)
{
	c->trust = CALL_TRUST_OK;
	c->peer_verified = true;
	c->secure = true;
	snprintf(c->cipher, sizeof(c->cipher), "%s",
		mikey_srtp_suite_name(c->res.suite));
	if (c->t_trust < 0)
		c->t_trust = call_ms(c);
}

void
call_mark_answered(struct call *c)
{
	c->t_answered = call_ms(c);
	if (c->media_early && c->t_media < 0) {
		c->t_media = c->t_answered;
		log_info("call %u: media ready at the answer, %lld ms", c->id,
			(long long)c->t_media);
	}
}

int
call_media_new(struct call *c, const char *raddr, uint16_t rport)
{
	struct media_params p;
	struct media_source src;
	struct media_sink sink;
	int r;

	r = media_global_init();
	if (r < 0)
		return r;
	memset(&p, 0, sizeof(p));
	p.local_addr = call_media_host(c->cs);
	p.port_min = (uint16_t)c->cs->d->conf->rtp_port_min;
	p.port_max = (uint16_t)c->cs->d->conf->rtp_port_max;
	p.ports = &c->ports;
	p.remote_addr = raddr;
	p.remote_port = rport;
	media_params_from_mikey(&p, &c->res, c->outgoing);
	p.pt = MEDIA_PT_PCMU;
	p.cname = NULL;
	r = media_null_source(true, &src);
	if (r < 0)
		return r;
	media_null_sink(&c->counts, &sink);
	p.source = src;
	p.sink = sink;
	p.on_ready = call_media_ready;
	p.ctx = c;
	r = media_new(c->cs->d->base, &p, &c->media);
	if (r < 0 && src.close)
		src.close(src.ctx);
	return r;
}

static void
call_on_dtmf(void *ctx, char digit, unsigned duration_ms)
{
	struct call *c = ctx;

	CALLS_EV(c->cs, dtmf, c, digit, duration_ms);
}

/* The quality figures of call_info, reported at most every
 * CALL_QUALITY_MS and only when one of them moved. */
static void
call_quality_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;
	struct call_info ci;
	int64_t q[4];

	if (!c->media || !c->voice)
		return;
	call_info(c, &ci);
	q[0] = ci.lost;
	q[1] = ci.jitter_ms;
	q[2] = ci.rtt_ms;
	q[3] = ci.jitter_buffer_ms;
	if (memcmp(q, c->q_last, sizeof(q)) == 0)
		return;
	memcpy(c->q_last, q, sizeof(q));
	CALLS_EV(c->cs, quality, c);
}

int
call_voice_on(struct call *c)
{
	struct call_voice_params vp = { &c->codec, c->play, c->record,
		call_on_dtmf, c };
	struct timeval tv = { CALL_QUALITY_MS / 1000,
		(CALL_QUALITY_MS % 1000) * 1000 };
	int r;

	r = call_voice_attach(c->media, c->cs->d->base, c->cs->d->conf, &vp,
		&c->voice);
	if (r < 0) {
		log_warning("call %u: audio: %s", c->id, strerror(-r));
		return r;
	}
	media_voice_set_mute(c->voice, c->mute);
	if (!c->ev_quality)
		c->ev_quality = event_new(c->cs->d->base, -1, EV_PERSIST,
			call_quality_cb, c);
	if (c->ev_quality)
		event_add(c->ev_quality, &tv);
	return 0;
}

/* Binds and holds an RTP/RTCP pair in [media] rtp_ports for an offer made
 * before the keys exist (media_new needs them). Holding it (rather than
 * probing and closing) keeps concurrent calls from offering the same pair,
 * and keeps the callee's first packets queued until media starts. */
int
call_reserve_port(struct call *c)
{
	const struct conf *cf = c->cs->d->conf;

	return media_ports_reserve(call_media_host(c->cs),
		(uint16_t)cf->rtp_port_min, (uint16_t)cf->rtp_port_max,
		&c->ports);
}

void
call_end(struct call *c, const char *reason)
{
	if (c->state == CALL_ENDED)
		return;
	if (!*c->end_reason)
		snprintf(c->end_reason, sizeof(c->end_reason), "%s", reason);
	if (c->treq) {
		trust_client_cancel(c->treq);
		c->treq = NULL;
	}
	if (c->reval) {
		trust_client_cancel(c->reval);
		c->reval = NULL;
	}
	if (c->reval_timer)
		evtimer_del(c->reval_timer);
	call_forget_txn(c);
	if (c->st && c->req) {
		/* A held request still waits for an answer. */
		call_reply(c, c->req_is_invite ? 480 : 403, reason, NULL, 0);
	}
	/* Keys go now (srtp_dealloc wipes them); the counters stay for
	 * `svopictl calls`. */
	if (c->media) {
		c->t_audio = call_first_audio(c);
		media_stats(c->media, &c->final);
		c->media = media_free(c->media);
		c->voice = NULL;	/* went with the media */
		if (c->ev_quality)
			event_del(c->ev_quality);
	}
	mikey_result_clear(&c->res);
	c->have_res = false;
	c->ist = mikey_init_state_free(c->ist);
	c->offer = mikey_offer_free(c->offer);
	calls_trim_arm(c->cs);
	call_set_state(c, CALL_ENDED);
}
