/* SDP: RFC 4317 offer/answer examples (tests/data/sip/sdp/), the RFC 4567
 * key-mgmt attribute, our builder, and malformed descriptions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sdp.h"
#include "test.h"

static struct sdp_session *
parse_file(const char *name)
{
	char path[1024];
	uint8_t data[8192];
	struct sdp_session *s = NULL;
	FILE *f;
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/tests/data/sip/sdp/%s", SRCDIR, name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return NULL;
	}
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	rc = sdp_parse(data, n, &s);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", name, strerror(-rc));
	return rc < 0 ? NULL : s;
}

static struct sdp_session *
parse_text(const char *text, int *ret_rc)
{
	struct sdp_session *s = NULL;

	*ret_rc = sdp_parse((const uint8_t *)text, strlen(text), &s);
	return s;
}

static void
test_rfc4317(void)
{
	struct sdp_session *s;
	struct sdp_rtpmap map;
	const struct sdp_conn *c;

	s = parse_file("rfc4317-2.1-offer.sdp");
	CHECK(s != NULL);
	if (s) {
		CHECK(sip_str_eq(s->origin.username, "alice"));
		CHECK(sip_str_eq(s->origin.sess_id, "2890844526"));
		CHECK(sip_str_eq(s->origin.addr, "host.atlanta.example.com"));
		CHECK_EQ_INT(s->name.len, 0);
		CHECK(sip_str_eq(s->time_start, "0"));
		CHECK_EQ_INT(s->nmedia, 2);
		CHECK(sip_str_eq(s->media[0].media, "audio"));
		CHECK_EQ_INT(s->media[0].port, 49170);
		CHECK(sip_str_eq(s->media[0].proto, "RTP/AVP"));
		CHECK_EQ_INT(s->media[0].nfmt, 3);
		CHECK(sip_str_eq(s->media[0].fmt[2], "97"));
		CHECK_EQ_INT(sdp_rtpmap(s, 0, 97, &map), 0);
		CHECK(sip_str_eq(map.encoding, "iLBC"));
		CHECK_EQ_INT(map.rate, 8000);
		CHECK_EQ_INT(map.channels, 1);
		CHECK_EQ_INT(sdp_rtpmap(s, 0, 31, &map), -ENOENT);
		CHECK_EQ_INT(sdp_rtpmap(s, 1, 31, &map), 0);
		CHECK(sip_str_eq(map.encoding, "H261"));
		CHECK_EQ_INT(map.rate, 90000);
		c = sdp_media_conn(s, 1);
		CHECK(c && sip_str_eq(c->addr, "host.atlanta.example.com"));
		CHECK(sdp_media_conn(s, 2) == NULL);
		CHECK(strcmp(sdp_media_direction(s, 0), "sendrecv") == 0);
		CHECK(!sdp_has_crypto(s));
		{
			struct sip_str b64;

			CHECK_EQ_INT(sdp_key_mgmt(s, 0, &b64), -ENOENT);
			CHECK_EQ_INT(sdp_key_mgmt(s, 5, &b64), -EINVAL);
		}
		sdp_free(s);
	}
	s = parse_file("rfc4317-2.1-answer.sdp");
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_INT(s->media[0].port, 49174);
		CHECK_EQ_INT(s->media[0].nfmt, 1);
		CHECK_EQ_INT(s->media[1].port, 49170);
		sdp_free(s);
	}
	s = parse_file("rfc4317-video-rejected-answer.sdp");
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_INT(s->media[1].port, 0);
		CHECK_EQ_INT(sdp_rtpmap(s, 0, 8, &map), 0);
		CHECK(sip_str_eq(map.encoding, "PCMA"));
		sdp_free(s);
	}
	s = parse_file("rfc4317-hold-offer.sdp");
	CHECK(s != NULL);
	if (s) {
		CHECK(strcmp(sdp_media_direction(s, 0), "sendonly") == 0);
		CHECK(sip_str_eq(s->origin.sess_version, "2890844527"));
		sdp_free(s);
	}
	s = parse_file("rfc4317-hold-answer.sdp");
	CHECK(s != NULL);
	if (s) {
		CHECK(strcmp(sdp_media_direction(s, 0), "recvonly") == 0);
		sdp_free(s);
	}
}

static const char keymgmt[] =
	"v=0\r\n"
	"o=alice 2891092738 2891092738 IN IP4 192.0.2.1\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.1\r\n"
	"t=0 0\r\n"
	"a=key-mgmt:mikey AQIDBA==\r\n"
	"a=sendrecv\r\n"
	"m=audio 39000 RTP/SAVP 111 0\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=fmtp:111 useinbandfec=1; minptime=10\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=ptime:20\r\n"
	"m=audio 39002 RTP/SAVP 8\r\n"
	"a=key-mgmt:mikey BQYH\r\n"
	"a=key-mgmt:other-proto whatever\r\n"
	"a=inactive\r\n";

static void
test_key_mgmt(void)
{
	struct sdp_session *s;
	struct sip_str b64, fmtp;
	struct sdp_rtpmap map;
	uint8_t *d;
	size_t n;
	int rc;

	s = parse_text(keymgmt, &rc);
	CHECK_EQ_INT(rc, 0);
	if (!s)
		return;
	/* media 0 inherits the session attribute, media 1 overrides it */
	CHECK_EQ_INT(sdp_key_mgmt(s, 0, &b64), 0);
	CHECK(sip_str_eq(b64, "AQIDBA=="));
	CHECK_EQ_INT(sdp_key_mgmt(s, 1, &b64), 0);
	CHECK(sip_str_eq(b64, "BQYH"));
	CHECK_EQ_INT(sdp_key_mgmt_decode(s, 0, &d, &n), 0);
	CHECK(n == 4 && memcmp(d, "\x01\x02\x03\x04", 4) == 0);
	free(d);
	CHECK_EQ_INT(sdp_key_mgmt_decode(s, 1, &d, &n), 0);
	CHECK(n == 3 && memcmp(d, "\x05\x06\x07", 3) == 0);
	free(d);
	CHECK_EQ_INT(sdp_rtpmap(s, 0, 111, &map), 0);
	CHECK(sip_str_eq(map.encoding, "opus"));
	CHECK_EQ_INT(map.rate, 48000);
	CHECK_EQ_INT(map.channels, 2);
	CHECK_EQ_INT(sdp_fmtp(s, 0, 111, &fmtp), 0);
	CHECK(sip_str_eq(fmtp, "useinbandfec=1; minptime=10"));
	CHECK_EQ_INT(sdp_fmtp(s, 0, 0, &fmtp), -ENOENT);
	CHECK_EQ_INT(sdp_ptime(s, 0), 20);
	CHECK_EQ_INT(sdp_ptime(s, 1), 0);
	CHECK(strcmp(sdp_media_direction(s, 0), "sendrecv") == 0);
	CHECK(strcmp(sdp_media_direction(s, 1), "inactive") == 0);
	CHECK(sdp_attr_find(s->media[1].attr, s->media[1].nattr, "key-mgmt",
	    1) != NULL);
	CHECK(sdp_attr_find(s->media[1].attr, s->media[1].nattr, "key-mgmt",
	    2) == NULL);
	CHECK(!sdp_has_crypto(s));
	sdp_free(s);
}

