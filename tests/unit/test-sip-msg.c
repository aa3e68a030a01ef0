/* SIP message parsing, framing, validation and building: the RFC 4475
 * torture messages (tests/data/sip/rfc4475/) plus table-driven cases. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sip-msg.h"
#include "sip-out.h"
#include "test.h"

/* Expected outcome for each torture message, see docs/sip.md. */
enum expect {
	VALID,		/* parses and validates */
	REFUSED,	/* the parser refuses it */
	SEMANTIC,	/* parses; validate refuses with status */
};

static const struct {
	const char *file;
	enum expect expect;
	unsigned status;	/* for SEMANTIC */
} torture[] = {
	/* 3.1.1 valid messages */
	{ "wsinv", VALID, 0 },
	{ "intmeth", VALID, 0 },
	{ "esc01", VALID, 0 },
	{ "escnull", VALID, 0 },
	{ "esc02", VALID, 0 },
	{ "lwsdisp", VALID, 0 },
	{ "longreq", VALID, 0 },
	{ "dblreq", VALID, 0 },
	{ "semiuri", VALID, 0 },
	{ "transports", VALID, 0 },
	{ "mpart01", VALID, 0 },
	{ "unreason", VALID, 0 },
	{ "noreason", VALID, 0 },
	/* 3.1.2 invalid messages */
	{ "badinv01", REFUSED, 0 },
	{ "clerr", REFUSED, 0 },
	{ "ncl", REFUSED, 0 },
	{ "scalar02", REFUSED, 0 },
	{ "scalarlg", REFUSED, 0 },
	{ "quotbal", REFUSED, 0 },
	{ "ltgtruri", REFUSED, 0 },
	{ "lwsruri", REFUSED, 0 },
	{ "lwsstart", REFUSED, 0 },
	{ "trws", REFUSED, 0 },
	{ "escruri", SEMANTIC, 400 },
	{ "baddate", VALID, 0 },	/* Date is not interpreted */
	{ "regbadct", REFUSED, 0 },
	{ "badaspec", REFUSED, 0 },
	{ "baddn", REFUSED, 0 },
	{ "badvers", SEMANTIC, 505 },
	{ "mismatch01", SEMANTIC, 400 },
	{ "mismatch02", SEMANTIC, 400 },
	{ "bigcode", REFUSED, 0 },
	/* 3.2 transaction layer */
	{ "badbranch", VALID, 0 },
	/* 3.3 application layer: parse, the UA decides */
	{ "insuf", SEMANTIC, 400 },
	{ "unkscm", SEMANTIC, 416 },
	{ "novelsc", SEMANTIC, 416 },
	{ "unksm2", VALID, 0 },
	{ "bext01", VALID, 0 },
	{ "invut", VALID, 0 },
	{ "regaut01", VALID, 0 },
	{ "multi01", SEMANTIC, 400 },
	{ "mcl01", REFUSED, 0 },
	{ "bcast", VALID, 0 },
	{ "zeromf", VALID, 0 },
	{ "cparam01", VALID, 0 },
	{ "cparam02", VALID, 0 },
	{ "regescrt", VALID, 0 },
	{ "sdp01", VALID, 0 },
	/* 3.4 backwards compatibility */
	{ "inv2543", VALID, 0 },
};

static uint8_t *
load(const char *name, size_t *ret_len)
{
	char path[1024];
	uint8_t *data;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/sip/rfc4475/%s.dat",
	    SRCDIR, name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return NULL;
	}
	data = malloc(SIP_MSG_MAX + 1);
	n = fread(data, 1, SIP_MSG_MAX + 1, f);
	fclose(f);
	*ret_len = n;
	return data;
}

static struct sip_msg *
parse_file(const char *name)
{
	size_t len;
	uint8_t *d = load(name, &len);
	struct sip_msg *m = NULL;

	if (d && sip_msg_parse(d, len, 0, &m) < 0)
		m = NULL;
	free(d);
	return m;
}

static void
test_torture(void)
{
	for (size_t i = 0; i < sizeof(torture) / sizeof(*torture); i++) {
		size_t len;
		uint8_t *d = load(torture[i].file, &len);
		struct sip_msg *m = NULL;
		struct sip_problem why = { 0, NULL };
		int rc, v;

		CHECK(d != NULL);
		if (!d)
			continue;
		rc = sip_msg_parse(d, len, 0, &m);
		if (torture[i].expect == REFUSED) {
			if (rc >= 0)
				fprintf(stderr, "%s: parsed\n", torture[i].file);
			CHECK(rc == -EBADMSG || rc == -E2BIG);
			CHECK(rc < 0);
		} else {
			if (rc < 0)
				fprintf(stderr, "%s: %s\n", torture[i].file,
				    strerror(-rc));
			CHECK_EQ_INT(rc, 0);
		}
		if (rc == 0) {
			v = sip_msg_validate(m, &why);
			if (torture[i].expect == VALID) {
				if (v < 0)
					fprintf(stderr, "%s: %s\n",
					    torture[i].file, why.why);
				CHECK_EQ_INT(v, 0);
			} else {
				CHECK(v < 0);
				CHECK_EQ_INT(why.status, torture[i].status);
			}
		}
		sip_msg_free(m);
		free(d);
	}
}

static bool
streq(struct sip_str s, const char *z)
{
	return sip_str_eq(s, z);
}

