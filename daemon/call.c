/* See call.h and docs/calls.md. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "daemon/busloop.h"
#include "daemon/bus.h"
#include "daemon/call.h"
#include "daemon/call-voice.h"
#include "daemon/conf.h"
#include "daemon/dialog.h"
#include "daemon/identity.h"
#include "daemon/log.h"
#include "daemon/media.h"
#include "daemon/media-null.h"
#include "daemon/trust-client.h"
#include "daemon/truststore.h"
#include "daemon/ua.h"
#include "mikey-msg.h"
#include "mikey-replay.h"
#include "sdp.h"
#include "sip-out.h"
#include "sip-uri.h"

/* Quality properties (PacketsLost ...) change at most this often on the
 * bus (ms). */
#define CALL_QUALITY_MS 2000
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

static const char *const call_state_names[] = {
	"dialing", "awaiting-trust", "ringing", "active", "ended",
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
	char path[64];
	sd_bus_slot *slot;	/* owned; NULL while a hidden pre-call exchange */
	bool outgoing;
	enum call_state state;
	char peer[TRUSTSTORE_PEER_MAX + 1];	/* "sip:bob@host" */
	char dial_uri[SIP_URI_MAX + 1];
	bool secure, peer_verified;
	char cipher[48];
	char end_reason[160];
	struct timespec t0;
	int64_t t_trust, t_ringing, t_answered, t_media;	/* ms, -1 */
	/* MIKEY */
	struct mikey_init_state *ist;	/* owned: our DH secret until finish */
	uint8_t *imsg;		/* owned: the I_MESSAGE (copy) */
	size_t ilen;
	uint8_t idigest[32];
	uint8_t *rmsg;		/* owned: the R_MESSAGE (taken from the
				 * answer by call_take_answer) */
	size_t rlen;
	struct mikey_result res;	/* owned: keys; mikey_result_clear */
	bool have_res;
	/* trust */
	enum call_trust trust;
	char fp[TRUSTSTORE_FP_LEN + 1];
	struct trust_client_request *treq;	/* owned until the reply
					 * callback; cancelled by call_free */
	enum trust_client_relationship rel;
	struct event *deadline;	/* owned */
	/* SIP, outgoing */
	struct tp_dest dest;
	struct txn_client *tc;	/* borrowed from txn: NULL once the final
				 * response came; forgotten by call_free */
	char call_id[40];
	char local_tag[20];
	uint8_t *invite;	/* owned: our INVITE as sent */
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
	struct event *ev_quality;	/* owned: PropertiesChanged every 2 s */
	int64_t q_last[4];	/* quality figures last emitted */
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

struct calls {
	struct svopid *d;
	LIST_HEAD(, call) calls;
	LIST_HEAD(, vuc_prompt) vucs;
	unsigned next_id;
	struct truststore *ts;
	struct trust_client *tc;
	char *trust_password;
	char login[SIP_URI_MAX + 1];
	char *cert_pem;
	char own_fp[TRUSTSTORE_FP_LEN + 1];
	uint8_t *cert_der;
	size_t cert_len;
	struct mikey_identity self;
	struct mikey_replay *replay;	/* owned; in memory only */
	struct mikey_policy policy;	/* offers stamped before our start
					 * are refused: the replay cache
					 * starts empty (RFC 3830 §5.4) */
};

static struct log_ratelimit call_rl = LOG_RATELIMIT_INIT(5000, 10);

static void call_end(struct call *c, const char *reason);
static void call_trusted(struct call *c);
static void call_emit(struct call *c);
static void call_emit_state(struct call *c);
static int call_media_new(struct call *c, const char *raddr, uint16_t rport);
static void call_answer_options(struct call *c);

/* --- helpers --- */

static int64_t
now_unix(void)
{
	return (int64_t)time(NULL);
}

static uint64_t
now_ntp(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mikey_ntp_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}

static int64_t
call_ms(const struct call *c)
{
	struct timespec n;

	clock_gettime(CLOCK_MONOTONIC, &n);
	return (int64_t)(n.tv_sec - c->t0.tv_sec) * 1000 +
		(n.tv_nsec - c->t0.tv_nsec) / 1000000;
}

/* "sip:user@host" of a URI text into out. */
static int
aor_of(const char *text, size_t len, char *out, size_t outlen)
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

static const char *
peer_login(const char *aor)
{
	return strncmp(aor, "sip:", 4) == 0 ? aor + 4 : aor;
}

static char *
cert_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!bio)
		return NULL;
	if (PEM_write_bio_X509(bio, x) == 1) {
		n = BIO_get_mem_data(bio, &data);
		out = malloc((size_t)n + 1);
		if (out) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

static const char *
media_host(struct calls *cs)
{
	const struct conf *cf = cs->d->conf;

	for (size_t i = 0; i < cf->n_listen; i++)
		if (strcmp(cf->listen[i].host, "0.0.0.0") != 0 &&
		    strcmp(cf->listen[i].host, "::") != 0)
			return cf->listen[i].host;
	return "127.0.0.1";
}

/* --- D-Bus: the Call1 object --- */

/* Codec, Mute and the quality figures (RTCP and our receiver). */
static int
call_prop_voice(struct call *c, const char *prop, sd_bus_message *reply)
{
	struct media_voice_stats vs;
	struct media_stats st = c->final;

	if (c->media)
		media_stats(c->media, &st);
	memset(&vs, 0, sizeof(vs));
	if (c->voice)
		media_voice_stats(c->voice, &vs);
	if (strcmp(prop, "Codec") == 0)
		return sd_bus_message_append(reply, "s",
			c->have_codec ? c->codec.name : "");
	if (strcmp(prop, "Mute") == 0)
		return sd_bus_message_append(reply, "b", c->mute);
	if (strcmp(prop, "PacketsLost") == 0)
		return sd_bus_message_append(reply, "x", (int64_t)st.lost);
	if (strcmp(prop, "Jitter") == 0)
		return sd_bus_message_append(reply, "u", st.jitter_us / 1000);
	if (strcmp(prop, "RoundTrip") == 0)
		return sd_bus_message_append(reply, "i", st.rtt_us < 0 ? -1 :
			(int32_t)(st.rtt_us / 1000));
	if (strcmp(prop, "JitterBuffer") == 0)
		return sd_bus_message_append(reply, "u", vs.buffer_ms);
	return -ENOENT;
}

static int
call_set_mute(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *value, void *userdata,
	sd_bus_error *e)
{
	struct call *c = userdata;
	int mute, r;

	r = sd_bus_message_read(value, "b", &mute);
	if (r < 0)
		return r;
	c->mute = mute;
	if (c->voice)
		media_voice_set_mute(c->voice, c->mute);
	return 1;
}

/* Dial/Answer options: "play" and "record" (file paths); anything else is
 * refused. A play file that cannot be read is refused before dialling. */
static int
call_read_options(sd_bus_message *m, sd_bus_error *e, char **ret_play,
	char **ret_record)
{
	const char *key, *val;
	char **slot;
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e',
	    "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &key)) < 0)
			return r;
		slot = strcmp(key, "play") == 0 ? ret_play :
			strcmp(key, "record") == 0 ? ret_record : NULL;
		if (!slot)
			return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
				"unknown option \"%s\"", key);
		if (sd_bus_message_read(m, "v", "s", &val) < 0 || !*val)
			return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
				"option \"%s\" takes a file name", key);
		if (slot == ret_play && (r = call_voice_check_play(val)) < 0)
			return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
				"cannot play \"%s\": %s", val, strerror(-r));
		free(*slot);
		if (!(*slot = strdup(val)))
			return -ENOMEM;
		r = sd_bus_message_exit_container(m);
	}
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

