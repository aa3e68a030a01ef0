/* File audio backend: see audio-file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>
#include <speex/speex_resampler.h>

#include "audio-file.h"

/* Frames read from the file at a time. */
#define FILE_CHUNK	960

struct file_in {
	SNDFILE *sf;			/* owned */
	SpeexResamplerState *rs;	/* owned; NULL when rates match */
	int channels;
	bool eof;
	short raw[FILE_CHUNK * AUDIO_FILE_CHANNELS_MAX];
	int16_t mono[FILE_CHUNK];
	size_t mono_len, mono_pos;	/* read but not yet resampled */
};

/* Refills f->mono from the file, mixing the channels down. */
static void
file_fill(struct file_in *f)
{
	/* A mono file (the usual case) is read straight into f->mono. */
	sf_count_t n = sf_readf_short(f->sf, f->channels == 1 ? f->mono :
	    f->raw, FILE_CHUNK);

	if (n <= 0) {
		f->eof = true;
		return;
	}
	for (sf_count_t i = 0; f->channels > 1 && i < n; i++) {
		int sum = 0;

		for (int c = 0; c < f->channels; c++)
			sum += f->raw[i * f->channels + c];
		f->mono[i] = (int16_t)(sum / f->channels);
	}
	f->mono_len = (size_t)n;
	f->mono_pos = 0;
}

static int
file_read(void *ctx, int16_t *pcm, size_t n)
{
	struct file_in *f = ctx;
	size_t done = 0;

	while (done < n) {
		spx_uint32_t in_len, out_len;

		if (f->mono_pos == f->mono_len) {
			if (!f->eof)
				file_fill(f);
			if (f->eof)
				break;
		}
		in_len = (spx_uint32_t)(f->mono_len - f->mono_pos);
		out_len = (spx_uint32_t)(n - done);
		if (f->rs) {
			speex_resampler_process_int(f->rs, 0,
			    f->mono + f->mono_pos, &in_len, pcm + done,
			    &out_len);
		} else {
			if (out_len < in_len)
				in_len = out_len;
			out_len = in_len;
			memcpy(pcm + done, f->mono + f->mono_pos,
			    in_len * sizeof(int16_t));
		}
		f->mono_pos += in_len;
		done += out_len;
	}
	memset(pcm + done, 0, (n - done) * sizeof(int16_t));
	return 0;
}

static void
file_in_close(void *ctx)
{
	struct file_in *f = ctx;

	if (!f)
		return;
	if (f->sf)
		sf_close(f->sf);
	if (f->rs)
		speex_resampler_destroy(f->rs);
	free(f);
}

int
audio_file_in(const char *path, unsigned rate, struct audio_in *ret)
{
	struct file_in *f;
	SF_INFO info;
	int fd, err;

	if (!path || !rate)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	memset(&info, 0, sizeof(info));
	f->sf = sf_open_fd(fd, SFM_READ, &info, 1);
	if (!f->sf) {
		close(fd);
		file_in_close(f);
		return -EBADMSG;
	}
	if (info.channels < 1 || info.channels > AUDIO_FILE_CHANNELS_MAX ||
	    info.samplerate < 1000 || info.samplerate > 384000) {
		file_in_close(f);
		return info.channels > AUDIO_FILE_CHANNELS_MAX ? -E2BIG :
		    -EBADMSG;
	}
	f->channels = info.channels;
	if ((unsigned)info.samplerate != rate) {
		f->rs = speex_resampler_init(1, (spx_uint32_t)info.samplerate,
		    rate, AUDIO_RESAMPLE_QUALITY, &err);
		if (!f->rs) {
			file_in_close(f);
			return -ENOMEM;
		}
		/* Start without the filter's zero-filled warm-up. */
		speex_resampler_skip_zeros(f->rs);
	}
	ret->read = file_read;
	ret->close = file_in_close;
	ret->ctx = f;
	return 0;
}

/* A recording is written in blocks of OUT_BLOCK_MS, and the WAV header is
 * brought up to date after each: writing every 20 ms frame with libsndfile
 * keeping the header current (SFC_SET_UPDATE_HEADER_AUTO) cost six system
 * calls per frame (write, then lseek, fstat, lseek, header write, lseek),
 * a third of a call's system calls. A crash loses at most one block and
 * leaves a valid WAV of what came before. */
#define OUT_BLOCK_MS	200

struct file_out {
	SNDFILE *sf;		/* owned */
	size_t n, cap;		/* samples in buf, and its size */
	int16_t buf[];
};

static int
file_flush(struct file_out *f)
{
	sf_count_t n = (sf_count_t)f->n;

	if (!f->n)
		return 0;
	f->n = 0;
	if (sf_writef_short(f->sf, f->buf, n) != n)
		return -EIO;
	sf_command(f->sf, SFC_UPDATE_HEADER_NOW, NULL, 0);
	return 0;
}

static int
file_write(void *ctx, const int16_t *pcm, size_t n)
{
	struct file_out *f = ctx;

	while (n) {
		size_t k = f->cap - f->n < n ? f->cap - f->n : n;
		int r;

		memcpy(f->buf + f->n, pcm, k * sizeof(*pcm));
		f->n += k;
		pcm += k;
		n -= k;
		if (f->n == f->cap && (r = file_flush(f)) < 0)
			return r;
	}
	return 0;
}

static void
file_out_close(void *ctx)
{
	struct file_out *f = ctx;

	if (!f)
		return;
	file_flush(f);
	sf_close(f->sf);
	free(f);
}

int
audio_file_out(const char *path, unsigned rate, struct audio_out *ret)
{
	struct file_out *f;
	SF_INFO info;
	size_t cap;
	int fd;

	if (!path || !rate || rate > 384000)
		return -EINVAL;
	cap = (size_t)rate * OUT_BLOCK_MS / 1000;
	f = calloc(1, sizeof(*f) + cap * sizeof(f->buf[0]));
	if (!f)
		return -ENOMEM;
	f->cap = cap;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fd = -errno;
		free(f);
		return fd;
	}
	memset(&info, 0, sizeof(info));
	info.samplerate = (int)rate;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	f->sf = sf_open_fd(fd, SFM_WRITE, &info, 1);
	if (!f->sf) {
		close(fd);
		free(f);
		return -EIO;
	}
	ret->write = file_write;
	ret->close = file_out_close;
	ret->ctx = f;
	return 0;
}
