/* svopi-mikey: MIKEY DH-SIGN from the command line, for tests, debugging
 * and interop checks. A table of verbs over lib/mikey*; see
 * svopi-mikey(1). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "common/clock.h"
#include "base64.h"
#include "hex.h"
#include "mikey.h"
#include "mikey-dh.h"
#include "mikey-msg.h"
#include "mikey-prf.h"
#include "mikey-srtp.h"

/* Input we read: a base64 message of MIKEY_MSG_MAX bytes plus whitespace,
 * or a state file. */
#define INPUT_MAX	(MIKEY_MSG_MAX * 2 + 4096)

static const char *prog = "svopi-mikey";

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f, int status) __attribute__((noreturn));

static void
usage(FILE *f, int status)
{
	fprintf(f,
	    "usage: %s decode [FILE|-]\n"
	    "       %s prf --key HEX --label HEX --bytes N\n"
	    "       %s derive --tgk HEX --rand HEX --csb-id HEX --cs-id N"
	    " [--suite NAME]\n"
	    "       %s init --key KEY.pem --cert CERT.pem --id URI"
	    " --peer URI --state FILE\n"
	    "       %s respond --key KEY.pem --cert CERT.pem --id URI"
	    " --peer URI < I_MESSAGE\n"
	    "       %s finish --state FILE < R_MESSAGE\n"
	    "       %s tamper --key KEY.pem [--cert CERT.pem] [--id URI]"
	    " [--keep-dh] < MESSAGE\n"
	    "       %s --help | --version\n",
	    prog, prog, prog, prog, prog, prog, prog, prog);
	exit(status);
}

/* Reads a whole stream (at most INPUT_MAX bytes). */
static uint8_t *
read_all(FILE *f, const char *what, size_t *ret_len)
{
	uint8_t *data = malloc(INPUT_MAX + 1);
	size_t n;

	if (!data)
		die("%s", "out of memory");
	n = fread(data, 1, INPUT_MAX + 1, f);
	if (ferror(f))
		die("cannot read %s", what);
	if (n > INPUT_MAX)
		die("%s is too large", what);
	*ret_len = n;
	return data;
}

static uint8_t *
read_path(const char *path, size_t *ret_len)
{
	FILE *f;
	uint8_t *data;

	if (strcmp(path, "-") == 0)
		return read_all(stdin, "standard input", ret_len);
	f = fopen(path, "rb");
	if (!f)
		die("cannot open %s", path);
	data = read_all(f, path, ret_len);
	fclose(f);
	return data;
}

static bool
is_b64(uint8_t c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=';
}

/* If the input is base64 text (optionally after "a=key-mgmt:mikey ",
 * whitespace anywhere), decodes it in place and returns true; anything
 * else is left alone. */
static bool
maybe_base64(uint8_t *data, size_t *len)
{
	static const char prefix[] = "a=key-mgmt:mikey ";
	size_t n = 0, start = 0;
	char *text;
	long out;

	if (*len >= sizeof(prefix) - 1 &&
	    memcmp(data, prefix, sizeof(prefix) - 1) == 0)
		start = sizeof(prefix) - 1;
	for (size_t i = start; i < *len; i++)
		if (!isspace(data[i]) && !is_b64(data[i]))
			return false;
	text = malloc(*len + 1);
	if (!text)
		die("%s", "out of memory");
	for (size_t i = start; i < *len; i++)
		if (!isspace(data[i]))
			text[n++] = (char)data[i];
	out = base64_decode(text, n, data, *len);
	free(text);
	if (out < 0)
		return false;
	*len = (size_t)out;
	return true;
}

/* Reads a message from stdin (base64 or raw). */
static uint8_t *
read_message(const char *path, size_t *ret_len)
{
	uint8_t *data = read_path(path, ret_len);

	maybe_base64(data, ret_len);
	return data;
}