static void
test_wsinv(void)
{
	struct sip_msg *m = parse_file("wsinv");
	struct sip_str v;
	char disp[64];

	CHECK(m != NULL);
	if (!m)
		return;
	CHECK(m->request);
	CHECK(streq(m->method, "INVITE"));
	CHECK_EQ_INT(m->method_id, SIP_METHOD_INVITE);
	CHECK(streq(m->ruri.user, "vivekg"));
	CHECK(streq(m->ruri.host, "chair-dnrc.example.com"));
	CHECK(streq(m->ruri.params, ";unknownparam"));
	CHECK(streq(m->to.tag, "1918181833n"));
	CHECK(streq(m->to.uri.host, "chair-dnrc.example.com"));
	CHECK(streq(m->from.tag, "98asjd8"));
	CHECK(streq(m->from.display, "\"J Rosenberg \\\\\\\"\""));
	CHECK_EQ_INT(sip_str_unquote(m->from.display, disp, sizeof(disp)),
	    14);
	CHECK(strcmp(disp, "J Rosenberg \\\"") == 0);
	CHECK(streq(m->from.uri.user, "jdrosen"));
	CHECK_EQ_INT(m->max_forwards, 68);
	CHECK(streq(m->call_id, "wsinv.ndaksdj@192.0.2.1"));
	CHECK_EQ_INT(m->cseq, 9);
	CHECK(streq(m->cseq_method, "INVITE"));
	CHECK_EQ_INT(m->content_length, 150);
	CHECK_EQ_INT(m->body.len, 150);
	CHECK(m->body.len > 4 && memcmp(m->body.p, "v=0\r\n", 5) == 0);
	CHECK(streq(m->content_type, "application/sdp"));
	/* Vias: one folded header and one compact header with two values */
	CHECK_EQ_INT(m->nvia, 3);
	CHECK(streq(m->via[0].transport, "UDP"));
	CHECK(streq(m->via[0].host, "192.0.2.2"));
	CHECK_EQ_INT(m->via[0].host_type, SIP_HOST_IPV4);
	CHECK(streq(m->via[0].branch, "390skdjuw"));
	CHECK(streq(m->via[1].transport, "TCP"));
	CHECK(streq(m->via[1].host, "spindle.example.com"));
	CHECK(streq(m->via[1].branch, "z9hG4bK9ikj8"));
	CHECK(streq(m->via[2].host, "192.168.255.111"));
	CHECK(streq(m->via[2].branch, "z9hG4bK30239"));
	/* Contact with quoted display and odd parameters */
	CHECK_EQ_INT(m->ncontact, 1);
	CHECK(streq(m->contact[0].display, "\"Quoted string \\\"\\\"\""));
	CHECK(sip_str_param(m->contact[0].params, "newparam", &v) == 0 &&
	    streq(v, "newvalue"));
	CHECK(sip_str_param(m->contact[0].params, "q", &v) == 0 &&
	    streq(v, "0.33"));
	CHECK(sip_str_param(m->contact[0].params, "secondparam", &v) == 0 &&
	    v.len == 0);
	CHECK_EQ_INT(m->contact[0].expires, -1);
	CHECK_EQ_INT(m->nroute, 1);
	CHECK(m->route[0].uri.lr);
	CHECK(streq(m->route[0].uri.host, "services.example.com"));
	/* generic lookups, compact and full names */
	CHECK(sip_msg_header_named(m, "NewFangledHeader", 0) != NULL);
	CHECK(streq(sip_msg_header_named(m, "newfangledheader", 0)->value,
	    "newfangled value   continued newfangled value"));
	CHECK(sip_msg_header_named(m, "Subject", 0) != NULL);
	CHECK_EQ_INT(sip_msg_header_named(m, "s", 0)->value.len, 0);
	CHECK(sip_msg_header_named(m, "v", 1) != NULL);
	CHECK(sip_msg_header_named(m, "Via", 2) == NULL);
	CHECK(sip_msg_header(m, SIP_HDR_CALL_ID, 0) != NULL);
	sip_msg_free(m);
}

