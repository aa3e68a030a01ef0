/* Inside the call layer: struct call and struct calls, shared by its
 * files, bottom up (each calls only the ones before it; scripts/layers.sh
 * checks):
 *   call-sip.c    the SIP messages of a call, through struct ua_sip_ops
 *   call-sdp.c    its SDP, through lib/sdp
 *   call-core.c   call objects, events to the layer above, media, the end
 *   call-keys.c   MIKEY offer and answer, and the identity checks
 *   call-trust.c  validation, VUC prompts, awaiting-trust; hands a trusted
 *                 call back up through cs->trusted
 *   call.c        the state machine, the requests from the UA, dialling
 * Nothing outside daemon/call*.c includes this file. */
#ifndef SVOPID_CALL_INT_H
#define SVOPID_CALL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/x509.h>

#include "daemon/call.h"
#include "daemon/call-voice.h"
#include "daemon/dialog.h"
#include "daemon/media.h"
#include "daemon/media-null.h"
#include "mikey-msg.h"
#include "mikey-replay.h"
#include "lib/coalesce.h"
#include "daemon/siphash.h"
#include "sip-uri.h"

/* The quality figures (call_info) are reported at most this often (ms). */
#define CALL_QUALITY_MS 2000

/* DH key pairs kept ready, and how long the daemon must be quiet (no key
 * taken) before it makes the next one (ms). */
#define CALL_DH_POOL 4
#define CALL_DH_REFILL_MS 100
/* Quiet time after start-up or a call's end before the free heap is
 * given back (malloc_trim), ms. */
#define CALL_TRIM_MS 2000
/* Parsed peer certificates kept (lib/mikey-certcache.h). */
#define CALL_CERT_CACHE 16

/* Status long poll per round, seconds. */
#define CALL_POLL_WAIT 30
/* Replay cache size and entry lifetime (2 * skew). */
#define CALL_REPLAY_MAX 4096

enum call_state {
	CALL_DIALING,
	CALL_AWAITING_TRUST,
	CALL_RINGING,
	CALL_ACTIVE,
	CALL_ENDED,
};

enum call_trust {
	CALL_TRUST_NONE,	/* not decided */
	CALL_TRUST_WAIT,	/* awaiting the relationship */
	CALL_TRUST_OK,		/* validated and trusted */
};

/* Ownership: every pointer field below is owned by the call and freed by
 * call_free() unless its comment says otherwise. When ownership moves into
 * the call (c->rmsg = rm), the giver's variable is set to NULL in the same
 * statement pair, so no error path can free it a second time. */
