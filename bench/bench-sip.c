/* Parser throughput: parses (and validates) an RFC 4475 message and an SDP
 * offer with MIKEY many times and prints messages per second.
 * Usage: bench/bench-sip [SRCDIR] (default: the source tree it was built
 * from). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sdp.h"
#include "sip-msg.h"

static size_t
load(const char *dir, const char *rel, uint8_t *buf, size_t cap)
{
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : SRCDIR;
	static const char *const files[] = {
		"tests/data/sip/rfc4475/wsinv.dat",
		"tests/data/sip/rfc4475/longreq.dat",
	};
	static uint8_t buf[SIP_MSG_MAX];
	const int iters = 200000;

	for (size_t f = 0; f < 2; f++) {
		size_t n = load(dir, files[f], buf, sizeof(buf));
		double t0 = now(), dt;

		for (int i = 0; i < iters; i++) {
			struct sip_msg *m;

			if (sip_msg_parse(buf, n, 0, &m) < 0 ||
			    sip_msg_validate(m, NULL) < 0)
				return 1;
			sip_msg_free(m);
		}
		dt = now() - t0;
		printf("sip_msg_parse+validate %-12s %5zu bytes: %8.0f msg/s "
		    "(%.2f us/msg)\n", strrchr(files[f], '/') + 1, n,
		    iters / dt, dt / iters * 1e6);
	}
	{
		size_t n = load(dir, "tests/data/sip/sdp/offer-mikey.sdp", buf,
		    sizeof(buf));
		double t0 = now(), dt;

		for (int i = 0; i < iters; i++) {
			struct sdp_session *s;

			if (sdp_parse(buf, n, &s) < 0)
				return 1;
			sdp_free(s);
		}
		dt = now() - t0;
		printf("sdp_parse %-25s %5zu bytes: %8.0f msg/s (%.2f us/msg)\n",
		    "offer-mikey.sdp", n, iters / dt, dt / iters * 1e6);
	}
	return 0;
}