static void
test_fields(void)
{
	struct sip_msg *m;
	struct sip_warning w;

	m = parse_file("esc01");
	CHECK(m != NULL);
	if (m) {
		struct sip_uri want;

		CHECK(streq(m->call_id, "esc01.239409asdfakjkn23onasd0-3234"));
		CHECK(streq(m->content_type, "application/sdp"));
		CHECK(sip_uri_parse("sip:user@example.com", 20, &want) == 0);
		CHECK(sip_uri_aor_equal(&m->to.uri, &want));
		CHECK(streq(m->ruri.user, "sips%3Auser%40example.com"));
		CHECK(streq(m->ruri.host, "example.net"));
		sip_msg_free(m);
	}
	m = parse_file("esc02");
	CHECK(m != NULL);
	if (m) {
		CHECK(streq(m->method, "RE%47IST%45R"));
		CHECK_EQ_INT(m->method_id, SIP_METHOD_OTHER);
		/* C%6Fntact is an unknown header, not a Contact */
		CHECK_EQ_INT(m->ncontact, 2);
		CHECK(sip_msg_header_named(m, "C%6Fntact", 0) != NULL);
		sip_msg_free(m);
	}
	m = parse_file("longreq");
	CHECK(m != NULL);
	if (m) {
		CHECK_EQ_INT(m->nvia, 34);
		CHECK(streq(m->via[33].received, "192.0.2.5"));
		CHECK(streq(m->via[0].host, "sip33.example.com"));
		CHECK_EQ_INT(m->content_length, 150);
		sip_msg_free(m);
	}
	m = parse_file("transports");
	CHECK(m != NULL);
	if (m) {
		CHECK_EQ_INT(m->nvia, 5);
		CHECK(streq(m->via[1].transport, "SCTP"));
		CHECK(streq(m->via[3].transport, "UNKNOWN"));
		sip_msg_free(m);
	}
	m = parse_file("noreason");
	CHECK(m != NULL);
	if (m) {
		CHECK(!m->request);
		CHECK_EQ_INT(m->status, 100);
		CHECK_EQ_INT(m->reason.len, 0);
		sip_msg_free(m);
	}
	m = parse_file("unreason");
	CHECK(m != NULL);
	if (m) {
		CHECK_EQ_INT(m->status, 200);
		CHECK(m->reason.len > 20);
		sip_msg_free(m);
	}
	m = parse_file("dblreq");
	CHECK(m != NULL);
	if (m) {
		/* datagram: bytes after Content-Length are ignored */
		CHECK(streq(m->method, "REGISTER"));
		CHECK_EQ_INT(m->body.len, 0);
		CHECK(streq(m->contact[0].uri.user, "j.user"));
		sip_msg_free(m);
	}
	m = parse_file("mpart01");
	CHECK(m != NULL);
	if (m) {
		CHECK_EQ_INT(m->body.len, 553);
		CHECK(streq(m->content_type, "multipart/mixed"));
		CHECK(streq(m->content_type_params, ";boundary=7a9cbec02ceef655"));
		CHECK(m->via[0].rport && m->via[0].rport_value == 0);
		CHECK_EQ_INT(m->via[0].port, 5070);
		sip_msg_free(m);
	}
	m = parse_file("bext01");
	CHECK(m != NULL);
	if (m) {
		CHECK(sip_msg_has_token(m, SIP_HDR_REQUIRE,
		    "nothingsupportsthiseither"));
		CHECK(sip_msg_has_token(m, SIP_HDR_PROXY_REQUIRE,
		    "noProxiesSupportThis"));
		CHECK(!sip_msg_has_token(m, SIP_HDR_REQUIRE, "timer"));
		sip_msg_free(m);
	}
	m = parse_file("unksm2");
	CHECK(m != NULL);
	if (m) {
		CHECK_EQ_INT(m->to.uri.scheme, SIP_URI_OTHER);
		CHECK(streq(m->to.uri.raw, "isbn:2983792873"));
		CHECK_EQ_INT(m->from.uri.scheme, SIP_URI_OTHER);
		sip_msg_free(m);
	}
	m = parse_file("cparam01");
	CHECK(m != NULL);
	if (m) {
		/* addr-spec: ;unknownparam belongs to the header */
		CHECK_EQ_INT(m->contact[0].uri.params.len, 0);
		CHECK(streq(m->contact[0].params, ";unknownparam"));
		sip_msg_free(m);
	}
	m = parse_file("cparam02");
	CHECK(m != NULL);
	if (m) {
		CHECK(streq(m->contact[0].uri.params, ";unknownparam"));
		CHECK_EQ_INT(m->contact[0].params.len, 0);
		sip_msg_free(m);
	}
	m = parse_file("intmeth");
	CHECK(m != NULL);
	if (m) {
		CHECK(m->ruri.has_password);
		CHECK(streq(m->cseq_method,
		    "!interesting-Method0123456789_*+`.%indeed'~"));
		sip_msg_free(m);
	}
	CHECK(sip_warning_parse(SIP_STR("399 proxy.example.org \"Bad cert\""),
	    &w) == 0);
	CHECK_EQ_INT(w.code, 399);
	CHECK(streq(w.agent, "proxy.example.org"));
	CHECK(streq(w.text, "\"Bad cert\""));
	CHECK(sip_warning_parse(SIP_STR("1812 overture \"In Progress\""),
	    &w) < 0);
	CHECK(sip_warning_parse(SIP_STR("399 agent unquoted"), &w) < 0);
}

static const char reg[] =
	"REGISTER sip:example.org SIP/2.0\r\n"
	"Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1;rport\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:alice@example.org>;tag=a1\r\n"
	"To: <sip:alice@example.org>\r\n"
	"Call-ID: c1@192.0.2.1\r\n"
	"CSeq: 1 REGISTER\r\n"
	"Contact: <sip:alice@192.0.2.1:5061;transport=tls>;expires=3600\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"body";

