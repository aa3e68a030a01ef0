/* svopictl setup (the program svopictl-setup, which `svopictl setup`
 * runs): writes svopid's configuration and password files in the
 * XDG places and checks every part live (setup-check.c). Interactive on a
 * terminal, or all by flags for scripts. Running it again changes only
 * what it is asked to: other keys, comments and order stay as they are
 * (conf-edit.c). See svopictl(1) and docs/getting-started.md. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "conf-edit.h"
#include "ctl.h"
#include "setup.h"

/* A password is one line; 1 KiB is far beyond any real one. */
#define SETUP_SECRET_MAX 1024

struct setup_opts {
	const char *uri, *proxy, *auth_user, *trust_server, *listen;
	const char *ca_file, *sip_ca_file, *trust_ca_file, *ca_fingerprint;
	const char *sip_password_file, *trust_password_file;
	const char *config;
	int interactive;	/* -1: when stdin is a terminal */
	bool check;
};

static void
setup_usage(FILE *f)
{
	fprintf(f,
		"Usage: svopictl setup [OPTIONS]\n"
		"Writes svopid's configuration and password files and checks each "
		"part live.\nOnly what is given (or answered) changes.\n\n"
		"  --uri URI                  your address, e.g. sip:alice@example.org\n"
		"  --proxy URI|HOST[:PORT]    the SIP proxy (TLS); \"none\" for none\n"
		"  --auth-user NAME           digest user at the proxy (default: "
		"the URI's user)\n"
		"  --trust-server URL         https://trust.example.org[:PORT]\n"
		"  --ca-file FILE             CA for the proxy and the trust server\n"
		"  --sip-ca-file FILE         CA for the proxy only\n"
		"  --trust-ca-file FILE       CA for the trust server only\n"
		"  --ca-fingerprint FP        take the CA from the trust server's "
		"chain,\n"
		"                             if its SHA-256 fingerprint is FP\n"
		"  --sip-password-file FILE   the SIP password (first line; - = stdin)\n"
		"  --trust-password-file FILE the trust-server password (the same)\n"
		"  --listen SPEC              [sip] listen, e.g. "
		"\"tls:0.0.0.0:5061\"\n"
		"  --config FILE              default $XDG_CONFIG_HOME/svopi/"
		"svopid.conf\n"
		"  --interactive              ask for what is not given (default "
		"on a terminal)\n"
		"  --non-interactive          never ask\n"
		"  --no-check                 write only; check nothing live\n"
		"  -h, --help                 this text\n");
}

void
setup_report(bool ok, const char *part, const char *detail, const char *fix)
{
	printf("%-8s%s: %s\n", ok ? "ok" : "FAILED", part, detail);
	if (!ok && fix)
		printf("        What to do: %s\n", fix);
	fflush(stdout);
}

