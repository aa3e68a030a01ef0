/* svopid configuration: the SPEC §5 example parses, every bad input is an
 * error that names file:line. Uses real files in a temporary folder. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conf.h"
#include "common/log.h"
#include "test.h"

static char dir[] = "/tmp/test-svopid-conf.XXXXXX";

static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

static const char spec_example[] =
	"[account]\n"
	"uri = sip:alice@example.org\n"
	"# proxy: a SIP URI; empty means direct calls only\n"
	"proxy = sip:127.0.0.1:5061;transport=tls\n"
	"auth_user = alice\n"
	"password_file = /path/to/sip-password\n"
	"[trust]\n"
	"server = https://127.0.0.1:8443\n"
	"ca_file = /path/to/ca.pem\n"
	"password_file = /path/to/trust-password\n"
	"cache_ttl = 86400\n"
	"[sip]\n"
	"listen = tls:127.0.0.1:5071 udp:127.0.0.1:5072\n"
	"ca_file = /path/to/ca.pem\n"
	"[media]\n"
	"audio = pulse\n"
	"play = /path/to/in.wav\n"
	"record = /path/to/out.wav\n"
	"sink = alsa_output.pci-0000_00_1f.3.analog-stereo\n"
	"source = bluez_source.00:1B:66:AA:BB:CC.a2dp@x\n"
	"codecs = opus pcmu pcma\n"
	"rtp_ports = 40000-40999\n"
	"[calls]\n"
	"auto_answer = no\n"
	"trust_wait = 300\n"
	"[paths]\n"
	"state_dir = /path/to/state\n";

static void
test_spec_example(void)
{
	struct conf *c = conf_new();
	char err[256] = "";
	const char *p = write_file("spec.conf", spec_example);

	CHECK_EQ_INT(conf_load_file(c, p, err, sizeof(err)), 0);
	CHECK_EQ_INT(conf_finish(c, err, sizeof(err)), 0);
	CHECK(strcmp(c->uri, "sip:alice@example.org") == 0);
	CHECK(strcmp(c->proxy, "sip:127.0.0.1:5061;transport=tls") == 0);
	CHECK_EQ_INT(c->n_listen, 2);
	CHECK_EQ_INT(c->listen[0].proto, CONF_PROTO_TLS);
	CHECK(strcmp(c->listen[0].host, "127.0.0.1") == 0);
	CHECK_EQ_INT(c->listen[0].port, 5071);
	CHECK_EQ_INT(c->listen[1].proto, CONF_PROTO_UDP);
	CHECK_EQ_INT(c->n_codecs, 3);
	CHECK_EQ_INT(c->rtp_port_min, 40000);
	CHECK_EQ_INT(c->rtp_port_max, 40999);
	CHECK_EQ_INT(c->auto_answer, 0);
	CHECK_EQ_INT(c->trust_wait, 300);
	CHECK(strcmp(c->state_dir, "/path/to/state") == 0);
	CHECK(strcmp(c->sink,
		"alsa_output.pci-0000_00_1f.3.analog-stereo") == 0);
	CHECK(strcmp(c->source, "bluez_source.00:1B:66:AA:BB:CC.a2dp@x") == 0);
	conf_free(c);
}

/* [media] sink/source: names only, and only with audio = pulse (with file
 * or null audio they would be accepted and do nothing). */
static void
test_devices(void)
{
	struct conf *c = conf_new();
	char err[256] = "";
	const char *p = write_file("dev.conf",
		"[account]\nuri = sip:a@b\n[paths]\nstate_dir = /s\n"
		"[media]\naudio = file\nsink = speakers\n");

	CHECK_EQ_INT(conf_load_file(c, p, err, sizeof(err)), 0);
	CHECK(c->sink && !c->source && strcmp(c->sink, "speakers") == 0);
	CHECK(conf_finish(c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "[media] sink is set but audio is not pulse"));
	conf_free(c);
	c = conf_new();
	p = write_file("dev2.conf",
		"[account]\nuri = sip:a@b\n[paths]\nstate_dir = /s\n"
		"[media]\naudio = null\nsource = mic\n");
	CHECK_EQ_INT(conf_load_file(c, p, err, sizeof(err)), 0);
	CHECK(conf_finish(c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "[media] source is set but audio is not pulse"));
	conf_free(c);
}

static void
test_defaults(void)
{
	struct conf *c = conf_new();
	char err[256] = "";
	const char *p = write_file("min.conf",
		"[account]\nuri = sips:bob@example.net\n"
		"[sip]\nlisten = tcp:[::1]:5080\n");

	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	CHECK_EQ_INT(conf_load_file(c, p, err, sizeof(err)), 0);
	CHECK_EQ_INT(conf_finish(c, err, sizeof(err)), 0);
	CHECK(strcmp(c->auth_user, "bob") == 0);
	CHECK(strcmp(c->state_dir, "/xdg/state/svopi") == 0);
	CHECK(c->proxy == NULL);
	CHECK_EQ_INT(c->listen[0].proto, CONF_PROTO_TCP);
	CHECK(strcmp(c->listen[0].host, "::1") == 0);
	CHECK_EQ_INT(c->listen[0].port, 5080);
	CHECK_EQ_INT(c->register_expires, 600);
	conf_free(c);

	c = conf_new();
	p = write_file("nouri.conf", "[sip]\nkeepalive = 0\n");
	CHECK_EQ_INT(conf_load_file(c, p, err, sizeof(err)), 0);
	CHECK(conf_finish(c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "uri") != NULL);
	conf_free(c);
}

