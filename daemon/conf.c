/* See conf.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/file.h"
#include "common/log.h"
#include "daemon/conf.h"
#include "lib/ini.h"

#define CONF_SECRET_MAX 1024

enum conf_type {
	CT_STRING,	/* any text, may be empty */
	CT_PATH,	/* absolute path or empty */
	CT_SIPURI,	/* sip: or sips: URI */
	CT_PROXY,	/* sip(s) URI or empty */
	CT_HTTPS,	/* https:// URL or empty */
	CT_UINT,
	CT_BOOL,
	CT_AUDIO,
	CT_DEVICE,	/* a PulseAudio device name */
	CT_LISTEN,
	CT_CODECS,
	CT_PORTS,
	CT_LOGLEVEL,
};

struct conf_key {
	const char *section;
	const char *key;
	enum conf_type type;
	size_t off;
	unsigned min, max;
};

#define O(f) offsetof(struct conf, f)
static const struct conf_key conf_keys[] = {
	{ "account", "uri", CT_SIPURI, O(uri), 0, 0 },
	{ "account", "proxy", CT_PROXY, O(proxy), 0, 0 },
	{ "account", "auth_user", CT_STRING, O(auth_user), 0, 0 },
	{ "account", "password_file", CT_PATH, O(password_file), 0, 0 },
	{ "trust", "server", CT_HTTPS, O(trust_server), 0, 0 },
	{ "trust", "ca_file", CT_PATH, O(trust_ca_file), 0, 0 },
	{ "trust", "password_file", CT_PATH, O(trust_password_file), 0, 0 },
	{ "trust", "cache_ttl", CT_UINT, O(trust_cache_ttl), 0, 31536000 },
	{ "sip", "listen", CT_LISTEN, 0, 0, 0 },
	{ "sip", "ca_file", CT_PATH, O(sip_ca_file), 0, 0 },
	{ "sip", "register_expires", CT_UINT, O(register_expires), 10, 86400 },
	{ "sip", "keepalive", CT_UINT, O(keepalive), 0, 3600 },
	{ "media", "audio", CT_AUDIO, O(audio), 0, 0 },
	{ "media", "play", CT_PATH, O(play), 0, 0 },
	{ "media", "record", CT_PATH, O(record), 0, 0 },
	{ "media", "sink", CT_DEVICE, O(sink), 0, 0 },
	{ "media", "source", CT_DEVICE, O(source), 0, 0 },
	{ "media", "codecs", CT_CODECS, 0, 0, 0 },
	{ "media", "rtp_ports", CT_PORTS, 0, 0, 0 },
	{ "calls", "auto_answer", CT_BOOL, O(auto_answer), 0, 0 },
	{ "calls", "trust_wait", CT_UINT, O(trust_wait), 1, 86400 },
	{ "calls", "ring_timeout", CT_UINT, O(ring_timeout), 5, 3600 },
	{ "paths", "state_dir", CT_PATH, O(state_dir), 0, 0 },
	{ "log", "level", CT_LOGLEVEL, O(log_level), 0, 0 },
};
#undef O

const char *
conf_proto_name(enum conf_proto p)
{
	switch (p) {
	case CONF_PROTO_UDP: return "udp";
	case CONF_PROTO_TCP: return "tcp";
	case CONF_PROTO_TLS: return "tls";
	}
	return "?";
}

struct conf *
conf_new(void)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->trust_cache_ttl = 86400;
	c->register_expires = 600;
	c->keepalive = 30;
	c->audio = CONF_AUDIO_PULSE;
	c->codecs[0] = CONF_CODEC_OPUS;
	c->codecs[1] = CONF_CODEC_PCMU;
	c->codecs[2] = CONF_CODEC_PCMA;
	c->n_codecs = 3;
	c->rtp_port_min = 40000;
	c->rtp_port_max = 40999;
	c->trust_wait = 300;
	c->ring_timeout = 60;
	c->log_level = LOG_INFO;
	return c;
}

