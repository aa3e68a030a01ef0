/* The call state machine driven by scripted SIP messages, without
 * sockets: two (or three) call layers whose messages the fake user agent
 * of call-fake.c records, fed to each other by hand. Every scenario ends
 * before media (which would bind RTP ports). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/call-int.h"
#include "sdp.h"
#include "tests/unit/call-fake.h"
#include "tests/unit/test.h"

static struct node *alice, *bob, *mallory;

/* Alice dials Bob; returns the call, with the OPTIONS as her last sent. */
static struct call *
dial(struct node *from, struct node *to)
{
	struct call_options o = { NULL, NULL };
	struct call *c = NULL;
	char uri[64], why[256] = "";
	int r;

	snprintf(uri, sizeof(uri), "sip:%s@127.0.0.1", to->name);
	r = calls_dial(from->cs, uri, &o, &c, why, sizeof(why));
	CHECK_EQ_INT(r, 0);
	return c;
}

/* A pre-call exchange: from dials to, whose OPTIONS answerer receives
 * on its server transaction st. */
struct exchange {
	struct call *c;			/* the caller's call */
	size_t i;			/* the OPTIONS in from->sent */
	const struct fake_sent *opt;	/* the OPTIONS */
	const struct fake_sent *rep;	/* answerer's last reply */
};

static void
offer(struct node *from, struct node *to, struct node *answerer, size_t st,
	struct exchange *x)
{
	x->c = dial(from, to);
	x->i = from->nsent - 1;
	x->opt = &from->sent[x->i];
	CHECK_EQ_INT(node_request(answerer, x->opt->msg, x->opt->len,
		node_st(answerer, st)), 1);
	x->rep = node_last(answerer);
	CHECK(x->rep && x->rep->kind == FAKE_REPLY);
}

/* The state of c as the layer above sees it. */
static const char *
state_of(const struct call *c)
{
	struct call_info ci;

	call_info(c, &ci);
	return ci.state;
}

static void
test_dial_sends_options(void)
{
	const struct fake_sent *s;
	unsigned added = alice->ev.added;
	struct call *c = dial(alice, bob);

	s = node_last(alice);
	CHECK(s && s->kind == FAKE_REQUEST);
	CHECK(s && s->method == SIP_METHOD_OPTIONS);
	CHECK(fake_has(s, "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"));
	CHECK(fake_has(s, "a=key-mgmt:mikey "));
	CHECK(!fake_has(s, "a=svopi-expect"));	/* no trusted entry */
	CHECK(fake_has(s, "m=audio 0 RTP/SAVP"));
	CHECK_EQ_INT(alice->ev.added, added + 1);
	CHECK(c && strcmp(state_of(c), "dialing") == 0);
	/* Hang-up before any answer ends the call once. */
	CHECK_EQ_INT(call_hangup_user(c), 0);
	CHECK(strcmp(alice->ev.state, "ended") == 0);
	CHECK(strcmp(alice->ev.end_reason, "local hangup") == 0);
	CHECK_EQ_INT(call_hangup_user(c), -ESTALE);
	CHECK_EQ_INT(call_answer_user(c, NULL), -EBUSY);
}

/* Bob without Alice in his store and without a trust server: 480. */
static void
test_precall_without_trust(void)
{
	struct exchange x;
	unsigned added = bob->ev.added;

	offer(alice, bob, bob, 1, &x);
	CHECK(x.rep->code == 480);
	CHECK(fake_has(x.rep, "no trust server configured"));
	/* A pre-call exchange is hidden from Bob's user. */
	CHECK_EQ_INT(bob->ev.added, added);
	/* Alice hears the 480. */
	CHECK_EQ_INT(node_response(alice, x.i, x.rep->msg, x.rep->len), 0);
	CHECK(strcmp(state_of(x.c), "ended") == 0);
	CHECK(strstr(alice->ev.end_reason, "480") != NULL);
}

/* Bob trusts Alice: 200 with his R_MESSAGE; the same OPTIONS again is a
 * replay (488 and an alert). Alice, trusting nobody, ends the call. */