struct call {
	LIST_ENTRY(call) link;
	struct calls *cs;	/* borrowed: the owner of every call */
	unsigned id;
	bool visible;		/* announced to the layer above; false while
				 * a hidden pre-call exchange */
	bool outgoing;
	enum call_state state;
	char peer[TRUSTSTORE_PEER_MAX + 1];	/* "sip:bob@host" */
	char dial_uri[SIP_URI_MAX + 1];
	bool secure, peer_verified;
	char cipher[48];
	char end_reason[160];
	uint64_t t0_ns;		/* dial (the INVITE for incoming calls):
				 * clock_mono_ns() */
	int64_t t_trust, t_ringing, t_answered, t_media;	/* ms, -1 */
	int64_t t_audio;	/* ms, -1: the first frame of the peer's voice
				 * played out (kept from c->voice) */
	bool media_early;	/* media came before the answer was seen */
	/* MIKEY */
	struct mikey_init_state *ist;	/* owned: our DH secret until finish */
	uint8_t *imsg;		/* owned: the I_MESSAGE (copy) */
	size_t ilen;
	uint8_t idigest[32];
	uint8_t *rmsg;		/* owned: the R_MESSAGE (taken from the
				 * answer by call_take_answer) */
	size_t rlen;
	struct mikey_offer *offer;	/* owned: an incoming offer verified
					 * but not answered yet (the answer
					 * is built while its certificate is
					 * validated: call_keys_answer) */
	struct event *start_ev;		/* owned: starts voice and media at
					 * the turn after the 200/ACK
					 * (call_go_active) */
	struct event *answer_ev;	/* owned: builds that answer once the
					 * loop sent what the validation
					 * queued (call_keys_answer_soon) */
	struct mikey_result res;	/* owned: keys; mikey_result_clear */
	bool have_res;
	/* trust */
	enum call_trust trust;
	char fp[TRUSTSTORE_FP_LEN + 1];
	struct trust_client_request *treq;	/* owned until the reply
					 * callback; cancelled by call_free */
	enum trust_api_relationship rel;
	struct event *deadline;	/* owned */
	struct event *ring_limit;	/* owned: call_arm_ring_limit */
	/* A relationship from the trust store is asked again at the trust
	 * server on every call (a stolen key must not stay trusted for
	 * cache_ttl): */
	struct trust_client_request *reval;	/* owned until the reply;
					 * cancelled by call_free */
	struct event *reval_timer;	/* owned: the callee's bound on it */
	const char *verified_by;	/* static string, "" until known */
	/* SIP, outgoing */
	struct tp_dest dest;
	struct txn_client *tc;	/* borrowed from txn: NULL once the final
				 * response came; forgotten by call_free */
	char call_id[40];
	char local_tag[20];
	uint8_t *invite;	/* owned: our INVITE as sent */
	struct {		/* the last request, if switched to TCP for
				 * its size (call_send_fallback) */
		uint8_t *body;	/* owned */
		size_t len;
		const char *method;	/* static string */
		txn_client_cb *cb;
	} switched;
	size_t invite_len;
	uint32_t invite_cseq;
	bool direct;		/* INVITE without OPTIONS (fresh trust) */
	struct media_ports ports;	/* owned: the RTP/RTCP pair offered
					 * before the keys exist (direct
					 * INVITE); media_new adopts it,
					 * else call_free closes it */
	char expect_fp[TRUSTSTORE_FP_LEN + 1];	/* peer's trusted fp */
	/* SIP, incoming: the held request (OPTIONS, then INVITE) */
	struct sip_msg *req;	/* owned: the held request */
	struct tp_source src;
	struct txn_server *st;	/* borrowed from txn */
	bool req_is_invite;
	struct dialog *dlg;	/* owned */
	/* media */
	struct media *media;	/* owned: media_free wipes the keys */
	struct media_null_counts counts;
	struct media_stats final;	/* counters after media_free */
	/* voice (daemon/call-voice.h) */
	struct media_voice *voice;	/* borrowed from media */
	struct sdp_codec_choice codec;
	bool have_codec, mute;
	char *play, *record;	/* owned: Dial/Answer options, or NULL */
	struct event *ev_quality;	/* owned: quality event every 2 s */
	int64_t q_last[4];	/* quality figures last reported */
	char remote_addr[64];
	uint16_t remote_port;
};

struct vuc_prompt {
	LIST_ENTRY(vuc_prompt) link;
	char peer[TRUSTSTORE_PEER_MAX + 1];
	char role[12];		/* "issued" or "requested" */
	char code[10];
	int64_t expires;
};

/* Ownership: the lists, store, client, password, PEM, DER and replay
 * cache are owned and freed by calls_free; d, sip, ua, ev and ev_ctx are
 * borrowed from the owner (svopid.c). */
