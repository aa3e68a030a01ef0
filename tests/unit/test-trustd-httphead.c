/* trustd/httphead.c: the request-head scanner in front of evhttp. */
#include <errno.h>

#include "../../trustd/httphead.h"
#include "test.h"

#define BODY_MAX 65536

static int
scan(const char *s, struct httphead *h)
{
	return httphead_scan((const uint8_t *)s, strlen(s), BODY_MAX, h);
}

static void
expect_refusal(const char *s, int r, int status)
{
	struct httphead h;

	CHECK_EQ_INT(scan(s, &h), r);
	CHECK_EQ_INT(h.status, status);
	CHECK(h.why && *h.why);
}

static void
test_accepts(void)
{
	struct httphead h;
	const char *post = "POST /api/v1/validate HTTP/1.1\r\nHost: x\r\n"
		"Content-Length: 12\r\n\r\nlogin=a&b=c!NEXT";

	CHECK_EQ_INT(scan(post, &h), 0);
	CHECK_EQ_INT(h.body_len, 12);
	CHECK_EQ_INT(h.head_len, strlen(post) - strlen("login=a&b=c!NEXT"));
	CHECK_EQ_INT(scan("GET / HTTP/1.0\n\n", &h), 0);
	CHECK_EQ_INT(h.head_len, 16);
	CHECK_EQ_INT(h.body_len, 0);
	CHECK_EQ_INT(scan("HEAD /login?x=%41 HTTP/1.1\r\n"
		"content-length:  0 \r\nX: \t\xc3\xa9\r\n\r\n", &h), 0);
	/* The largest body allowed. */
	CHECK_EQ_INT(scan("POST / HTTP/1.1\r\nContent-Length: 65536\r\n\r\n",
		&h), 0);
	CHECK_EQ_INT(h.body_len, BODY_MAX);
}

static void
test_needs_more(void)
{
	struct httphead h;

	CHECK_EQ_INT(scan("", &h), -ENODATA);
	CHECK_EQ_INT(scan("GET / HTT", &h), -ENODATA);
	CHECK_EQ_INT(scan("GET / HTTP/1.1\r\nHost: x\r\n", &h), -ENODATA);
	CHECK_EQ_INT(scan("GET / HTTP/1.1\r\nHost: x\r\n\r", &h), -ENODATA);
	/* A bad line is refused before the head is complete. */
	expect_refusal("PUT / HTTP/1.1\r\n", -ENOTSUP, 405);
}

static void
test_refusals(void)
{
	expect_refusal("PUT / HTTP/1.1\r\n\r\n", -ENOTSUP, 405);
	expect_refusal("get / HTTP/1.1\r\n\r\n", -ENOTSUP, 405);
	expect_refusal("G(T / HTTP/1.1\r\n\r\n", -EBADMSG, 400);
	expect_refusal("\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET  / HTTP/1.1\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET x HTTP/1.1\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET / HTTP/1.1 \r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET /\x01 HTTP/1.1\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET / HTTP/2.0\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET /\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET / HTTP/1.1\r\n folded\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET / HTTP/1.1\r\nNo colon\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET / HTTP/1.1\r\n: v\r\n\r\n", -EBADMSG, 400);
	expect_refusal("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", -EBADMSG, 400);
	expect_refusal("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		-EBADMSG, 400);
	expect_refusal("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
		-EBADMSG, 400);
	expect_refusal("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
		-EBADMSG, 400);
	expect_refusal("POST / HTTP/1.1\r\nContent-Length: 1\r\n"
		"content-length: 1\r\n\r\n", -EBADMSG, 400);
	expect_refusal("POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n",
		-E2BIG, 413);
	expect_refusal("POST / HTTP/1.1\r\nContent-Length: "
		"18446744073709551617\r\n\r\n", -E2BIG, 413);
	expect_refusal("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		"\r\n", -ENOTSUP, 411);
	expect_refusal("POST / HTTP/1.1\r\ntransfer-encoding: identity\r\n"
		"\r\n", -ENOTSUP, 411);
}

static void
test_limits(void)
{
	static char buf[HTTPHEAD_MAX + 64];
	struct httphead h;
	size_t n;

	/* A head of exactly HTTPHEAD_MAX bytes passes, one more does not. */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nX: ");
	memset(buf + n, 'a', HTTPHEAD_MAX - n - 4);
	memcpy(buf + HTTPHEAD_MAX - 4, "\r\n\r\n", 5);
	CHECK_EQ_INT(httphead_scan((uint8_t *)buf, HTTPHEAD_MAX, BODY_MAX,
		&h), 0);
	CHECK_EQ_INT(h.head_len, HTTPHEAD_MAX);
	memset(buf + n, 'a', HTTPHEAD_MAX - n - 3);
	memcpy(buf + HTTPHEAD_MAX - 3, "\r\n\r\n", 5);
	CHECK_EQ_INT(httphead_scan((uint8_t *)buf, HTTPHEAD_MAX + 1, BODY_MAX,
		&h), -E2BIG);
	CHECK_EQ_INT(h.status, 431);
	/* Unterminated and long enough: refused without waiting. */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	CHECK_EQ_INT(httphead_scan((uint8_t *)buf, sizeof(buf), BODY_MAX, &h),
		-E2BIG);
	/* Too many fields. */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTPHEAD_FIELDS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X: 1\r\n");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
	CHECK_EQ_INT(httphead_scan((uint8_t *)buf, n, BODY_MAX, &h), -E2BIG);
	CHECK_EQ_INT(h.status, 431);
	/* A NUL in a field value. */
	CHECK_EQ_INT(httphead_scan((const uint8_t *)"GET / HTTP/1.1\r\nX: \0"
		"\r\n\r\n", 22, BODY_MAX, &h), -EBADMSG);
	/* A NUL in the body is not the scanner's business. */
	CHECK_EQ_INT(httphead_scan((const uint8_t *)"POST / HTTP/1.1\r\n"
		"Content-Length: 1\r\n\r\n\0", 41, BODY_MAX, &h), 0);
}

int
main(void)
{
	test_accepts();
	test_needs_more();
	test_refusals();
	test_limits();
	return test_exit();
}
