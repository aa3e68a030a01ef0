/* The file audio backend: any file libsndfile reads (WAV, FLAC, OGG ...,
 * any rate and channel count: mixed to mono, resampled) plays into a call;
 * a call records into a 16-bit mono WAV at the codec's rate. */
#ifndef SVOPID_AUDIO_FILE_H
#define SVOPID_AUDIO_FILE_H

#include "audio.h"

/* Most channels we mix down (libsndfile allows far more). */
#define AUDIO_FILE_CHANNELS_MAX	8

/* Opens path for playing at rate Hz. After its end the source gives
 * silence. Returns 0 and *ret, -errno from open(2) (-ENOENT ...),
 * -EBADMSG (not an audio file libsndfile knows), -E2BIG (too many
 * channels), -ENOMEM. */
int audio_file_in(const char *path, unsigned rate, struct audio_in *ret);

/* Creates (truncates) path as a WAV file of rate Hz. Returns 0 and *ret,
 * -errno from open(2), -EIO, -ENOMEM. */
int audio_file_out(const char *path, unsigned rate, struct audio_out *ret);

#endif
