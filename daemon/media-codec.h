/* Voice codecs of svopid: PCMU and PCMA (lib/g711) and Opus (libopus),
 * one frame of 16-bit mono PCM at the codec's own rate per call, plus the
 * concealment of a lost frame: Opus's own PLC (and FEC from the next
 * packet), and for G.711 a pitch-repeating fade in the style of ITU-T
 * G.711 Appendix I. See docs/media.md.
 */
#ifndef SVOPID_MEDIA_CODEC_H
#define SVOPID_MEDIA_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum media_codec_id {
	MEDIA_CODEC_PCMU,
	MEDIA_CODEC_PCMA,
	MEDIA_CODEC_OPUS,
};

/* Our dynamic payload type for Opus in offers (RFC 7587 has none). */
#define MEDIA_PT_OPUS		111
/* Most samples in one frame: 120 ms at 48 kHz (the longest ptime). */
#define MEDIA_CODEC_FRAME_MAX	5760
/* Opus bitrate: wideband speech with room for in-band FEC. */
#define MEDIA_OPUS_BITRATE	32000
/* Opus encoder complexity (0..10; libopus's default is 10, we had 5).
 * The encoder is most of an Opus call's CPU. Measured on espeak-ng speech
 * at 48 kHz, 32 kbit/s, FEC on (docs/performance-media.md): encoding a
 * 20 ms frame costs 85 us at 0, 95 at 1, 140-160 at 2-3, 200 at 5 and
 * 420 at 10 (CPU time, best of three); the decoded speech's correlation
 * with the source is 0.951 at 0-1, 0.956 at 2-3, 0.960 at 5, 0.962 at 10
 * (a sine sweep: 0.942 at 0-6). 3 keeps within 0.004 of 5 at 70 % of its
 * cost; 0-1 would halve it but lose twice as much again (SILK's simplest
 * pitch analysis and noise shaping, silk/control_codec.c). */
#define MEDIA_OPUS_COMPLEXITY	3

struct media_codec;

/* "PCMU", "PCMA", "opus". */
const char *media_codec_name(enum media_codec_id id);
/* Parses a name as above (case-insensitive). Returns 0 or -EINVAL. */
int media_codec_from_name(const char *name, enum media_codec_id *ret_id);
/* RTP clock rate (= PCM rate here): 8000 or 48000. */
unsigned media_codec_clock(enum media_codec_id id);
/* Static payload type, or MEDIA_PT_OPUS. */
uint8_t media_codec_default_pt(enum media_codec_id id);

/* A codec for ptime_ms frames (10..120, a multiple of 10 for G.711;
 * 10, 20, 40, 60, 80, 100 or 120 for Opus). Returns 0 or -EINVAL, -ENOMEM,
 * -EIO (libopus). */
int media_codec_new(enum media_codec_id id, unsigned ptime_ms,
    struct media_codec **ret_codec);
/* NULL-safe; returns NULL. */
struct media_codec *media_codec_free(struct media_codec *c);

enum media_codec_id media_codec_id(const struct media_codec *c);
unsigned media_codec_rate(const struct media_codec *c);
/* Samples per frame. */
size_t media_codec_frame(const struct media_codec *c);

/* Encodes one frame of pcm into out. Returns its length or -ENOBUFS, -EIO. */
int media_codec_encode(struct media_codec *c, const int16_t *pcm,
    uint8_t *out, size_t cap);
/* Decodes one received frame into pcm (media_codec_frame samples).
 * Returns 0, or -EBADMSG when the payload is not one frame of this codec
 * (pcm then holds the concealment). */
int media_codec_decode(struct media_codec *c, const uint8_t *data,
    size_t len, int16_t *pcm);
/* One frame for a lost packet. next/next_len: the packet after the lost
 * one if it is already here (Opus decodes its in-band FEC copy), else NULL.
 * With conceal false the frame is silence (for comparisons). */
void media_codec_conceal(struct media_codec *c, bool conceal,
    const uint8_t *next, size_t next_len, int16_t *pcm);
/* The loss the peer reports (percent): Opus adds FEC for it. No-op for
 * G.711. */
void media_codec_set_loss(struct media_codec *c, unsigned percent);
/* Opus discontinuous transmission (muted calls): while on, encoding
 * silence yields 1-2 byte frames that are not to be sent, and a comfort
 * noise frame every 400 ms. No-op for G.711 (media_codec_dtx stays
 * false). */
void media_codec_set_dtx(struct media_codec *c, bool on);
bool media_codec_dtx(const struct media_codec *c);

#endif