static int
call_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
	sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct call *c = userdata;

	if (strcmp(prop, "Id") == 0)
		return sd_bus_message_append(reply, "u", c->id);
	if (strcmp(prop, "Peer") == 0)
		return sd_bus_message_append(reply, "s", c->peer);
	if (strcmp(prop, "Direction") == 0)
		return sd_bus_message_append(reply, "s",
			c->outgoing ? "outgoing" : "incoming");
	if (strcmp(prop, "State") == 0)
		return sd_bus_message_append(reply, "s",
			call_state_names[c->state]);
	if (strcmp(prop, "Secure") == 0)
		return sd_bus_message_append(reply, "b", c->secure);
	if (strcmp(prop, "PeerVerified") == 0)
		return sd_bus_message_append(reply, "b", c->peer_verified);
	if (strcmp(prop, "Cipher") == 0)
		return sd_bus_message_append(reply, "s", c->cipher);
	if (strcmp(prop, "EndReason") == 0)
		return sd_bus_message_append(reply, "s", c->end_reason);
	if (strcmp(prop, "Timings") == 0) {
		const struct { const char *k; int64_t v; } t[] = {
			{ "dial", 0 }, { "trust_done", c->t_trust },
			{ "ringing", c->t_ringing },
			{ "answered", c->t_answered },
			{ "media_ready", c->t_media },
		};
		int r = sd_bus_message_open_container(reply, 'a', "{st}");

		for (size_t i = 0; r >= 0 && i < sizeof(t) / sizeof(t[0]);
		    i++) {
			if (t[i].v < 0)
				continue;
			r = sd_bus_message_append(reply, "{st}", t[i].k,
				(uint64_t)t[i].v);
		}
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		return r;
	}
	if (strcmp(prop, "Packets") == 0) {
		struct media_stats st;

		st = c->final;
		if (c->media)
			media_stats(c->media, &st);
		return sd_bus_message_append(reply, "(ttt)", st.sent,
			st.received, st.rejected);
	}
	return call_prop_voice(c, prop, reply);
}

static void call_answer(struct call *c);

static int
call_method_answer(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct call *c = userdata;

	int r;

	if (c->outgoing || c->state != CALL_RINGING)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.NotRinging",
			"the call is not ringing here");
	r = call_read_options(m, e, &c->play, &c->record);
	if (r < 0 || sd_bus_error_is_set(e))
		return r;
	call_answer(c);
	return sd_bus_reply_method_return(m, "");
}

static void call_hangup(struct call *c);

static int
call_method_hangup(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct call *c = userdata;

	if (c->state == CALL_ENDED)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.Ended",
			"the call has ended");
	call_hangup(c);
	return sd_bus_reply_method_return(m, "");
}

static int
call_method_dtmf(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct call *c = userdata;
	const char *digits;
	int r;

	r = sd_bus_message_read(m, "s", &digits);
	if (r < 0)
		return r;
	if (c->state != CALL_ACTIVE || !c->voice)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.NotActive",
			"the call is not active");
	r = media_voice_dtmf(c->voice, digits, 0);
	if (r == -ENOTSUP)
		return sd_bus_error_setf(e, SD_BUS_ERROR_NOT_SUPPORTED,
			"the peer did not accept telephone-event");
	if (r == -EBUSY)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.Busy",
			"digits are still being sent");
	if (r < 0)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"digits are 0-9 * # A-D, at most 32");
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable call_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Id", "u", call_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Peer", "s", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Direction", "s", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("State", "s", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Secure", "b", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PeerVerified", "b", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Cipher", "s", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("EndReason", "s", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Timings", "a{st}", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Packets", "(ttt)", call_prop, 0, 0),
	SD_BUS_PROPERTY("Codec", "s", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PacketsLost", "x", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Jitter", "u", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("RoundTrip", "i", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("JitterBuffer", "u", call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_WRITABLE_PROPERTY("Mute", "b", call_prop, call_set_mute, 0,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Answer", "a{sv}", SD_BUS_PARAM(options),
		"", , call_method_answer, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Hangup", "", "", call_method_hangup,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Dtmf", "s", SD_BUS_PARAM(digits), "", ,
		call_method_dtmf, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

static void
call_publish(struct call *c)
{
	struct svopid *d = c->cs->d;

	if (c->slot || !d->bus)
		return;
	if (sd_bus_add_object_vtable(d->bus, &c->slot, c->path, CALL_IFACE,
	    call_vtable, c) < 0) {
		c->slot = NULL;
		return;
	}
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "CallAdded", "os",
		c->path, c->peer);
	call_emit_state(c);
}

static void
call_emit(struct call *c)
{
	struct svopid *d = c->cs->d;

	if (!c->slot || !d->bus)
		return;
	sd_bus_emit_properties_changed(d->bus, c->path, CALL_IFACE, "State",
		"Secure", "PeerVerified", "Cipher", "EndReason", "Timings",
		"Codec", NULL);
	busloop_update(d->busloop);
}

static void
call_emit_state(struct call *c)
{
	struct svopid *d = c->cs->d;

	if (!c->slot || !d->bus)
		return;
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "CallStateChanged",
		"oss", c->path, call_state_names[c->state], c->end_reason);
	call_emit(c);
}

static void
call_set_state(struct call *c, enum call_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	log_info("call %u (%s): %s%s%s", c->id, c->peer, call_state_names[s],
		*c->end_reason ? ": " : "", c->end_reason);
	call_emit_state(c);
}

static void
calls_alert(struct calls *cs, const char *peer, const char *reason)
{
	struct svopid *d = cs->d;

	log_warning("security alert (%s): %s", peer, reason);
	if (!d->bus)
		return;
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "SecurityAlert", "ss",
		peer, reason);
	busloop_update(d->busloop);
}

static void
vuc_drop(struct calls *cs, const char *peer)
{
	struct vuc_prompt *v, *n;

	for (v = LIST_FIRST(&cs->vucs); v; v = n) {
		n = LIST_NEXT(v, link);
		if (strcmp(v->peer, peer) == 0) {
			LIST_REMOVE(v, link);
			free(v);
		}
	}
}

static void
vuc_add(struct calls *cs, const char *peer, const char *role,
	const char *code, int64_t expires)
{
	struct vuc_prompt *v;
	struct svopid *d = cs->d;

	vuc_drop(cs, peer);
	v = calloc(1, sizeof(*v));
	if (!v)
		return;
	snprintf(v->peer, sizeof(v->peer), "%s", peer);
	snprintf(v->role, sizeof(v->role), "%s", role);
	snprintf(v->code, sizeof(v->code), "%s", code);
	v->expires = expires;
	LIST_INSERT_HEAD(&cs->vucs, v, link);
	if (!d->bus)
		return;
	if (*code) {
		log_info("VUC issued for %s: tell them the code", peer);
		sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "VucIssued",
			"sst", peer, code, (uint64_t)(expires > 0 ? expires : 0));
	} else {
		log_info("VUC requested from %s: enter the code they give you",
			peer);
		sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE,
			"VucRequested", "s", peer);
	}
	busloop_update(d->busloop);
}

/* --- call objects --- */

static struct call *
call_new(struct calls *cs, bool outgoing, const char *peer)
{
	struct call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cs = cs;
	c->id = ++cs->next_id;
	snprintf(c->path, sizeof(c->path), CALL_PATH_PREFIX "%u", c->id);
	c->outgoing = outgoing;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->t_trust = c->t_ringing = c->t_answered = c->t_media = -1;
	c->src.udp_fd = -1;
	c->ports = (struct media_ports)MEDIA_PORTS_INIT;
	LIST_INSERT_HEAD(&cs->calls, c, link);
	return c;
}

static void
call_free(struct call *c)
{
	LIST_REMOVE(c, link);
	if (c->treq)
		trust_client_cancel(c->treq);
	if (c->deadline)
		event_free(c->deadline);
	if (c->ev_quality)
		event_free(c->ev_quality);
	if (c->tc)
		txn_client_forget(c->tc);
	c->media = media_free(c->media);
	c->voice = NULL;	/* went with the media */
	free(c->play);
	free(c->record);
	media_ports_close(&c->ports);
	mikey_init_state_free(c->ist);
	mikey_result_clear(&c->res);
	free(c->imsg);
	free(c->rmsg);
	free(c->invite);
	sip_msg_free(c->req);
	dialog_free(c->dlg);
	sd_bus_slot_unref(c->slot);
	free(c);
}