struct conf *
conf_free(struct conf *c)
{
	if (!c)
		return NULL;
	char **strs[] = {
		&c->uri, &c->proxy, &c->auth_user, &c->password_file,
		&c->trust_server, &c->trust_ca_file, &c->trust_password_file,
		&c->sip_ca_file, &c->play, &c->record, &c->state_dir,
		&c->sink, &c->source,
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	free(c);
	return NULL;
}

static int
conf_parse_uint(const char *v, unsigned min, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*ret = (unsigned)n;
	return 0;
}

static int
conf_parse_sipuri(const char *v, bool need_user)
{
	const char *rest;

	if (strncmp(v, "sip:", 4) == 0)
		rest = v + 4;
	else if (strncmp(v, "sips:", 5) == 0)
		rest = v + 5;
	else
		return -EINVAL;
	if (*rest == '\0' || strlen(v) > 512)
		return -EINVAL;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' ||
		    *p == '"' || (unsigned char)*p >= 0x7f)
			return -EINVAL;
	if (need_user && (!strchr(rest, '@') || rest[0] == '@' ||
	    strchr(rest, '@')[1] == '\0'))
		return -EINVAL;
	return 0;
}

/* "tls:HOST:PORT", host may be "[v6]". */
static int
conf_parse_listen_one(const char *v, size_t n, struct conf_listen *ret)
{
	struct conf_listen l;
	const char *p = v, *end = v + n, *hs, *he, *ps;
	char port[8];

	memset(&l, 0, sizeof(l));
	if (n > 4 && memcmp(p, "tls:", 4) == 0)
		l.proto = CONF_PROTO_TLS;
	else if (n > 4 && memcmp(p, "tcp:", 4) == 0)
		l.proto = CONF_PROTO_TCP;
	else if (n > 4 && memcmp(p, "udp:", 4) == 0)
		l.proto = CONF_PROTO_UDP;
	else
		return -EINVAL;
	p += 4;
	if (p < end && *p == '[') {
		hs = p + 1;
		he = memchr(hs, ']', (size_t)(end - hs));
		if (!he || he + 1 >= end || he[1] != ':')
			return -EINVAL;
		ps = he + 2;
	} else {
		hs = p;
		he = NULL;
		for (const char *q = end; q > p; q--)
			if (q[-1] == ':') {
				he = q - 1;
				break;
			}
		if (!he)
			return -EINVAL;
		ps = he + 1;
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(l.host) ||
	    (size_t)(end - ps) >= sizeof(port) || end == ps)
		return -EINVAL;
	memcpy(l.host, hs, (size_t)(he - hs));
	memcpy(port, ps, (size_t)(end - ps));
	port[end - ps] = '\0';
	if (conf_parse_uint(port, 0, 65535, &l.port) < 0)
		return -EINVAL;
	*ret = l;
	return 0;
}