static void
print_b64(FILE *f, const uint8_t *p, size_t n)
{
	char *out = malloc(BASE64_ENCODED_LEN(n) + 1);

	if (!out)
		die("%s", "out of memory");
	base64_encode(p, n, out);
	fprintf(f, "%s\n", out);
	free(out);
}

static void
print_hex(FILE *f, const uint8_t *p, size_t n)
{
	char *out = malloc(2 * n + 1);

	if (!out)
		die("%s", "out of memory");
	hex_encode(p, n, out);
	fputs(out, f);
	free(out);
}

static size_t
parse_hex_arg(const char *opt, const char *s, uint8_t *out, size_t cap)
{
	long n;

	if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0)
		s += 2;
	n = hex_decode(s, strlen(s), out, cap);
	if (n < 0)
		die("bad hex in %s", opt);
	return (size_t)n;
}

static unsigned long
parse_num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die("bad number for %s", opt);
	return v;
}

/* ------------------------------------------------------------ decode */

static void
dump_printable(const uint8_t *p, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' &&
		    p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	putchar('"');
}

static void
dump_cert(const struct mikey_payload *p)
{
	const unsigned char *d = p->u.cert.data;
	X509 *x = d2i_X509(NULL, &d, p->u.cert.len);
	char *s;

	if (!x) {
		printf("    (not a DER X.509 certificate)\n");
		return;
	}
	s = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
	printf("    subject %s\n", s ? s : "?");
	printf("    key %s %d bits\n",
	    EVP_PKEY_get0_type_name(X509_get0_pubkey(x)),
	    EVP_PKEY_get_bits(X509_get0_pubkey(x)));
	OPENSSL_free(s);
	X509_free(x);
}

static void
dump_payload(const struct mikey_payload *p)
{
	printf("%s (%u) at %zu, %zu bytes\n", mikey_pt_name(p->type),
	    p->type, p->off, p->len);
	switch (p->type) {
	case MIKEY_PT_T:
		printf("    type %u value 0x%016" PRIx64, p->u.t.ts_type,
		    p->u.t.value);
		if (p->u.t.ts_type == MIKEY_TS_NTP_UTC) {
			time_t t = (time_t)mikey_ntp_to_unix(p->u.t.value);
			struct tm tm;
			char buf[64];

			if (gmtime_r(&t, &tm) &&
			    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ",
				&tm))
				printf(" (NTP-UTC %s)", buf);
		}
		putchar('\n');
		break;
	case MIKEY_PT_RAND:
		printf("    %u bytes ", p->u.rand.len);
		print_hex(stdout, p->u.rand.data, p->u.rand.len);
		putchar('\n');
		break;
	case MIKEY_PT_ID:
		printf("    type %u (%s) ", p->u.id.type,
		    p->u.id.type == MIKEY_ID_URI ? "URI" :
		    p->u.id.type == MIKEY_ID_NAI ? "NAI" : "other");
		dump_printable(p->u.id.data, p->u.id.len);
		putchar('\n');
		break;
	case MIKEY_PT_CERT:
		printf("    type %u, %u bytes\n", p->u.cert.type,
		    p->u.cert.len);
		if (p->u.cert.type == MIKEY_CERT_X509 ||
		    p->u.cert.type == MIKEY_CERT_X509_SIGN)
			dump_cert(p);
		break;
	case MIKEY_PT_GEN_EXT:
		printf("    type %u ", p->u.ext.type);
		dump_printable(p->u.ext.data, p->u.ext.len);
		putchar('\n');
		break;
	case MIKEY_PT_SP: {
		const uint8_t *q = p->u.sp.params;
		size_t off = 0;

		printf("    policy %u prot %u (%s)\n", p->u.sp.policy_no,
		    p->u.sp.prot_type, p->u.sp.prot_type == 0 ? "SRTP" : "?");
		while (off + 2 <= p->u.sp.params_len) {
			uint8_t t = q[off], n = q[off + 1];
			uint32_t v = 0;

			for (uint8_t i = 0; i < n && i < 4; i++)
				v = v << 8 | q[off + 2 + i];
			printf("    param %u %s = ", t, mikey_sp_param_name(t));
			if (n <= 4)
				printf("%" PRIu32 "\n", v);
			else {
				print_hex(stdout, q + off + 2, n);
				putchar('\n');
			}
			off += 2 + (size_t)n;
		}
		break;
	}
	case MIKEY_PT_DH:
		printf("    group %u%s, KV %u, value ", p->u.dh.group,
		    p->u.dh.group == 0 ? " (OAKLEY 5)" : "", p->u.dh.kv);
		print_hex(stdout, p->u.dh.value, p->u.dh.value_len);
		putchar('\n');
		break;
	case MIKEY_PT_SIGN:
		printf("    S type %u (%s), %u bytes ", p->u.sign.s_type,
		    p->u.sign.s_type == 0 ? "RSA PKCS#1 v1.5" :
		    p->u.sign.s_type == 1 ? "RSA-PSS" : "other",
		    p->u.sign.len);
		print_hex(stdout, p->u.sign.sig, p->u.sign.len);
		putchar('\n');
		break;
	case MIKEY_PT_V:
		printf("    auth alg %u, %u bytes\n", p->u.v.auth_alg,
		    p->u.v.len);
		break;
	case MIKEY_PT_ERR:
		printf("    error %u (%s)\n", p->u.err.code,
		    mikey_err_name(p->u.err.code));
		break;
	case MIKEY_PT_KEMAC:
		printf("    encr alg %u, %u bytes, MAC alg %u\n    encr ",
		    p->u.kemac.encr_alg, p->u.kemac.encr_len,
		    p->u.kemac.mac_alg);
		print_hex(stdout, p->u.kemac.encr, p->u.kemac.encr_len);
		putchar('\n');
		break;
	case MIKEY_PT_PKE:
		printf("    C %u, %u bytes\n", p->u.pke.c, p->u.pke.len);
		break;
	default:
		break;
	}
}