/* Each bad file fails, naming the file and the line of the problem. */
static void
test_errors(void)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *why;
	} cases[] = {
		{ "[account]\nuri = sip:a@b\ncolour = blue\n", 3, "unknown key" },
		{ "[nosuch]\nuri = sip:a@b\n", 2, "unknown key" },
		{ "uri = sip:a@b\n", 1, "outside a section" },
		{ "[account]\nuri = http://a@b\n", 2, "SIP URI" },
		{ "[account]\nuri = sip:nouser\n", 2, "user part" },
		{ "[account]\nproxy = mailto:x\n", 2, "SIP URI" },
		{ "[trust]\nserver = http://x\n", 2, "https" },
		{ "[trust]\ncache_ttl = -1\n", 2, "number" },
		{ "[trust]\ncache_ttl = 12abc\n", 2, "number" },
		{ "[sip]\nlisten = sctp:1.2.3.4:5\n", 2, "tls:|tcp:|udp:" },
		{ "[sip]\nlisten = tls:1.2.3.4\n", 2, "tls:|tcp:|udp:" },
		{ "[sip]\nlisten = tls:1.2.3.4:70000\n", 2, "tls:|tcp:|udp:" },
		{ "[sip]\nregister_expires = 5\n", 2, "number" },
		{ "[media]\naudio = alsa\n", 2, "pulse" },
		{ "[media]\ncodecs = opus g729\n", 2, "unknown codec" },
		{ "[media]\ncodecs = opus opus\n", 2, "twice" },
		{ "[media]\nrtp_ports = 5000\n", 2, "LOW-HIGH" },
		{ "[media]\nrtp_ports = 6000-5000\n", 2, "LOW-HIGH" },
		{ "[media]\nplay = relative.wav\n", 2, "absolute" },
		{ "[media]\nsink = my speakers\n", 2, "device name" },
		{ "[media]\nsource =\n", 2, "device name" },
		{ "[media]\nsink = a/b\n", 2, "device name" },
		{ "[calls]\nauto_answer = maybe\n", 2, "yes or no" },
		{ "[log]\nlevel = loud\n", 2, "error, warning" },
		{ "[account\n", 1, "section" },
		{ "[account]\njust a line\n", 2, "key = value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf *c = conf_new();
		char err[256] = "", want[600];
		const char *p = write_file("bad.conf", cases[i].text);

		CHECK(conf_load_file(c, p, err, sizeof(err)) < 0);
		snprintf(want, sizeof(want), "%s:%u: ", p, cases[i].line);
		if (strncmp(err, want, strlen(want)) != 0 ||
		    !strstr(err, cases[i].why)) {
			fprintf(stderr, "case %zu: got \"%s\"\n", i, err);
			CHECK(0);
		}
		conf_free(c);
	}
}

static void
test_long_line_and_missing(void)
{
	struct conf *c = conf_new();
	char err[256] = "";
	char *big = malloc(10000);
	const char *p;

	memcpy(big, "[account]\nuri = sip:a@", 22);
	memset(big + 22, 'b', 9000);
	memcpy(big + 9022, "\n", 2);
	p = write_file("long.conf", big);
	CHECK(conf_load_file(c, p, err, sizeof(err)) == -E2BIG);
	CHECK(strstr(err, ":2: ") != NULL);
	free(big);
	CHECK_EQ_INT(conf_load_file(c, "/nonexistent/x.conf", err,
		sizeof(err)), -ENOENT);
	CHECK_EQ_INT(conf_load_buf(c, "mem", "[log]\nlevel = de\0bug\n", 20,
		err, sizeof(err)), -EBADMSG);
	CHECK(strcmp(err, "mem:2: NUL byte") == 0);
	CHECK_EQ_INT(conf_load_buf(c, "mem", "[log]\nlevel = debug", 19, err,
		sizeof(err)), 0);	/* no final newline */
	CHECK_EQ_INT(c->log_level, LOG_DEBUG);
	conf_free(c);
}

static void
test_secret(void)
{
	char err[256] = "", *s = NULL;
	const char *p = write_file("pw", "s3cret\nignored\n");

	CHECK_EQ_INT(conf_read_secret(p, &s, err, sizeof(err)), 0);
	CHECK(s && strcmp(s, "s3cret") == 0);
	conf_secret_free(s);
	p = write_file("empty", "\n");
	CHECK(conf_read_secret(p, &s, err, sizeof(err)) < 0);
}

int
main(void)
{
	char cmd[600];

	if (!mkdtemp(dir))
		return 99;
	log_set_level(LOG_ERR);
	test_spec_example();
	test_devices();
	test_defaults();
	test_errors();
	test_long_line_and_missing();
	test_secret();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 99;
	return test_exit();
}