struct calls {
	struct svopid *d;	/* borrowed: base, conf, identity */
	const struct ua_sip_ops *sip;	/* borrowed */
	void *ua;		/* borrowed: the context of sip */
	const struct calls_events *ev;	/* borrowed */
	void *ev_ctx;		/* borrowed */
	LIST_HEAD(, call) calls;
	LIST_HEAD(, vuc_prompt) vucs;
	unsigned next_id;
	struct truststore *ts;		/* owned */
	struct trust_client *tc;	/* owned; NULL without a server */
	char *trust_password;		/* owned (conf_secret_free) */
	char login[SIP_URI_MAX + 1];
	char *cert_pem;			/* owned */
	char own_fp[TRUSTSTORE_FP_LEN + 1];
	uint8_t *cert_der;		/* owned (OPENSSL_free) */
	size_t cert_len;
	struct mikey_identity self;	/* borrows key and cert_der */
	struct mikey_replay *replay;	/* owned; in memory only */
	struct mikey_cert_cache *certs;	/* owned: parsed peer
					 * certificates (policy.certs) */
	/* SecurityAlert per (peer, reason) at most once per
	 * CALL_ALERT_WINDOW_MS, standing for the repeats it held back, and
	 * at most CALL_ALERT_BUDGET per window over all peers (spoofed
	 * INVITEs make every peer new). */
	struct coalesce alerts;
	uint8_t alert_key[SIPHASH_KEY_LEN];	/* random, for the keys */
	struct mikey_policy policy;	/* offers stamped before our start
					 * are refused: the replay cache
					 * starts empty (RFC 3830 §5.4) */
	/* DH key pairs made ahead of time, off the calls' critical path
	 * (call_dh_take): each is given to one call and wiped with it;
	 * refilled from a timer once the daemon is quiet. */
	struct mikey_dh *dh_pool[CALL_DH_POOL];	/* owned */
	unsigned dh_n;
	struct event *dh_refill;	/* owned */
	struct event *trim;	/* owned: gives free heap back to the
				 * system once start-up or a call is over */
	/* call.c's next step for a call whose peer is trusted: how
	 * call-trust.c, below the state machine, hands the call back up. */
	void (*trusted)(struct call *c);
	/* ... and for a call whose cached trust the trust server withdrew:
	 * call.c ends it (CANCEL, BYE or 403, as the state asks). */
	void (*withdrawn)(struct call *c, const char *why);
};

/* The events of the layer above, when it set one. */
#define CALLS_EV(cs, name, ...) do { \
	if ((cs)->ev && (cs)->ev->name) \
		(cs)->ev->name((cs)->ev_ctx, __VA_ARGS__); \
} while (0)

/* How long a callee holds a call whose peer is trusted from the store
 * while the trust server confirms it: one round trip normally; when the
 * server does not answer in time the cache rules apply (and the call says
 * so). */
#define CALL_REVAL_WAIT_MS 2000
/* Call1 Verification values. */
#define CALL_VERIFIED_SERVER "trust server"
#define CALL_VERIFIED_CACHE "cache"
#define CALL_VERIFIED_CACHE_ONLY "cache; trust server unreachable"

/* Validations at the trust server that peers make us start (incoming
 * OPTIONS/INVITE from peers not trusted in the store), in flight at once:
 * in all, and per peer. A flood of offers from fresh self-signed
 * identities gets 480 beyond these, and the trust client's queue keeps
 * room for our own calls and the user's requests. */
#define CALL_PEER_VALIDATIONS_MAX 16
#define CALL_PEER_VALIDATIONS_PER_PEER 2
#define CALL_ALERT_WINDOW_MS 10000
#define CALL_ALERT_BUDGET 20

/* call-core.c */
int calls_trim_new(struct calls *cs);
/* (Re)arms the heap trim: CALL_TRIM_MS from now. */
void calls_trim_arm(struct calls *cs);
int64_t call_now_unix(void);
int64_t call_ms(const struct call *c);
struct call *call_new(struct calls *cs, bool outgoing, const char *peer);
void call_free(struct call *c);
void calls_gc(struct calls *cs);
void call_set_state(struct call *c, enum call_state s);
/* Tells the layer above that properties other than State changed. */
void call_changed(struct call *c);
void call_publish(struct call *c);
void call_end(struct call *c, const char *reason);
/* The peer is verified: trust OK, secure, cipher, t_trust. */
void call_mark_trusted(struct call *c);
/* Sets t_answered (and t_media if media came first). */
void call_mark_answered(struct call *c);
/* A SecurityAlert about peer, coalesced (CALL_ALERT_WINDOW_MS). */
void calls_alert(struct calls *cs, const char *peer, const char *reason);
/* The same about a call: alerts about our own outgoing calls always go
 * out (the user's dialling makes them), a peer's are coalesced. */
void call_alert(struct call *c, const char *reason);
int call_media_new(struct call *c, const char *raddr, uint16_t rport);
/* The voice engine with the negotiated codec on c->media, before
 * media_start. Returns 0 or -errno (logged). */
