/* The voice engine of one call: audio in -> codec -> media_source, and
 * media_sink -> jitter buffer -> decoder/concealment -> audio out.
 *
 * media_voice_new builds the source/sink pair that struct media_params
 * takes. The jitter buffer is libspeexdsp's (adaptive: it grows with the
 * jitter it sees and shrinks back when late packets stop; docs/media.md
 * says why we did not write our own). Playout runs every ptime on the
 * loop's shared frame clock (media-clock.h) from the first packet
 * received.
 */
#ifndef SVOPID_MEDIA_VOICE_H
#define SVOPID_MEDIA_VOICE_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "audio.h"
#include "media.h"
#include "media-codec.h"

struct media_voice_params {
	enum media_codec_id codec;
	uint8_t pt;		/* payload type we send and accept */
	unsigned ptime_ms;	/* 0 = MEDIA_PTIME_MS */
	/* Playout's offset on the frame clock from the sending ticks, in ms
	 * (< ptime). 0, svopid's: sending and playout share one wake-up per
	 * ptime (the peer's phase is unknown anyway). A driver with both
	 * ends in one process gives ptime / 2, so that a frame sent at a
	 * tick plays in the same period, not a whole one later. */
	unsigned play_phase_ms;
	struct audio_in in;	/* read NULL: silence */
	struct audio_out out;	/* write NULL: nothing buffered or decoded
				 * (only counted) */
	bool no_conceal;	/* losses play as silence (comparisons) */
	/* RFC 4733 telephone-event: the dynamic payload type (96..127)
	 * negotiated for it (same clock as the codec), or 0 for none (Dtmf
	 * then refused, received events dropped). */
	uint8_t dtmf_pt;
	/* RFC 3389 comfort noise (13, or a dynamic type) negotiated beside
	 * G.711, or 0. With it a muted call sends a CN packet every
	 * MEDIA_VOICE_CN_EVERY frames and nothing between, and a peer's CN
	 * plays as faint noise until its audio comes back. Without it a
	 * muted G.711 call sends encoded silence every ptime. */
	uint8_t cn_pt;
	/* A digit received, once, at its end (or when the next one starts
	 * and its end was lost); duration in ms. */
	void (*on_dtmf)(void *ctx, char digit, unsigned duration_ms);
	void *ctx;
};

struct media_voice_stats {
	uint64_t frames_in;	/* frames encoded and handed to media */
	uint64_t dtx_frames;	/* muted Opus frames not sent (DTX) */
	uint64_t packets;	/* audio packets put into the jitter buffer */
	uint64_t played;	/* frames played out (decoded + concealed) */
	uint64_t concealed;	/* of those, made up for a missing packet */
	uint64_t dropped;	/* other payload type, too early, bad frame */
	uint64_t dtmf_sent;	/* digits sent (each over several packets) */
	uint64_t dtmf_received;	/* digits reported by on_dtmf */
	uint64_t event_packets_sent, event_packets_received;
	uint64_t cn_sent, cn_received;	/* comfort-noise packets */
	uint64_t cn_played;	/* of played, frames of the peer's noise */
	/* Playout ticks run more than a ptime late, and skipped ones
	 * (media-clock.h). */
	uint64_t play_late, play_skipped;
	uint32_t buffer_ms;	/* jitter buffer depth now */
	/* CLOCK_MONOTONIC (ns) of the first frame decoded from a packet and
	 * played out; 0 before. */
	uint64_t first_audio_ns;
	/* How long frames decoded from packets waited between the packet's
	 * arrival and playout (jitter buffer and tick phase): the receive
	 * side's share of the mouth-to-ear latency, before the device. */
	uint64_t held_us_sum, held_frames;
	uint32_t held_us_max;
};

struct media_voice;

/* A muted G.711 call with CN sends one every 20 frames (400 ms at 20 ms,
 * as Opus DTX does), at this level (-dBov: faint; the capture is never
 * read while muted, so there is no measured noise to send). */
#define MEDIA_VOICE_CN_EVERY	20
#define MEDIA_VOICE_CN_LEVEL	70

/* On success *ret_voice stays valid until both *ret_source and *ret_sink
 * were closed (media_free does that); p->in and p->out then belong to it.
 * Returns 0, -EINVAL, -ENOMEM or a codec error; on failure p->in and
 * p->out stay the caller's. */
int media_voice_new(struct event_base *base,
    const struct media_voice_params *p, struct media_voice **ret_voice,
    struct media_source *ret_source, struct media_sink *ret_sink);
/* Frees a voice whose source and sink were never handed to media_new
 * (or media_new failed). NULL-safe; returns NULL. */
struct media_voice *media_voice_free(struct media_voice *v);

void media_voice_stats(const struct media_voice *v,
    struct media_voice_stats *ret_stats);
/* Muted: the capture is never read. Opus switches to DTX: a comfort-noise
 * packet every 400 ms, nothing in between (the RTP timestamp runs on; the
 * next packet after a gap has the marker bit). G.711 sends encoded
 * digital silence every ptime (RFC 3389 comfort noise is not negotiated:
 * docs/media.md). */
void media_voice_set_mute(struct media_voice *v, bool mute);
/* Default length of a digit we send, and the pause after it. */
#define MEDIA_VOICE_DTMF_MS		100
#define MEDIA_VOICE_DTMF_GAP_MS		60

/* Queues digits ("0-9*#A-D", at most DTMF_DIGITS_MAX) to send, each
 * duration_ms long (0 = MEDIA_VOICE_DTMF_MS; 40..1000). Returns 0,
 * -ENOTSUP (no telephone-event negotiated), -EINVAL (a bad digit or
 * duration), -E2BIG, -EBUSY (digits still being sent). */
int media_voice_dtmf(struct media_voice *v, const char *digits,
    unsigned duration_ms);

/* The peer's reported loss (RTCP fraction lost, /256): Opus FEC follows. */
void media_voice_peer_loss(struct media_voice *v, uint8_t fraction_lost);

#endif