static void
test_precall_answer_and_replay(void)
{
	struct exchange x;
	unsigned alerts = bob->ev.alerts;

	CHECK_EQ_INT(node_trust(bob, alice, 0), 0);
	offer(alice, bob, bob, 2, &x);
	CHECK(x.rep->code == 200);
	CHECK(fake_has(x.rep, "Content-Type: application/sdp"));
	CHECK(fake_has(x.rep, "a=key-mgmt:mikey "));
	/* The replay. */
	CHECK_EQ_INT(node_request(bob, x.opt->msg, x.opt->len,
		node_st(bob, 3)), 1);
	CHECK(node_last(bob)->code == 488);
	CHECK(fake_has(node_last(bob), "replayed MIKEY message"));
	CHECK_EQ_INT(bob->ev.alerts, alerts + 1);
	/* Alice: the answer is Bob's, but she has no trust for him. */
	CHECK_EQ_INT(node_response(alice, x.i, x.rep->msg, x.rep->len), 0);
	CHECK(strcmp(state_of(x.c), "ended") == 0);
	CHECK(strcmp(alice->ev.end_reason,
		"peer not in the trust store and no trust server") == 0);
}

/* Mallory answers Alice's offer to Bob with her own key: Alice ends the
 * call with an alert, and the R_MESSAGE the call took is freed once (the
 * path of the peer-triggered double free that call_take_answer fixed;
 * ASan checks). */
static void
test_answer_from_another_identity(void)
{
	struct exchange x;
	unsigned alerts = alice->ev.alerts;

	CHECK_EQ_INT(node_trust(mallory, alice, 0), 0);
	/* Mallory gets it (a hostile proxy) and answers as Bob: IDr says
	 * Bob, the key and certificate are hers. */
	mallory->cs->self.uri = "sip:bob@127.0.0.1";
	offer(alice, bob, mallory, 1, &x);
	mallory->cs->self.uri = mallory->d.conf->uri;
	CHECK(x.rep->code == 200);
	CHECK_EQ_INT(node_response(alice, x.i, x.rep->msg, x.rep->len), 0);
	CHECK(strcmp(state_of(x.c), "ended") == 0);
	/* lib/mikey-msg already refuses an IDr that is not the
	 * certificate's; the call ends as for any refused answer. */
	CHECK(strstr(alice->ev.end_reason, "MIKEY answer refused: ") ==
		alice->ev.end_reason);
	CHECK_EQ_INT(alice->ev.alerts, alerts + 1);
	CHECK(strcmp(alice->ev.alert, alice->ev.end_reason) == 0);
}

/* Final responses without an answer: a 403 with a Warning is an alert;
 * a timeout just ends the call. */
static void
test_precall_refused_and_timeout(void)
{
	static const char resp[] =
		"SIP/2.0 403 Forbidden\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKx\r\n"
		"From: <sip:alice@127.0.0.1>;tag=a\r\n"
		"To: <sip:bob@127.0.0.1>;tag=b\r\n"
		"Call-ID: x\r\nCSeq: 1 OPTIONS\r\n"
		"Warning: 399 bob \"certificate mismatch\"\r\n"
		"Content-Length: 0\r\n\r\n";
	unsigned alerts = alice->ev.alerts;
	struct call *c = dial(alice, bob);

	CHECK_EQ_INT(node_response(alice, alice->nsent - 1,
		(const uint8_t *)resp, sizeof(resp) - 1), 0);
	CHECK(strcmp(state_of(c), "ended") == 0);
	CHECK(strstr(alice->ev.end_reason, "403 Forbidden") == alice->ev.end_reason);
	CHECK(strstr(alice->ev.end_reason, "certificate mismatch") != NULL);
	CHECK_EQ_INT(alice->ev.alerts, alerts + 1);

	c = dial(alice, bob);
	node_txn_error(alice, alice->nsent - 1, -ETIMEDOUT);
	CHECK(strcmp(state_of(c), "ended") == 0);
	CHECK(strcmp(alice->ev.end_reason,
		"no answer to the pre-call exchange") == 0);
}

/* An INVITE whose caller trusts another certificate for Bob is refused
 * with 403 before anything rings. The offer is built as Alice's daemon
 * would for a direct call (a=svopi-expect at session level). */
