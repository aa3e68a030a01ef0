/* Codec offer/answer: see sdp-codec.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sdp-codec.h"

#define TEL_EVENT	"telephone-event"
#define CN		"CN"

/* The rtpmap of format i of media m, with the RFC 3551 static defaults.
 * Returns 0 or -ENOENT (unknown dynamic type, malformed rtpmap). */
static int
fmt_map(const struct sdp_session *s, size_t m, size_t i,
    struct sdp_rtpmap *ret)
{
	uint32_t pt;

	if (sip_str_u32(s->media[m].fmt[i], 127, &pt) < 0)
		return -ENOENT;
	if (sdp_rtpmap(s, m, pt, ret) == 0)
		return 0;
	if (pt != 0 && pt != 8 && pt != 13)
		return -ENOENT;
	ret->pt = pt;
	ret->encoding = pt == 0 ? SIP_STR("PCMU") : pt == 8 ? SIP_STR("PCMA") :
	    SIP_STR(CN);
	ret->rate = 8000;
	ret->channels = 1;
	return 0;
}

static bool
codec_matches(const struct sdp_codec *c, const struct sdp_rtpmap *map)
{
	unsigned ch = c->channels ? c->channels : 1;

	return sip_str_caseeq(map->encoding, c->name) && map->rate == c->rate &&
	    map->channels == ch;
}

/* telephone-event and CN go beside a codec; they are never the codec. */
static bool
is_aux(const struct sdp_codec *c)
{
	return !strcasecmp(c->name, TEL_EVENT) || !strcasecmp(c->name, CN);
}

/* Format index in s matching our codec c, or -1. */
static long
find_fmt(const struct sdp_session *s, size_t m, const struct sdp_codec *c)
{
	struct sdp_rtpmap map;

	for (size_t i = 0; i < s->media[m].nfmt; i++)
		if (fmt_map(s, m, i, &map) == 0 && codec_matches(c, &map))
			return (long)i;
	return -1;
}

/* Our codec matching format i of s (not an auxiliary one), or NULL. */
static const struct sdp_codec *
find_ours(const struct sdp_session *s, size_t m, size_t i,
    const struct sdp_codec *ours, size_t nours)
{
	struct sdp_rtpmap map;

	if (fmt_map(s, m, i, &map) < 0)
		return NULL;
	for (size_t k = 0; k < nours; k++)
		if (!is_aux(&ours[k]) && codec_matches(&ours[k], &map))
			return &ours[k];
	return NULL;
}

/* The payload type in s of our auxiliary format named name at the chosen
 * codec's rate, or 0: a dynamic type, or for CN also its static 13. */
static uint8_t
choose_aux(const struct sdp_session *s, size_t m, const struct sdp_codec *ours,
    size_t nours, const struct sdp_codec_choice *ch, const char *name)
{
	struct sdp_rtpmap map;

	for (size_t k = 0; k < nours; k++) {
		long i;

		if (strcasecmp(ours[k].name, name) || ours[k].rate != ch->rate)
			continue;
		i = find_fmt(s, m, &ours[k]);
		if (i >= 0 && fmt_map(s, m, (size_t)i, &map) == 0 &&
		    (map.pt >= 96 || (map.pt == 13 && !strcmp(name, CN))) &&
		    map.pt != ch->pt)
			return (uint8_t)map.pt;
	}
	return 0;
}

int
sdp_codec_negotiate(const struct sdp_session *s, size_t m,
    const struct sdp_codec *ours, size_t nours, bool answerer,
    struct sdp_codec_choice *ret)
{
	const struct sdp_codec *pick = NULL;
	struct sdp_codec_choice ch;
	struct sdp_rtpmap map;
	long at = -1;

	if (!s || m >= s->nmedia || !ours || !nours)
		return -EINVAL;
	if (s->media[m].port == 0)
		return -ENOENT;
	if (answerer) {
		for (size_t k = 0; k < nours && at < 0; k++)
			if (!is_aux(&ours[k]) &&
			    (at = find_fmt(s, m, &ours[k])) >= 0)
				pick = &ours[k];
	} else {
		for (size_t i = 0; i < s->media[m].nfmt && !pick; i++)
			if ((pick = find_ours(s, m, i, ours, nours)) != NULL)
				at = (long)i;
	}
	if (!pick || fmt_map(s, m, (size_t)at, &map) < 0)
		return -ENOENT;
	memset(&ch, 0, sizeof(ch));
	ch.pt = (uint8_t)map.pt;
	snprintf(ch.name, sizeof(ch.name), "%s", pick->name);
	ch.rate = pick->rate;
	ch.ptime = sdp_ptime(s, m);
	ch.dtmf_pt = choose_aux(s, m, ours, nours, &ch, TEL_EVENT);
	ch.cn_pt = choose_aux(s, m, ours, nours, &ch, CN);
	*ret = ch;
	return 0;
}