static void
test_frame(void)
{
	const uint8_t *d = (const uint8_t *)reg;
	size_t len = sizeof(reg) - 1, n = 0;
	uint8_t two[2 * sizeof(reg)];
	int rc;

	/* every prefix needs more data */
	for (size_t i = 0; i < len; i++) {
		rc = sip_msg_frame(d, i, &n);
		if (rc != -ENODATA)
			fprintf(stderr, "prefix %zu: %d\n", i, rc);
		CHECK_EQ_INT(rc, -ENODATA);
	}
	CHECK_EQ_INT(sip_msg_frame(d, len, &n), SIP_FRAME_MSG);
	CHECK_EQ_INT(n, len);
	/* two messages back to back: the first one's length */
	memcpy(two, reg, len);
	memcpy(two + len, reg, len);
	n = 0;
	CHECK_EQ_INT(sip_msg_frame(two, 2 * len, &n), SIP_FRAME_MSG);
	CHECK_EQ_INT(n, len);
	/* keep-alives */
	CHECK_EQ_INT(sip_msg_frame((const uint8_t *)"\r\n\r\n", 4, &n),
	    SIP_FRAME_PING);
	CHECK_EQ_INT(n, 4);
	CHECK_EQ_INT(sip_msg_frame((const uint8_t *)"\r\n\r\nINVITE", 10,
	    &n), SIP_FRAME_PING);
	CHECK_EQ_INT(sip_msg_frame((const uint8_t *)"\r\n", 2, &n),
	    SIP_FRAME_PONG);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(sip_msg_frame((const uint8_t *)"\r\nINVITE", 8, &n),
	    SIP_FRAME_PONG);
	CHECK_EQ_INT(sip_msg_frame((const uint8_t *)"\r\n\r", 3, &n),
	    -ENODATA);
	CHECK_EQ_INT(sip_msg_frame((const uint8_t *)"\r", 1, &n), -ENODATA);
	CHECK_EQ_INT(sip_msg_frame((const uint8_t *)"\rX", 2, &n), -EBADMSG);
	/* Content-Length is mandatory on streams */
	{
		static const char nocl[] = "OPTIONS sip:a@b SIP/2.0\r\n"
		    "Via: SIP/2.0/TCP h;branch=z9hG4bK2\r\n\r\n";

		CHECK_EQ_INT(sip_msg_frame((const uint8_t *)nocl,
		    sizeof(nocl) - 1, &n), -EBADMSG);
	}
	/* folded, compact Content-Length */
	{
		static const char fold[] = "OPTIONS sip:a@b SIP/2.0\r\n"
		    "l:\r\n 3\r\n\r\nabc";

		CHECK_EQ_INT(sip_msg_frame((const uint8_t *)fold,
		    sizeof(fold) - 1, &n), SIP_FRAME_MSG);
		CHECK_EQ_INT(n, sizeof(fold) - 1);
	}
	/* RFC 4475 dblreq on a stream: the REGISTER, then the INVITE */
	{
		size_t flen, first;
		uint8_t *f = load("dblreq", &flen);
		struct sip_msg *m = NULL;

		CHECK(f != NULL);
		if (f) {
			CHECK_EQ_INT(sip_msg_frame(f, flen, &first),
			    SIP_FRAME_MSG);
			CHECK(first > 0 && first < flen &&
			    memcmp(f + first - 4, "\r\n\r\n", 4) == 0);
			CHECK_EQ_INT(sip_msg_parse(f, first, SIP_PARSE_STREAM,
			    &m), 0);
			if (m)
				CHECK(streq(m->method, "REGISTER"));
			m = sip_msg_free(m);
			/* what follows: a stray CRLF, then the INVITE */
			CHECK_EQ_INT(sip_msg_frame(f + first, flen - first,
			    &n), SIP_FRAME_PONG);
			CHECK_EQ_INT(sip_msg_frame(f + first + 2,
			    flen - first - 2, &n), SIP_FRAME_MSG);
			/* its body is longer than its Content-Length: the
			 * rest would start the next message on a stream */
			CHECK_EQ_INT(first + 2 + n, flen - 5);
			CHECK_EQ_INT(sip_msg_parse(f + first + 2, n,
			    SIP_PARSE_STREAM, &m), 0);
			if (m) {
				CHECK(streq(m->method, "INVITE"));
				CHECK_EQ_INT(m->body.len, 150);
			}
			sip_msg_free(m);
			CHECK_EQ_INT(sip_msg_parse(f, flen, SIP_PARSE_STREAM,
			    &m), -EBADMSG);
			free(f);
		}
	}
	/* two differing Content-Lengths (RFC 4475 mcl01) */
	{
		size_t flen;
		uint8_t *f = load("mcl01", &flen);

		CHECK(f && sip_msg_frame(f, flen, &n) == -EBADMSG);
		free(f);
	}
	/* a body over the limit, a head over the limit */
	{
		static const char big[] = "OPTIONS sip:a@b SIP/2.0\r\n"
		    "Content-Length: 70000\r\n\r\n";
		uint8_t *h = malloc(SIP_HEAD_MAX + 10);

		CHECK_EQ_INT(sip_msg_frame((const uint8_t *)big,
		    sizeof(big) - 1, &n), -E2BIG);
		memset(h, 'a', SIP_HEAD_MAX + 10);
		CHECK_EQ_INT(sip_msg_frame(h, SIP_HEAD_MAX + 10, &n), -E2BIG);
		CHECK_EQ_INT(sip_msg_frame(h, SIP_HEAD_MAX - 1, &n), -ENODATA);
		free(h);
	}
}