static int
conf_key(void *userdata, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	struct conf *c = userdata;
	const struct conf_key *k = NULL;
	void *field;

	for (size_t i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].key, key) == 0) {
			k = &conf_keys[i];
			break;
		}
	if (!k) {
		snprintf(err, errlen, "unknown key \"%.64s\" in [%.64s]", key,
			section);
		return -EINVAL;
	}
	field = (char *)c + k->off;
	switch (k->type) {
	case CT_PATH:
		if (*value && *value != '/') {
			snprintf(err, errlen, "%s: not an absolute path", key);
			return -EINVAL;
		}
		goto string;
	case CT_SIPURI:
		if (conf_parse_sipuri(value, true) < 0) {
			snprintf(err, errlen,
				"%s: not a SIP URI with a user part", key);
			return -EINVAL;
		}
		goto string;
	case CT_PROXY:
		if (*value && conf_parse_sipuri(value, false) < 0) {
			snprintf(err, errlen, "%s: not a SIP URI", key);
			return -EINVAL;
		}
		goto string;
	case CT_HTTPS:
		if (*value && strncmp(value, "https://", 8) != 0) {
			snprintf(err, errlen, "%s: not an https:// URL", key);
			return -EINVAL;
		}
		goto string;
	case CT_DEVICE:
		/* What pactl list short sinks/sources prints: printable, no
		 * blanks (PulseAudio's own rule for names), at most 255. */
		if (!*value || strlen(value) > CONF_DEVICE_MAX ||
		    strspn(value, CONF_DEVICE_CHARS) != strlen(value)) {
			snprintf(err, errlen, "%s: not a PulseAudio device name "
			    "(letters, digits, and . _ - : @ only)", key);
			return -EINVAL;
		}
		goto string;
	case CT_STRING:
	string: {
		char **s = field;
		char *d = strdup(value);

		if (!d)
			return -ENOMEM;
		free(*s);
		*s = d;
		return 0;
	}
	case CT_UINT:
		if (conf_parse_uint(value, k->min, k->max, field) < 0) {
			snprintf(err, errlen,
				"%s: expected a number from %u to %u", key,
				k->min, k->max);
			return -EINVAL;
		}
		return 0;
	case CT_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "true") ||
		    !strcmp(value, "1") || !strcmp(value, "on"))
			*(bool *)field = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") ||
		    !strcmp(value, "0") || !strcmp(value, "off"))
			*(bool *)field = false;
		else {
			snprintf(err, errlen, "%s: expected yes or no", key);
			return -EINVAL;
		}
		return 0;
	case CT_AUDIO:
		if (!strcmp(value, "pulse"))
			c->audio = CONF_AUDIO_PULSE;
		else if (!strcmp(value, "file"))
			c->audio = CONF_AUDIO_FILE;
		else if (!strcmp(value, "null"))
			c->audio = CONF_AUDIO_NULL;
		else {
			snprintf(err, errlen, "%s: expected pulse, file or null",
				key);
			return -EINVAL;
		}
		return 0;
	case CT_LOGLEVEL: {
		int l = log_parse_level(value);

		if (l < 0) {
			snprintf(err, errlen,
				"%s: expected error, warning, notice, info or debug",
				key);
			return -EINVAL;
		}
		c->log_level = l;
		return 0;
	}
	case CT_LISTEN: {
		struct conf_listen l[CONF_LISTEN_MAX];
		size_t n = 0;
		const char *p = value;

		while (*p) {
			size_t len;

			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p)
				break;
			len = strcspn(p, " \t");
			if (n == CONF_LISTEN_MAX) {
				snprintf(err, errlen, "%s: more than %d addresses",
					key, CONF_LISTEN_MAX);
				return -E2BIG;
			}
			if (conf_parse_listen_one(p, len, &l[n]) < 0) {
				snprintf(err, errlen,
					"%s: \"%.*s\" is not tls:|tcp:|udp:HOST:PORT",
					key, (int)(len > 80 ? 80 : len), p);
				return -EINVAL;
			}
			n++;
			p += len;
		}
		memcpy(c->listen, l, sizeof(l));
		c->n_listen = n;
		return 0;
	}
	case CT_CODECS: {
		enum conf_codec cs[CONF_CODEC_MAX];
		size_t n = 0;
		const char *p = value;

		while (*p) {
			size_t len;
			enum conf_codec cc;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			if (!*p)
				break;
			len = strcspn(p, " \t,");
			if (len == 4 && !memcmp(p, "opus", 4))
				cc = CONF_CODEC_OPUS;
			else if (len == 4 && !memcmp(p, "pcmu", 4))
				cc = CONF_CODEC_PCMU;
			else if (len == 4 && !memcmp(p, "pcma", 4))
				cc = CONF_CODEC_PCMA;
			else {
				snprintf(err, errlen, "%s: unknown codec \"%.*s\"",
					key, (int)(len > 32 ? 32 : len), p);
				return -EINVAL;
			}
			for (size_t i = 0; i < n; i++)
				if (cs[i] == cc) {
					snprintf(err, errlen,
						"%s: codec listed twice", key);
					return -EINVAL;
				}
			cs[n++] = cc;
			p += len;
		}
		if (n == 0) {
			snprintf(err, errlen, "%s: no codec", key);
			return -EINVAL;
		}
		memcpy(c->codecs, cs, n * sizeof(cs[0]));
		c->n_codecs = n;
		return 0;
	}
	case CT_PORTS: {
		char lo[8], hi[8];
		const char *dash = strchr(value, '-');
		unsigned a, b;

		if (!dash || (size_t)(dash - value) >= sizeof(lo) ||
		    strlen(dash + 1) >= sizeof(hi))
			goto badports;
		memcpy(lo, value, (size_t)(dash - value));
		lo[dash - value] = '\0';
		memcpy(hi, dash + 1, strlen(dash + 1) + 1);
		if (conf_parse_uint(lo, 1024, 65535, &a) < 0 ||
		    conf_parse_uint(hi, 1024, 65535, &b) < 0 || a > b ||
		    b - a < 1)
			goto badports;
		c->rtp_port_min = a;
		c->rtp_port_max = b;
		return 0;
	badports:
		snprintf(err, errlen,
			"%s: expected LOW-HIGH within 1024-65535", key);
		return -EINVAL;
	}
	}
	return -EINVAL;
}