static const struct {
	const char *text;
	int key_rc;		/* sdp_key_mgmt_decode() on media 0 */
	bool crypto;
} key_cases[] = {
	/* two mikey attributes at the same level are ambiguous */
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "m=audio 1 RTP/SAVP 0\na=key-mgmt:mikey AAAA\n"
	  "a=key-mgmt:mikey BBBB\n", -EBADMSG, false },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "a=key-mgmt:mikey AAAA\na=key-mgmt:MIKEY BBBB\n"
	  "m=audio 1 RTP/SAVP 0\n", -EBADMSG, false },
	/* bad base64 */
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "m=audio 1 RTP/SAVP 0\na=key-mgmt:mikey AAA\n", -EBADMSG, false },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "m=audio 1 RTP/SAVP 0\na=key-mgmt:mikey A=AA\n", -EBADMSG, false },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "m=audio 1 RTP/SAVP 0\na=key-mgmt:mikey AB==\n", -EBADMSG, false },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "m=audio 1 RTP/SAVP 0\na=key-mgmt:mikey AA*A\n", -EBADMSG, false },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "m=audio 1 RTP/SAVP 0\na=key-mgmt:mikey \n", -EBADMSG, false },
	/* no mikey at all, and SDES present */
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "m=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	  "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\n",
	  -ENOENT, true },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n"
	  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\n"
	  "a=key-mgmt:mikey AQID\nm=audio 1 RTP/SAVP 0\n", 0, true },
};

