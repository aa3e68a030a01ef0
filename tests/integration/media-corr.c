/* Compares a recording with the audio that was played into a call.
 *
 *   media-corr [--rate HZ] [--segment-ms N] [--trim] [--min R] REF REC
 *
 * Both files are mixed to mono and resampled (libspeexdsp) to the
 * comparison rate: --rate, or the lower of the two files' rates (a G.711
 * recording cannot hold more than 4 kHz of the source). The recording is
 * aligned to the source by the lag (-1 .. +1 s) with the largest
 * normalised cross-correlation, found at 8 kHz and refined at the full
 * rate; that correlation (over the source's length) is printed:
 *   corr=0.9731 lag_ms=41.50 rate=8000
 * --trim drops the leading quiet part (below -40 dBFS) of both first, for
 * recordings that started long before the audio did.
 * With --segment-ms, each N ms block of the source is aligned on its own
 * near that lag and the energy-weighted mean of the blocks' correlations
 * is printed instead: an adaptive jitter buffer moves the delay during
 * the call, which one global lag cannot follow.
 * Exit 0, or 1 when --min is given and the correlation is below it.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>
#include <speex/speex_resampler.h>

#define CORR_COARSE_RATE	8000
#define CORR_LAG_MIN_MS		(-1000)
#define CORR_LAG_MAX_MS		1000
/* -40 dBFS on libsndfile's float scale. */
#define CORR_TRIM_LEVEL		0.01f
/* Search window of a segment around the global lag. */
#define CORR_SEG_WINDOW_MS	150
/* Ten minutes at 48 kHz: plenty for a test signal. */
#define CORR_MAX_FRAMES		(48000 * 600)

struct sig {
	float *x;
	size_t n;
	int rate;
};

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "media-corr: %s: %s\n", what, path ? path : "");
	exit(2);
}

static void
sig_resample(struct sig *s, int rate)
{
	SpeexResamplerState *rs;
	spx_uint32_t in_len, out_len;
	float *y;
	size_t cap;
	int err;

	if (s->rate == rate)
		return;
	cap = (size_t)((double)s->n * rate / s->rate) + 64;
	y = calloc(cap, sizeof(float));
	rs = speex_resampler_init(1, (spx_uint32_t)s->rate,
	    (spx_uint32_t)rate, 8, &err);
	if (!y || !rs)
		die("resampler", NULL);
	speex_resampler_skip_zeros(rs);
	in_len = (spx_uint32_t)s->n;
	out_len = (spx_uint32_t)cap;
	speex_resampler_process_float(rs, 0, s->x, &in_len, y, &out_len);
	speex_resampler_destroy(rs);
	free(s->x);
	s->x = y;
	s->n = out_len;
	s->rate = rate;
}

static void
sig_load(const char *path, struct sig *s)
{
	SF_INFO info;
	SNDFILE *sf;
	float *buf;

	memset(&info, 0, sizeof(info));
	sf = sf_open(path, SFM_READ, &info);
	if (!sf)
		die("cannot read", path);
	if (info.frames <= 0 || info.frames > CORR_MAX_FRAMES ||
	    info.channels < 1 || info.channels > 8)
		die("empty or too long", path);
	buf = calloc((size_t)info.frames * (size_t)info.channels,
	    sizeof(float));
	s->x = calloc((size_t)info.frames, sizeof(float));
	if (!buf || !s->x)
		die("out of memory", path);
	s->n = (size_t)sf_readf_float(sf, buf, info.frames);
	for (size_t i = 0; i < s->n; i++) {
		float sum = 0;

		for (int c = 0; c < info.channels; c++)
			sum += buf[i * (size_t)info.channels + (size_t)c];
		s->x[i] = sum / (float)info.channels;
	}
	s->rate = info.samplerate;
	free(buf);
	sf_close(sf);
}

/* Normalised correlation of ref[i] with rec[i + lag] for i in [i0, i1),
 * where both exist; the ref energy in *ret_xx when asked. */
static double
corr_at(const struct sig *ref, const struct sig *rec, size_t i0, size_t i1,
    long lag, double *ret_xx)
{
	double xy = 0, xx = 0, yy = 0;

	for (size_t i = i0; i < i1 && i < ref->n; i++) {
		long j = (long)i + lag;

		if (j < 0)
			continue;
		if ((size_t)j >= rec->n)
			break;
		xy += (double)ref->x[i] * rec->x[j];
		xx += (double)ref->x[i] * ref->x[i];
		yy += (double)rec->x[j] * rec->x[j];
	}
	if (ret_xx)
		*ret_xx = xx;
	return xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0.0;
}

static long
best_lag(const struct sig *ref, const struct sig *rec, size_t i0, size_t i1,
    long lo, long hi, double *ret_corr)
{
	double best = -2;
	long at = lo;

	for (long l = lo; l <= hi; l++) {
		double c = corr_at(ref, rec, i0, i1, l, NULL);

		if (c > best) {
			best = c;
			at = l;
		}
	}
	*ret_corr = best;
	return at;
}