static const struct ini_handler conf_ini = { .key = conf_key };

int
conf_load_file(struct conf *c, const char *path, char *err, size_t errlen)
{
	char *data;
	size_t len;
	int r;

	r = file_read_all(path, INI_FILE_MAX, &data, &len);
	if (r == -ENOENT)
		return r;
	if (r == -EINVAL)
		snprintf(err, errlen, "%s: not a regular file", path);
	else if (r == -E2BIG)
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			INI_FILE_MAX);
	else if (r < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	if (r < 0)
		return r;
	r = ini_parse_buf(path, data, len, &conf_ini, c, err, errlen);
	free(data);
	return r;
}

int
conf_load_buf(struct conf *c, const char *name, const char *data, size_t len,
	char *err, size_t errlen)
{
	return ini_parse_buf(name, data, len, &conf_ini, c, err, errlen);
}

int
conf_load_default(struct conf *c, char *err, size_t errlen)
{
	char path[PATH_MAX];
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int r;

	r = conf_load_file(c, SYSCONFDIR "/svopi/svopid.conf", err, errlen);
	if (r < 0 && r != -ENOENT)
		return r;
	if (xdg && *xdg == '/')
		snprintf(path, sizeof(path), "%s/svopi/svopid.conf", xdg);
	else if (home && *home == '/')
		snprintf(path, sizeof(path), "%s/.config/svopi/svopid.conf",
			home);
	else
		return 0;
	r = conf_load_file(c, path, err, errlen);
	return r == -ENOENT ? 0 : r;
}

int
conf_finish(struct conf *c, char *err, size_t errlen)
{
	if (!c->uri) {
		snprintf(err, errlen, "[account] uri is not set");
		return -EINVAL;
	}
	if (!c->auth_user || !*c->auth_user) {
		const char *u = strchr(c->uri, ':') + 1;
		size_t n = strcspn(u, "@;");

		free(c->auth_user);
		c->auth_user = strndup(u, n);
		if (!c->auth_user)
			return -ENOMEM;
	}
	if (c->proxy && !*c->proxy) {
		free(c->proxy);
		c->proxy = NULL;
	}
	if (!c->state_dir || !*c->state_dir) {
		const char *xdg = getenv("XDG_STATE_HOME");
		const char *home = getenv("HOME");
		char path[PATH_MAX];

		if (xdg && *xdg == '/')
			snprintf(path, sizeof(path), "%s/svopi", xdg);
		else if (home && *home == '/')
			snprintf(path, sizeof(path), "%s/.local/state/svopi",
				home);
		else {
			snprintf(err, errlen,
				"no state directory: set [paths] state_dir");
			return -EINVAL;
		}
		free(c->state_dir);
		c->state_dir = strdup(path);
		if (!c->state_dir)
			return -ENOMEM;
	}
	if (c->proxy && !c->password_file) {
		snprintf(err, errlen,
			"[account] proxy is set but password_file is not");
		return -EINVAL;
	}
	if ((c->sink || c->source) && c->audio != CONF_AUDIO_PULSE) {
		snprintf(err, errlen, "[media] %s is set but audio is not "
		    "pulse", c->sink ? "sink" : "source");
		return -EINVAL;
	}
	return 0;
}

int
conf_read_secret(const char *path, char **ret, char *err, size_t errlen)
{
	char buf[CONF_SECRET_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	char *s;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_mode & 077)
		log_warning("%s is readable by group or others", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	if (len == 0 || len > CONF_SECRET_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		snprintf(err, errlen, "%s: empty or longer than %d bytes", path,
			CONF_SECRET_MAX);
		return -EINVAL;
	}
	s = strndup(buf, len);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

void
conf_secret_free(char *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}
