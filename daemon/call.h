/* Secure calls (SPEC §4): the pre-call MIKEY exchange in OPTIONS, peer
 * validation from the trust store or at the trust server, VUC prompts,
 * the INVITE that re-uses the exchange, answer, SRTP media and hang-up.
 * docs/calls.md.
 *
 * The call layer sits between the bus layer (above) and the SIP user agent
 * (below), see docs/architecture.md. It never touches sd-bus: it exposes
 * plain functions (calls_dial, call_answer_user, ...) and raises events
 * through struct calls_events, which the bus layer (bus-call.c) turns into
 * signals and PropertiesChanged. Whatever it sends goes through struct
 * ua_sip_ops (ua.h): svopid.c passes ua.c's own, unit tests fakes that
 * record what would be sent. */
#ifndef SVOPID_CALL_H
#define SVOPID_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/svopid.h"
#include "daemon/trust-client.h"
#include "daemon/truststore.h"
#include "daemon/transport.h"
#include "daemon/txn.h"
#include "daemon/ua.h"

/* Ended calls kept visible (for `svopictl calls`). */
#define CALL_ENDED_KEEP 32

struct call;
struct calls;

/* What the call layer tells the layer above. Every member may be NULL. */
struct calls_events {
	/* A call became visible (dialled, or an INVITE arrived). */
	void (*call_added)(void *ctx, struct call *c);
	/* Its state changed (CallStateChanged and the properties). */
	void (*call_state)(void *ctx, struct call *c);
	/* Other properties changed (Secure, Timings, ...). */
	void (*call_changed)(void *ctx, struct call *c);
	/* The call is about to be freed: drop every reference to it. */
	void (*call_gone)(void *ctx, struct call *c);
	/* A security alert about peer. */
	void (*alert)(void *ctx, const char *peer, const char *reason);
	/* A VUC was issued to us (code set) or we must enter one
	 * (code ""). */
	void (*vuc)(void *ctx, const char *peer, const char *code,
		int64_t expires);
	/* The VUC prompt for peer is over (trusted, replaced or the call
	 * ended). */
	void (*vuc_cleared)(void *ctx, const char *peer);
	/* An Enroll succeeded (calls_enrolled changed). */
	void (*enrolled)(void *ctx, bool yes);
	/* The trust server's reachability changed. */
	void (*trust_server)(void *ctx, enum trust_client_state s,
		const char *reason);
	/* The peer sent an RFC 4733 digit (at its end). */
	void (*dtmf)(void *ctx, struct call *c, char digit,
		unsigned duration_ms);
	/* The quality figures of call_info moved (at most every 2 s). */
	void (*quality)(void *ctx, struct call *c);
};

/* A snapshot of a call for the layer above; strings live as long as the
 * call (until call_gone). */
struct call_info {
	unsigned id;
	const char *peer;
	bool outgoing;
	const char *state;	/* "dialing", ..., "ended" */
	bool secure, peer_verified;
	/* how the peer was verified: "trust server", "cache" (asked again
	 * meanwhile), "cache; trust server unreachable", or "" */
	const char *verified_by;
	const char *cipher;
	const char *end_reason;
	/* ms since dial (since the INVITE for incoming calls); -1 until
	 * reached. dial is always 0. */
	int64_t t_trust, t_ringing, t_answered, t_media;
	int64_t t_audio;	/* first frame of the peer's voice played */
	uint64_t sent, received, rejected;	/* SRTP packets */
	/* Voice (docs/media.md): the codec ("" until negotiated), our view
	 * of the peer's stream, RTCP round trip (-1 until known), our
	 * jitter buffer's depth. */
	const char *codec;
	int64_t lost;
	uint32_t jitter_ms, jitter_buffer_ms;
	int32_t rtt_ms;
	bool mute;
};

/* What Dial and Answer may ask for: files for this call's audio
 * (daemon/call-voice.h). */
struct call_options {
	const char *play;	/* borrowed; NULL */
	const char *record;	/* borrowed; NULL */
};

/* Opens the trust store and the trust client. On success *ret is the
 * call layer, to be freed with calls_free. sip and ev are borrowed and
 * must outlive it. Returns 0 or -errno. */
int calls_new(struct svopid *d, const struct ua_sip_ops *sip, void *ua,
	const struct calls_events *ev, void *ev_ctx, struct calls **ret);
/* Shutdown: ends every call (BYE, CANCEL or 480 as fits). */
void calls_stop(struct calls *cs);
struct calls *calls_free(struct calls *cs);

/* A request from the UA (ua_request_fn, registered by the owner): true when a call took
 * it (and answered or will answer), false to let the UA apply its
 * defaults. */
bool calls_request(void *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	struct txn_server *invite);

/* Starts an outgoing call to uri. Returns 0 with *ret, -EINVAL for a URI
 * that cannot be called, or another -errno; why (len bytes) says why. */
int calls_dial(struct calls *cs, const char *uri,
	const struct call_options *opt, struct call **ret, char *why,
	size_t len);
/* Answers a ringing incoming call: -EBUSY when it is not ringing here,
 * -errno when opt->play cannot be played. */
int call_answer_user(struct call *c, const struct call_options *opt);
/* Hangs up: -ESTALE when the call has ended. */
int call_hangup_user(struct call *c);
/* Sends RFC 4733 digits: -ESTALE (not active), -ENOTSUP (the peer took no
 * telephone-event), -EBUSY (digits still going out), -EINVAL, -E2BIG. */
int call_dtmf_user(struct call *c, const char *digits);
/* Muted calls send silence, never the capture. */
void call_mute_user(struct call *c, bool mute);
void call_info(const struct call *c, struct call_info *ret);
unsigned call_id(const struct call *c);

/* The visible calls, oldest first, the first max of them in out (out may
 * be NULL when max is 0); returns how many there are in all. */
size_t calls_list(struct calls *cs, struct call **out, size_t max);
/* Each VUC prompt: role "issued" (code set) or "requested". Stops at the
 * first negative return of cb and returns it. */
int calls_vuc_foreach(struct calls *cs, int (*cb)(const char *peer,
	const char *role, const char *code, int64_t expires, void *ud),
	void *ud);

/* Trust-server and trust-store requests of the user. The ones with a
 * callback answer later through it; -ENOTCONN without a trust server,
 * -EADDRNOTAVAIL for a peer that is no address. */
int calls_enroll(struct calls *cs, trust_client_cb cb, void *ud);
/* Whether this identity was enrolled from here: the trust server answered
 * an Enroll of the current certificate (remembered in the state
 * directory, so it survives restarts). A re-enrolment from elsewhere is
 * not seen. */
bool calls_enrolled(struct calls *cs);
/* Whether [trust] server is configured. */
bool calls_trust_configured(const struct calls *cs);
int calls_redeem(struct calls *cs, const char *peer, const char *code,
	trust_client_cb cb, void *ud);
int calls_trust_list(struct calls *cs, truststore_list_cb cb, void *ud);
/* -ENOENT when there is no entry; aor (TRUSTSTORE_PEER_MAX + 1 bytes)
 * gets the address looked up. */
int calls_trust_forget(struct calls *cs, const char *peer, char *aor);

#endif
