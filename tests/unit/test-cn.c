/* lib/cn: the RFC 3389 level byte both ways, refusals, and the noise's
 * level (its RMS within a dB of what the level says). */
#include <errno.h>
#include <math.h>

#include "cn.h"
#include "test.h"

static double
rms_db(uint8_t level)
{
	int16_t pcm[8000];
	uint32_t seed = 1;
	double sum = 0;

	cn_noise(&seed, cn_amplitude(level), pcm, 8000);
	for (size_t i = 0; i < 8000; i++)
		sum += (double)pcm[i] * pcm[i];
	return 20 * log10(sqrt(sum / 8000) / 32767.0);
}

int
main(void)
{
	uint8_t out[2], level = 0;

	CHECK_EQ_INT(cn_write(70, out, sizeof(out)), 1);
	CHECK_EQ_INT(out[0], 70);
	CHECK_EQ_INT(cn_parse(out, 1, &level), 0);
	CHECK_EQ_INT(level, 70);
	CHECK_EQ_INT(cn_write(128, out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(cn_write(1, out, 0), -ENOBUFS);
	/* Spectral coefficients after the level are accepted (not used). */
	{
		uint8_t p[11] = { 40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		uint8_t big[CN_PAYLOAD_MAX + 1] = { 40 };

		CHECK_EQ_INT(cn_parse(p, sizeof(p), &level), 0);
		CHECK_EQ_INT(level, 40);
		CHECK_EQ_INT(cn_parse(big, sizeof(big), &level), -EBADMSG);
		CHECK_EQ_INT(cn_parse(big, 0, &level), -EBADMSG);
		big[0] = 0x80 | 40;
		CHECK_EQ_INT(cn_parse(big, 1, &level), -EBADMSG);
	}
	/* The noise has the level's RMS. */
	CHECK(fabs(rms_db(30) + 30) < 1.0);
	CHECK(fabs(rms_db(70) + 70) < 1.5);
	CHECK_EQ_INT(cn_amplitude(127), 0);
	return test_exit();
}
