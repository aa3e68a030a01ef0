/* Audio backends of svopid: where a call's PCM comes from and goes to.
 *
 * Mono 16-bit PCM at the rate the backend was opened with (the codec's
 * rate: the backend resamples, through libspeexdsp, never by hand).
 * Backends: audio-file.c (libsndfile), audio-pulse.c (libpulse). The
 * frame-level null device is media-null.c. See docs/media.md.
 */
#ifndef SVOPID_AUDIO_H
#define SVOPID_AUDIO_H

#include <stddef.h>
#include <stdint.h>

/* Quality of the speexdsp resampler (0..10): 5 is its VoIP default, well
 * above telephone quality, a few µs per 20 ms frame. */
#define AUDIO_RESAMPLE_QUALITY	5

/* A capture: read fills exactly n samples (silence when there is nothing,
 * e.g. after the end of a file or on an underrun) and returns 0, or a
 * negative errno when the backend is gone for good. close once (may be
 * NULL). */
struct audio_in {
	int (*read)(void *ctx, int16_t *pcm, size_t n);
	void (*close)(void *ctx);
	void *ctx;
};

/* A playback: write takes n samples; returns 0 or a negative errno. */
struct audio_out {
	int (*write)(void *ctx, const int16_t *pcm, size_t n);
	void (*close)(void *ctx);
	void *ctx;
};

#endif
