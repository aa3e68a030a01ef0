/* CPU cost of a MIKEY DH-SIGN handshake (RSA-3072, OAKLEY 5): medians over
 * N runs of init, respond, finish and the whole exchange, measured with
 * CLOCK_PROCESS_CPUTIME_ID, plus the primitives they are made of so the
 * time can be attributed.
 *
 *   bench/mikey [-n N] [-b RSA_BITS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mikey.h"
#include "mikey-dh.h"
#include "mikey-msg.h"
#include "../tests/unit/test-mikey-util.h"

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
report(const char *what, double *v, int n)
{
	double med = median(v, n);

	printf("%-34s median %7.3f ms  min %7.3f  max %7.3f\n", what, med,
	    v[0], v[n - 1]);
}

int
main(int argc, char **argv)
{
	struct tpeer alice, bob;
	double *t_init, *t_resp, *t_fin, *t_all, *t_sign, *t_verify;
	double *t_dhgen, *t_dhder;
	int n = 200, bits = 3072, c;
	uint64_t now = mikey_ntp_from_unix(1795710736, 0);

	tpeer_primes = 3;	/* svopid's keys: daemon/identity.c */
	while ((c = getopt(argc, argv, "n:b:p:")) != -1) {
		switch (c) {
		case 'n':
			n = (int)strtol(optarg, NULL, 10);
			break;
		case 'b':
			bits = (int)strtol(optarg, NULL, 10);
			break;
		case 'p':
			tpeer_primes = (int)strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: %s [-n N] [-b RSA_BITS] "
			    "[-p PRIMES]\n",
			    argv[0]);
			return 2;
		}
	}
	if (n < 1 || n > 100000 || bits < 2048 || bits > 8192 ||
	    tpeer_primes < 2 || tpeer_primes > 3) {
		fprintf(stderr, "bad -n, -b or -p\n");
		return 2;
	}
	tpeer_make(&alice, "sip:alice@example.org", NULL, bits,
	    MIKEY_SIGN_PKCS1, true);
	tpeer_make(&bob, "sip:bob@example.org", NULL, bits, MIKEY_SIGN_PSS,
	    true);
	t_init = calloc((size_t)n, sizeof(double));
	t_resp = calloc((size_t)n, sizeof(double));
	t_fin = calloc((size_t)n, sizeof(double));
	t_all = calloc((size_t)n, sizeof(double));
	t_sign = calloc((size_t)n, sizeof(double));
	t_verify = calloc((size_t)n, sizeof(double));
	t_dhgen = calloc((size_t)n, sizeof(double));
	t_dhder = calloc((size_t)n, sizeof(double));

	for (int i = 0; i < n; i++) {
		struct mikey_init_params ip = { .self = &alice.id,
			.peer_uri = "sip:bob@example.org", .ssrc = 1,
			.now_ntp = now };
		struct mikey_respond_params rp = { .self = &bob.id,
			.peer_uri = "sip:alice@example.org", .ssrc = 2,
			.now_ntp = now };
		struct mikey_init_state *st = NULL;
		struct mikey_result a, b;
		struct mikey_fail fail;
		uint8_t *im = NULL, *rm = NULL;
		size_t il = 0, rl = 0;
		double t0, t1, t2, t3;

		t0 = cpu_ms();
		if (mikey_msg_build_init(&ip, &st, &im, &il) < 0)
			abort();
		t1 = cpu_ms();
		if (mikey_msg_respond(im, il, &rp, &b, &rm, &rl, &fail) < 0)
			abort();
		t2 = cpu_ms();
		if (mikey_msg_finish(st, rm, rl, NULL, now, &a, &fail) < 0)
			abort();
		t3 = cpu_ms();
		if (memcmp(a.cs[0].tek, b.cs[0].tek, a.cs[0].tek_len) != 0)
			abort();
		t_init[i] = t1 - t0;
		t_resp[i] = t2 - t1;
		t_fin[i] = t3 - t2;
		t_all[i] = t3 - t0;
		mikey_result_clear(&a);
		mikey_result_clear(&b);
		mikey_init_state_free(st);
		free(im);
		free(rm);
	}

	/* The primitives: one RSA signature and verification over a
	 * message-sized input, one OAKLEY 5 key pair, one shared secret. */
	for (int i = 0; i < n; i++) {
		uint8_t msg[1500], sig[1024], pub[192], tgk[192];
		size_t sl = sizeof(sig);
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		struct mikey_dh *x = NULL, *y = NULL;
		double t0, t1, t2, t3, t4;

		memset(msg, i, sizeof(msg));
		t0 = cpu_ms();
		if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
		    alice.key) <= 0 || EVP_DigestSign(md, sig, &sl, msg,
		    sizeof(msg)) <= 0)
			abort();
		t1 = cpu_ms();
		EVP_MD_CTX_reset(md);
		if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
		    alice.key) <= 0 || EVP_DigestVerify(md, sig, sl, msg,
		    sizeof(msg)) != 1)
			abort();
		t2 = cpu_ms();
		if (mikey_dh_new(MIKEY_DH_OAKLEY5, &x) < 0)
			abort();
		t3 = cpu_ms();
		if (mikey_dh_new(MIKEY_DH_OAKLEY5, &y) < 0 ||
		    mikey_dh_public(y, pub, sizeof(pub)) < 0)
			abort();
		t4 = cpu_ms();
		if (mikey_dh_derive(x, pub, sizeof(pub), tgk, sizeof(tgk)) < 0)
			abort();
		t_dhder[i] = cpu_ms() - t4;
		t_sign[i] = t1 - t0;
		t_verify[i] = t2 - t1;
		t_dhgen[i] = t3 - t2;
		EVP_MD_CTX_free(md);
		mikey_dh_free(x);
		mikey_dh_free(y);
	}

	printf("MIKEY DH-SIGN, RSA-%d (%d primes), OAKLEY 5, %d runs, "
	    "CPU time\n", bits, tpeer_primes,
	    n);
	report("init (I_MESSAGE)", t_init, n);
	report("respond (verify + R_MESSAGE)", t_resp, n);
	report("finish (verify R + keys)", t_fin, n);
	report("whole handshake, both sides", t_all, n);
	report("  RSA sign (SHA-256, PKCS#1)", t_sign, n);
	report("  RSA verify", t_verify, n);
	report("  OAKLEY 5 key pair", t_dhgen, n);
	report("  OAKLEY 5 shared secret", t_dhder, n);
	tpeer_free(&alice);
	tpeer_free(&bob);
	free(t_init);
	free(t_resp);
	free(t_fin);
	free(t_all);
	free(t_sign);
	free(t_verify);
	free(t_dhgen);
	free(t_dhder);
	return 0;
}