static int
cmd_decode(int argc, char **argv)
{
	struct mikey_parse_err err = { 0, NULL };
	struct mikey_msg *m;
	uint8_t *data;
	size_t len;
	int rc;

	if (argc > 2)
		usage(stderr, 2);
	data = read_message(argc == 2 ? argv[1] : "-", &len);
	m = calloc(1, sizeof(*m));
	if (!m)
		die("%s", "out of memory");
	rc = mikey_decode(data, len, m, &err);
	if (rc < 0) {
		fprintf(stderr, "%s: malformed MIKEY message at offset %zu: "
		    "%s\n", prog, err.off, err.what ? err.what : "?");
		free(m);
		free(data);
		return 1;
	}
	printf("HDR at 0, %zu bytes total\n", len);
	printf("    version %u, data type %u (%s), V %u, PRF %u%s\n",
	    m->hdr.version, m->hdr.data_type, mikey_dt_name(m->hdr.data_type),
	    m->hdr.v, m->hdr.prf_func,
	    m->hdr.prf_func == 0 ? " (MIKEY-1)" : "");
	printf("    CSB ID 0x%08" PRIx32 ", #CS %u, map type %u%s\n",
	    m->hdr.csb_id, m->hdr.n_cs, m->hdr.map_type,
	    m->hdr.map_type == 0 ? " (SRTP-ID)" : "");
	for (unsigned i = 0; i < m->hdr.n_cs; i++)
		printf("    cs_id %u: policy %u SSRC 0x%08" PRIx32
		    " ROC %" PRIu32 "\n", i + 1, m->hdr.cs[i].policy_no,
		    m->hdr.cs[i].ssrc, m->hdr.cs[i].roc);
	for (size_t i = 0; i < m->n; i++)
		dump_payload(&m->p[i]);
	if (m->signed_len)
		printf("signed part: bytes 0..%zu\n", m->signed_len);
	free(m);
	free(data);
	return 0;
}

