/* The PulseAudio backend (libpulse; also PipeWire's pulse server).
 *
 * libpulse runs in its own thread (pa_threaded_mainloop); the call's
 * audio_in.read / audio_out.write, called every ptime on our event loop,
 * move samples under the mainloop lock: capture is drained into a ring,
 * playback written while the server wants more. Why a thread and not
 * libpulse bound to libevent: docs/media.md.
 *
 * When the sound server goes away (restart, crash) the call goes on with
 * silence in and audio dropped out; the backend reconnects at most once a
 * second from the next read/write, and the streams come back by
 * themselves.
 */
#ifndef SVOPID_AUDIO_PULSE_H
#define SVOPID_AUDIO_PULSE_H

#include <stdbool.h>
#include <stdint.h>

#include "audio.h"

/* Capture kept while our loop has not read it (200 ms), and playback kept
 * while the server has no room (100 ms); then the oldest goes. Once the
 * server's buffer is full, the playback ring keeps one frame at most: what
 * piled up while a new stream waited for its first pull would otherwise
 * stay as delay for the rest of the call (it did: 80 ms). */
#define AUDIO_PULSE_RING_MS	200
#define AUDIO_PULSE_PLAY_RING_MS	100
/* Playback target latency at the server: 3 frames of 20 ms. */
#define AUDIO_PULSE_TLENGTH_MS	60

struct audio_pulse_params {
	const char *server;	/* NULL = the default (PULSE_SERVER ...) */
	const char *sink;	/* NULL = default device */
	const char *source;	/* NULL = default device */
	const char *name;	/* stream/application name, NULL = "svopid" */
	unsigned rate;		/* the codec's rate */
	bool wait;		/* wait (2 s at most) for the first connection
				 * and fail without one; else never block:
				 * silence until the server is there */
};

struct audio_pulse_stats {
	uint64_t connects;	/* contexts that reached READY */
	uint64_t underruns;	/* capture reads with too little audio */
	uint64_t dropped;	/* playback samples the server had no room
				 * for, or while it was away */
	uint32_t play_latency_us;	/* playback delay now: the server's
					 * (pa_stream_get_latency) plus our
					 * ring; 0 when not known */
};

struct audio_pulse;

/* Opens a capture and a playback on one connection. With p->wait the
 * first connection is waited for (2 s at most), so a missing server is an
 * error up front: -ECONNREFUSED; without it (the daemon: the event loop
 * must not block) the connection comes when it comes. -EINVAL, -ENOMEM. On success *ret_in and
 * *ret_out each hold a reference; the object goes with the second close.
 * *ret_pulse is borrowed, for stats, until then. */
int audio_pulse_open(const struct audio_pulse_params *p,
    struct audio_pulse **ret_pulse, struct audio_in *ret_in,
    struct audio_out *ret_out);
void audio_pulse_stats(struct audio_pulse *pa,
    struct audio_pulse_stats *ret_stats);

#endif
