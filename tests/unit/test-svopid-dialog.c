/* svopid dialogs (RFC 3261 §12): route sets from Record-Route (in order
 * for the UAS, reversed for the UAC), loose and strict routing of
 * in-dialog requests, matching and CSeq ordering. Built requests are
 * parsed back with the real SIP parser. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dialog.h"
#include "sip-msg.h"
#include "test.h"

static struct sip_msg *
parse(const char *text)
{
	struct sip_msg *m = NULL;
	int r = sip_msg_parse((const uint8_t *)text, strlen(text), 0, &m);

	if (r < 0) {
		fprintf(stderr, "parse failed (%d):\n%s\n", r, text);
		abort();
	}
	return m;
}

static const char invite[] =
	"INVITE sip:bob@example.org SIP/2.0\r\n"
	"Via: SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bKp2\r\n"
	"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa1\r\n"
	"Record-Route: <sip:p2.example.org;lr>\r\n"
	"Record-Route: <sip:p1.example.org;lr;ftag=abc>\r\n"
	"Max-Forwards: 69\r\n"
	"From: \"Alice\" <sip:alice@example.org>;tag=abc\r\n"
	"To: <sip:bob@example.org>\r\n"
	"Call-ID: call-1@example.org\r\n"
	"CSeq: 10 INVITE\r\n"
	"Contact: <sip:alice@10.0.0.1:5071;transport=tls>\r\n"
	"Content-Length: 0\r\n\r\n";

static struct sip_msg *
build(struct dialog *d, const char *method, uint32_t ack_cseq)
{
	struct buf b;
	uint8_t *out;
	size_t n;
	struct sip_msg *m = NULL;

	buf_init(&b, SIP_MSG_MAX);
	CHECK_EQ_INT(dialog_request(d, method,
		"SIP/2.0/TLS 10.0.0.3:5071;branch=z9hG4bKx;rport", ack_cseq, &b),
		0);
	buf_put_bytes(&b, "Content-Length: 0\r\n\r\n", 21);
	CHECK_EQ_INT(buf_steal(&b, &out, &n), 0);
	CHECK_EQ_INT(sip_msg_parse(out, n, 0, &m), 0);
	free(out);
	if (!m)
		abort();
	CHECK_EQ_INT(sip_msg_validate(m, NULL), 0);
	return m;
}

static void
test_uas(void)
{
	struct sip_msg *req = parse(invite), *bye, *in;
	struct dialog *d = NULL;

	CHECK_EQ_INT(dialog_new_uas(req, "xyz", &d), 0);
	CHECK_EQ_INT(d->nroute, 2);
	CHECK(strcmp(d->route[0], "<sip:p2.example.org;lr>") == 0);
	CHECK(strcmp(d->remote_target,
		"sip:alice@10.0.0.1:5071;transport=tls") == 0);
	CHECK(strcmp(dialog_next_hop(d), "<sip:p2.example.org;lr>") == 0);

	bye = build(d, "BYE", 0);
	CHECK(sip_str_eq(bye->ruri.raw, "sip:alice@10.0.0.1:5071;transport=tls"));
	CHECK_EQ_INT(bye->nroute, 2);
	CHECK(sip_str_eq(bye->route[0].uri.raw, "sip:p2.example.org;lr"));
	CHECK(sip_str_eq(bye->route[1].uri.raw, "sip:p1.example.org;lr;ftag=abc"));
	CHECK(sip_str_eq(bye->from.tag, "xyz"));
	CHECK(sip_str_eq(bye->to.tag, "abc"));
	CHECK(sip_str_eq(bye->to.uri.raw, "sip:alice@example.org"));
	CHECK(sip_str_eq(bye->from.uri.raw, "sip:bob@example.org"));
	CHECK(sip_str_eq(bye->call_id, "call-1@example.org"));
	CHECK(bye->cseq == d->local_cseq);
	CHECK_EQ_INT(bye->max_forwards, 70);
	sip_msg_free(bye);

	/* The peer's BYE matches; another Call-ID or tag does not. */
	in = parse("BYE sip:bob@10.0.0.3 SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bKb\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@example.org>;tag=abc\r\n"
		"To: <sip:bob@example.org>;tag=xyz\r\n"
		"Call-ID: call-1@example.org\r\nCSeq: 11 BYE\r\n"
		"Content-Length: 0\r\n\r\n");
	CHECK(dialog_match_request(d, in));
	CHECK_EQ_INT(dialog_remote_cseq(d, in), 0);
	CHECK_EQ_INT(d->remote_cseq, 11);
	sip_msg_free(in);
	in = parse("BYE sip:bob@10.0.0.3 SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 10.0.0.2:5061;branch=z9hG4bKc\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@example.org>;tag=abc\r\n"
		"To: <sip:bob@example.org>;tag=other\r\n"
		"Call-ID: call-1@example.org\r\nCSeq: 9 BYE\r\n"
		"Content-Length: 0\r\n\r\n");
	CHECK(!dialog_match_request(d, in));
	CHECK_EQ_INT(dialog_remote_cseq(d, in), -EPROTO);	/* 9 < 11 */
	sip_msg_free(in);
	dialog_free(d);

	/* A request without Contact cannot make a dialog. */
	in = parse("INVITE sip:bob@example.org SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 10.0.0.1;branch=z9hG4bKq\r\n"
		"Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\n"
		"Call-ID: q\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
	d = NULL;
	CHECK_EQ_INT(dialog_new_uas(in, "t", &d), -EBADMSG);
	CHECK(d == NULL);
	sip_msg_free(in);
	sip_msg_free(req);
}

