#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/file.h"
#include "common/log.h"
#include "config.h"
#include "lib/fingerprint.h"
#include "lib/ini.h"

static int
parse_long(const char *v, long min, long max, long *ret)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return -EINVAL;
	*ret = n;
	return 0;
}

static int
set_string(char **dst, const char *v)
{
	char *s;

	if (!*v)
		return -EINVAL;
	s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* HOST:PORT, [V6]:PORT */
static int
set_listen(struct trustd_config *c, const char *v)
{
	const char *colon, *host = v;
	size_t hlen;
	long port;
	char *h, *p;

	if (*v == '[') {
		const char *rb = strchr(v, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		host = v + 1;
		hlen = (size_t)(rb - host);
		colon = rb + 1;
	} else {
		colon = strrchr(v, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - v);
	}
	if (hlen == 0 || parse_long(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	h = strndup(host, hlen);
	p = strdup(colon + 1);
	if (!h || !p) {
		free(h);
		free(p);
		return -ENOMEM;
	}
	free(c->listen_host);
	free(c->listen_port);
	c->listen_host = h;
	c->listen_port = p;
	return 0;
}

static int
config_set(struct trustd_config *c, const char *k, const char *v)
{
	static const struct {
		const char *key;
		size_t off;
		long min, max;
	} nums[] = {
		{ "vuc_ttl", offsetof(struct trustd_config, vuc_ttl), 1, 86400 },
		{ "cred_cache_ttl", offsetof(struct trustd_config,
			cred_cache_ttl), 0, 86400 },
		{ "login_fail_max", offsetof(struct trustd_config,
			login_fail_max), 1, 1000000 },
		{ "addr_fail_max", offsetof(struct trustd_config,
			addr_fail_max), 1, 1000000 },
		{ "fail_window", offsetof(struct trustd_config, fail_window),
			1, 86400 },
		{ "argon2_t_cost", offsetof(struct trustd_config,
			argon2_t_cost), 1, 100 },
		{ "argon2_m_cost", offsetof(struct trustd_config,
			argon2_m_cost), 8, 4 * 1024 * 1024 },
		{ "session_ttl", offsetof(struct trustd_config, session_ttl),
			60, 7 * 86400 },
		{ "max_waiters", offsetof(struct trustd_config, max_waiters),
			1, 1000000 },
		{ "threads", offsetof(struct trustd_config, threads), 0, 64 },
	};

	if (strcmp(k, "listen") == 0)
		return set_listen(c, v);
	if (strcmp(k, "tls_cert") == 0)
		return set_string(&c->tls_cert, v);
	if (strcmp(k, "tls_key") == 0)
		return set_string(&c->tls_key, v);
	if (strcmp(k, "database") == 0)
		return set_string(&c->database, v);
	if (strcmp(k, "registration") == 0) {
		if (strcmp(v, "open") == 0)
			c->registration = REGISTRATION_OPEN;
		else if (strcmp(v, "closed") == 0)
			c->registration = REGISTRATION_CLOSED;
		else
			return -EINVAL;
		return 0;
	}
	if (strcmp(k, "log_level") == 0) {
		int l = log_parse_level(v);

		if (l < 0)
			return l;
		c->log_level = l;
		return 0;
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (strcmp(k, nums[i].key) == 0)
			return parse_long(v, nums[i].min, nums[i].max,
				(long *)((char *)c + nums[i].off));
	return -ENOENT;
}

struct trustd_config *
trustd_config_free(struct trustd_config *c)
{
	if (!c)
		return NULL;
	free(c->listen_host);
	free(c->listen_port);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->database);
	free(c->prov_proxy);
	free(c->prov_server);
	free(c->prov_ca_file);
	free(c->prov_ca_fp);
	free(c);
	return NULL;
}

/* [provisioning] values go into a shell command between single quotes
 * on a web page: nothing that could end the quote or the line. */
static int
config_set_provisioning(struct trustd_config *c, const char *k,
	const char *v)
{
	for (const char *p = v; *p; p++)
		if (*p == '\'' || (unsigned char)*p < 0x21 || *p == 0x7f)
			return -EINVAL;
	if (strcmp(k, "proxy") == 0)
		return strncmp(v, "sip:", 4) && strncmp(v, "sips:", 5) ?
			-EINVAL : set_string(&c->prov_proxy, v);
	if (strcmp(k, "server") == 0)
		return strncmp(v, "https://", 8) ? -EINVAL :
			set_string(&c->prov_server, v);
	if (strcmp(k, "ca_file") == 0)
		return set_string(&c->prov_ca_file, v);
	return -ENOENT;
}

/* The SHA-256 fingerprint of the provisioning CA, in the one text form. */
static int
config_ca_fingerprint(struct trustd_config *c, const char *path)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	X509 *x = NULL;
	FILE *f;

	if (!c->prov_ca_file)
		return 0;
	f = fopen(c->prov_ca_file, "re");
	if (f) {
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!x || X509_digest(x, EVP_sha256(), md, &n) != 1 ||
	    n != FINGERPRINT_LEN ||
	    !(c->prov_ca_fp = malloc(FINGERPRINT_TEXT_SIZE))) {
		fprintf(stderr, "%s: [provisioning] ca_file %s: not a readable "
			"PEM certificate\n", path, c->prov_ca_file);
		X509_free(x);
		return -EINVAL;
	}
	X509_free(x);
	fingerprint_format(md, c->prov_ca_fp);
	return 0;
}

static int
config_section(void *userdata, const char *section, char *err, size_t errlen)
{
	(void)userdata;
	if (strcmp(section, "trustd") == 0 ||
	    strcmp(section, "provisioning") == 0)
		return 0;
	snprintf(err, errlen, "unknown section [%.64s]", section);
	return -EINVAL;
}

static int
config_key(void *userdata, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	int r = strcmp(section, "provisioning") == 0 ?
		config_set_provisioning(userdata, key, value) :
		config_set(userdata, key, value);

	if (r == -ENOENT)
		snprintf(err, errlen, "unknown key '%.64s'", key);
	else if (r < 0)
		snprintf(err, errlen, "bad value for %s: '%.200s'", key, value);
	return r;
}

static const struct ini_handler config_ini = {
	.section = config_section,
	.key = config_key,
};

static void
config_defaults(struct trustd_config *c)
{
	c->registration = REGISTRATION_CLOSED;
	c->vuc_ttl = 900;
	c->cred_cache_ttl = 300;
	c->login_fail_max = 5;
	c->addr_fail_max = 20;
	c->fail_window = 300;
	c->argon2_t_cost = 2;
	c->argon2_m_cost = 19456;
	c->session_ttl = 3600;
	c->max_waiters = 4096;
	c->log_level = LOG_INFO;
}

int
trustd_config_load(const char *path, struct trustd_config **ret_config)
{
	struct trustd_config *c;
	char err[512];
	char *data = NULL;
	size_t len = 0;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	config_defaults(c);
	r = file_read_all(path, INI_FILE_MAX, &data, &len);
	if (r == -EINVAL)
		fprintf(stderr, "%s: not a regular file\n", path);
	else if (r == -E2BIG)
		fprintf(stderr, "%s: larger than %d bytes\n", path,
			INI_FILE_MAX);
	else if (r < 0)
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
	if (r == 0) {
		r = ini_parse_buf(path, data, len, &config_ini, c, err,
			sizeof(err));
		if (r < 0)
			fprintf(stderr, "%s\n", err);
	}
	free(data);
	if (r == 0 && !c->database) {
		fprintf(stderr, "%s: missing key 'database'\n", path);
		r = -EINVAL;
	}
	if (r == 0 && !c->prov_proxy != !c->prov_server) {
		fprintf(stderr, "%s: [provisioning] needs both proxy and "
			"server\n", path);
		r = -EINVAL;
	}
	if (r == 0)
		r = config_ca_fingerprint(c, path);
	if (r < 0) {
		trustd_config_free(c);
		return r;
	}
	*ret_config = c;
	return 0;
}