static void
test_invite_expect_mismatch(void)
{
	static const struct sdp_codec pcmu = { 0, "PCMU", 8000, 0, NULL };
	static const char *const expect[] = {
		"svopi-expect:sha-256 "
		"0000000000000000000000000000000000000000000000000000000000000000",
	};
	struct sdp_build p;
	struct buf sdp, inv;
	const struct fake_sent *opt;
	struct sip_msg *m = NULL;
	uint8_t *mikey = NULL;
	size_t mlen = 0;
	unsigned added = bob->ev.added;
	char head[512];
	int hlen;

	/* Take the I_MESSAGE of a fresh offer of Alice's. */
	dial(alice, bob);
	opt = node_last(alice);
	CHECK(sip_msg_parse(opt->msg, opt->len, 0, &m) == 0);
	CHECK(m && call_sdp_read(m, &mikey, &mlen, NULL, 0, NULL, NULL) == 0);
	sip_msg_free(m);
	memset(&p, 0, sizeof(p));
	p.addr = "127.0.0.1";
	p.port = 21500;
	p.codecs = &pcmu;
	p.ncodecs = 1;
	p.key_mgmt = mikey;
	p.key_mgmt_len = mlen;
	p.session_attrs = expect;
	p.nsession_attrs = 1;
	buf_init(&sdp, SDP_MAX);
	CHECK_EQ_INT(sdp_build(&p, &sdp), 0);
	hlen = snprintf(head, sizeof(head),
		"INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bKinv1\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@127.0.0.1>;tag=a1\r\n"
		"To: <sip:bob@127.0.0.1>\r\n"
		"Call-ID: inv1\r\nCSeq: 1 INVITE\r\n"
		"Contact: <sip:alice@127.0.0.1:5062;transport=tls>\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: %zu\r\n\r\n", sdp.len);
	buf_init(&inv, SIP_MSG_MAX);
	buf_put_bytes(&inv, head, (size_t)hlen);
	buf_put_bytes(&inv, sdp.data, sdp.len);
	CHECK_EQ_INT(inv.err, 0);
	CHECK_EQ_INT(node_request(bob, inv.data, inv.len, node_st(bob, 4)), 1);
	CHECK(node_last(bob)->code == 403);
	CHECK(fake_has(node_last(bob), "the caller trusts another certificate"));
	CHECK_EQ_INT(bob->ev.added, added);	/* nothing rang */
	buf_release(&inv);
	buf_release(&sdp);
	free(mikey);
}

/* What the call layer leaves to the UA's defaults. */
static void
test_not_for_calls(void)
{
	static const char plain_options[] =
		"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bKo1\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@127.0.0.1>;tag=a1\r\n"
		"To: <sip:bob@127.0.0.1>\r\n"
		"Call-ID: o1\r\nCSeq: 1 OPTIONS\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char bye[] =
		"BYE sip:bob@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bKb1\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@127.0.0.1>;tag=a1\r\n"
		"To: <sip:bob@127.0.0.1>;tag=nope\r\n"
		"Call-ID: none\r\nCSeq: 2 BYE\r\n"
		"Content-Length: 0\r\n\r\n";
	size_t n = bob->nsent;

	CHECK_EQ_INT(node_request(bob, (const uint8_t *)plain_options,
		sizeof(plain_options) - 1, node_st(bob, 5)), 0);
	CHECK_EQ_INT(node_request(bob, (const uint8_t *)bye, sizeof(bye) - 1,
		node_st(bob, 6)), 0);
	CHECK_EQ_INT(bob->nsent, n);	/* the call layer sent nothing */
}

/* The visible calls, oldest first, and their events. */
static void
test_list(void)
{
	struct call *calls[64];
	size_t n = calls_list(alice->cs, calls, 64);

	CHECK(n >= 5);
	for (size_t i = 1; i < n; i++)
		CHECK(call_id(calls[i - 1]) < call_id(calls[i]));
	CHECK(n <= CALL_ENDED_KEEP + 1);
}

int
main(void)
{
	alice = node_new("alice");
	bob = node_new("bob");
	mallory = node_new("mallory");
	CHECK(alice && bob && mallory);
	if (!alice || !bob || !mallory)
		return test_exit();
	test_dial_sends_options();
	test_precall_without_trust();
	test_precall_answer_and_replay();
	test_answer_from_another_identity();
	test_precall_refused_and_timeout();
	test_invite_expect_mismatch();
	test_not_for_calls();
	test_list();
	node_free(alice);
	node_free(bob);
	node_free(mallory);
	return test_exit();
}