/* Keeps at most CALL_ENDED_KEEP ended calls; hidden ended ones go now. */
static void
calls_gc(struct calls *cs)
{
	struct call *c, *n, *oldest;
	unsigned ended;

	for (c = LIST_FIRST(&cs->calls); c; c = n) {
		n = LIST_NEXT(c, link);
		if (c->state == CALL_ENDED && !c->slot && !c->treq)
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

/* --- SIP building --- */

/* Response to the held request c->req with optional SDP body. */
static void
call_reply(struct call *c, unsigned code, const char *warning,
	const uint8_t *sdp, size_t sdp_len)
{
	struct calls *cs = c->cs;
	struct ua *ua = cs->d->ua;
	struct buf b;
	char contact[CONF_HOST_MAX + 64];
	uint8_t *out;
	size_t n;

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
	if (warning)
		sip_out_headerf(&b, "Warning", "399 %s \"%s\"",
			c->src.local_host[0] ? c->src.local_host : "svopid",
			warning);
	if (code >= 200 && code < 300) {
		ua_contact(ua, c->src.addr.proto, contact, sizeof(contact));
		sip_out_header(&b, "Contact", contact);
		sip_out_header(&b, "Allow", UA_ALLOW);
	}
	if (code == 488)
		sip_out_header(&b, "Accept", "application/sdp");
	sip_out_end(&b, sdp_len ? "application/sdp" : NULL, sdp, sdp_len);
	if (buf_steal(&b, &out, &n) == 0) {
		txn_server_reply(c->st, code, out, n);
		free(out);
	}
	buf_release(&b);
	if (code >= 200) {
		c->st = NULL;
		if (!c->req_is_invite || code >= 300) {
			sip_msg_free(c->req);
			c->req = NULL;
		}
	}
}

static int
call_sdp(struct call *c, uint16_t port, bool answer, const uint8_t *mikey,
	size_t mikey_len, uint8_t **ret, size_t *ret_len)
{
	struct sdp_codec codecs[CALL_VOICE_CODECS_MAX];
	size_t ncodecs = answer && c->have_codec ?
		call_voice_answer(&c->codec, codecs) :
		call_voice_offer(c->cs->d->conf, codecs);
	struct sdp_build p;
	struct buf b;
	uint64_t sid;
	int r;

	RAND_bytes((uint8_t *)&sid, sizeof(sid));
	memset(&p, 0, sizeof(p));
	p.user = "-";
	p.sess_id = sid >> 2;
	p.sess_version = 1;
	p.addr = media_host(c->cs);
	p.port = port;
	p.codecs = codecs;
	p.ncodecs = ncodecs;
	p.ptime = 20;
	p.direction = port ? "sendrecv" : NULL;
	p.key_mgmt = mikey;
	p.key_mgmt_len = mikey_len;
	buf_init(&b, SDP_MAX);
	r = sdp_build(&p, &b);
	if (r == 0)
		r = buf_steal(&b, ret, ret_len);
	buf_release(&b);
	if (r == 0 && c->expect_fp[0] && !answer) {
		/* Session-level hint for the callee: the certificate we
		 * trust for it (docs/calls.md, direct INVITE). */
		char line[32 + TRUSTSTORE_FP_LEN];
		uint8_t *nb, *mpos;
		int ll = snprintf(line, sizeof(line),
			"a=svopi-expect:sha-256 %s\r\n", c->expect_fp);
		size_t off;

		mpos = memmem(*ret, *ret_len, "\r\nm=", 4);
		nb = mpos ? malloc(*ret_len + (size_t)ll) : NULL;
		if (!nb) {
			free(*ret);
			return -ENOMEM;
		}
		off = (size_t)(mpos - *ret) + 2;
		memcpy(nb, *ret, off);
		memcpy(nb + off, line, (size_t)ll);
		memcpy(nb + off + (size_t)ll, *ret + off, *ret_len - off);
		free(*ret);
		*ret = nb;
		*ret_len += (size_t)ll;
	}
	return r;
}

/* Reads the MIKEY message and the first active stream of an SDP body. */
static int
call_sdp_read_x(const struct sip_msg *m, uint8_t **ret_mikey,
	size_t *ret_len, char *addr, size_t addrlen, uint16_t *ret_port,
	char *expect);

static int
call_sdp_read(const struct sip_msg *m, uint8_t **ret_mikey,
	size_t *ret_len, char *addr, size_t addrlen, uint16_t *ret_port)
{
	return call_sdp_read_x(m, ret_mikey, ret_len, addr, addrlen, ret_port,
		NULL);
}

/* As call_sdp_read; expect (TRUSTSTORE_FP_LEN + 1 bytes, may be NULL)
 * gets the a=svopi-expect fingerprint, "" if none. */
static int
call_sdp_read_x(const struct sip_msg *m, uint8_t **ret_mikey,
	size_t *ret_len, char *addr, size_t addrlen, uint16_t *ret_port,
	char *expect)
{
	struct sdp_session *s = NULL;
	int r;

	if (sip_str_empty(m->body) ||
	    !sip_str_caseeq(m->content_type, "application/sdp"))
		return -ENOENT;
	r = sdp_parse((const uint8_t *)m->body.p, m->body.len, &s);
	if (r < 0)
		return r;
	if (sdp_has_crypto(s)) {
		sdp_free(s);
		return -EPERM;
	}
	if (expect) {
		const struct sdp_attr *a = sdp_attr_find(s->attr, s->nattr,
			"svopi-expect", 0);

		expect[0] = '\0';
		if (a && a->value.len == 8 + TRUSTSTORE_FP_LEN &&
		    memcmp(a->value.p, "sha-256 ", 8) == 0) {
			memcpy(expect, a->value.p + 8, TRUSTSTORE_FP_LEN);
			expect[TRUSTSTORE_FP_LEN] = '\0';
		}
	}
	r = -ENOENT;
	if (s->nmedia > 0)
		r = sdp_key_mgmt_decode(s, 0, ret_mikey, ret_len);
	if (r == 0 && addr) {
		const struct sdp_conn *cn;

		*ret_port = 0;
		addr[0] = '\0';
		for (size_t i = 0; i < s->nmedia; i++) {
			if (s->media[i].port == 0)
				continue;
			cn = sdp_media_conn(s, i);
			if (cn && cn->addr.len < addrlen) {
				memcpy(addr, cn->addr.p, cn->addr.len);
				addr[cn->addr.len] = '\0';
				*ret_port = s->media[i].port;
			}
			break;
		}
	}
	sdp_free(s);
	return r;
}

static void call_out_options_cb(void *userdata, const struct sip_msg *m,
	int err);
static void call_out_invite_cb(void *userdata, const struct sip_msg *m,
	int err);

/* Sends OPTIONS or INVITE of an outgoing call. */
static int
call_send(struct call *c, const char *method, const uint8_t *body,
	size_t body_len)
{
	struct calls *cs = c->cs;
	struct ua *ua = cs->d->ua;
	bool inv = strcmp(method, "INVITE") == 0;
	char branch[TXN_BRANCH_MAX], via[CONF_HOST_MAX + 128];
	char contact[CONF_HOST_MAX + 64], callid[40];
	struct buf b;
	uint8_t *out;
	size_t n;
	int r;

	txn_new_branch(branch);
	ua_via(ua, c->dest.addr.proto, branch, via, sizeof(via));
	ua_contact(ua, c->dest.addr.proto, contact, sizeof(contact));
	if (inv) {
		snprintf(callid, sizeof(callid), "%s", c->call_id);
		c->invite_cseq = 1;
	} else {
		ua_random_hex(callid, 16);
	}
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
	r = buf_steal(&b, &out, &n);
	buf_release(&b);
	if (r < 0)
		return r;
	r = txn_client_start(ua_txn(ua), &c->dest, out, n,
		inv ? SIP_METHOD_INVITE : SIP_METHOD_OPTIONS, branch,
		inv ? call_out_invite_cb : call_out_options_cb, c, &c->tc);
	if (r < 0 || !inv) {
		free(out);
		return r;
	}
	free(c->invite);
	c->invite = out;
	c->invite_len = n;
	return 0;
}

/* ACK or BYE inside the dialog. */
static int
call_send_in_dialog(struct call *c, const char *method)
{
	struct calls *cs = c->cs;
	struct ua *ua = cs->d->ua;
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
		r = ua_request_dest(ua, dialog_next_hop(c->dlg), &dest);
	else if (c->outgoing) {
		dest = c->dest;
		r = 0;
	} else
		r = ua_uri_dest(dialog_next_hop(c->dlg), &dest);
	if (r < 0)
		return r;
	txn_new_branch(branch);
	ua_via(ua, dest.addr.proto, branch, via, sizeof(via));
	buf_init(&b, SIP_MSG_MAX);
	dialog_request(c->dlg, method, via, c->invite_cseq, &b);
	sip_out_header(&b, "User-Agent", UA_USER_AGENT);
	sip_out_end(&b, NULL, NULL, 0);
	r = buf_steal(&b, &out, &n);
	buf_release(&b);
	if (r < 0)
		return r;
	if (ack)
		r = transport_send(ua_transport(ua), &dest, out, n);
	else
		r = txn_client_start(ua_txn(ua), &dest, out, n, SIP_METHOD_BYE,
			branch, NULL, NULL, NULL);
	free(out);
	return r;
}

/* --- trust --- */

static void call_trust_reply(const struct trust_client_reply *rep,
	void *userdata);

static void
call_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	if (c->trust == CALL_TRUST_OK && c->slot)
		return;
	call_end(c, c->slot ? "trust not established in time" :
		"pre-call exchange expired");
	calls_gc(c->cs);
}

static void
call_arm_deadline(struct call *c)
{
	struct timeval tv = { (time_t)c->cs->d->conf->trust_wait, 0 };

	if (!c->deadline)
		c->deadline = evtimer_new(c->cs->d->base, call_deadline_cb, c);
	if (c->deadline)
		evtimer_add(c->deadline, &tv);
}

static void
call_poll(struct call *c)
{
	struct calls *cs = c->cs;
	int r;

	r = trust_client_status(cs->tc, cs->login, cs->trust_password,
		c->peer, CALL_POLL_WAIT, c->rel, call_trust_reply, c, &c->treq);
	if (r < 0) {
		c->treq = NULL;
		call_end(c, "trust server request failed");
	}
}

/* Background revalidation of a stale entry: record what the server says. */
static void
calls_reval_reply(const struct trust_client_reply *rep, void *userdata)
{
	struct call *c = userdata;
	struct calls *cs = c->cs;

	c->treq = NULL;
	if (rep->error == 0) {
		if (rep->certificate == TRUST_CLIENT_CERT_MATCH &&
		    rep->relationship == TRUST_CLIENT_REL_TRUSTED)
			truststore_record(cs->ts, c->peer, c->fp,
				TRUSTSTORE_TRUSTED, now_unix());
		else if (rep->certificate == TRUST_CLIENT_CERT_MISMATCH) {
			truststore_record(cs->ts, c->peer, c->fp,
				TRUSTSTORE_MISMATCH, now_unix());
			calls_alert(cs, c->peer, "revalidation: certificate "
				"is not the peer's reference any more");
		}
	}
	if (c->state == CALL_ENDED)
		calls_gc(cs);
}

static void
call_trust_reply(const struct trust_client_reply *rep, void *userdata)
{
	struct call *c = userdata;
	struct calls *cs = c->cs;
	char why[200];

	c->treq = NULL;
	if (c->state == CALL_ENDED) {
		calls_gc(cs);
		return;
	}
	if (rep->error < 0) {
		if (rep->kind == TRUST_CLIENT_STATUS &&
		    rep->error == -ETIMEDOUT) {
			call_poll(c);
			return;
		}
		snprintf(why, sizeof(why), "trust server: %s",
			trust_client_strerror(rep->error));
		if (!c->outgoing && c->req && !c->req_is_invite)
			call_reply(c, 480, why, NULL, 0);
		call_end(c, why);
		return;
	}
	if (rep->kind == TRUST_CLIENT_VALIDATE &&
	    rep->certificate != TRUST_CLIENT_CERT_MATCH) {
		snprintf(why, sizeof(why), "peer certificate %s at the trust "
			"server", trust_client_certificate_to_string(
			rep->certificate));
		if (rep->certificate == TRUST_CLIENT_CERT_MISMATCH)
			truststore_record(cs->ts, c->peer, c->fp,
				TRUSTSTORE_MISMATCH, now_unix());
		calls_alert(cs, c->peer, why);
		if (!c->outgoing && c->req)
			call_reply(c, 403, why, NULL, 0);
		call_end(c, why);
		return;
	}
	c->rel = rep->relationship;
	if (rep->relationship == TRUST_CLIENT_REL_TRUSTED) {
		truststore_record(cs->ts, c->peer, c->fp, TRUSTSTORE_TRUSTED,
			now_unix());
		vuc_drop(cs, c->peer);
		call_trusted(c);
		return;
	}
	if (rep->kind == TRUST_CLIENT_VALIDATE) {
		truststore_record(cs->ts, c->peer, c->fp,
			rep->relationship == TRUST_CLIENT_REL_PENDING ?
			TRUSTSTORE_PENDING : TRUSTSTORE_NONE, now_unix());
		if (rep->vuc[0])
			vuc_add(cs, c->peer, "issued", rep->vuc,
				rep->vuc_expires);
		else
			vuc_add(cs, c->peer, "requested", "", 0);
		c->trust = CALL_TRUST_WAIT;
		call_arm_deadline(c);
		/* Bob answers the OPTIONS now: the certificate is the
		 * peer's; the call waits for the relationship. */
		if (!c->outgoing && c->req && !c->req_is_invite)
			call_answer_options(c);
		if (c->slot)
			call_set_state(c, CALL_AWAITING_TRUST);
	}
	call_poll(c);
}

/* Bob's 200 to the pre-call OPTIONS: his R_MESSAGE. */
static void
call_answer_options(struct call *c)
{
	uint8_t *sdp = NULL;
	size_t n = 0;

	if (call_sdp(c, 0, true, c->rmsg, c->rlen, &sdp, &n) < 0) {
		call_reply(c, 500, "cannot build the answer", NULL, 0);
		return;
	}
	call_reply(c, 200, NULL, sdp, n);
	free(sdp);
}

/* Validates the peer's certificate (c->res.peer_cert): store first. */
static void
call_validate(struct call *c)
{
	struct calls *cs = c->cs;
	enum truststore_result tr = TRUSTSTORE_UNKNOWN;
	char fpc[IDENTITY_FPR_LEN];
	char *pem;
	int r;

	identity_fingerprint(c->res.peer_cert, fpc);
	truststore_fp_normalize(fpc, c->fp);
	truststore_lookup(cs->ts, c->peer, c->fp, now_unix(),
		cs->d->conf->trust_cache_ttl, &tr);
	pem = cert_pem(c->res.peer_cert);
	if (!pem) {
		call_end(c, "out of memory");
		return;
	}
	if (tr == TRUSTSTORE_TRUSTED_FRESH || tr == TRUSTSTORE_TRUSTED_STALE) {
		log_info("call %u: %s trusted from the trust store (%s)", c->id,
			c->peer, truststore_result_to_string(tr));
		if (tr == TRUSTSTORE_TRUSTED_STALE && cs->tc) {
			/* Revalidate in the background; the call goes on.
			 * A hidden twin keeps the request's context. */
			struct call *bg = call_new(cs, c->outgoing, c->peer);

			if (bg) {
				memcpy(bg->fp, c->fp, sizeof(bg->fp));
				bg->state = CALL_ENDED;
				if (trust_client_validate(cs->tc, cs->login,
				    cs->trust_password, c->peer, pem,
				    calls_reval_reply, bg, &bg->treq) < 0) {
					bg->treq = NULL;
					call_free(bg);
				}
			}
		}
		free(pem);
		c->rel = TRUST_CLIENT_REL_TRUSTED;
		call_trusted(c);
		return;
	}
	if (tr == TRUSTSTORE_CHANGED)
		calls_alert(cs, c->peer, "peer certificate changed since it "
			"was trusted: not trusted until the trust server "
			"confirms it");
	if (!cs->tc) {
		free(pem);
		if (!c->outgoing && c->req)
			call_reply(c, 480, "no trust server configured", NULL,
				0);
		call_end(c, "peer not in the trust store and no trust server");
		return;
	}
	r = trust_client_validate(cs->tc, cs->login, cs->trust_password,
		c->peer, pem, call_trust_reply, c, &c->treq);
	free(pem);
	if (r < 0) {
		c->treq = NULL;
		call_end(c, "trust server request failed");
	}
}

/* --- media --- */

static void
call_media_ready(void *ctx)
{
	struct call *c = ctx;

	if (c->t_media < 0) {
		c->t_media = call_ms(c);
		log_info("call %u: media ready after %lld ms", c->id,
			(long long)c->t_media);
		call_emit(c);
	}
}

static void
call_on_dtmf(void *ctx, char digit, unsigned duration_ms)
{
	struct call *c = ctx;
	struct svopid *d = c->cs->d;
	char digits[2] = { digit, 0 };

	if (c->slot && d->bus) {
		sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "DtmfReceived",
			"osu", c->path, digits, duration_ms);
		busloop_update(d->busloop);
	}
}