static void
test_stream_parse(void)
{
	struct sip_msg *m = NULL;
	const uint8_t *d = (const uint8_t *)reg;
	size_t len = sizeof(reg) - 1;

	CHECK_EQ_INT(sip_msg_parse(d, len, SIP_PARSE_STREAM, &m), 0);
	if (m) {
		CHECK(streq(m->body, "body"));
		CHECK_EQ_INT(m->contact[0].expires, 3600);
		CHECK(streq(m->contact[0].uri.transport, "tls"));
		CHECK(streq(m->from.tag, "a1"));
		CHECK_EQ_INT(m->to.tag.len, 0);
		CHECK(m->via[0].rport);
		CHECK_EQ_INT(m->via[0].port, 5061);
		CHECK_EQ_INT(sip_msg_validate(m, NULL), 0);
		m = sip_msg_free(m);
	}
	/* stream: trailing bytes and short bodies are errors */
	CHECK_EQ_INT(sip_msg_parse(d, len - 1, SIP_PARSE_STREAM, &m),
	    -EBADMSG);
	CHECK_EQ_INT(sip_msg_parse(d, len - 1, 0, &m), -EBADMSG);
	{
		uint8_t more[sizeof(reg) + 2];

		memcpy(more, reg, len);
		memcpy(more + len, "xy", 2);
		CHECK_EQ_INT(sip_msg_parse(more, len + 2, SIP_PARSE_STREAM,
		    &m), -EBADMSG);
		CHECK_EQ_INT(sip_msg_parse(more, len + 2, 0, &m), 0);
		if (m)
			CHECK(streq(m->body, "body"));
		m = sip_msg_free(m);
	}
	/* leading CRLFs are skipped */
	{
		uint8_t lead[sizeof(reg) + 4];

		memcpy(lead, "\r\n\r\n", 4);
		memcpy(lead + 4, reg, len);
		CHECK_EQ_INT(sip_msg_parse(lead, len + 4, 0, &m), 0);
		m = sip_msg_free(m);
	}
	CHECK(sip_msg_free(NULL) == NULL);
}

/* A REGISTER with one header line replaced. */
static int
parse_with(const char *old, const char *new, struct sip_msg **ret)
{
	char tmp[4096];
	const char *at = strstr(reg, old);
	size_t pre, n;

	if (!at)
		return -999;
	pre = (size_t)(at - reg);
	n = (size_t)snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)pre, reg, new,
	    at + strlen(old));
	return sip_msg_parse((const uint8_t *)tmp, n, 0, ret);
}