/* --------------------------------------------------------- prf, derive */

static int
cmd_prf(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "label", required_argument, NULL, 'l' },
		{ "bytes", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t key[MIKEY_PRF_INKEY_MAX], label[MIKEY_PRF_LABEL_MAX];
	uint8_t out[MIKEY_PRF_OUT_MAX];
	size_t key_len = 0, label_len = 0, n = 0;
	bool have_key = false, have_label = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key_len = parse_hex_arg("--key", optarg, key,
			    sizeof(key));
			have_key = true;
			break;
		case 'l':
			label_len = parse_hex_arg("--label", optarg, label,
			    sizeof(label));
			have_label = true;
			break;
		case 'n':
			n = parse_num("--bytes", optarg, MIKEY_PRF_OUT_MAX);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc || !have_key || !have_label || n == 0)
		usage(stderr, 2);
	rc = mikey_prf(key, key_len, label, label_len, out, n);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc < 0)
		die("PRF failed: %s", strerror(-rc));
	print_hex(stdout, out, n);
	putchar('\n');
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

static int
cmd_derive(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tgk", required_argument, NULL, 't' },
		{ "rand", required_argument, NULL, 'r' },
		{ "csb-id", required_argument, NULL, 'c' },
		{ "cs-id", required_argument, NULL, 'i' },
		{ "suite", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	enum mikey_srtp_suite suite = MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80;
	uint8_t tgk[MIKEY_PRF_INKEY_MAX], rand[MIKEY_RAND_MAX], csb[4];
	uint8_t tek[MIKEY_SRTP_KEY_MAX], salt[MIKEY_SRTP_SALT_MAX];
	size_t tgk_len = 0, rand_len = 0, key_len, salt_len;
	unsigned long cs_id = 0;
	uint32_t csb_id;
	bool have_tgk = false, have_rand = false, have_csb = false;
	bool have_cs = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tgk_len = parse_hex_arg("--tgk", optarg, tgk,
			    sizeof(tgk));
			have_tgk = true;
			break;
		case 'r':
			rand_len = parse_hex_arg("--rand", optarg, rand,
			    sizeof(rand));
			have_rand = true;
			break;
		case 'c':
			if (parse_hex_arg("--csb-id", optarg, csb,
			    sizeof(csb)) != 4)
				die("%s", "--csb-id needs 8 hex digits");
			have_csb = true;
			break;
		case 'i':
			cs_id = parse_num("--cs-id", optarg, 255);
			have_cs = true;
			break;
		case 's':
			if (mikey_srtp_suite_from_name(optarg, &suite) < 0)
				die("unknown suite %s", optarg);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc || !have_tgk || !have_rand || !have_csb ||
	    !have_cs)
		usage(stderr, 2);
	csb_id = (uint32_t)csb[0] << 24 | (uint32_t)csb[1] << 16 |
	    (uint32_t)csb[2] << 8 | csb[3];
	mikey_srtp_suite_lens(suite, &key_len, &salt_len);
	rc = mikey_prf_derive(tgk, tgk_len, MIKEY_KEY_TEK, (uint8_t)cs_id,
	    csb_id, rand, rand_len, tek, key_len);
	if (rc == 0)
		rc = mikey_prf_derive(tgk, tgk_len, MIKEY_KEY_SALT,
		    (uint8_t)cs_id, csb_id, rand, rand_len, salt, salt_len);
	OPENSSL_cleanse(tgk, sizeof(tgk));
	if (rc < 0)
		die("derivation failed: %s", strerror(-rc));
	printf("tek=");
	print_hex(stdout, tek, key_len);
	printf("\nsalt=");
	print_hex(stdout, salt, salt_len);
	putchar('\n');
	OPENSSL_cleanse(tek, sizeof(tek));
	OPENSSL_cleanse(salt, sizeof(salt));
	return 0;
}