/* PropertiesChanged for the quality figures, at most every
 * CALL_QUALITY_MS and only when one of them moved. */
static void
call_quality_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;
	struct svopid *d = c->cs->d;
	struct media_voice_stats vs;
	struct media_stats st;
	int64_t q[4];

	if (!c->media || !c->voice || !c->slot || !d->bus)
		return;
	media_stats(c->media, &st);
	media_voice_stats(c->voice, &vs);
	q[0] = st.lost;
	q[1] = st.jitter_us / 1000;
	q[2] = st.rtt_us < 0 ? -1 : st.rtt_us / 1000;
	q[3] = vs.buffer_ms;
	if (memcmp(q, c->q_last, sizeof(q)) == 0)
		return;
	memcpy(c->q_last, q, sizeof(q));
	sd_bus_emit_properties_changed(d->bus, c->path, CALL_IFACE,
		"PacketsLost", "Jitter", "RoundTrip", "JitterBuffer", NULL);
	busloop_update(d->busloop);
}

/* The voice engine with the negotiated codec on the call's media, before
 * media_start. */
static int
call_voice_on(struct call *c)
{
	struct call_voice_params vp = { &c->codec, c->play, c->record,
		call_on_dtmf, c };
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
	if (c->ev_quality) {
		struct timeval tv = { CALL_QUALITY_MS / 1000,
			(CALL_QUALITY_MS % 1000) * 1000 };

		event_add(c->ev_quality, &tv);
	}
	return 0;
}

