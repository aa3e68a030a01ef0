/* Codec offer/answer (lib/sdp-codec): our preference as answerer, the
 * answer's order as offerer, static types without rtpmap, Opus's /2,
 * telephone-event and CN at the codec's rate, no common codec, rejected
 * stream. */
#include <errno.h>
#include <stdio.h>

#include "sdp-codec.h"
#include "test.h"

static const struct sdp_codec ours[] = {
	{ 111, "opus", 48000, 2, "useinbandfec=1" },
	{ 0, "PCMU", 8000, 0, NULL },
	{ 8, "PCMA", 8000, 0, NULL },
	{ 101, "telephone-event", 48000, 0, "0-15" },
	{ 100, "telephone-event", 8000, 0, "0-15" },
	{ 13, "CN", 8000, 0, NULL },
};
#define NOURS (sizeof(ours) / sizeof(ours[0]))

/* Negotiates media line "m=audio PORT RTP/SAVP FMTS" with extra lines. */
static int
nego(const char *mline, const char *attrs, bool answerer,
    struct sdp_codec_choice *ch)
{
	char text[2048];
	struct sdp_session *s = NULL;
	int n, rc;

	n = snprintf(text, sizeof(text), "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"
	    "s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n%s\r\n%s", mline, attrs);
	if (sdp_parse((const uint8_t *)text, (size_t)n, &s) < 0)
		return -999;
	rc = sdp_codec_negotiate(s, 0, ours, NOURS, answerer, ch);
	sdp_free(s);
	return rc;
}

int
main(void)
{
	struct sdp_codec_choice ch;

	/* Answerer: our first choice (Opus) with the offer's numbers. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 0 8 96 97",
	    "a=rtpmap:96 opus/48000/2\r\na=rtpmap:97 telephone-event/48000\r\n"
	    "a=ptime:20\r\n", true, &ch), 0);
	CHECK(!strcmp(ch.name, "opus") && ch.pt == 96 && ch.rate == 48000);
	CHECK_EQ_INT(ch.dtmf_pt, 97);
	CHECK_EQ_INT(ch.ptime, 20);
	/* Offerer: the answer's order wins. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 8 96",
	    "a=rtpmap:96 opus/48000/2\r\n", false, &ch), 0);
	CHECK(!strcmp(ch.name, "PCMA") && ch.pt == 8 && ch.dtmf_pt == 0);
	/* Static types without rtpmap; our order picks PCMU. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/AVP 8 0", "", true, &ch), 0);
	CHECK(!strcmp(ch.name, "PCMU") && ch.pt == 0 && ch.ptime == 0);
	/* Names are case-insensitive; telephone-event/8000 goes with G.711,
	 * and a telephone-event at another rate does not. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 0 98 99",
	    "a=rtpmap:0 pcmu/8000\r\na=rtpmap:98 telephone-event/8000\r\n"
	    "a=rtpmap:99 telephone-event/48000\r\n", true, &ch), 0);
	CHECK(!strcmp(ch.name, "PCMU") && ch.dtmf_pt == 98);
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 96 98",
	    "a=rtpmap:96 opus/48000/2\r\na=rtpmap:98 telephone-event/8000\r\n",
	    true, &ch), 0);
	CHECK(!strcmp(ch.name, "opus") && ch.dtmf_pt == 0);
	/* Opus must say /2 (RFC 7587 §7); mono "opus/48000" does not match. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 96",
	    "a=rtpmap:96 opus/48000\r\n", true, &ch), -ENOENT);
	/* Nothing in common; telephone-event alone is not a codec. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 18 98",
	    "a=rtpmap:18 G729/8000\r\na=rtpmap:98 telephone-event/8000\r\n",
	    true, &ch), -ENOENT);
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 98",
	    "a=rtpmap:98 telephone-event/8000\r\n", false, &ch), -ENOENT);
	/* An unknown dynamic type without rtpmap is skipped, not guessed. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 96 0", "", false, &ch), 0);
	CHECK(!strcmp(ch.name, "PCMU"));
	/* CN (RFC 3389) goes with G.711: static 13 without rtpmap, or a
	 * dynamic type; not with Opus, and never as the codec. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 0 13", "", true, &ch), 0);
	CHECK(!strcmp(ch.name, "PCMU") && ch.cn_pt == 13 && ch.dtmf_pt == 0);
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 8 105 98",
	    "a=rtpmap:105 CN/8000\r\na=rtpmap:98 telephone-event/8000\r\n",
	    false, &ch), 0);
	CHECK(!strcmp(ch.name, "PCMA") && ch.cn_pt == 105 && ch.dtmf_pt == 98);
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 96 13",
	    "a=rtpmap:96 opus/48000/2\r\n", true, &ch), 0);
	CHECK(!strcmp(ch.name, "opus") && ch.cn_pt == 0);
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 0", "", true, &ch), 0);
	CHECK(ch.cn_pt == 0);
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 13", "", true, &ch), -ENOENT);
	/* CN at another rate does not go with G.711. */
	CHECK_EQ_INT(nego("m=audio 4000 RTP/SAVP 0 106",
	    "a=rtpmap:106 CN/16000\r\n", true, &ch), 0);
	CHECK(ch.cn_pt == 0);
	/* A rejected stream. */
	CHECK_EQ_INT(nego("m=audio 0 RTP/SAVP 0", "", true, &ch), -ENOENT);
	CHECK_EQ_INT(sdp_codec_negotiate(NULL, 0, ours, NOURS, true, &ch),
	    -EINVAL);
	return test_exit();
}