/* ------------------------------------------------- init, respond, finish */

struct ident {
	EVP_PKEY *key;
	uint8_t *cert_der;
	struct mikey_identity id;
};

static void
ident_load(struct ident *me, const char *key_path, const char *cert_path,
    const char *uri, bool pss)
{
	FILE *f;
	X509 *x;
	unsigned char *der = NULL;
	int n;

	f = fopen(key_path, "r");
	if (!f)
		die("cannot open %s", key_path);
	me->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!me->key)
		die("no private key in %s", key_path);
	f = fopen(cert_path, "r");
	if (!f)
		die("cannot open %s", cert_path);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x)
		die("no certificate in %s", cert_path);
	if (!X509_check_private_key(x, me->key))
		die("%s does not match the key", cert_path);
	n = i2d_X509(x, &der);
	X509_free(x);
	if (n <= 0)
		die("cannot encode %s", cert_path);
	me->cert_der = der;
	me->id.key = me->key;
	me->id.cert_der = der;
	me->id.cert_len = (size_t)n;
	me->id.uri = uri;
	me->id.s_type = pss ? MIKEY_SIGN_PSS : MIKEY_SIGN_PKCS1;
}

static void
ident_free(struct ident *me)
{
	EVP_PKEY_free(me->key);
	OPENSSL_free(me->cert_der);
}

static uint32_t
random_ssrc(void)
{
	uint32_t v = 0;

	while (v == 0)
		if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
			die("%s", "no randomness");
	return v;
}

static void
print_keys(FILE *f, const struct mikey_result *res)
{
	for (unsigned i = 0; i < MIKEY_MSG_CS; i++) {
		fprintf(f, "cs%u tek=", i + 1);
		print_hex(f, res->cs[i].tek, res->cs[i].tek_len);
		fprintf(f, " salt=");
		print_hex(f, res->cs[i].salt, res->cs[i].salt_len);
		fputc('\n', f);
	}
}

/* Options shared by init and respond. */
struct hs_opts {
	const char *key, *cert, *id, *peer, *state;
	enum mikey_srtp_suite suite;
	bool pss;
	uint32_t ssrc;
};

static void
hs_parse(int argc, char **argv, struct hs_opts *o)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "peer", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "suite", required_argument, NULL, 'S' },
		{ "pss", no_argument, NULL, 'P' },
		{ "ssrc", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->suite = MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->key = optarg; break;
		case 'c': o->cert = optarg; break;
		case 'i': o->id = optarg; break;
		case 'p': o->peer = optarg; break;
		case 's': o->state = optarg; break;
		case 'P': o->pss = true; break;
		case 'S':
			if (mikey_srtp_suite_from_name(optarg, &o->suite) < 0)
				die("unknown suite %s", optarg);
			break;
		case 'r':
			o->ssrc = (uint32_t)parse_num("--ssrc", optarg,
			    UINT32_MAX);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
	if (!o->ssrc)
		o->ssrc = random_ssrc();
}