static int
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
	p.local_addr = media_host(c->cs);
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

/* Binds and holds an RTP/RTCP pair in [media] rtp_ports for an offer made
 * before the keys exist (media_new needs them). Holding it (rather than
 * probing and closing) keeps concurrent calls from offering the same pair,
 * and keeps the callee's first packets queued until media starts. */
static int
call_reserve_port(struct call *c)
{
	const struct conf *cf = c->cs->d->conf;

	return media_ports_reserve(media_host(c->cs),
		(uint16_t)cf->rtp_port_min, (uint16_t)cf->rtp_port_max,
		&c->ports);
}

/* --- the flow --- */

static void
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
	if (c->tc) {
		txn_client_forget(c->tc);
		c->tc = NULL;
	}
	if (c->st && c->req) {
		/* A held request still waits for an answer. */
		call_reply(c, c->req_is_invite ? 480 : 403, reason, NULL, 0);
	}
	/* Keys go now (srtp_dealloc wipes them); the counters stay for
	 * `svopictl calls`. */
	if (c->media) {
		media_stats(c->media, &c->final);
		c->media = media_free(c->media);
		c->voice = NULL;	/* went with the media */
		if (c->ev_quality)
			event_del(c->ev_quality);
	}
	mikey_result_clear(&c->res);
	c->have_res = false;
	c->ist = mikey_init_state_free(c->ist);
	call_set_state(c, CALL_ENDED);
}

/* CANCEL of our pending INVITE (RFC 3261 §9.1): same Request-URI, top
 * Via (branch), From, To, Call-ID and CSeq number. */
static int
call_send_cancel(struct call *c)
{
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
	r = txn_client_start(ua_txn(c->cs->d->ua), &c->dest, out, n,
		SIP_METHOD_CANCEL, branch, NULL, NULL, NULL);
	free(out);
	return r;
}

static void
call_hangup(struct call *c)
{
	if (c->outgoing && !c->dlg && c->tc && c->invite)
		call_send_cancel(c);
	else if (c->dlg && (c->state == CALL_ACTIVE ||
	    (c->outgoing && c->state == CALL_RINGING)))
		call_send_in_dialog(c, "BYE");
	else if (!c->outgoing && c->st && c->req)
		call_reply(c, 603, "declined", NULL, 0);
	call_end(c, "local hangup");
	calls_gc(c->cs);
}

static void
call_ring(struct call *c)
{
	struct calls *cs = c->cs;
	int r;

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
	if (cs->d->conf->auto_answer)
		call_answer(c);
}

static void
call_answer(struct call *c)
{
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
	call_reply(c, 200, NULL, sdp, n);
	free(sdp);
	sip_msg_free(c->req);
	c->req = NULL;
	c->t_answered = call_ms(c);
	if (call_voice_on(c) < 0) {
		call_send_in_dialog(c, "BYE");
		call_end(c, "audio setup failed");
		return;
	}
	media_start(c->media);
	call_set_state(c, CALL_ACTIVE);
}