int call_voice_on(struct call *c);
/* An RTP/RTCP pair held for an offer made before the keys exist. */
int call_reserve_port(struct call *c);

/* call-sip.c */
/* "sip:user@host" of a URI text into out. */
int call_aor_of(const char *text, size_t len, char *out, size_t outlen);
/* Response to the held request c->req with an optional SDP body. */
void call_reply(struct call *c, unsigned code, const char *warning,
	const uint8_t *sdp, size_t sdp_len);
/* A simple response to a request no call holds. */
void calls_respond(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src, unsigned code,
	const char *warning, bool accept_sdp);
/* OPTIONS or INVITE of an outgoing call; cb gets its responses. */
int call_send(struct call *c, const char *method, const uint8_t *body,
	size_t body_len, txn_client_cb *cb);
/* RFC 3261 §18.1.1: a request that went over TCP only for its size, and
 * whose connection closed before any response (err -ECONNREFUSED from the
 * transaction), is sent once more over UDP, for peers without TCP. 0 when
 * sent again (the same cb gets its responses), -ENOENT when it does not
 * apply. */
int call_send_fallback(struct call *c, int err);
/* ACK or BYE inside the dialog. */
int call_send_in_dialog(struct call *c, const char *method);
/* CANCEL of our pending INVITE. */
int call_send_cancel(struct call *c);
void call_forget_txn(struct call *c);

/* call-sdp.c */
/* The address our media listens on (and the SDP announces). */
const char *call_media_host(const struct calls *cs);
/* Our offer (answer false) or answer around the MIKEY message. */
int call_sdp(struct call *c, uint16_t port, bool answer,
	const uint8_t *mikey, size_t mikey_len, uint8_t **ret,
	size_t *ret_len);
/* Reads the MIKEY message and the first active stream of an SDP body;
 * addr may be NULL. expect (TRUSTSTORE_FP_LEN + 1 bytes, may be NULL)
 * gets the a=svopi-expect fingerprint, "" if none. */
int call_sdp_read(const struct sip_msg *m, uint8_t **ret_mikey,
	size_t *ret_len, char *addr, size_t addrlen, uint16_t *ret_port,
	char *expect);

/* call-keys.c */
/* A key pair from the pool (NULL when it is empty: the caller makes a
 * fresh one); arms the refill. */
struct mikey_dh *call_dh_take(struct calls *cs);
int calls_dh_new(struct calls *cs);
void calls_dh_free(struct calls *cs);
int call_keys_offer(struct call *c);
int call_take_answer(struct call *c, uint8_t **rm, size_t rlen);
int call_direct_answer(struct call *c, uint8_t **rm, size_t rlen);
/* Verifies an incoming offer im (taken: *im is NULL on return) and keeps
 * it in c->offer, not answered yet. Returns 0, or a SIP status with why
 * filled for the refusal. */
unsigned call_keys_accept(struct call *c, uint8_t **im, size_t ilen,
	const uint8_t digest[32], char *why, size_t len);
/* Our answer to c->offer (c->rmsg and the keys), once; 0 when it is
 * there. -errno with the held request answered 500 and the call ended. */
int call_keys_answer(struct call *c);
/* The same from the event loop's next turn: what the call queued before
 * (the trust server request, 100 Trying) goes out first, and the DH and
 * signature run while the trust server works. */
void call_keys_answer_soon(struct call *c);

/* call-trust.c */
void call_validate(struct call *c);
/* Asks the trust server again about the peer's certificate of a call that
 * goes on from the trust store (the caller's direct INVITE); the answer
 * may withdraw the call (cs->withdrawn). */
void call_revalidate(struct call *c);
void call_arm_deadline(struct call *c);
void call_answer_options(struct call *c);
void calls_vuc_drop(struct calls *cs, const char *peer);
void calls_vuc_free_all(struct calls *cs);
int calls_trust_new(struct calls *cs);
/* The certificate as PEM text (malloc'ed), NULL without memory. */
char *call_cert_pem(X509 *x);

#endif