static void
test_key_cases(void)
{
	for (size_t i = 0; i < sizeof(key_cases) / sizeof(*key_cases); i++) {
		int rc;
		struct sdp_session *s = parse_text(key_cases[i].text, &rc);
		uint8_t *d = NULL;
		size_t n;

		CHECK_EQ_INT(rc, 0);
		if (!s)
			continue;
		rc = sdp_key_mgmt_decode(s, 0, &d, &n);
		if (rc != key_cases[i].key_rc)
			fprintf(stderr, "key case %zu: %d\n", i, rc);
		CHECK_EQ_INT(rc, key_cases[i].key_rc);
		CHECK(sdp_has_crypto(s) == key_cases[i].crypto);
		if (rc == 0)
			free(d);
		sdp_free(s);
	}
}

static const struct {
	const char *text;
	int rc;
} parse_cases[] = {
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0\n",
	  0 },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\n"
	  "c=IN IP4 h\n", 0 },
	{ "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\n\r\n", 0 },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\ni=info\nu=http://x\ne=a@b\np=+1\n"
	  "c=IN IP4 h\nb=AS:64\nt=0 0\nr=7d 1h 0 25h\nz=0 0\nk=prompt\n"
	  "a=tool:x\nm=audio 1/2 RTP/AVP 0\ni=m\nc=IN IP4 h\nb=AS:1\n"
	  "a=rtcp-mux\n", 0 },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0",
	  0 },
	{ "o=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n", -EBADMSG },
	{ "v=1\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n", -EBADMSG },
	{ "v=0\nv=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n", -EBADMSG },
	{ "v=0\ns=-\no=- 1 1 IN IP4 h\nc=IN IP4 h\nt=0 0\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\nc=IN IP4 h\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4\ns=-\nc=IN IP4 h\nt=0 0\n", -EBADMSG },
	{ "v=0\no=- x 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n", -EBADMSG },
	{ "v=0\no=-  1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nx=unknown\n",
	  -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm =audio 1 RTP/AVP 0\n",
	  -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\n",
	  -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 70000 RTP/AVP 0\n",
	  -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 128\n",
	  -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP\n",
	  -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0\n"
	  "a=\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0\n"
	  "a=x\rb\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0\n"
	  "\na=x\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0\n"
	  "a=x\nc=IN IP4 h\n", -EBADMSG },
	{ "v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 1 RTP/AVP 0\n"
	  "t=0 0\n", -EBADMSG },
	{ "", -EBADMSG },
};

static void
test_parse_cases(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(*parse_cases);
	    i++) {
		int rc;
		struct sdp_session *s = parse_text(parse_cases[i].text, &rc);

		if (rc != parse_cases[i].rc)
			fprintf(stderr, "case %zu: %d\n", i, rc);
		CHECK_EQ_INT(rc, parse_cases[i].rc);
		sdp_free(s);
	}
	CHECK(sdp_free(NULL) == NULL);
}

static void
test_limits(void)
{
	struct buf b;
	struct sdp_session *s = NULL;
	uint8_t *p;
	size_t n;
	static const char head[] =
	    "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\n";

	for (int extra = 0; extra < 2; extra++) {
		buf_init(&b, SDP_MAX);
		buf_put_bytes(&b, head, sizeof(head) - 1);
		for (int i = 0; i < SDP_MEDIA_MAX + extra; i++)
			buf_put_bytes(&b, "m=audio 0 RTP/AVP 0\r\n", 21);
		CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
		CHECK_EQ_INT(sdp_parse(p, n, &s), extra ? -E2BIG : 0);
		s = sdp_free(s);
		free(p);
	}
	for (int extra = 0; extra < 2; extra++) {
		buf_init(&b, SDP_MAX);
		buf_put_bytes(&b, head, sizeof(head) - 1);
		buf_put_bytes(&b, "m=audio 0 RTP/AVP 0\r\n", 21);
		for (int i = 0; i < SDP_ATTR_MAX + extra; i++)
			buf_put_bytes(&b, "a=x\r\n", 5);
		CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
		CHECK_EQ_INT(sdp_parse(p, n, &s), extra ? -E2BIG : 0);
		s = sdp_free(s);
		free(p);
	}
	for (int extra = 0; extra < 2; extra++) {
		buf_init(&b, SDP_MAX);
		buf_put_bytes(&b, head, sizeof(head) - 1);
		buf_put_bytes(&b, "m=audio 0 RTP/AVP", 17);
		for (int i = 0; i < SDP_FMT_MAX + extra; i++)
			buf_put_bytes(&b, " 0", 2);
		buf_put_bytes(&b, "\r\n", 2);
		CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
		CHECK_EQ_INT(sdp_parse(p, n, &s), extra ? -E2BIG : 0);
		s = sdp_free(s);
		free(p);
	}
	buf_init(&b, SDP_MAX);
	buf_put_bytes(&b, head, sizeof(head) - 1);
	buf_put_bytes(&b, "a=x:", 4);
	for (int i = 0; i < SDP_LINE_MAX; i++)
		buf_put_u8(&b, 'a');
	buf_put_bytes(&b, "\r\n", 2);
	CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
	CHECK_EQ_INT(sdp_parse(p, n, &s), -E2BIG);
	free(p);
	p = calloc(1, SDP_MAX + 1);
	CHECK_EQ_INT(sdp_parse(p, SDP_MAX + 1, &s), -E2BIG);
	free(p);
}