static void
test_uac_and_strict(void)
{
	struct sip_msg *req = parse(invite), *resp, *ack, *bye;
	struct dialog *d = NULL;

	resp = parse("SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa1\r\n"
		"Record-Route: <sip:p2.example.org;lr>\r\n"
		"Record-Route: <sip:p1.example.org;lr;ftag=abc>\r\n"
		"From: \"Alice\" <sip:alice@example.org>;tag=abc\r\n"
		"To: <sip:bob@example.org>;tag=bobtag\r\n"
		"Call-ID: call-1@example.org\r\nCSeq: 10 INVITE\r\n"
		"Contact: <sip:bob@10.0.0.9:5071;transport=tls>\r\n"
		"Content-Length: 0\r\n\r\n");
	CHECK_EQ_INT(dialog_new_uac(req, resp, &d), 0);
	CHECK_EQ_INT(d->nroute, 2);
	CHECK(strcmp(d->route[0], "<sip:p1.example.org;lr;ftag=abc>") == 0);
	CHECK(strcmp(d->route[1], "<sip:p2.example.org;lr>") == 0);
	ack = build(d, "ACK", 10);
	CHECK_EQ_INT(ack->cseq, 10);
	CHECK(sip_str_eq(ack->cseq_method, "ACK"));
	CHECK(sip_str_eq(ack->ruri.raw, "sip:bob@10.0.0.9:5071;transport=tls"));
	CHECK(sip_str_eq(ack->from.display, "\"Alice\""));
	CHECK(sip_str_eq(ack->from.tag, "abc"));
	CHECK(sip_str_eq(ack->to.tag, "bobtag"));
	sip_msg_free(ack);
	bye = build(d, "BYE", 0);
	CHECK_EQ_INT(bye->cseq, 11);
	sip_msg_free(bye);
	dialog_free(d);
	sip_msg_free(resp);

	/* Strict router first (no ;lr): it becomes the Request-URI and the
	 * remote target is appended as the last Route. */
	resp = parse("SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa1\r\n"
		"Record-Route: <sip:p2.example.org;lr>\r\n"
		"Record-Route: <sip:strict.example.org>\r\n"
		"From: <sip:alice@example.org>;tag=abc\r\n"
		"To: <sip:bob@example.org>;tag=bobtag\r\n"
		"Call-ID: call-1@example.org\r\nCSeq: 10 INVITE\r\n"
		"Contact: <sip:bob@10.0.0.9>\r\n"
		"Content-Length: 0\r\n\r\n");
	d = NULL;
	CHECK_EQ_INT(dialog_new_uac(req, resp, &d), 0);
	bye = build(d, "BYE", 0);
	CHECK(sip_str_eq(bye->ruri.raw, "sip:strict.example.org"));
	CHECK_EQ_INT(bye->nroute, 2);
	CHECK(sip_str_eq(bye->route[0].uri.raw, "sip:p2.example.org;lr"));
	CHECK(sip_str_eq(bye->route[1].uri.raw, "sip:bob@10.0.0.9"));
	sip_msg_free(bye);
	dialog_free(d);
	sip_msg_free(resp);
	sip_msg_free(req);
}

int
main(void)
{
	test_uas();
	test_uac_and_strict();
	return test_exit();
}