/* Best lag for ref[i0, i1) within [lo, hi] (coarse-rate samples): found
 * on the coarse copies, refined at the full rate. */
static long
align(const struct sig *ref, const struct sig *rec, const struct sig *cref,
    const struct sig *crec, size_t i0, size_t i1, long lo, long hi,
    double *ret_corr)
{
	long k = ref->rate / CORR_COARSE_RATE + 2;
	size_t c0 = i0 * CORR_COARSE_RATE / (size_t)ref->rate;
	size_t c1 = i1 * CORR_COARSE_RATE / (size_t)ref->rate;
	long lag = best_lag(cref, crec, c0, c1, lo, hi, ret_corr);

	lag = lag * ref->rate / CORR_COARSE_RATE;
	return best_lag(ref, rec, i0, i1, lag - k, lag + k, ret_corr);
}

/* Segmental correlation: each seg-sample block of ref aligned on its own
 * within +-CORR_SEG_WINDOW_MS of the global lag (a jitter buffer moves
 * the delay during a call), averaged weighted by the block's energy. */
static double
segmental(const struct sig *ref, const struct sig *rec, const struct sig *cref,
    const struct sig *crec, long glag, size_t seg)
{
	long w = CORR_SEG_WINDOW_MS * CORR_COARSE_RATE / 1000;
	long g = glag * CORR_COARSE_RATE / ref->rate;
	double sum = 0, wsum = 0, c, xx;

	for (size_t i = 0; i + seg <= ref->n; i += seg) {
		/* Only blocks the recording covers: it may start late or end
		 * early (a sound server that came up after the call). */
		if ((long)i + glag < 0 || (long)(i + seg) + glag > (long)rec->n)
			continue;
		long lag = align(ref, rec, cref, crec, i, i + seg, g - w, g + w,
		    &c);

		corr_at(ref, rec, i, i + seg, lag, &xx);
		sum += c * xx;
		wsum += xx;
	}
	return wsum > 0 ? sum / wsum : 0.0;
}

/* Drops what comes before the first sample above -40 dBFS: a recording
 * started long before the audio reached it aligns within the lag range. */
static void
sig_trim(struct sig *s)
{
	size_t i = 0;

	while (i < s->n && fabsf(s->x[i]) < CORR_TRIM_LEVEL)
		i++;
	memmove(s->x, s->x + i, (s->n - i) * sizeof(float));
	s->n -= i;
}

static void
sig_copy(const struct sig *s, struct sig *d)
{
	d->x = malloc(s->n * sizeof(float) + 1);
	if (!d->x)
		die("out of memory", NULL);
	memcpy(d->x, s->x, s->n * sizeof(float));
	d->n = s->n;
	d->rate = s->rate;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "min", required_argument, NULL, 'm' },
		{ "segment-ms", required_argument, NULL, 's' },
		{ "trim", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct sig ref, rec, cref, crec;
	double min = -2, corr;
	int rate = 0, seg_ms = 0, trim = 0, c;
	long lag;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			rate = (int)strtol(optarg, NULL, 10);
		else if (c == 'm')
			min = strtod(optarg, NULL);
		else if (c == 's')
			seg_ms = (int)strtol(optarg, NULL, 10);
		else if (c == 't')
			trim = 1;
		else
			return 2;
	}
	if (argc - optind != 2)
		die("usage: media-corr [--rate HZ] [--min R] REF REC", NULL);
	sig_load(argv[optind], &ref);
	sig_load(argv[optind + 1], &rec);
	if (!rate)
		rate = ref.rate < rec.rate ? ref.rate : rec.rate;
	sig_resample(&ref, rate);
	sig_resample(&rec, rate);
	if (trim) {
		sig_trim(&ref);
		sig_trim(&rec);
	}
	/* Coarse search at 8 kHz, then around it at the full rate. */
	sig_copy(&ref, &cref);
	sig_copy(&rec, &crec);
	sig_resample(&cref, CORR_COARSE_RATE);
	sig_resample(&crec, CORR_COARSE_RATE);
	lag = align(&ref, &rec, &cref, &crec, 0, ref.n,
	    CORR_LAG_MIN_MS * CORR_COARSE_RATE / 1000,
	    CORR_LAG_MAX_MS * CORR_COARSE_RATE / 1000, &corr);
	if (seg_ms > 0)
		corr = segmental(&ref, &rec, &cref, &crec, lag,
		    (size_t)(seg_ms * rate / 1000));
	printf("corr=%.4f lag_ms=%.2f rate=%d%s\n", corr,
	    (double)lag * 1000.0 / rate, rate, seg_ms > 0 ? " segmental" : "");
	free(ref.x);
	free(rec.x);
	free(cref.x);
	free(crec.x);
	return corr < min ? 1 : 0;
}