static void
test_cases(void)
{
	static const struct {
		const char *old, *new;
		int rc;
	} cases[] = {
		{ "CSeq: 1 REGISTER", "CSeq: 2147483647 REGISTER", 0 },
		{ "CSeq: 1 REGISTER", "CSeq: 2147483648 REGISTER", -E2BIG },
		{ "CSeq: 1 REGISTER", "CSeq: REGISTER", -EBADMSG },
		{ "CSeq: 1 REGISTER", "CSeq: 1", -EBADMSG },
		{ "CSeq: 1 REGISTER", "CSeq: 1 REGISTER x", -EBADMSG },
		{ "Max-Forwards: 70", "Max-Forwards: 256", -EBADMSG },
		{ "Max-Forwards: 70", "Max-Forwards: 255", 0 },
		{ "Max-Forwards: 70", "Max-Forwards: -1", -EBADMSG },
		{ "Call-ID: c1@192.0.2.1", "Call-ID: a b", -EBADMSG },
		{ "Call-ID: c1@192.0.2.1", "i: x@y", 0 },
		{ "From: <sip:alice@example.org>;tag=a1",
		  "f: \"A \\\"q\\\"\" <sip:alice@example.org>;tag=a1", 0 },
		{ "From: <sip:alice@example.org>;tag=a1",
		  "From: <sip:alice@example.org>;tag=", -EBADMSG },
		{ "From: <sip:alice@example.org>;tag=a1",
		  "From: <sip:alice@example.org", -EBADMSG },
		{ "From: <sip:alice@example.org>;tag=a1",
		  "From: <sip:alice@example.org>, <sip:b@c>", -EBADMSG },
		{ "From: <sip:alice@example.org>;tag=a1",
		  "From: <sip:alice:secret@example.org>", 0 },
		{ "To: <sip:alice@example.org>", "t: sip:alice@[2001:db8::1]",
		  0 },
		{ "To: <sip:alice@example.org>", "To: sip:alice@[2001:db8::g]",
		  -EBADMSG },
		{ "Contact: <sip:alice@192.0.2.1:5061;transport=tls>"
		  ";expires=3600", "Contact: *", 0 },
		{ "Contact: <sip:alice@192.0.2.1:5061;transport=tls>"
		  ";expires=3600", "m: <sip:a@b>;expires=4294967296",
		  -E2BIG },
		{ "Contact: <sip:alice@192.0.2.1:5061;transport=tls>"
		  ";expires=3600", "m: <sip:a@b>;expires=x", -EBADMSG },
		{ "Contact: <sip:alice@192.0.2.1:5061;transport=tls>"
		  ";expires=3600", "m: <sip:a@b>, <sip:c@d>;q=0.5", 0 },
		{ "Contact: <sip:alice@192.0.2.1:5061;transport=tls>"
		  ";expires=3600", "m: <sip:a@b>,", -EBADMSG },
		{ "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1;rport",
		  "Via: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bK1;"
		  "rport=5062;received=2001:db8::2", 0 },
		{ "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1;rport",
		  "Via: SIP/2.0/TLS 192.0.2.1:99999;branch=z", -EBADMSG },
		{ "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1;rport",
		  "Via: SIP/2.0/TLS", -EBADMSG },
		{ "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1;rport",
		  "Via: SIP/2.0 192.0.2.1", -EBADMSG },
		{ "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1;rport",
		  "Via: SIP/2.0/TLS 192.0.2.1;branch=\"q\"", -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4\r\nl: 4", 0 },
		{ "Content-Length: 4", "Content-Length: 4\r\nl: 3", -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4x", -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4\r\nc: text/plain;"
		  "charset=utf-8", 0 },
		{ "Content-Length: 4", "Content-Length: 4\r\nc: text", -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4\r\nExpires: 60", 0 },
		{ "Content-Length: 4", "Content-Length: 4\r\nExpires: 6x",
		  -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4\r\nRoute: sip:a@b",
		  -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4\r\nRecord-Route: "
		  "<sip:p1.example.org;lr>, <sip:p2.example.org;lr>", 0 },
		{ "Content-Length: 4", "Content-Length: 4\r\nNo colon here",
		  -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4\r\nBad Name: x",
		  -EBADMSG },
		{ "Content-Length: 4", "Content-Length: 4\nX: bare-lf",
		  -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0",
		  "REGISTER sip:example.org SIP/2.0 ", -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0",
		  "REGISTER sip:example.org SIP/2", -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0",
		  "REGISTER sip:example.org sip/2.0", 0 },
		{ "REGISTER sip:example.org SIP/2.0",
		  "REG@STER sip:example.org SIP/2.0", -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0",
		  "REGISTER sip:exa mple.org SIP/2.0", -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0", "SIP/2.0 200 OK", 0 },
		{ "REGISTER sip:example.org SIP/2.0", "SIP/2.0 099 Low",
		  -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0", "SIP/2.0 700 High",
		  -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0", "SIP/2.0 2000 OK",
		  -EBADMSG },
		{ "REGISTER sip:example.org SIP/2.0", "SIP/2.0 200", -EBADMSG },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct sip_msg *m = NULL;
		int rc = parse_with(cases[i].old, cases[i].new, &m);

		if (rc != cases[i].rc)
			fprintf(stderr, "case %zu (%s): %d\n", i, cases[i].new,
			    rc);
		CHECK_EQ_INT(rc, cases[i].rc);
		sip_msg_free(m);
	}
}

static void
test_limits(void)
{
	struct buf b;
	struct sip_msg *m = NULL;
	uint8_t *p;
	size_t n;

	/* SIP_HEADERS_MAX header lines */
	for (int extra = 0; extra < 2; extra++) {
		buf_init(&b, SIP_MSG_MAX);
		buf_put_bytes(&b, "OPTIONS sip:a@b SIP/2.0\r\n", 25);
		for (int i = 0; i < SIP_HEADERS_MAX + extra; i++)
			buf_put_bytes(&b, "X: y\r\n", 6);
		buf_put_bytes(&b, "\r\n", 2);
		CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
		CHECK_EQ_INT(sip_msg_parse(p, n, 0, &m), extra ? -E2BIG : 0);
		m = sip_msg_free(m);
		free(p);
	}
	/* SIP_VIA_MAX values in one header */
	for (int extra = 0; extra < 2; extra++) {
		buf_init(&b, SIP_MSG_MAX);
		buf_put_bytes(&b, "OPTIONS sip:a@b SIP/2.0\r\nVia: ", 30);
		for (int i = 0; i < SIP_VIA_MAX + extra; i++)
			buf_put_bytes(&b, "SIP/2.0/UDP h,", 14);
		b.len--;
		buf_put_bytes(&b, "\r\n\r\n", 4);
		CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
		CHECK_EQ_INT(sip_msg_parse(p, n, 0, &m), extra ? -E2BIG : 0);
		if (m)
			CHECK_EQ_INT(m->nvia, SIP_VIA_MAX);
		m = sip_msg_free(m);
		free(p);
	}
	/* SIP_LINE_MAX */
	buf_init(&b, SIP_MSG_MAX);
	buf_put_bytes(&b, "OPTIONS sip:a@b SIP/2.0\r\nX: ", 28);
	for (int i = 0; i < SIP_LINE_MAX; i++)
		buf_put_u8(&b, 'a');
	buf_put_bytes(&b, "\r\n\r\n", 4);
	CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
	CHECK_EQ_INT(sip_msg_parse(p, n, 0, &m), -E2BIG);
	free(p);
	/* SIP_MSG_MAX */
	p = calloc(1, SIP_MSG_MAX + 1);
	memcpy(p, reg, sizeof(reg) - 1);
	CHECK_EQ_INT(sip_msg_parse(p, SIP_MSG_MAX + 1, 0, &m), -E2BIG);
	free(p);
	/* garbage */
	CHECK_EQ_INT(sip_msg_parse((const uint8_t *)"", 0, 0, &m), -EBADMSG);
	CHECK_EQ_INT(sip_msg_parse((const uint8_t *)"\r\n\r\n", 4, 0, &m),
	    -EBADMSG);
	CHECK_EQ_INT(sip_msg_parse((const uint8_t *)"INVITE\r\n\r\n", 10, 0,
	    &m), -EBADMSG);
}

static void
test_build(void)
{
	struct buf b;
	struct sip_msg *req = NULL, *res = NULL;
	uint8_t *p;
	size_t n;
	int rc;

	/* a request the daemon would send, parsed back */
	buf_init(&b, SIP_MSG_MAX);
	CHECK_EQ_INT(sip_out_request(&b, "INVITE", "sip:bob@example.org"), 0);
	sip_out_header(&b, "Via",
	    "SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKx;rport");
	sip_out_header(&b, "Max-Forwards", "70");
	sip_out_header(&b, "From", "<sip:alice@example.org>;tag=f1");
	sip_out_header(&b, "To", "<sip:bob@example.org>");
	sip_out_header(&b, "Call-ID", "abc@192.0.2.1");
	sip_out_headerf(&b, "CSeq", "%u %s", 7u, "INVITE");
	sip_out_header(&b, "Record-Route", "<sip:p1.example.org;lr>");
	sip_out_header(&b, "Record-Route", "<sip:p2.example.org;lr>");
	CHECK_EQ_INT(sip_out_end(&b, "application/sdp",
	    (const uint8_t *)"v=0\r\n", 5), 0);
	CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
	CHECK_EQ_INT(sip_msg_frame(p, n, &n), SIP_FRAME_MSG);
	CHECK_EQ_INT(sip_msg_parse(p, n, SIP_PARSE_STREAM, &req), 0);
	free(p);
	if (!req)
		return;
	CHECK_EQ_INT(sip_msg_validate(req, NULL), 0);
	CHECK_EQ_INT(req->cseq, 7);
	CHECK(streq(req->body, "v=0\r\n"));
	CHECK(streq(req->content_type, "application/sdp"));

	/* its 200 OK per RFC 3261 §8.2.6 */
	buf_init(&b, SIP_MSG_MAX);
	rc = sip_out_response_to(&b, req, 200, NULL, "t9");
	CHECK_EQ_INT(rc, 0);
	sip_out_header(&b, "Contact", "<sip:bob@192.0.2.2:5061;transport=tls>");
	CHECK_EQ_INT(sip_out_end(&b, NULL, NULL, 0), 0);
	CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
	CHECK_EQ_INT(sip_msg_parse(p, n, SIP_PARSE_STREAM, &res), 0);
	free(p);
	if (res) {
		CHECK(!res->request);
		CHECK_EQ_INT(res->status, 200);
		CHECK(streq(res->reason, "OK"));
		CHECK_EQ_INT(res->nvia, 1);
		CHECK(streq(res->via[0].branch, "z9hG4bKx"));
		CHECK(streq(res->to.tag, "t9"));
		CHECK(streq(res->from.tag, "f1"));
		CHECK(streq(res->call_id, "abc@192.0.2.1"));
		CHECK_EQ_INT(res->cseq, 7);
		CHECK(streq(res->cseq_method, "INVITE"));
		CHECK_EQ_INT(res->nrecord_route, 2);
		CHECK(streq(res->record_route[1].uri.host, "p2.example.org"));
		CHECK_EQ_INT(res->content_length, 0);
		CHECK_EQ_INT(sip_msg_validate(res, NULL), 0);
		res = sip_msg_free(res);
	}
	/* 100 Trying: no tag, no Record-Route */
	buf_init(&b, SIP_MSG_MAX);
	CHECK_EQ_INT(sip_out_response_to(&b, req, 100, NULL, "t9"), 0);
	sip_out_end(&b, NULL, NULL, 0);
	CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
	CHECK_EQ_INT(sip_msg_parse(p, n, 0, &res), 0);
	free(p);
	if (res) {
		CHECK_EQ_INT(res->to.tag.len, 0);
		CHECK_EQ_INT(res->nrecord_route, 0);
		CHECK(streq(res->reason, "Trying"));
		res = sip_msg_free(res);
	}
	/* responses copy every Via of a multi-hop request in order */
	{
		struct sip_msg *w = parse_file("wsinv");

		buf_init(&b, SIP_MSG_MAX);
		CHECK(w != NULL);
		if (w) {
			CHECK_EQ_INT(sip_out_response_to(&b, w, 486, NULL,
			    "x"), 0);
			sip_out_end(&b, NULL, NULL, 0);
			CHECK_EQ_INT(buf_steal(&b, &p, &n), 0);
			CHECK_EQ_INT(sip_msg_parse(p, n, 0, &res), 0);
			free(p);
			if (res) {
				CHECK_EQ_INT(res->nvia, 3);
				CHECK(streq(res->via[2].branch,
				    "z9hG4bK30239"));
				/* To already had a tag: kept, not doubled */
				CHECK(streq(res->to.tag, "1918181833n"));
				CHECK(streq(res->reason, "Busy Here"));
			}
			res = sip_msg_free(res);
		}
		sip_msg_free(w);
		buf_release(&b);
	}
	/* refusals */
	buf_init(&b, SIP_MSG_MAX);
	CHECK_EQ_INT(sip_out_request(&b, "IN VITE", "sip:a@b"), -EINVAL);
	CHECK_EQ_INT(sip_out_request(&b, "INVITE", "sip:a@b\r\nX: y"), -EINVAL);
	CHECK_EQ_INT(sip_out_response(&b, 99, NULL), -EINVAL);
	CHECK_EQ_INT(sip_out_response(&b, 700, NULL), -EINVAL);
	CHECK_EQ_INT(sip_out_header(&b, "X", "a\r\nInjected: 1"), -EINVAL);
	CHECK_EQ_INT(sip_out_header(&b, "X:", "a"), -EINVAL);
	CHECK_EQ_INT(sip_out_headerf(&b, "X", "%s", "a\nb"), -EINVAL);
	CHECK_EQ_INT(sip_out_end(&b, NULL, (const uint8_t *)"x", 1), -EINVAL);
	CHECK_EQ_INT(b.len, 0);
	buf_release(&b);
	/* a full buf is reported */
	buf_init(&b, 16);
	CHECK_EQ_INT(sip_out_request(&b, "INVITE", "sip:bob@example.org"),
	    -E2BIG);
	buf_release(&b);
	CHECK(strcmp(sip_out_reason(488), "Not Acceptable Here") == 0);
	CHECK(strcmp(sip_out_reason(299), "Unknown") == 0);
	sip_msg_free(req);
}

static void
test_names(void)
{
	CHECK_EQ_INT(sip_hdr_id(SIP_STR("i")), SIP_HDR_CALL_ID);
	CHECK_EQ_INT(sip_hdr_id(SIP_STR("CALL-id")), SIP_HDR_CALL_ID);
	CHECK_EQ_INT(sip_hdr_id(SIP_STR("k")), SIP_HDR_SUPPORTED);
	CHECK_EQ_INT(sip_hdr_id(SIP_STR("x")), SIP_HDR_SESSION_EXPIRES);
	CHECK_EQ_INT(sip_hdr_id(SIP_STR("X-Other")), SIP_HDR_OTHER);
	CHECK(strcmp(sip_hdr_name(SIP_HDR_WWW_AUTHENTICATE),
	    "WWW-Authenticate") == 0);
	CHECK(sip_hdr_name(SIP_HDR_OTHER) == NULL);
	CHECK_EQ_INT(sip_method_id(SIP_STR("BYE")), SIP_METHOD_BYE);
	CHECK_EQ_INT(sip_method_id(SIP_STR("bye")), SIP_METHOD_OTHER);
	CHECK(strcmp(sip_method_name(SIP_METHOD_CANCEL), "CANCEL") == 0);
}

static void
test_str(void)
{
	struct sip_str rest = SIP_STR(" \"a,b\" <sip:x;a=1,2>, c ,d"), item;
	char out[16];
	uint32_t v;

	CHECK_EQ_INT(sip_str_list_next(&rest, &item), 1);
	CHECK(streq(item, "\"a,b\" <sip:x;a=1,2>"));
	CHECK_EQ_INT(sip_str_list_next(&rest, &item), 1);
	CHECK(streq(item, "c"));
	CHECK_EQ_INT(sip_str_list_next(&rest, &item), 1);
	CHECK(streq(item, "d"));
	CHECK_EQ_INT(sip_str_list_next(&rest, &item), 0);
	rest = SIP_STR("a,,b");
	CHECK_EQ_INT(sip_str_list_next(&rest, &item), 1);
	CHECK_EQ_INT(sip_str_list_next(&rest, &item), -EBADMSG);
	rest = SIP_STR("\"open");
	CHECK_EQ_INT(sip_str_list_next(&rest, &item), -EBADMSG);
	CHECK_EQ_INT(sip_str_unquote(SIP_STR("\"a\\\"b\""), out, sizeof(out)),
	    3);
	CHECK(strcmp(out, "a\"b") == 0);
	CHECK_EQ_INT(sip_str_unquote(SIP_STR("\"abc"), out, sizeof(out)),
	    -EBADMSG);
	CHECK_EQ_INT(sip_str_unquote(SIP_STR("\"a\"b\""), out, sizeof(out)),
	    -EBADMSG);
	CHECK_EQ_INT(sip_str_unquote(SIP_STR("\"0123456789abcdefg\""), out,
	    sizeof(out)), -E2BIG);
	CHECK_EQ_INT(sip_str_u32(SIP_STR("4294967295"), UINT32_MAX, &v), 0);
	CHECK(v == UINT32_MAX);
	CHECK_EQ_INT(sip_str_u32(SIP_STR("4294967296"), UINT32_MAX, &v),
	    -E2BIG);
	CHECK_EQ_INT(sip_str_u32(SIP_STR(""), 10, &v), -EBADMSG);
	CHECK_EQ_INT(sip_str_u32(SIP_STR("1a"), 10, &v), -EBADMSG);
	CHECK(sip_str_param(SIP_STR(";A = \"x;y\" ;b"), "a", &item) == 0 &&
	    streq(item, "\"x;y\""));
	CHECK(sip_str_param(SIP_STR(";A = \"x;y\" ;b"), "b", &item) == 0 &&
	    item.len == 0);
	CHECK(sip_str_param(SIP_STR(";a=1"), "c", &item) == -ENOENT);
	{
		char *z = sip_str_dup(SIP_STR("abc"));

		CHECK(z && strcmp(z, "abc") == 0);
		free(z);
	}
}

int
main(void)
{
	test_torture();
	test_wsinv();
	test_fields();
	test_frame();
	test_stream_parse();
	test_cases();
	test_limits();
	test_build();
	test_names();
	test_str();
	return test_exit();
}
