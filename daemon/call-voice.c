/* The voice of a call: see call-voice.h. */
#include <errno.h>
#include <string.h>

#include "daemon/audio-file.h"
#include "daemon/audio-pulse.h"
#include "daemon/call-voice.h"
#include "daemon/media-codec.h"
#include "sdp.h"

static const struct sdp_codec voice_codecs[] = {
	[CONF_CODEC_OPUS] = { MEDIA_PT_OPUS, "opus", 48000, 2,
	    "useinbandfec=1" },
	[CONF_CODEC_PCMU] = { MEDIA_PT_PCMU, "PCMU", 8000, 0, NULL },
	[CONF_CODEC_PCMA] = { MEDIA_PT_PCMA, "PCMA", 8000, 0, NULL },
};
static const struct sdp_codec voice_dtmf_48k = {
	CALL_VOICE_DTMF_PT_48K, "telephone-event", 48000, 0, "0-15"
};
static const struct sdp_codec voice_dtmf_8k = {
	CALL_VOICE_DTMF_PT_8K, "telephone-event", 8000, 0, "0-15"
};
static const struct sdp_codec voice_cn_8k = {
	CALL_VOICE_CN_PT, "CN", 8000, 0, NULL
};

size_t
call_voice_offer(const struct conf *cf, struct sdp_codec *ours)
{
	bool r48 = false, r8 = false;
	size_t n = 0;

	for (size_t i = 0; i < cf->n_codecs && i < CONF_CODEC_MAX; i++) {
		ours[n] = voice_codecs[cf->codecs[i]];
		if (ours[n].rate == 48000)
			r48 = true;
		else
			r8 = true;
		n++;
	}
	if (r48)
		ours[n++] = voice_dtmf_48k;
	if (r8) {
		ours[n++] = voice_dtmf_8k;
		ours[n++] = voice_cn_8k;
	}
	return n;
}

size_t
call_voice_answer(const struct sdp_codec_choice *ch, struct sdp_codec *ours)
{
	size_t n = 0;

	for (size_t i = 0; i < CONF_CODEC_MAX; i++)
		if (!strcmp(voice_codecs[i].name, ch->name)) {
			ours[n] = voice_codecs[i];
			ours[n++].pt = ch->pt;
			break;
		}
	if (n && ch->dtmf_pt) {
		ours[n] = ch->rate == 48000 ? voice_dtmf_48k : voice_dtmf_8k;
		ours[n++].pt = ch->dtmf_pt;
	}
	if (n && ch->cn_pt && ch->rate == 8000) {
		ours[n] = voice_cn_8k;
		ours[n++].pt = ch->cn_pt;
	}
	return n;
}

int
call_voice_negotiate(const struct conf *cf, const struct sip_msg *m,
    bool answerer, struct sdp_codec_choice *ret)
{
	struct sdp_codec ours[CALL_VOICE_CODECS_MAX];
	struct sdp_session *s = NULL;
	size_t n = call_voice_offer(cf, ours);
	int r;

	if (sip_str_empty(m->body))
		return -ENOENT;
	r = sdp_parse((const uint8_t *)m->body.p, m->body.len, &s);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < s->nmedia && r == -ENOENT; i++)
		if (s->media[i].port)
			r = sdp_codec_negotiate(s, i, ours, n, answerer, ret);
	sdp_free(s);
	return r;
}

static int
voice_audio(const struct conf *cf, const struct call_voice_params *p,
    unsigned rate, struct media_voice_params *vp)
{
	const char *play = p->play, *record = p->record;
	struct audio_pulse *pa;
	int r;

	if (!play && !record && cf->audio == CONF_AUDIO_PULSE) {
		struct audio_pulse_params pp = { .rate = rate,
		    .sink = cf->sink, .source = cf->source };

		return audio_pulse_open(&pp, &pa, &vp->in, &vp->out);
	}
	if (!play && !record && cf->audio == CONF_AUDIO_FILE) {
		play = cf->play;
		record = cf->record;
	}
	if (play && (r = audio_file_in(play, rate, &vp->in)) < 0)
		return r;
	if (record && (r = audio_file_out(record, rate, &vp->out)) < 0) {
		if (vp->in.close)
			vp->in.close(vp->in.ctx);
		return r;
	}
	return 0;
}

int
call_voice_attach(struct media *m, struct event_base *base,
    const struct conf *cf, const struct call_voice_params *p,
    struct media_voice **ret_voice)
{
	struct media_voice_params vp;
	struct media_source src;
	struct media_sink sink;
	struct media_voice *v = NULL;
	int r;

	memset(&vp, 0, sizeof(vp));
	if (media_codec_from_name(p->codec->name, &vp.codec) < 0)
		return -EINVAL;
	vp.pt = p->codec->pt;
	vp.dtmf_pt = p->codec->dtmf_pt;
	vp.cn_pt = p->codec->cn_pt;
	vp.on_dtmf = p->on_dtmf;
	vp.ctx = p->ctx;
	r = voice_audio(cf, p, media_codec_clock(vp.codec), &vp);
	if (r < 0)
		return r;
	r = media_voice_new(base, &vp, &v, &src, &sink);
	if (r < 0) {
		if (vp.in.close)
			vp.in.close(vp.in.ctx);
		if (vp.out.close)
			vp.out.close(vp.out.ctx);
		return r;
	}
	r = media_set_stream(m, vp.pt, media_codec_clock(vp.codec), &src,
	    &sink);
	if (r < 0) {
		media_voice_free(v);
		return r;
	}
	*ret_voice = v;
	return 0;
}

int
call_voice_check_play(const char *path)
{
	struct audio_in in;
	int r = audio_file_in(path, 8000, &in);

	if (r == 0)
		in.close(in.ctx);
	return r;
}
