/* RFC 4733 events: digit names, the payload both ways, every refusal. */
#include <errno.h>

#include "dtmf.h"
#include "test.h"

int
main(void)
{
	static const struct {
		char c;
		int ev;
	} names[] = {
		{ '0', 0 }, { '9', 9 }, { '*', 10 }, { '#', 11 }, { 'A', 12 },
		{ 'd', 15 }, { 'E', -EINVAL }, { ' ', -EINVAL }, { 0, -EINVAL },
	};
	/* RFC 4733 §2.3: digit 5, end, volume 10, duration 800. */
	static const uint8_t v5[] = { 0x05, 0x8a, 0x03, 0x20 };
	struct dtmf_event e = { 5, true, 10, 800 }, p;
	uint8_t out[8];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK_EQ_INT(dtmf_from_char(names[i].c), names[i].ev);
		if (names[i].ev >= 0)
			CHECK(dtmf_to_char((uint8_t)names[i].ev) ==
			    (names[i].c == 'd' ? 'D' : names[i].c));
	}
	CHECK_EQ_INT(dtmf_to_char(16), 0);
	CHECK_EQ_INT(dtmf_check_digits("123#*ABCD"), 0);
	CHECK_EQ_INT(dtmf_check_digits(""), -EINVAL);
	CHECK_EQ_INT(dtmf_check_digits(NULL), -EINVAL);
	CHECK_EQ_INT(dtmf_check_digits("12x"), -EINVAL);
	CHECK_EQ_INT(dtmf_check_digits("0123456789012345678901234567890"),
	    0);
	CHECK_EQ_INT(dtmf_check_digits("012345678901234567890123456789012"),
	    -E2BIG);

	CHECK_EQ_INT(dtmf_event_write(&e, out, sizeof(out)), 4);
	CHECK_MEM(out, v5, 4);
	CHECK_EQ_INT(dtmf_event_write(&e, out, 3), -ENOBUFS);
	e.event = 16;
	CHECK_EQ_INT(dtmf_event_write(&e, out, sizeof(out)), -EINVAL);
	e.event = 5;
	e.volume = 64;
	CHECK_EQ_INT(dtmf_event_write(&e, out, sizeof(out)), -EINVAL);

	CHECK_EQ_INT(dtmf_event_parse(v5, 4, &p), 0);
	CHECK(p.event == 5 && p.end && p.volume == 10 && p.duration == 800);
	CHECK_EQ_INT(dtmf_event_parse(v5, 3, &p), -EBADMSG);
	CHECK_EQ_INT(dtmf_event_parse(v5, 8, &p), -EBADMSG);
	CHECK_EQ_INT(dtmf_event_parse(NULL, 4, &p), -EBADMSG);
	out[0] = 16;	/* a tone event, not a digit */
	CHECK_EQ_INT(dtmf_event_parse(out, 4, &p), -ENOTSUP);
	return test_exit();
}
