#include <ctype.h>
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

#include "config.h"
#include "log.h"

#define CONFIG_LINE_MAX 4096

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

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
	if (strcmp(k, "log_level") == 0)
		return log_level_parse(v, &c->log_level);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (strcmp(k, nums[i].key) == 0)
			return parse_long(v, nums[i].min, nums[i].max,
				(long *)((char *)c + nums[i].off));
	return -ENOENT;
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

/* The SHA-256 fingerprint of the provisioning CA, as OpenSSL prints it. */
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
	    !(c->prov_ca_fp = malloc(3 * n))) {
		fprintf(stderr, "%s: [provisioning] ca_file %s: not a readable "
			"PEM certificate\n", path, c->prov_ca_file);
		X509_free(x);
		return -EINVAL;
	}
	X509_free(x);
	for (unsigned i = 0; i < n; i++)
		snprintf(c->prov_ca_fp + 3 * i, 4, "%02X%s", md[i],
			i + 1 < n ? ":" : "");
	return 0;
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

int
trustd_config_load(const char *path, struct trustd_config **ret_config)
{
	struct trustd_config *c;
	char line[CONFIG_LINE_MAX];
	int lineno = 0, in_section = 0, r = 0;
	FILE *f;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
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

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *k, *v;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "%s:%d: line too long\n", path, lineno);
			r = -E2BIG;
			goto fail;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (strcmp(s, "[provisioning]") == 0) {
			in_section = 2;
			continue;
		}
		if (*s == '[') {
			if (strcmp(s, "[trustd]") != 0) {
				fprintf(stderr, "%s:%d: unknown section %s\n",
					path, lineno, s);
				r = -EINVAL;
				goto fail;
			}
			in_section = 1;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			fprintf(stderr, "%s:%d: expected key = value\n", path,
				lineno);
			r = -EINVAL;
			goto fail;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		if (!in_section) {
			fprintf(stderr, "%s:%d: key '%s' outside [trustd]\n",
				path, lineno, k);
			r = -EINVAL;
			goto fail;
		}
		r = in_section == 2 ? config_set_provisioning(c, k, v) :
			config_set(c, k, v);
		if (r == -ENOENT) {
			fprintf(stderr, "%s:%d: unknown key '%s'\n", path,
				lineno, k);
			goto fail;
		}
		if (r < 0) {
			fprintf(stderr, "%s:%d: bad value for %s: '%s'\n",
				path, lineno, k, v);
			goto fail;
		}
	}
	if (ferror(f)) {
		r = -EIO;
		fprintf(stderr, "%s: read error\n", path);
		goto fail;
	}
	fclose(f);
	f = NULL;
	if (!c->database) {
		fprintf(stderr, "%s: missing key 'database'\n", path);
		r = -EINVAL;
		goto fail;
	}
	if (!c->prov_proxy != !c->prov_server) {
		fprintf(stderr, "%s: [provisioning] needs both proxy and "
			"server\n", path);
		r = -EINVAL;
		goto fail;
	}
	r = config_ca_fingerprint(c, path);
	if (r < 0)
		goto fail;
	*ret_config = c;
	return 0;
fail:
	if (f)
		fclose(f);
	trustd_config_free(c);
	return r;
}