static void
test_build(void)
{
	static const struct sdp_codec codecs[] = {
		{ 111, "opus", 48000, 2, "useinbandfec=1" },
		{ 0, "PCMU", 8000, 0, NULL },
		{ 8, "PCMA", 8000, 0, NULL },
		{ 101, "telephone-event", 8000, 0, "0-16" },
	};
	uint8_t mikey[300];
	struct sdp_build p = {
		.user = "svopi",
		.sess_id = 1234567890123ULL,
		.sess_version = 1,
		.addr = "192.0.2.10",
		.port = 40000,
		.codecs = codecs,
		.ncodecs = 4,
		.ptime = 20,
		.direction = "sendrecv",
		.key_mgmt = mikey,
		.key_mgmt_len = sizeof(mikey),
	};
	struct sdp_session *s = NULL;
	struct sdp_rtpmap map;
	struct sip_str fmtp;
	struct buf b;
	uint8_t *d, *out;
	size_t n, len;

	for (size_t i = 0; i < sizeof(mikey); i++)
		mikey[i] = (uint8_t)(i * 7 + 1);
	buf_init(&b, SDP_MAX);
	CHECK_EQ_INT(sdp_build(&p, &b), 0);
	CHECK_EQ_INT(buf_steal(&b, &out, &len), 0);
	CHECK(len > 20 && memcmp(out, "v=0\r\no=svopi 1234567890123 1 IN IP4 "
	    "192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
	    "a=key-mgmt:mikey ", 93) == 0);
	CHECK(memmem(out, len, "m=audio 40000 RTP/SAVP 111 0 8 101\r\n", 36));
	CHECK(memmem(out, len, "a=rtpmap:111 opus/48000/2\r\n", 27));
	CHECK(memmem(out, len, "a=rtpmap:0 PCMU/8000\r\n", 22));
	CHECK(memmem(out, len, "a=ptime:20\r\n", 12));
	CHECK_EQ_INT(sdp_parse(out, len, &s), 0);
	free(out);
	if (!s)
		return;
	CHECK_EQ_INT(s->nmedia, 1);
	CHECK_EQ_INT(s->media[0].port, 40000);
	CHECK(sip_str_eq(s->media[0].proto, "RTP/SAVP"));
	CHECK_EQ_INT(s->media[0].nfmt, 4);
	CHECK_EQ_INT(sdp_rtpmap(s, 0, 101, &map), 0);
	CHECK(sip_str_eq(map.encoding, "telephone-event"));
	CHECK_EQ_INT(sdp_fmtp(s, 0, 101, &fmtp), 0);
	CHECK(sip_str_eq(fmtp, "0-16"));
	CHECK_EQ_INT(sdp_ptime(s, 0), 20);
	CHECK_EQ_INT(sdp_key_mgmt_decode(s, 0, &d, &n), 0);
	CHECK(n == sizeof(mikey) && memcmp(d, mikey, n) == 0);
	free(d);
	s = sdp_free(s);

	/* IPv6, no key-mgmt, rejected stream */
	p.addr = "2001:db8::10";
	p.key_mgmt_len = 0;
	p.port = 0;
	p.direction = NULL;
	buf_init(&b, SDP_MAX);
	CHECK_EQ_INT(sdp_build(&p, &b), 0);
	CHECK(memmem(b.data, b.len, "c=IN IP6 2001:db8::10\r\n", 23));
	CHECK(memmem(b.data, b.len, "key-mgmt", 8) == NULL);
	CHECK_EQ_INT(sdp_parse(b.data, b.len, &s), 0);
	if (s) {
		struct sip_str b64;

		CHECK_EQ_INT(sdp_key_mgmt(s, 0, &b64), -ENOENT);
		CHECK_EQ_INT(s->media[0].port, 0);
	}
	s = sdp_free(s);
	buf_release(&b);

	/* refusals */
	buf_init(&b, SDP_MAX);
	p.addr = "host.example.org";
	CHECK_EQ_INT(sdp_build(&p, &b), -EINVAL);
	p.addr = "192.0.2.1";
	p.user = "two words";
	CHECK_EQ_INT(sdp_build(&p, &b), -EINVAL);
	p.user = NULL;
	p.direction = "sideways";
	CHECK_EQ_INT(sdp_build(&p, &b), -EINVAL);
	p.direction = NULL;
	p.ncodecs = 0;
	CHECK_EQ_INT(sdp_build(&p, &b), -EINVAL);
	p.ncodecs = 1;
	p.key_mgmt_len = SDP_KEY_MGMT_MAX + 1;
	CHECK_EQ_INT(sdp_build(&p, &b), -E2BIG);
	CHECK_EQ_INT(b.len, 0);
	p.key_mgmt_len = 0;
	CHECK_EQ_INT(sdp_build(&p, &b), 0);
	CHECK(memmem(b.data, b.len, "o=- ", 4) != NULL);
	buf_release(&b);
	{
		static const struct sdp_codec bad = { 1, "a\r\nb", 8000, 0,
		    NULL };

		p.codecs = &bad;
		buf_init(&b, SDP_MAX);
		CHECK_EQ_INT(sdp_build(&p, &b), -EINVAL);
		buf_release(&b);
	}
}

