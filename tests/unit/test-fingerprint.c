/* lib/fingerprint and lib/hex: the one text form of a fingerprint and the
 * key form, and what the parser refuses. */
#include <errno.h>
#include <string.h>

#include "fingerprint.h"
#include "hex.h"
#include "test.h"

/* SHA-256 of the empty string: openssl dgst -sha256 /dev/null, and the
 * text form `openssl x509 -fingerprint -sha256` would print for it. */
static const char empty_key[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char empty_text[] =
	"E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:"
	"27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55";

static void
test_forms(void)
{
	uint8_t md[FINGERPRINT_LEN], md2[FINGERPRINT_LEN];
	char text[FINGERPRINT_TEXT_SIZE], key[FINGERPRINT_KEY_LEN + 1];
	char mixed[sizeof(empty_text)];

	CHECK_EQ_INT(hex_decode(empty_key, FINGERPRINT_KEY_LEN, md, sizeof(md)),
		FINGERPRINT_LEN);
	fingerprint_format(md, text);
	CHECK(strcmp(text, empty_text) == 0);
	CHECK_EQ_INT(strlen(text), FINGERPRINT_TEXT_SIZE - 1);

	CHECK_EQ_INT(fingerprint_parse(empty_key, md2), 0);
	CHECK_MEM(md, md2, sizeof(md));
	CHECK_EQ_INT(fingerprint_parse(empty_text, md2), 0);
	CHECK_MEM(md, md2, sizeof(md));

	CHECK_EQ_INT(fingerprint_to_text(empty_key, text), 0);
	CHECK(strcmp(text, empty_text) == 0);
	CHECK_EQ_INT(fingerprint_to_key(empty_text, key), 0);
	CHECK(strcmp(key, empty_key) == 0);
	/* Either case, both forms. */
	memcpy(mixed, empty_text, sizeof(mixed));
	mixed[0] = 'e';
	mixed[3] = 'b';
	CHECK_EQ_INT(fingerprint_to_key(mixed, key), 0);
	CHECK(strcmp(key, empty_key) == 0);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"",
		"e3b0",
		/* 63 and 65 digits */
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
		/* a non-digit */
		"g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		/* colons in the wrong place, another separator, trailing colon */
		"E3B:0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:"
		"27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55",
		"E3-B0-C4-42-98-FC-1C-14-9A-FB-F4-C8-99-6F-B9-24-"
		"27-AE-41-E4-64-9B-93-4C-A4-95-99-1B-78-52-B8-55",
		"E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:"
		"27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55:",
		" e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
	};
	uint8_t md[FINGERPRINT_LEN];
	char text[FINGERPRINT_TEXT_SIZE] = "untouched";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ_INT(fingerprint_parse(bad[i], md), -EINVAL);
		CHECK_EQ_INT(fingerprint_to_text(bad[i], text), -EINVAL);
	}
	CHECK(strcmp(text, "untouched") == 0);
}

static void
test_hex(void)
{
	static const uint8_t in[] = { 0x00, 0xab, 0xff };
	char out[16];

	hex_encode(in, sizeof(in), out);
	CHECK(strcmp(out, "00abff") == 0);
	hex_encode_upper(in, sizeof(in), '\0', out);
	CHECK(strcmp(out, "00ABFF") == 0);
	hex_encode_upper(in, sizeof(in), ':', out);
	CHECK(strcmp(out, "00:AB:FF") == 0);
	hex_encode_upper(in, 0, ':', out);
	CHECK(out[0] == '\0');
	CHECK_EQ_INT(hex_digit_value('a'), 10);
	CHECK_EQ_INT(hex_digit_value('F'), 15);
	CHECK_EQ_INT(hex_digit_value('g'), -1);
}

int
main(void)
{
	test_forms();
	test_refused();
	test_hex();
	return test_exit();
}