/* Validation done and the relationship trusted. */
static void
call_trusted(struct call *c)
{
	uint8_t *sdp = NULL;
	size_t n = 0;
	int r;

	c->trust = CALL_TRUST_OK;
	c->peer_verified = true;
	c->secure = true;
	snprintf(c->cipher, sizeof(c->cipher), "%s",
		mikey_srtp_suite_name(c->res.suite));
	if (c->t_trust < 0)
		c->t_trust = call_ms(c);
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
			r = call_send(c, "INVITE", sdp, n);
		free(sdp);
		if (r < 0) {
			call_end(c, "cannot send the INVITE");
			return;
		}
		call_emit(c);
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

/* The peer's R_MESSAGE (from the 200 to OPTIONS or to a direct INVITE):
 * stores it in the call, finishes MIKEY and binds the responder to the AOR
 * we called. Takes *rm: from here on it is c->rmsg (freed by call_free)
 * and *rm is NULL on every path, so no error path of the caller can free
 * it again. Returns 0, or -1 with an alert raised and the call ended. */
static int
call_take_answer(struct call *c, uint8_t **rm, size_t rlen)
{
	struct mikey_fail fail = { 0, NULL, 0 };
	char idr[TRUSTSTORE_PEER_MAX + 1], why[256];
	int r;

	free(c->rmsg);
	c->rmsg = *rm;
	c->rlen = rlen;
	*rm = NULL;
	r = mikey_msg_finish(c->ist, c->rmsg, rlen, NULL, now_ntp(), &c->res,
		&fail);
	if (r < 0) {
		snprintf(why, sizeof(why), "MIKEY answer refused: %s",
			fail.reason ? fail.reason : strerror(-r));
		calls_alert(c->cs, c->peer, why);
		call_end(c, why);
		return -1;
	}
	c->have_res = true;
	if (aor_of(c->res.peer_uri, strlen(c->res.peer_uri), idr,
	    sizeof(idr)) < 0 || strcmp(idr, c->peer) != 0 ||
	    !mikey_msg_cert_has_uri(c->res.peer_cert, c->peer)) {
		calls_alert(c->cs, c->peer, "the answer is signed by another "
			"identity");
		call_end(c, "identity mismatch");
		return -1;
	}
	return 0;
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
	if (!m) {
		call_end(c, err == -ETIMEDOUT ? "no answer to the pre-call "
			"exchange" : "cannot reach the peer");
		calls_gc(cs);
		return;
	}
	if (m->status >= 300) {
		const struct sip_header *w = sip_msg_header(m, SIP_HDR_WARNING,
			0);

		snprintf(why, sizeof(why), "%u %.*s%s%.*s", m->status,
			(int)m->reason.len, m->reason.p, w ? ": " : "",
			w ? (int)w->value.len : 0, w ? w->value.p : "");
		if (m->status == 403)
			calls_alert(cs, c->peer, why);
		call_end(c, why);
		return;
	}
	r = call_sdp_read(m, &rm, &rlen, NULL, 0, NULL);
	if (r < 0) {
		calls_alert(cs, c->peer, "the peer's answer carries no MIKEY "
			"R_MESSAGE");
		call_end(c, "no key exchange in the answer");
		return;
	}
	if (call_take_answer(c, &rm, rlen) < 0)
		return;
	call_validate(c);
}

/* The 2xx of a direct INVITE: finish MIKEY, bind the responder to the
 * AOR we called and check its certificate against the fresh trusted
 * entry (no trust server here: it is never waited for after the answer).
 * Takes *rm: on return it belongs to the call (c->rmsg) and *rm is NULL,
 * on every path, so the caller's error path cannot free it a second time.
 * Returns 0 with the media set up, or -1 (call ended). */
static int
call_direct_answer(struct call *c, uint8_t **rm, size_t rlen)
{
	struct calls *cs = c->cs;
	enum truststore_result tr = TRUSTSTORE_UNKNOWN;
	char fpc[IDENTITY_FPR_LEN];

	if (call_take_answer(c, rm, rlen) < 0)
		return -1;
	identity_fingerprint(c->res.peer_cert, fpc);
	truststore_fp_normalize(fpc, c->fp);
	truststore_lookup(cs->ts, c->peer, c->fp, now_unix(),
		cs->d->conf->trust_cache_ttl, &tr);
	if (tr != TRUSTSTORE_TRUSTED_FRESH && tr != TRUSTSTORE_TRUSTED_STALE) {
		calls_alert(cs, c->peer, "peer certificate is not the one "
			"trusted for this peer");
		call_end(c, "peer certificate changed: not trusted");
		return -1;
	}
	c->trust = CALL_TRUST_OK;
	c->peer_verified = true;
	c->secure = true;
	snprintf(c->cipher, sizeof(c->cipher), "%s",
		mikey_srtp_suite_name(c->res.suite));
	c->t_trust = call_ms(c);
	if (!c->remote_port ||
	    call_media_new(c, c->remote_addr, c->remote_port) < 0) {
		call_end(c, "media setup failed");
		return -1;
	}
	return 0;
}

static void
call_out_invite_cb(void *userdata, const struct sip_msg *m, int err)
{
	struct call *c = userdata;
	struct calls *cs = c->cs;
	struct sip_msg *req = NULL;
	uint8_t *rm = NULL;
	size_t rlen = 0;
	char why[256];
	int r;

	if (!m) {
		c->tc = NULL;
		call_end(c, err == -ETIMEDOUT ? "no answer" :
			"connection lost");
		return;
	}
	if (m->status < 200) {
		if (m->status == 180 || m->status == 183) {
			if (c->t_ringing < 0)
				c->t_ringing = call_ms(c);
			call_set_state(c, CALL_RINGING);
		}
		return;
	}
	c->tc = NULL;
	if (m->status >= 300) {
		const struct sip_header *w = sip_msg_header(m, SIP_HDR_WARNING,
			0);

		snprintf(why, sizeof(why), "%u %.*s%s%.*s", m->status,
			(int)m->reason.len, m->reason.p, w ? ": " : "",
			w ? (int)w->value.len : 0, w ? w->value.p : "");
		if (m->status == 403 || m->status == 488)
			calls_alert(cs, c->peer, why);
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
	r = call_sdp_read(m, &rm, &rlen, c->remote_addr,
		sizeof(c->remote_addr), &c->remote_port);
	if (r == 0 && call_voice_negotiate(cs->d->conf, m, false,
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
		c->t_answered = call_ms(c);
		if (call_voice_on(c) < 0) {
			call_send_in_dialog(c, "BYE");
			call_end(c, "audio setup failed");
			return;
		}
		media_start(c->media);
		call_set_state(c, CALL_ACTIVE);
		return;
	}
	/* The answer must carry the R_MESSAGE we validated. */
	if (r < 0 || rlen != c->rlen || CRYPTO_memcmp(rm, c->rmsg, rlen) != 0 ||
	    !c->remote_port) {
		free(rm);
		calls_alert(cs, c->peer, "the answer's key exchange is not the "
			"one we validated");
		call_send_in_dialog(c, "BYE");
		call_end(c, "key exchange changed in the answer");
		return;
	}
	free(rm);
	c->t_answered = call_ms(c);
	media_set_remote(c->media, c->remote_addr, c->remote_port, 0);
	if (call_voice_on(c) < 0) {
		call_send_in_dialog(c, "BYE");
		call_end(c, "audio setup failed");
		return;
	}
	media_start(c->media);
	call_set_state(c, CALL_ACTIVE);
}

/* --- Bob: incoming OPTIONS / INVITE with MIKEY --- */

static struct call *
calls_find_exchange(struct calls *cs, const uint8_t *msg, size_t len,
	const uint8_t digest[32])
{
	struct call *c;

	LIST_FOREACH(c, &cs->calls, link)
		if (!c->outgoing && c->imsg && c->ilen == len &&
		    c->state != CALL_ENDED && !c->slot &&
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
	ua_respond(cs->d->ua, st, req, src, code, NULL, why,
		code == 488 ? "Accept" : NULL, code == 488 ?
		"application/sdp" : NULL);
	calls_alert(cs, peer, why);
}

static bool
calls_incoming(struct calls *cs, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src, bool invite)
{
	struct mikey_respond_params rp;
	struct mikey_fail fail = { 0, NULL, 0 };
	struct call *c = NULL;
	char peer[TRUSTSTORE_PEER_MAX + 1], why[200], raddr[64] = "";
	char expect[TRUSTSTORE_FP_LEN + 1] = "";
	uint8_t *im = NULL, digest[32];
	uint16_t rport = 0;
	size_t ilen = 0;
	uint64_t now;
	int r;

	r = call_sdp_read_x(req, &im, &ilen, invite ? raddr : NULL,
		sizeof(raddr), &rport, expect);
	if (r == -ENOENT && !invite)
		return false;	/* a plain OPTIONS: capabilities */
	if (r < 0) {
		free(im);
		return false;	/* the UA's INVITE policy answers 488 */
	}
	if (aor_of(req->from.uri.raw.p, req->from.uri.raw.len, peer,
	    sizeof(peer)) < 0) {
		free(im);
		ua_respond(cs->d->ua, st, req, src, 400, NULL, "bad From",
			NULL, NULL);
		return true;
	}
	if (invite && !rport) {
		free(im);
		calls_refuse(cs, st, req, src, 488, peer,
			"offer without an active media stream");
		return true;
	}
	if (mikey_msg_digest(im, ilen, digest) < 0) {
		free(im);
		calls_refuse(cs, st, req, src, 488, peer,
			"malformed MIKEY message");
		return true;
	}
	now = (uint64_t)now_unix();
	if (invite) {
		c = calls_find_exchange(cs, im, ilen, digest);
		if (c && strcmp(c->peer, peer) != 0)
			c = NULL;
	}
	if (c) {
		/* The INVITE re-uses the exchange we answered. */
		free(im);
		sip_msg_free(c->req);
		c->req = NULL;
		if (sip_msg_parse((const uint8_t *)req->copy_, req->len_, 0,
		    &c->req) < 0) {
			ua_respond(cs->d->ua, st, req, src, 500, NULL, NULL,
				NULL, NULL);
			return true;
		}
		c->st = st;
		c->src = *src;
		c->req_is_invite = true;
		snprintf(c->remote_addr, sizeof(c->remote_addr), "%s", raddr);
		c->remote_port = rport;
		clock_gettime(CLOCK_MONOTONIC, &c->t0);
		c->t_trust = c->trust == CALL_TRUST_OK ? 0 : -1;
		call_publish(c);
		if (c->trust == CALL_TRUST_OK) {
			call_ring(c);
		} else {
			/* Held: nothing rings before validation. */
			call_set_state(c, CALL_AWAITING_TRUST);
			call_arm_deadline(c);
		}
		return true;
	}
	if (expect[0] && strcmp(expect, cs->own_fp) != 0) {
		/* The caller trusts another certificate for us: we were
		 * re-keyed (or someone else answers for us). Refuse before
		 * ringing; the caller raises its alert on the 403. */
		free(im);
		calls_refuse(cs, st, req, src, 403, peer, "certificate "
			"mismatch: the caller trusts another certificate for "
			"this user");
		return true;
	}
	if (mikey_replay_contains(cs->replay, digest, now)) {
		free(im);
		calls_refuse(cs, st, req, src, 488, peer,
			"replayed MIKEY message");
		return true;
	}
	c = call_new(cs, false, peer);
	if (!c) {
		free(im);
		ua_respond(cs->d->ua, st, req, src, 500, NULL, NULL, NULL,
			NULL);
		return true;
	}
	memset(&rp, 0, sizeof(rp));
	rp.self = &cs->self;
	rp.peer_uri = NULL;
	rp.policy = &cs->policy;
	RAND_bytes((uint8_t *)&rp.ssrc, sizeof(rp.ssrc));
	rp.ssrc |= 1;
	rp.now_ntp = now_ntp();
	r = mikey_msg_respond(im, ilen, &rp, &c->res, &c->rmsg, &c->rlen,
		&fail);
	if (r < 0) {
		free(im);
		snprintf(why, sizeof(why), "MIKEY offer refused: %s",
			fail.reason ? fail.reason : strerror(-r));
		call_end(c, why);
		calls_refuse(cs, st, req, src, 488, peer, why);
		calls_gc(cs);
		return true;
	}
	c->have_res = true;
	mikey_replay_add(cs->replay, digest, now, now + 2 * MIKEY_SKEW_DEFAULT +
		cs->d->conf->trust_wait);
	{
		char idi[TRUSTSTORE_PEER_MAX + 1];

		if (aor_of(c->res.peer_uri, strlen(c->res.peer_uri), idi,
		    sizeof(idi)) < 0 || strcmp(idi, peer) != 0 ||
		    !mikey_msg_cert_has_uri(c->res.peer_cert, peer)) {
			free(im);
			call_end(c, "identity mismatch");
			calls_refuse(cs, st, req, src, 403, peer,
				"certificate identity is not the From AOR");
			calls_gc(cs);
			return true;
		}
	}
	c->imsg = im;
	c->ilen = ilen;
	memcpy(c->idigest, digest, 32);
	if (sip_msg_parse((const uint8_t *)req->copy_, req->len_, 0,
	    &c->req) < 0) {
		call_end(c, "out of memory");
		ua_respond(cs->d->ua, st, req, src, 500, NULL, NULL, NULL,
			NULL);
		calls_gc(cs);
		return true;
	}
	c->st = st;
	c->src = *src;
	c->req_is_invite = invite;
	if (invite) {
		snprintf(c->remote_addr, sizeof(c->remote_addr), "%s", raddr);
		c->remote_port = rport;
		call_publish(c);
	}
	call_validate(c);
	return true;
}

bool
calls_request(struct svopid *d, struct txn_server *st,
	const struct sip_msg *req, const struct tp_source *src,
	struct txn_server *invite)
{
	struct calls *cs = d->calls;
	struct call *c;

	if (!cs)
		return false;
	switch (req->method_id) {
	case SIP_METHOD_OPTIONS:
		return calls_incoming(cs, st, req, src, false);
	case SIP_METHOD_INVITE:
		if (!sip_str_empty(req->to.tag))
			return false;
		return calls_incoming(cs, st, req, src, true);
	case SIP_METHOD_CANCEL:
		if (!invite)
			return false;
		LIST_FOREACH(c, &cs->calls, link)
			if (c->st == invite && c->state != CALL_ENDED) {
				ua_respond(d->ua, st, req, src, 200, NULL,
					NULL, NULL, NULL);
				call_reply(c, 487, NULL, NULL, 0);
				call_end(c, "cancelled by the caller");
				return true;
			}
		return false;
	case SIP_METHOD_BYE:
		LIST_FOREACH(c, &cs->calls, link)
			if (c->dlg && dialog_match_request(c->dlg, req)) {
				ua_respond(d->ua, st, req, src, 200, NULL,
					NULL, NULL, NULL);
				call_end(c, "remote hangup");
				return true;
			}
		return false;
	default:
		return false;
	}
}

void
calls_ack(struct svopid *d, const struct sip_msg *m)
{
	/* Nothing to do: media started with the 200 (keys were ready). */
}

/* --- D-Bus methods on the daemon --- */

int
calls_method_dial(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	struct calls *cs = d->calls;
	struct mikey_init_params ip;
	struct call *c;
	const char *uri;
	char peer[TRUSTSTORE_PEER_MAX + 1];
	char *play = NULL, *record = NULL;
	uint8_t *sdp = NULL;
	const uint8_t *msg;
	size_t n = 0, mlen;
	uint32_t ssrc;
	int r;

	r = sd_bus_message_read(m, "s", &uri);
	if (r < 0)
		return r;
	r = call_read_options(m, e, &play, &record);
	if (r < 0 || sd_bus_error_is_set(e)) {
		free(play);
		free(record);
		return r;
	}
	if (aor_of(uri, strlen(uri), peer, sizeof(peer)) < 0) {
		free(play);
		free(record);
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"not a SIP URI with a user: %s", uri);
	}
	c = call_new(cs, true, peer);
	if (!c) {
		free(play);
		free(record);
		return -ENOMEM;
	}
	c->play = play;		/* owned by the call from here */
	play = NULL;
	c->record = record;
	record = NULL;
	snprintf(c->dial_uri, sizeof(c->dial_uri), "%s", uri);
	r = ua_request_dest(d->ua, uri, &c->dest);
	if (r < 0) {
		call_free(c);
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"cannot reach %s", uri);
	}
	ua_random_hex(c->local_tag, 8);
	ua_random_hex(c->call_id, 16);
	memset(&ip, 0, sizeof(ip));
	ip.self = &cs->self;
	ip.peer_uri = peer;
	ip.suite = MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80;
	RAND_bytes((uint8_t *)&ssrc, sizeof(ssrc));
	ip.ssrc = ssrc | 1;
	ip.now_ntp = now_ntp();
	r = mikey_msg_build_init(&ip, &c->ist, &c->imsg, &c->ilen);
	if (r < 0) {
		call_free(c);
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.Failed",
			"cannot build the MIKEY offer: %s", strerror(-r));
	}
	(void)msg;
	(void)mlen;
	{
		/* A fresh trusted entry: skip the pre-call OPTIONS and put
		 * the I_MESSAGE in the INVITE (SPEC §4 step 3). */
		struct truststore_entry te;
		int64_t now = now_unix();

		if (truststore_get(cs->ts, peer, &te) == 0 &&
		    te.status == TRUSTSTORE_TRUSTED && te.checked_at <= now &&
		    now - te.checked_at < (int64_t)d->conf->trust_cache_ttl &&
		    call_reserve_port(c) == 0) {
			c->direct = true;
			memcpy(c->expect_fp, te.fingerprint,
				sizeof(c->expect_fp));
		}
	}
	r = call_sdp(c, c->direct ? c->ports.port : 0, false, c->imsg,
		c->ilen, &sdp, &n);
	if (r == 0)
		r = call_send(c, c->direct ? "INVITE" : "OPTIONS", sdp, n);
	free(sdp);
	if (r < 0) {
		call_free(c);
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.Failed",
			"cannot send: %s", strerror(-r));
	}
	log_info("call %u: dialing %s%s", c->id, uri, c->direct ?
		" (trusted from the store: INVITE without pre-call OPTIONS)" :
		"");
	call_publish(c);
	calls_gc(cs);
	return sd_bus_reply_method_return(m, "o", c->path);
}

