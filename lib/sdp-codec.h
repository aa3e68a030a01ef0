/* Codec offer/answer for the one audio stream (RFC 3264 §5-6, RFC 3551
 * static types, RFC 7587 Opus, RFC 4733 telephone-event, RFC 3389 comfort
 * noise).
 *
 * Pure: works on a parsed struct sdp_session and the list of codecs we can
 * both send and receive (struct sdp_codec from sdp.h, in our order of
 * preference), and names the one codec the call will use.
 */
#ifndef SVOPI_SDP_CODEC_H
#define SVOPI_SDP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdp.h"

/* Longest codec name we compare ("telephone-event" is the longest). */
#define SDP_CODEC_NAME_MAX	32

struct sdp_codec_choice {
	uint8_t pt;		/* the payload type both sides use for it */
	char name[SDP_CODEC_NAME_MAX];	/* as in our list: "opus", "PCMU" */
	unsigned rate;
	uint8_t dtmf_pt;	/* telephone-event at the same rate, 0 none */
	uint8_t cn_pt;		/* CN (comfort noise) at the same rate, 0 none */
	unsigned ptime;		/* the peer's a=ptime, 0 when absent */
};

/* Chooses the codec for media section m of the peer's description s.
 *
 * answerer true (s is an offer): the first codec of ours that the offer
 * lists, with the offer's payload type (RFC 3264 §6.1: the answer uses
 * the offerer's numbers). answerer false (s answers our offer): the first
 * format of the answer that we offered (§5.1/§6.1: the answerer's order
 * wins), with its payload type.
 *
 * A format matches by its a=rtpmap (name case-insensitive, rate, channels
 * with absent = 1); payload types 0 and 8 without rtpmap are PCMU/8000 and
 * PCMA/8000, and 13 is CN/8000 (RFC 3551). Entries of ours named
 * "telephone-event" or "CN" are not chosen as the codec; such a format in
 * s with the chosen codec's rate gives dtmf_pt (a dynamic type) or cn_pt
 * (13 or a dynamic type) when ours has one too.
 *
 * Returns 0, -ENOENT (nothing in common, or the stream is rejected with
 * port 0), -EINVAL (m out of range or no codecs). */
int sdp_codec_negotiate(const struct sdp_session *s, size_t m,
    const struct sdp_codec *ours, size_t nours, bool answerer,
    struct sdp_codec_choice *ret);

#endif