/* Extra attribute lines at session and media level (the OPTIONS
 * capabilities of RFC 5939 and the a=svopi-expect hint). */
static void
test_build_attrs(void)
{
	static const struct sdp_codec pcmu = { 0, "PCMU", 8000, 0, NULL };
	static const char *const sess[] = { "svopi-expect:sha-256 AB" };
	static const char *const media[] = { "tcap:1 RTP/SAVP",
	    "acap:1 key-mgmt:mikey" };
	static const char *const bad[][1] = { { "x\r\na=crypto:1" },
	    { ":no-name" }, { "" } };
	struct sdp_build p;
	struct sdp_session *s = NULL;
	const struct sdp_attr *a;
	struct buf b;

	memset(&p, 0, sizeof(p));
	p.addr = "192.0.2.1";
	p.codecs = &pcmu;
	p.ncodecs = 1;
	p.session_attrs = sess;
	p.nsession_attrs = 1;
	p.media_attrs = media;
	p.nmedia_attrs = 2;
	buf_init(&b, SDP_MAX);
	CHECK_EQ_INT(sdp_build(&p, &b), 0);
	CHECK_EQ_INT(sdp_parse(b.data, b.len, &s), 0);
	if (s) {
		a = sdp_attr_find(s->attr, s->nattr, "svopi-expect", 0);
		CHECK(a && sip_str_eq(a->value, "sha-256 AB"));
		a = sdp_attr_find(s->media[0].attr, s->media[0].nattr,
		    "acap", 0);
		CHECK(a && sip_str_eq(a->value, "1 key-mgmt:mikey"));
		CHECK(sdp_attr_find(s->media[0].attr, s->media[0].nattr,
		    "tcap", 0) != NULL);
	}
	s = sdp_free(s);
	buf_release(&b);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.media_attrs = bad[i];
		p.nmedia_attrs = 1;
		buf_init(&b, SDP_MAX);
		CHECK_EQ_INT(sdp_build(&p, &b), -EINVAL);
		buf_release(&b);
	}
	p.media_attrs = media;
	p.nmedia_attrs = SDP_ATTR_MAX;	/* more than the array, refused */
	buf_init(&b, SDP_MAX);
	CHECK_EQ_INT(sdp_build(&p, &b), -EINVAL);
	buf_release(&b);
}

int
main(void)
{
	test_rfc4317();
	test_key_mgmt();
	test_key_cases();
	test_parse_cases();
	test_limits();
	test_build();
	test_build_attrs();
	return test_exit();
}