/* A D-Bus method call answered later, when the trust server replies. */
struct bus_pending {
	struct svopid *d;
	sd_bus_message *call;
};

static struct bus_pending *
pending_new(struct svopid *d, sd_bus_message *m)
{
	struct bus_pending *p = calloc(1, sizeof(*p));

	if (p) {
		p->d = d;
		p->call = sd_bus_message_ref(m);
	}
	return p;
}

static void
pending_free(struct bus_pending *p)
{
	sd_bus_message_unref(p->call);
	free(p);
}

/* Answers the pending call with the trust server's error, if any; returns
 * whether it did. */
static bool
pending_reply_error(struct bus_pending *p, const struct trust_client_reply *rep)
{
	if (rep->error >= 0)
		return false;
	sd_bus_reply_method_errorf(p->call,
		"org.svopi.Daemon1.Error.TrustServer", "%s%s%s",
		trust_client_strerror(rep->error),
		rep->message[0] ? ": " : "", rep->message);
	return true;
}

/* After a reply sent outside a bus callback the bus fd must be re-armed. */
static void
pending_done(struct bus_pending *p)
{
	busloop_update(p->d->busloop);
	pending_free(p);
}

static void
calls_enroll_reply(const struct trust_client_reply *rep, void *userdata)
{
	struct bus_pending *p = userdata;

	if (!pending_reply_error(p, rep))
		sd_bus_reply_method_return(p->call, "s", rep->fingerprint);
	pending_done(p);
}

static int
calls_need_tc(struct calls *cs, sd_bus_error *e)
{
	if (cs->tc)
		return 0;
	return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.NoTrustServer",
		"no trust server configured ([trust] server and "
		"password_file)");
}