static int
cmd_init(int argc, char **argv)
{
	struct mikey_init_params p;
	struct mikey_init_state *st = NULL;
	struct hs_opts o;
	struct ident me;
	uint8_t *msg = NULL, *sdata = NULL;
	size_t len = 0, slen = 0;
	ssize_t w;
	int rc, fd;

	hs_parse(argc, argv, &o);
	if (!o.key || !o.cert || !o.id || !o.peer || !o.state)
		usage(stderr, 2);
	ident_load(&me, o.key, o.cert, o.id, o.pss);
	memset(&p, 0, sizeof(p));
	p.self = &me.id;
	p.peer_uri = o.peer;
	p.suite = o.suite;
	p.ssrc = o.ssrc;
	p.now_ntp = clock_ntp_now();
	rc = mikey_msg_build_init(&p, &st, &msg, &len);
	if (rc < 0)
		die("cannot build I_MESSAGE: %s", strerror(-rc));
	rc = mikey_init_state_save(st, &sdata, &slen);
	if (rc < 0)
		die("cannot save state: %s", strerror(-rc));
	/* Created 0600 and never over an existing file: it holds x. */
	fd = open(o.state, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		die("cannot create %s (it must not exist)", o.state);
	w = write(fd, sdata, slen);
	if (w < 0 || (size_t)w != slen || close(fd) < 0)
		die("cannot write %s", o.state);
	OPENSSL_cleanse(sdata, slen);
	free(sdata);
	print_b64(stdout, msg, len);
	free(msg);
	mikey_init_state_free(st);
	ident_free(&me);
	return 0;
}

static int
cmd_respond(int argc, char **argv)
{
	struct mikey_respond_params p;
	struct mikey_result res;
	struct mikey_fail fail = { MIKEY_ERR_UNSPEC, "unknown", 0 };
	struct hs_opts o;
	struct ident me;
	uint8_t *in, *out = NULL;
	size_t in_len, out_len = 0;
	int rc;

	hs_parse(argc, argv, &o);
	if (!o.key || !o.cert || !o.id || !o.peer || o.state)
		usage(stderr, 2);
	ident_load(&me, o.key, o.cert, o.id, o.pss);
	in = read_message("-", &in_len);
	memset(&p, 0, sizeof(p));
	p.self = &me.id;
	p.peer_uri = o.peer;
	p.ssrc = o.ssrc;
	p.now_ntp = clock_ntp_now();
	rc = mikey_msg_respond(in, in_len, &p, &res, &out, &out_len, &fail);
	if (rc < 0) {
		/* Answer with a signed error message, as a peer would. */
		fprintf(stderr, "%s: refused: ERR %u (%s): %s\n", prog,
		    fail.code, mikey_err_name(fail.code), fail.reason);
		if (mikey_msg_build_error(&me.id, fail.csb_id, &fail.code, 1,
		    p.now_ntp, &out, &out_len) == 0) {
			print_b64(stdout, out, out_len);
			free(out);
		}
		free(in);
		ident_free(&me);
		return 1;
	}
	print_b64(stdout, out, out_len);
	print_keys(stderr, &res);
	mikey_result_clear(&res);
	free(out);
	free(in);
	ident_free(&me);
	return 0;
}

static int
cmd_finish(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct mikey_init_state *st = NULL;
	struct mikey_result res;
	struct mikey_fail fail = { MIKEY_ERR_UNSPEC, "unknown", 0 };
	const char *state = NULL;
	uint8_t *sdata, *in;
	size_t slen, in_len;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 's')
			usage(stderr, 2);
		state = optarg;
	}
	if (!state || optind != argc)
		usage(stderr, 2);
	sdata = read_path(state, &slen);
	rc = mikey_init_state_load(sdata, slen, &st);
	OPENSSL_cleanse(sdata, slen);
	free(sdata);
	if (rc < 0)
		die("%s is not a svopi-mikey state file", state);
	in = read_message("-", &in_len);
	rc = mikey_msg_finish(st, in, in_len, NULL, clock_ntp_now(), &res, &fail);
	free(in);
	if (rc < 0) {
		fprintf(stderr, "%s: refused: ERR %u (%s): %s\n", prog,
		    fail.code, mikey_err_name(fail.code), fail.reason);
		mikey_init_state_free(st);
		return 1;
	}
	print_keys(stdout, &res);
	mikey_result_clear(&res);
	mikey_init_state_free(st);
	return 0;
}

/* ------------------------------------------------------------- tamper */

static EVP_PKEY *
load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *key;

	if (!f)
		die("cannot open %s", path);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key)
		die("no private key in %s", path);
	return key;
}

