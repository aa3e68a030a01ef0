/* The SDP of a call, built and read through lib/sdp. See call-int.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "daemon/call-int.h"
#include "sdp.h"

const char *
call_media_host(const struct calls *cs)
{
	const struct conf *cf = cs->d->conf;

	for (size_t i = 0; i < cf->n_listen; i++)
		if (strcmp(cf->listen[i].host, "0.0.0.0") != 0 &&
		    strcmp(cf->listen[i].host, "::") != 0)
			return cf->listen[i].host;
	return "127.0.0.1";
}

int
call_sdp(struct call *c, uint16_t port, bool answer, const uint8_t *mikey,
	size_t mikey_len, uint8_t **ret, size_t *ret_len)
{
	struct sdp_codec codecs[CALL_VOICE_CODECS_MAX];
	size_t ncodecs = answer && c->have_codec ?
		call_voice_answer(&c->codec, codecs) :
		call_voice_offer(c->cs->d->conf, codecs);
	/* "svopi-expect:sha-256 " and the fingerprint. */
	char expect[32 + TRUSTSTORE_FP_LEN];
	const char *sess_attrs[1] = { expect };
	struct sdp_build p;
	struct buf b;
	uint64_t sid;
	int r;

	RAND_bytes((uint8_t *)&sid, sizeof(sid));
	memset(&p, 0, sizeof(p));
	p.user = "-";
	p.sess_id = sid >> 2;
	p.sess_version = 1;
	p.addr = call_media_host(c->cs);
	p.port = port;
	p.codecs = codecs;
	p.ncodecs = ncodecs;
	p.ptime = 20;
	p.direction = port ? "sendrecv" : NULL;
	p.key_mgmt = mikey;
	p.key_mgmt_len = mikey_len;
	if (c->expect_fp[0] && !answer) {
		/* Session-level hint for the callee: the certificate we
		 * trust for it (docs/calls.md, direct INVITE). */
		snprintf(expect, sizeof(expect), "svopi-expect:sha-256 %s",
			c->expect_fp);
		p.session_attrs = sess_attrs;
		p.nsession_attrs = 1;
	}
	buf_init(&b, SDP_MAX);
	r = sdp_build(&p, &b);
	if (r == 0)
		r = buf_steal(&b, ret, ret_len);
	buf_release(&b);
	return r;
}

/* The a=svopi-expect fingerprint of s into expect, "" if none. */
static void
call_sdp_expect(const struct sdp_session *s, char *expect)
{
	const struct sdp_attr *a = sdp_attr_find(s->attr, s->nattr,
		"svopi-expect", 0);

	expect[0] = '\0';
	if (a && a->value.len == 8 + TRUSTSTORE_FP_LEN &&
	    memcmp(a->value.p, "sha-256 ", 8) == 0) {
		memcpy(expect, a->value.p + 8, TRUSTSTORE_FP_LEN);
		expect[TRUSTSTORE_FP_LEN] = '\0';
	}
}

int
call_sdp_read(const struct sip_msg *m, uint8_t **ret_mikey,
	size_t *ret_len, char *addr, size_t addrlen, uint16_t *ret_port,
	char *expect)
{
	struct sdp_session *s = NULL;
	int r;

	if (sip_str_empty(m->body) ||
	    !sip_str_caseeq(m->content_type, "application/sdp"))
		return -ENOENT;
	r = sdp_parse((const uint8_t *)m->body.p, m->body.len, &s);
	if (r < 0)
		return r;
	if (sdp_has_crypto(s)) {
		sdp_free(s);
		return -EPERM;
	}
	if (expect)
		call_sdp_expect(s, expect);
	r = -ENOENT;
	if (s->nmedia > 0)
		r = sdp_key_mgmt_decode(s, 0, ret_mikey, ret_len);
	if (r == 0 && addr) {
		const struct sdp_conn *cn;

		*ret_port = 0;
		addr[0] = '\0';
		for (size_t i = 0; i < s->nmedia; i++) {
			if (s->media[i].port == 0)
				continue;
			cn = sdp_media_conn(s, i);
			if (cn && cn->addr.len < addrlen) {
				memcpy(addr, cn->addr.p, cn->addr.len);
				addr[cn->addr.len] = '\0';
				*ret_port = s->media[i].port;
			}
			break;
		}
	}
	sdp_free(s);
	return r;
}
