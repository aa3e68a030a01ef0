/* See identity.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "daemon/identity.h"
#include "common/log.h"

/* Ten years: the certificate is pinned by fingerprint at the trust server,
 * its validity dates carry no meaning. */
#define IDENTITY_DAYS 3650

int
identity_fingerprint(X509 *cert, char out[IDENTITY_FPR_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!X509_digest(cert, EVP_sha256(), md, &n) || n != FINGERPRINT_LEN)
		return -EIO;
	fingerprint_format(md, out);
	return 0;
}

struct identity *
identity_free(struct identity *id)
{
	if (!id)
		return NULL;
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	free(id);
	return NULL;
}

static int
identity_mkdirs(const char *dir)
{
	char tmp[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Writes via a temporary file, fsync and rename, so a crash leaves either
 * nothing or the whole file. */
static int
identity_write(const char *path, mode_t mode,
	int (*writer)(BIO *, void *), void *obj)
{
	char tmp[PATH_MAX];
	BIO *bio;
	FILE *f;
	int fd, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	bio = BIO_new_fp(f, BIO_NOCLOSE);
	if (!bio || !writer(bio, obj) || BIO_flush(bio) != 1)
		r = -EIO;
	BIO_free(bio);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = r ? r : -errno;
	fclose(f);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int
identity_write_key(BIO *bio, void *obj)
{
	return PEM_write_bio_PrivateKey(bio, obj, NULL, NULL, 0, NULL, NULL);
}

static int
identity_write_cert(BIO *bio, void *obj)
{
	return PEM_write_bio_X509(bio, obj);
}

/* An RSA-3072 key with three primes (RFC 8017 multi-prime RSA; OpenSSL
 * allows three at 3072 bits, ossl_rsa_multip_cap). A signature is three
 * exponentiations modulo 1024-bit primes instead of two modulo 1536-bit
 * ones: 1.0-1.3 ms instead of 2.0-2.2 on the benchmark machine, and a
 * call's set-up waits for two signatures in series (the caller's
 * I_MESSAGE, the callee's R_MESSAGE). The public key, the certificate and
 * verification are those of any RSA-3072 key. Security: the best attack
 * on a 3072-bit modulus stays the number field sieve; ECM finding one
 * 1024-bit factor is far beyond reach (records are below 300 bits). Keys
 * made before stay as they are (two primes). See docs/decisions.md. */
static EVP_PKEY *
identity_make_key(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	EVP_PKEY *key = NULL;

	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, IDENTITY_RSA_BITS) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_keygen_primes(ctx, IDENTITY_RSA_PRIMES) <= 0 ||
	    EVP_PKEY_keygen(ctx, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static X509 *
identity_make_cert(EVP_PKEY *key, const char *aor)
{
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	char san[600];
	bool ok = false;

	if (!x)
		return NULL;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto out;
	if (!X509_set_version(x, 2) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), IDENTITY_DAYS, 0, NULL) ||
	    !X509_set_pubkey(x, key))
		goto out;
	name = X509_NAME_new();
	if (!name || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)aor, -1, -1, 0) ||
	    !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name))
		goto out;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	snprintf(san, sizeof(san), "URI:%s", aor);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
	if (!ext || !X509_add_ext(x, ext, -1)) {
		X509_EXTENSION_free(ext);
		goto out;
	}
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
		"critical,CA:FALSE");
	if (!ext || !X509_add_ext(x, ext, -1)) {
		X509_EXTENSION_free(ext);
		goto out;
	}
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, key, EVP_sha256()))
		goto out;
	ok = true;
out:
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* True when the certificate's CN or a SAN URI equals aor. */
static bool
identity_cert_has_aor(X509 *x, const char *aor)
{
	GENERAL_NAMES *gens;
	bool found = false;
	char cn[600];

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *s;
		int n;

		if (g->type != GEN_URI)
			continue;
		s = ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
		n = ASN1_STRING_length(g->d.uniformResourceIdentifier);
		if ((size_t)n == strlen(aor) && memcmp(s, aor, (size_t)n) == 0)
			found = true;
	}
	GENERAL_NAMES_free(gens);
	if (found)
		return true;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
	    cn, sizeof(cn)) > 0 && strcmp(cn, aor) == 0)
		return true;
	return false;
}

int
identity_load_or_create(const char *state_dir, const char *aor,
	struct identity **ret, char *err, size_t errlen)
{
	char kpath[PATH_MAX], cpath[PATH_MAX];
	struct identity *id;
	struct stat st;
	FILE *f;
	int r;

	if (strlen(aor) >= sizeof(id->aor))
		return -E2BIG;
	if ((size_t)snprintf(kpath, sizeof(kpath), "%s/identity.key",
	    state_dir) >= sizeof(kpath) ||
	    (size_t)snprintf(cpath, sizeof(cpath), "%s/identity.crt",
	    state_dir) >= sizeof(cpath))
		return -ENAMETOOLONG;
	r = identity_mkdirs(state_dir);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", state_dir, strerror(-r));
		return r;
	}
	id = calloc(1, sizeof(*id));
	if (!id)
		return -ENOMEM;
	snprintf(id->aor, sizeof(id->aor), "%s", aor);

	f = fopen(kpath, "re");
	if (f) {
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
			log_warning("%s is readable by group or others", kpath);
		id->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (!id->key) {
			snprintf(err, errlen, "%s: not a private key", kpath);
			r = -EBADMSG;
			goto fail;
		}
	} else if (errno != ENOENT) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", kpath, strerror(errno));
		goto fail;
	} else {
		log_info("making a new identity for %s (RSA %d)", aor,
			IDENTITY_RSA_BITS);
		id->key = identity_make_key();
		if (!id->key) {
			snprintf(err, errlen, "RSA key generation failed");
			r = -EIO;
			goto fail;
		}
		unlink(cpath);	/* a certificate without its key is useless */
		r = identity_write(kpath, 0600, identity_write_key, id->key);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", kpath, strerror(-r));
			goto fail;
		}
	}

	f = fopen(cpath, "re");
	if (f) {
		id->cert = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
		if (!id->cert) {
			snprintf(err, errlen, "%s: not a certificate", cpath);
			r = -EBADMSG;
			goto fail;
		}
		if (X509_check_private_key(id->cert, id->key) != 1) {
			snprintf(err, errlen, "%s does not match %s", cpath,
				kpath);
			r = -EINVAL;
			goto fail;
		}
		if (!identity_cert_has_aor(id->cert, aor)) {
			snprintf(err, errlen,
				"%s belongs to another address than %s; move "
				"the state directory away to make a new identity",
				cpath, aor);
			r = -EINVAL;
			goto fail;
		}
	} else if (errno != ENOENT) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", cpath, strerror(errno));
		goto fail;
	} else {
		id->cert = identity_make_cert(id->key, aor);
		if (!id->cert) {
			snprintf(err, errlen, "making the certificate failed");
			r = -EIO;
			goto fail;
		}
		r = identity_write(cpath, 0644, identity_write_cert, id->cert);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", cpath, strerror(-r));
			goto fail;
		}
	}
	r = identity_fingerprint(id->cert, id->fingerprint);
	if (r < 0) {
		snprintf(err, errlen, "fingerprint failed");
		goto fail;
	}
	*ret = id;
	return 0;
fail:
	identity_free(id);
	return r;
}