/* What an attacker on the signalling path does to a DH-SIGN message (the
 * paper's MITM scenarios): the sender's DH value replaced by a fresh one
 * (unless --keep-dh), the certificate (--cert) and the sender's ID (--id)
 * replaced if asked, everything else kept, and the whole signed again
 * with the attacker's key. With --cert the result verifies (scenario 1);
 * without it the signature no longer matches the certificate (scenario
 * 2). The sender's DH value is the first DH payload: DHi in an I_MESSAGE,
 * DHr in an R_MESSAGE (its DHi echo is left alone). */
static int
cmd_tamper(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "keep-dh", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_path = NULL, *cert_path = NULL, *uri = NULL;
	struct mikey_parse_err err = { 0, NULL };
	struct mikey_identity as;
	struct mikey_dh *dh = NULL;
	struct mikey_msg *m;
	struct ident cert;
	uint8_t dhv[MIKEY_DH_VALUE_MAX], *in, *out = NULL;
	size_t in_len, out_len = 0;
	bool keep_dh = false;
	int c, rc, i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case 'c': cert_path = optarg; break;
		case 'i': uri = optarg; break;
		case 'K': keep_dh = true; break;
		default: usage(stderr, 2);
		}
	}
	if (!key_path || optind != argc)
		usage(stderr, 2);
	if (uri && strlen(uri) > MIKEY_ID_MAX)
		die("--id is longer than %d bytes", MIKEY_ID_MAX);
	memset(&cert, 0, sizeof(cert));
	if (cert_path)
		ident_load(&cert, key_path, cert_path, "", false);
	memset(&as, 0, sizeof(as));
	as.key = cert_path ? cert.key : load_key(key_path);
	in = read_message("-", &in_len);
	m = calloc(1, sizeof(*m));
	if (!m)
		die("%s", "out of memory");
	if (mikey_decode(in, in_len, m, &err) < 0)
		die("malformed MIKEY message at offset %zu: %s", err.off,
		    err.what ? err.what : "?");
	i = mikey_find(m, MIKEY_PT_DH, 0);
	if (!keep_dh) {
		if (i < 0 || mikey_dh_new(m->p[i].u.dh.group, &dh) < 0 ||
		    mikey_dh_public(dh, dhv, sizeof(dhv)) < 0)
			die("%s", "no DH value to replace");
		m->p[i].u.dh.value = dhv;
		m->p[i].u.dh.value_len =
		    (uint16_t)mikey_dh_group_len(m->p[i].u.dh.group);
	}
	if (cert_path) {
		if ((i = mikey_find(m, MIKEY_PT_CERT, 0)) < 0)
			die("%s", "no certificate to replace");
		m->p[i].u.cert.data = cert.cert_der;
		m->p[i].u.cert.len = (uint16_t)cert.id.cert_len;
	}
	if (uri) {
		if ((i = mikey_find(m, MIKEY_PT_ID, 0)) < 0)
			die("%s", "no ID to replace");
		m->p[i].u.id.type = MIKEY_ID_URI;
		m->p[i].u.id.data = (const uint8_t *)uri;
		m->p[i].u.id.len = (uint16_t)strlen(uri);
	}
	rc = mikey_msg_resign(m, &as, &out, &out_len);
	if (rc < 0)
		die("cannot sign the message again: %s", strerror(-rc));
	print_b64(stdout, out, out_len);
	free(out);
	free(m);
	free(in);
	mikey_dh_free(dh);
	if (cert_path)
		ident_free(&cert);
	else
		EVP_PKEY_free(as.key);
	return 0;
}

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
} verbs[] = {
	{ "decode", cmd_decode },
	{ "prf", cmd_prf },
	{ "derive", cmd_derive },
	{ "init", cmd_init },
	{ "respond", cmd_respond },
	{ "finish", cmd_finish },
	{ "tamper", cmd_tamper },
};

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage(stderr, 2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		usage(stdout, 0);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("%s %s\n", prog, PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage(stderr, 2);
	return 2;
}