int
calls_method_enroll(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	struct calls *cs = d->calls;
	struct bus_pending *p;
	int r;

	if ((r = calls_need_tc(cs, e)) < 0)
		return r;
	p = pending_new(d, m);
	if (!p)
		return -ENOMEM;
	r = trust_client_enroll(cs->tc, cs->login, cs->trust_password,
		cs->cert_pem, calls_enroll_reply, p, NULL);
	if (r < 0) {
		pending_free(p);
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.Failed",
			"%s", strerror(-r));
	}
	return 1;
}

static void
calls_redeem_reply(const struct trust_client_reply *rep, void *userdata)
{
	struct bus_pending *p = userdata;

	if (!pending_reply_error(p, rep))
		sd_bus_reply_method_return(p->call, "si",
			trust_client_redeem_to_string(rep->result),
			(int32_t)rep->attempts_left);
	pending_done(p);
}

int
calls_method_enter_vuc(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	struct calls *cs = d->calls;
	struct bus_pending *p;
	const char *peer, *code;
	char aor[TRUSTSTORE_PEER_MAX + 1];
	int r;

	r = sd_bus_message_read(m, "ss", &peer, &code);
	if (r < 0)
		return r;
	if ((r = calls_need_tc(cs, e)) < 0)
		return r;
	if (aor_of(peer, strlen(peer), aor, sizeof(aor)) < 0) {
		char tmp[TRUSTSTORE_PEER_MAX + 8];

		snprintf(tmp, sizeof(tmp), "sip:%s", peer);
		if (aor_of(tmp, strlen(tmp), aor, sizeof(aor)) < 0)
			return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
				"not a peer address: %s", peer);
	}
	p = pending_new(d, m);
	if (!p)
		return -ENOMEM;
	r = trust_client_redeem(cs->tc, cs->login, cs->trust_password, aor,
		code, calls_redeem_reply, p, NULL);
	if (r < 0) {
		pending_free(p);
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS, "%s",
			strerror(-r));
	}
	return 1;
}

/* Ends a method reply whose array was filled while r stayed >= 0: closes
 * the array, sends, and frees the reply. Returns what a vtable method
 * returns. */
static int
reply_array_send(sd_bus_message *reply, int r)
{
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r < 0 ? r : 1;
}

int
calls_method_list_calls(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	sd_bus_message *reply = NULL;
	struct call *c;
	unsigned ids[256];
	size_t n = 0;
	int r;

	/* Oldest first. */
	LIST_FOREACH(c, &d->calls->calls, link)
		if (c->slot && n < 256)
			ids[n++] = c->id;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "o");
	for (size_t i = n; r >= 0 && i > 0; i--) {
		char path[64];

		snprintf(path, sizeof(path), CALL_PATH_PREFIX "%u", ids[i - 1]);
		r = sd_bus_message_append(reply, "o", path);
	}
	return reply_array_send(reply, r);
}

int
calls_method_vuc_list(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	sd_bus_message *reply = NULL;
	struct vuc_prompt *v;
	int r;

	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(ssst)");
	LIST_FOREACH(v, &d->calls->vucs, link)
		if (r >= 0)
			r = sd_bus_message_append(reply, "(ssst)", v->peer,
				v->role, v->code,
				(uint64_t)(v->expires > 0 ? v->expires : 0));
	return reply_array_send(reply, r);
}

static int
calls_trust_list_cb(const struct truststore_entry *te, void *userdata)
{
	return sd_bus_message_append(userdata, "(sssxx)", te->peer,
		te->fingerprint, truststore_status_to_string(te->status),
		(int64_t)te->validated_at, (int64_t)te->checked_at) < 0 ?
		-EIO : 0;
}

int
calls_method_trust_list(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sssxx)");
	if (r >= 0)
		r = truststore_list(d->calls->ts, calls_trust_list_cb, reply);
	return reply_array_send(reply, r);
}

int
calls_method_trust_forget(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	const char *peer;
	char aor[TRUSTSTORE_PEER_MAX + 1];
	int r;

	r = sd_bus_message_read(m, "s", &peer);
	if (r < 0)
		return r;
	if (aor_of(peer, strlen(peer), aor, sizeof(aor)) < 0)
		snprintf(aor, sizeof(aor), "%s", peer);
	r = truststore_forget(d->calls->ts, aor);
	if (r == -ENOENT)
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.NotFound",
			"no trust entry for %s", aor);
	if (r < 0)
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.Failed",
			"%s", strerror(-r));
	return sd_bus_reply_method_return(m, "");
}

/* --- lifecycle --- */

static void
calls_tc_state(enum trust_client_state s, void *userdata)
{
	struct svopid *d = userdata;

	d->trust_server_state = trust_client_state_to_string(s);
	if (!d->bus)
		return;
	sd_bus_emit_properties_changed(d->bus, BUS_PATH, BUS_IFACE,
		"TrustServer", NULL);
	busloop_update(d->busloop);
}

int
calls_new(struct svopid *d)
{
	struct calls *cs = calloc(1, sizeof(*cs));
	const struct conf *cf = d->conf;
	char path[4096], err[512];
	unsigned char *der = NULL;
	int r, len;

	if (!cs)
		return -ENOMEM;
	d->calls = cs;
	cs->d = d;
	LIST_INIT(&cs->calls);
	LIST_INIT(&cs->vucs);
	snprintf(cs->login, sizeof(cs->login), "%s", peer_login(cf->uri));
	cs->replay = mikey_replay_new(CALL_REPLAY_MAX);
	cs->policy.not_before_ntp = now_ntp();
	cs->cert_pem = cert_pem(d->id->cert);
	len = i2d_X509(d->id->cert, &der);
	if (!cs->replay || !cs->cert_pem || len <= 0)
		return -ENOMEM;
	cs->cert_der = der;
	truststore_fp_normalize(d->id->fingerprint, cs->own_fp);
	cs->cert_len = (size_t)len;
	cs->self.key = d->id->key;
	cs->self.cert_der = cs->cert_der;
	cs->self.cert_len = cs->cert_len;
	cs->self.uri = cf->uri;
	cs->self.s_type = MIKEY_SIGN_PKCS1;
	snprintf(path, sizeof(path), "%s/trust.db", cf->state_dir);
	r = truststore_open(path, &cs->ts);
	if (r < 0) {
		log_error("trust store %s: %s", path, strerror(-r));
		return r;
	}
	if (cf->trust_server && *cf->trust_server) {
		struct trust_client_config tcc;

		if (!cf->trust_password_file) {
			log_error("[trust] server needs password_file");
			return -EINVAL;
		}
		r = conf_read_secret(cf->trust_password_file,
			&cs->trust_password, err, sizeof(err));
		if (r < 0) {
			log_error("%s", err);
			return r;
		}
		memset(&tcc, 0, sizeof(tcc));
		tcc.server = cf->trust_server;
		tcc.ca_file = cf->trust_ca_file;
		tcc.retries = 2;
		r = trust_client_new(d->base, &tcc, &cs->tc);
		if (r < 0) {
			log_error("trust server %s: %s", cf->trust_server,
				strerror(-r));
			return r;
		}
		trust_client_set_state_cb(cs->tc, calls_tc_state, d);
	}
	return 0;
}

void
calls_stop(struct svopid *d)
{
	struct calls *cs = d->calls;
	struct call *c;

	if (!cs)
		return;
	LIST_FOREACH(c, &cs->calls, link)
		if (c->state != CALL_ENDED && c->slot) {
			if (c->outgoing && !c->dlg && c->tc && c->invite)
				call_send_cancel(c);
			else if (c->dlg)
				call_send_in_dialog(c, "BYE");
			else if (c->st && c->req)
				call_reply(c, 480, "shutting down", NULL, 0);
			call_end(c, "daemon stopped");
		}
}

void
calls_free(struct svopid *d)
{
	struct calls *cs = d->calls;
	struct vuc_prompt *v;

	if (!cs)
		return;
	while (!LIST_EMPTY(&cs->calls))
		call_free(LIST_FIRST(&cs->calls));
	while ((v = LIST_FIRST(&cs->vucs)) != NULL) {
		LIST_REMOVE(v, link);
		free(v);
	}
	cs->tc = trust_client_free(cs->tc);
	cs->ts = truststore_close(cs->ts);
	mikey_replay_free(cs->replay);
	conf_secret_free(cs->trust_password);
	free(cs->cert_pem);
	OPENSSL_free(cs->cert_der);
	media_global_done();
	free(cs);
	d->calls = NULL;
}
