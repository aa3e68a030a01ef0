/* The voice of a call: which codecs svopid offers ([media] codecs), which
 * one a call uses (the peer's SDP), and the voice engine with the audio
 * backend ([media] audio, or the call's play/record files) on its media.
 * Kept out of call.c so the call logic only asks for these three things.
 */
#ifndef SVOPID_CALL_VOICE_H
#define SVOPID_CALL_VOICE_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "daemon/conf.h"
#include "daemon/media.h"
#include "daemon/media-voice.h"
#include "sdp-codec.h"
#include "sip-msg.h"

/* Our codecs plus telephone-event (per rate) and CN (8 kHz): at most
 * CONF_CODEC_MAX + 3. */
#define CALL_VOICE_CODECS_MAX	(CONF_CODEC_MAX + 3)
/* Payload types of telephone-event in our offers (RFC 4733), one per
 * clock rate. */
#define CALL_VOICE_DTMF_PT_48K	101
#define CALL_VOICE_DTMF_PT_8K	100
/* Comfort noise (RFC 3389) in our offers: its static type, with G.711. */
#define CALL_VOICE_CN_PT	13

/* Fills ours[CALL_VOICE_CODECS_MAX] with what we offer, in the order of
 * [media] codecs, then telephone-event for each rate used, then CN when
 * G.711 is offered. Returns the count. */
size_t call_voice_offer(const struct conf *cf, struct sdp_codec *ours);

/* The codec (and telephone-event, CN) to answer with: ours[0..3) from a
 * choice, with the offer's payload types. Returns the count. */
size_t call_voice_answer(const struct sdp_codec_choice *ch,
    struct sdp_codec *ours);

/* Negotiates with the SDP body of m (an offer when answerer). Returns 0,
 * -ENOENT (no common codec), or the parse error. */
int call_voice_negotiate(const struct conf *cf, const struct sip_msg *m,
    bool answerer, struct sdp_codec_choice *ret);

struct call_voice_params {
	const struct sdp_codec_choice *codec;
	const char *play, *record;	/* file audio for this call, or NULL */
	void (*on_dtmf)(void *ctx, char digit, unsigned duration_ms);
	void *ctx;
};

/* Puts the voice engine on m (not started yet): the audio is the call's
 * play/record files when given, else [media] audio (pulse: the default
 * devices, reconnecting; file: [media] play/record; null: silence out,
 * nothing played). Returns 0 and *ret_voice (borrowed from m), or a
 * negative errno (a file that cannot be opened, ...). */
int call_voice_attach(struct media *m, struct event_base *base,
    const struct conf *cf, const struct call_voice_params *p,
    struct media_voice **ret_voice);

/* Checks an audio file for playing, before a call is made: -errno. */
int call_voice_check_play(const char *path);

#endif