static int
setup_parse(int argc, char **argv, struct setup_opts *o)
{
	enum { O_URI = 256, O_PROXY, O_AUTH, O_TRUST, O_CA, O_SIPCA, O_TRUSTCA,
		O_FP, O_SIPPW, O_TRUSTPW, O_LISTEN, O_CONFIG, O_INT, O_NONINT,
		O_NOCHECK };
	static const struct option opts[] = {
		{ "uri", required_argument, NULL, O_URI },
		{ "proxy", required_argument, NULL, O_PROXY },
		{ "auth-user", required_argument, NULL, O_AUTH },
		{ "trust-server", required_argument, NULL, O_TRUST },
		{ "ca-file", required_argument, NULL, O_CA },
		{ "sip-ca-file", required_argument, NULL, O_SIPCA },
		{ "trust-ca-file", required_argument, NULL, O_TRUSTCA },
		{ "ca-fingerprint", required_argument, NULL, O_FP },
		{ "sip-password-file", required_argument, NULL, O_SIPPW },
		{ "trust-password-file", required_argument, NULL, O_TRUSTPW },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "interactive", no_argument, NULL, O_INT },
		{ "non-interactive", no_argument, NULL, O_NONINT },
		{ "no-check", no_argument, NULL, O_NOCHECK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->interactive = -1;
	o->check = true;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_URI: o->uri = optarg; break;
		case O_PROXY: o->proxy = optarg; break;
		case O_AUTH: o->auth_user = optarg; break;
		case O_TRUST: o->trust_server = optarg; break;
		case O_CA: o->ca_file = optarg; break;
		case O_SIPCA: o->sip_ca_file = optarg; break;
		case O_TRUSTCA: o->trust_ca_file = optarg; break;
		case O_FP: o->ca_fingerprint = optarg; break;
		case O_SIPPW: o->sip_password_file = optarg; break;
		case O_TRUSTPW: o->trust_password_file = optarg; break;
		case O_LISTEN: o->listen = optarg; break;
		case O_CONFIG: o->config = optarg; break;
		case O_INT: o->interactive = 1; break;
		case O_NONINT: o->interactive = 0; break;
		case O_NOCHECK: o->check = false; break;
		case 'h': setup_usage(stdout); return 1;
		default: setup_usage(stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "svopictl setup: unexpected \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	if (o->sip_password_file && o->trust_password_file &&
	    !strcmp(o->sip_password_file, "-") &&
	    !strcmp(o->trust_password_file, "-")) {
		fprintf(stderr, "svopictl setup: only one password can come "
			"from stdin\n");
		return -EINVAL;
	}
	if (o->interactive < 0)
		o->interactive = isatty(STDIN_FILENO);
	return 0;
}

/* Reads one line from stdin without its newline into a new string. With
 * secret, the terminal does not echo it. NULL at end of input. */
static char *
setup_read_line(bool secret)
{
	struct termios old, quiet;
	bool tty = secret && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* Asks a question on stderr; the answer in a new string, or NULL when the
 * answer is empty (keep what is there) or input ended. */
static char *
setup_ask(const char *question, const char *current, bool secret)
{
	char *a;

	if (current && *current)
		fprintf(stderr, "%s [%s]: ", question, secret ? "keep" : current);
	else
		fprintf(stderr, "%s: ", question);
	fflush(stderr);
	a = setup_read_line(secret);
	if (a && !*a) {
		free(a);
		a = NULL;
	}
	return a;
}

/* The first line of path ("-": stdin) in a new string; NULL with a message
 * on error. */
static char *
setup_read_secret_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char buf[SETUP_SECRET_MAX + 2], *s = NULL;

	if (!f) {
		fprintf(stderr, "svopictl setup: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof(buf), f)) {
		size_t n = strcspn(buf, "\r\n");

		if (n > SETUP_SECRET_MAX)
			fprintf(stderr, "svopictl setup: %s: the password is "
				"longer than %d bytes\n", path, SETUP_SECRET_MAX);
		else if (n == 0)
			fprintf(stderr, "svopictl setup: %s: empty password\n",
				path);
		else
			s = strndup(buf, n);
	} else {
		fprintf(stderr, "svopictl setup: %s: empty file\n", path);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (f != stdin)
		fclose(f);
	return s;
}

/* Writes data to path through a temporary file and a rename, mode 0600. */
static int
setup_write_file(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len && r == 0; ) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* mkdir -p for the folder that holds path, mode 0700 for what it makes. */
static int
setup_mkdirs(const char *path)
{
	char d[PATH_MAX];

	if (snprintf(d, sizeof(d), "%s", path) >= (int)sizeof(d))
		return -ENAMETOOLONG;
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* Everything one run of setup holds; the strings in owned are freed at
 * the end. */
struct setup_state {
	struct setup_opts o;
	struct conf_edit *e;		/* owned */
	char config[PATH_MAX];
	char dir[PATH_MAX];		/* folder of config, with a '/' */
	char *owned[64];		/* a run makes about 20 */
	size_t n_owned;
};

static const char *
setup_keep(struct setup_state *s, char *p)
{
	if (!p)
		return NULL;
	if (s->n_owned == sizeof(s->owned) / sizeof(s->owned[0])) {
		free(p);
		return NULL;
	}
	s->owned[s->n_owned++] = p;
	return p;
}

/* A copy of section.key from the new configuration, or NULL. */
static const char *
setup_get(struct setup_state *s, const char *section, const char *key)
{
	const char *v = conf_edit_get(s->e, section, key);

	return v && *v ? setup_keep(s, strdup(v)) : NULL;
}

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static char *
cat2(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

/* The forms people type, made into what svopid.conf(5) wants. NULL with a
 * message when the input cannot be one. */
static char *
norm_uri(const char *in)
{
	if (has_prefix(in, "sip:") || has_prefix(in, "sips:"))
		return strdup(in);
	if (strchr(in, '@'))
		return cat2("sip:", in);
	fprintf(stderr, "svopictl setup: \"%s\" is not an address like "
		"sip:alice@example.org\n", in);
	return NULL;
}

static char *
norm_proxy(const char *in)
{
	char *a, *b;

	if (!strcmp(in, "none"))
		return strdup("");
	if (has_prefix(in, "sip:") || has_prefix(in, "sips:"))
		return strdup(in);
	a = cat2("sip:", in);
	b = a ? cat2(a, ";transport=tls") : NULL;
	free(a);
	return b;
}

static char *
norm_https(const char *in)
{
	if (has_prefix(in, "https://"))
		return strdup(in);
	if (strstr(in, "://")) {
		fprintf(stderr, "svopictl setup: the trust server is spoken to "
			"over HTTPS only: \"%s\"\n", in);
		return NULL;
	}
	return cat2("https://", in);
}

static char *
norm_path(const char *in)
{
	char *p = realpath(in, NULL);

	if (!p)
		fprintf(stderr, "svopictl setup: %s: %s\n", in, strerror(errno));
	return p;
}

static char *
norm_copy(const char *in)
{
	return strdup(in);
}

/* Sets section.key from the flag, or from the answer to question when
 * interactive. Returns 0 (also when nothing changes) or -EINVAL. */
static int
setup_field(struct setup_state *s, const char *section, const char *key,
	const char *flag, const char *question, char *(*norm)(const char *))
{
	char *answer = NULL, *v;
	const char *in = flag;
	int r;

	if (!in && s->o.interactive && question) {
		answer = setup_ask(question, conf_edit_get(s->e, section, key),
			false);
		in = answer;
	}
	if (!in)
		return 0;
	v = norm(in);
	free(answer);
	if (!v)
		return -EINVAL;
	r = conf_edit_set(s->e, section, key, v);
	if (r < 0)
		fprintf(stderr, "svopictl setup: [%s] %s: not a value a config "
			"file can hold\n", section, key);
	free(v);
	return r;
}

/* Writes a password file in the config folder and points section's
 * password_file at it. From the flag's file, or asked when interactive. */
static int
setup_password(struct setup_state *s, const char *section, const char *flag,
	const char *question, const char *name)
{
	char path[PATH_MAX], *pw = NULL;
	int r;

	if (flag)
		pw = setup_read_secret_file(flag);
	else if (s->o.interactive)
		pw = setup_ask(question, conf_edit_get(s->e, section,
			"password_file"), true);
	if (flag && !pw)
		return -EINVAL;
	if (!pw)
		return 0;
	if (snprintf(path, sizeof(path), "%s%s", s->dir, name) >=
	    (int)sizeof(path)) {
		r = -ENAMETOOLONG;
	} else {
		size_t n = strlen(pw);

		/* One line, as svopid.conf(5) describes the file. */
		pw[n] = '\n';
		r = setup_mkdirs(path);
		if (r >= 0)
			r = setup_write_file(path, pw, n + 1);
		pw[n] = '\0';
	}
	OPENSSL_cleanse(pw, strlen(pw));
	free(pw);
	if (r < 0) {
		fprintf(stderr, "svopictl setup: %s: %s\n", path, strerror(-r));
		return r;
	}
	return conf_edit_set(s->e, section, "password_file", path);
}

/* The CA files: from --ca-file (both), the specific flags, a fingerprint
 * checked against the trust server's chain, or asked. */
static int
setup_ca(struct setup_state *s)
{
	const struct setup_opts *o = &s->o;
	const char *both = o->ca_file;
	char path[PATH_MAX], why[512], host[256];
	unsigned port;
	int r;

	if (o->ca_fingerprint) {
		const char *url = setup_get(s, "trust", "server");

		if (!url || setup_https_endpoint(url, host, sizeof(host),
		    &port) < 0) {
			fprintf(stderr, "svopictl setup: --ca-fingerprint needs "
				"the trust server (--trust-server URL)\n");
			return -EINVAL;
		}
		if (snprintf(path, sizeof(path), "%sca.pem", s->dir) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		r = setup_mkdirs(path);
		if (r >= 0)
			r = setup_fetch_ca(host, port, o->ca_fingerprint, path,
				why, sizeof(why));
		if (r < 0) {
			setup_report(false, PART_TRUST_TLS, why, "ask the "
				"trust server's admin for the CA file and give "
				"it with --ca-file FILE");
			return r;
		}
		both = path;
	} else if (!both && !o->sip_ca_file && !o->trust_ca_file &&
	    o->interactive) {
		r = setup_field(s, "trust", "ca_file", NULL, "CA certificate "
			"of the proxy and trust server (Enter: the system's)",
			norm_path);
		if (r < 0)
			return r;
		both = setup_get(s, "trust", "ca_file");
	}
	r = setup_field(s, "sip", "ca_file", o->sip_ca_file ? o->sip_ca_file :
		both, NULL, norm_path);
	if (r >= 0)
		r = setup_field(s, "trust", "ca_file", o->trust_ca_file ?
			o->trust_ca_file : both, NULL, norm_path);
	return r;
}

static int
setup_fields(struct setup_state *s)
{
	const struct setup_opts *o = &s->o;
	int r;

	r = setup_field(s, "account", "uri", o->uri, "Your address (e.g. "
		"sip:alice@example.org)", norm_uri);
	if (r >= 0)
		r = setup_field(s, "account", "proxy", o->proxy, "SIP proxy "
			"(e.g. sip.example.org:5061; \"none\" for none)",
			norm_proxy);
	if (r >= 0)
		r = setup_field(s, "account", "auth_user", o->auth_user, NULL,
			norm_copy);
	if (r >= 0)
		r = setup_field(s, "trust", "server", o->trust_server,
			"Trust server (e.g. https://trust.example.org)",
			norm_https);
	if (r >= 0)
		r = setup_field(s, "sip", "listen", o->listen, NULL, norm_copy);
	if (r >= 0)
		r = setup_ca(s);
	if (r >= 0 && (o->sip_password_file || setup_get(s, "account",
	    "proxy")))
		r = setup_password(s, "account", o->sip_password_file,
			"SIP password (at the proxy)", "sip-password");
	if (r >= 0 && (o->trust_password_file || setup_get(s, "trust",
	    "server")))
		r = setup_password(s, "trust", o->trust_password_file,
			"Trust-server password", "trust-password");
	if (r >= 0 && setup_get(s, "trust", "server") &&
	    !setup_get(s, "trust", "password_file")) {
		fprintf(stderr, "svopictl setup: the trust server needs your "
			"password there: give --trust-password-file FILE\n");
		r = -EINVAL;
	}
	if (r >= 0 && setup_get(s, "account", "proxy") &&
	    !setup_get(s, "account", "password_file")) {
		fprintf(stderr, "svopictl setup: the proxy needs your SIP "
			"password: give --sip-password-file FILE\n");
		r = -EINVAL;
	}
	if (r >= 0 && !setup_get(s, "account", "uri")) {
		fprintf(stderr, "svopictl setup: no address: give --uri "
			"sip:you@example.org\n");
		r = -EINVAL;
	}
	return r;
}

/* Reads path (absent: "") into a new string; NULL with a message when it
 * cannot be read or is over the size a config file has. */
static char *
setup_slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return errno == ENOENT ? strdup("") : NULL;
	buf = malloc(CONF_EDIT_MAX + 2);
	n = buf ? fread(buf, 1, CONF_EDIT_MAX + 1, f) : 0;
	fclose(f);
	if (buf && n > CONF_EDIT_MAX) {
		fprintf(stderr, "svopictl setup: %s: larger than %d bytes\n",
			path, CONF_EDIT_MAX);
		free(buf);
		return NULL;
	}
	if (buf)
		buf[n] = '\0';
	return buf;
}

static int
setup_load(struct setup_state *s)
{
	char *text, *slash;
	int r;

	if (s->o.config) {
		if (snprintf(s->config, sizeof(s->config), "%s", s->o.config) >=
		    (int)sizeof(s->config))
			return -ENAMETOOLONG;
	} else if (ctl_user_config_path(s->config, sizeof(s->config)) < 0) {
		fprintf(stderr, "svopictl setup: neither XDG_CONFIG_HOME nor "
			"HOME is set; give --config FILE\n");
		return -EINVAL;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", s->config);
	slash = strrchr(s->dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		snprintf(s->dir, sizeof(s->dir), "./");
	text = setup_slurp(s->config);
	if (!text) {
		fprintf(stderr, "svopictl setup: %s: %s\n", s->config,
			strerror(errno));
		return -EIO;
	}
	r = conf_edit_new(text, strlen(text), &s->e);
	free(text);
	if (r < 0)
		fprintf(stderr, "svopictl setup: %s: %s\n", s->config, r ==
			-E2BIG ? "a line is too long" : r == -EBADMSG ?
			"not a text file" : strerror(-r));
	return r;
}

/* The text the check daemon reads: what svopid itself would read (the
 * system file, then the new user file), without [sip] listen, so that it
 * never fights a running svopid for its ports. */
static char *
setup_check_text(const char *user)
{
	static const char tail[] = "\n[sip]\nlisten =\n";
	char *sys = setup_slurp(ctl_system_config_path());
	char *a, *b;

	a = cat2(sys ? sys : "", "\n");
	b = a ? cat2(a, user) : NULL;
	free(a);
	a = b ? cat2(b, tail) : NULL;
	free(b);
	free(sys);
	return a;
}

/* Whether svopid answers on the user's session bus now. */
static bool
setup_daemon_running(void)
{
	sd_bus_message *reply = NULL;
	sd_bus *bus = NULL;
	int has = 0;

	if (sd_bus_open_user(&bus) < 0)
		return false;
	if (sd_bus_call_method(bus, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
	    NULL, &reply, "s", CTL_NAME) >= 0 &&
	    sd_bus_message_read(reply, "b", &has) < 0)
		has = 0;
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return has;
}

static void
setup_free(struct setup_state *s)
{
	conf_edit_free(s->e);
	for (size_t i = 0; i < s->n_owned; i++)
		free(s->owned[i]);
}

/* svopictl-setup: run by `svopictl setup` with the verb's arguments. */
int
main(int argc, char **argv)
{
	struct setup_state s = { 0 };
	struct setup_target t = { 0 };
	char *text = NULL, *check = NULL, why[PATH_MAX + 512];
	int r, rc = CTL_EXIT_FAILURE;

	r = setup_parse(argc, argv, &s.o);
	if (r != 0)
		return r > 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
	if (setup_load(&s) < 0)
		goto out;
	r = setup_fields(&s);
	if (r < 0) {
		rc = r == -EINVAL ? CTL_EXIT_USAGE : CTL_EXIT_FAILURE;
		goto out;
	}
	text = conf_edit_text(s.e, NULL);
	check = text ? setup_check_text(text) : NULL;
	if (!check)
		goto out;
	if (setup_check_config(text, s.config, why, sizeof(why)) < 0) {
		setup_report(false, PART_CONFIG, why, "correct the value it "
			"names with the matching option of svopictl setup");
		goto out;
	}
	r = setup_mkdirs(s.config);
	if (r >= 0)
		r = setup_write_file(s.config, text, strlen(text));
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot write %s: %s", s.config,
			strerror(-r));
		setup_report(false, PART_CONFIG, why, NULL);
		goto out;
	}
	snprintf(why, sizeof(why), "written to %s", s.config);
	setup_report(true, PART_CONFIG, why, NULL);
	t.config_path = s.config;
	t.check_conf = check;
	t.uri = setup_get(&s, "account", "uri");
	t.proxy = setup_get(&s, "account", "proxy");
	t.auth_user = setup_get(&s, "account", "auth_user");
	t.sip_ca_file = setup_get(&s, "sip", "ca_file");
	t.trust_server = setup_get(&s, "trust", "server");
	t.trust_ca_file = setup_get(&s, "trust", "ca_file");
	rc = s.o.check ? setup_check_all(&t, true) : CTL_EXIT_OK;
	if (rc == CTL_EXIT_OK)
		printf("\nNext: %s\n", setup_daemon_running() ?
			"svopid runs with the old configuration; restart it: "
			"systemctl --user restart svopid" :
			"start svopid: systemctl --user enable --now svopid");
out:
	free(text);
	free(check);
	setup_free(&s);
	return rc;
}
