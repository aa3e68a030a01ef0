/* lib/base64: RFC 4648 §10 vectors, and what the strict decoder refuses. */
#include <errno.h>
#include <string.h>

#include "base64.h"
#include "test.h"

static const struct {
	const char *raw, *b64;
} vectors[] = {
	{ "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static const struct {
	const char *in;
	long ret;
} bad[] = {
	{ "", -EBADMSG },		/* nothing */
	{ "Zm9", -EBADMSG },		/* not a multiple of 4 */
	{ "Zg=", -EBADMSG },
	{ "Z===", -EBADMSG },		/* three pads */
	{ "Zh==", -EBADMSG },		/* pad bits not zero */
	{ "Zm9=", -EBADMSG },
	{ "Z=g=", -EBADMSG },		/* pad inside */
	{ "Zg==Zg==", -EBADMSG },	/* pad before the end */
	{ " Zg=", -EBADMSG },		/* whitespace */
	{ "Zm9v\n", -EBADMSG },
	{ "Zm-v", -EBADMSG },		/* base64url is another alphabet */
	{ "Zm_v", -EBADMSG },
};

int
main(void)
{
	uint8_t out[16];
	char enc[16];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t n = strlen(vectors[i].raw), m = strlen(vectors[i].b64);

		CHECK_EQ_INT(base64_encode((const uint8_t *)vectors[i].raw, n,
			enc), m);
		CHECK(strcmp(enc, vectors[i].b64) == 0);
		CHECK_EQ_INT(BASE64_ENCODED_LEN(n), m);
		CHECK_EQ_INT(base64_decode(vectors[i].b64, m, out, sizeof(out)),
			n);
		CHECK_MEM(out, vectors[i].raw, n);
		/* Exactly enough room, then one byte short. */
		CHECK_EQ_INT(base64_decode(vectors[i].b64, m, out, n), n);
		CHECK_EQ_INT(base64_decode(vectors[i].b64, m, out, n - 1),
			-E2BIG);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long r = base64_decode(bad[i].in, strlen(bad[i].in), out,
			sizeof(out));

		CHECK_EQ_INT(r, bad[i].ret);
		if (r != bad[i].ret)
			fprintf(stderr, "bad case \"%s\"\n", bad[i].in);
	}
	/* A NUL inside the counted text is not base64. */
	CHECK_EQ_INT(base64_decode("Zm\0v", 4, out, sizeof(out)), -EBADMSG);
	/* Empty input encodes to the empty string. */
	CHECK_EQ_INT(base64_encode(out, 0, enc), 0);
	CHECK(enc[0] == '\0');
	return test_exit();
}
