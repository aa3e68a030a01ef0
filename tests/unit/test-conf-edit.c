/* The config editor of `svopictl setup` (cli/conf-edit.c) and its URL
 * helpers (cli/setup-url.c): a set changes one line and keeps the rest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf-edit.h"
#include "setup.h"
#include "test.h"

static char *
edit(const char *in, const char *section, const char *key, const char *v)
{
	struct conf_edit *e = NULL;
	char *out;

	if (conf_edit_new(in, strlen(in), &e) < 0)
		return NULL;
	if (conf_edit_set(e, section, key, v) < 0) {
		conf_edit_free(e);
		return NULL;
	}
	out = conf_edit_text(e, NULL);
	conf_edit_free(e);
	return out;
}

static void
check_edit(const char *in, const char *section, const char *key,
	const char *v, const char *want)
{
	char *out = edit(in, section, key, v);

	CHECK(out != NULL);
	if (out && strcmp(out, want) != 0) {
		test_failures++;
		fprintf(stderr, "set [%s] %s = %s\n--- got:\n%s--- want:\n%s",
			section, key, v, out, want);
	}
	free(out);
}

static void
test_set(void)
{
	/* Replaced in place; comments and other keys untouched. */
	check_edit("# mine\n[account]\nuri = sip:a@x\n  proxy=sip:p  \n",
		"account", "proxy", "sip:q;transport=tls",
		"# mine\n[account]\nuri = sip:a@x\nproxy = sip:q;transport=tls\n");
	/* Added after the section's last key, before a blank line. */
	check_edit("[account]\nuri = sip:a@x\n\n[trust]\nserver = https://t\n",
		"account", "password_file", "/p",
		"[account]\nuri = sip:a@x\npassword_file = /p\n\n[trust]\n"
		"server = https://t\n");
	/* A new section at the end. */
	check_edit("[account]\nuri = sip:a@x\n", "trust", "server",
		"https://t", "[account]\nuri = sip:a@x\n\n[trust]\n"
		"server = https://t\n");
	/* Empty file; empty value. */
	check_edit("", "sip", "listen", "", "[sip]\nlisten =\n");
	/* A repeated key: the last one (the one svopid uses) changes. */
	check_edit("[a]\nk = 1\n[a]\nk = 2\n", "a", "k", "3",
		"[a]\nk = 1\n[a]\nk = 3\n");
	/* The same key in another section stays. */
	check_edit("[sip]\nca_file = /a\n[trust]\nca_file = /b\n", "sip",
		"ca_file", "/c", "[sip]\nca_file = /c\n[trust]\nca_file = /b\n");
	/* No final newline in: one out. */
	check_edit("[a]\nk = 1", "a", "j", "2", "[a]\nk = 1\nj = 2\n");
}

static void
test_get_and_refuse(void)
{
	struct conf_edit *e = NULL;
	char big[CONF_EDIT_LINE_MAX + 2];
	const char *in = "[account]\n uri =  sip:a@x \n; c = d\n[trust]\n";

	CHECK_EQ_INT(conf_edit_new(in, strlen(in), &e), 0);
	CHECK(conf_edit_get(e, "account", "uri") &&
		!strcmp(conf_edit_get(e, "account", "uri"), "sip:a@x"));
	CHECK(conf_edit_get(e, "account", "c") == NULL);
	CHECK(conf_edit_get(e, "trust", "uri") == NULL);
	CHECK_EQ_INT(conf_edit_set(e, "acc ount", "k", "v"), -EINVAL);
	CHECK_EQ_INT(conf_edit_set(e, "account", "", "v"), -EINVAL);
	CHECK_EQ_INT(conf_edit_set(e, "account", "k", "a\nb"), -EINVAL);
	CHECK_EQ_INT(conf_edit_set(e, "account", "k]", "v"), -EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ_INT(conf_edit_set(e, "account", "k", big), -EINVAL);
	conf_edit_free(e);
	CHECK_EQ_INT(conf_edit_new("a\0b", 3, &e), -EBADMSG);
	CHECK_EQ_INT(conf_edit_new(big, strlen(big), &e), -E2BIG);
	CHECK(conf_edit_free(NULL) == NULL);
}

static void
test_urls(void)
{
	char host[64], why[256];
	unsigned port = 0;
	bool tls = false;

	CHECK_EQ_INT(setup_https_endpoint("https://t.example.org", host,
		sizeof(host), &port), 0);
	CHECK(!strcmp(host, "t.example.org") && port == 443);
	CHECK_EQ_INT(setup_https_endpoint("https://[::1]:8443/x", host,
		sizeof(host), &port), 0);
	CHECK(!strcmp(host, "::1") && port == 8443);
	CHECK_EQ_INT(setup_https_endpoint("https://h:0", host, sizeof(host),
		&port), -EINVAL);
	CHECK_EQ_INT(setup_https_endpoint("https://h:70000", host,
		sizeof(host), &port), -EINVAL);
	CHECK_EQ_INT(setup_https_endpoint("http://h", host, sizeof(host),
		&port), -EINVAL);
	CHECK_EQ_INT(setup_https_endpoint("https://h:x", host, sizeof(host),
		&port), -EINVAL);
	CHECK_EQ_INT(setup_https_endpoint("https://", host, sizeof(host),
		&port), -EINVAL);
	CHECK_EQ_INT(setup_proxy_endpoint("sip:127.0.0.1:5071;transport=tls",
		host, sizeof(host), &port, &tls, why, sizeof(why)), 0);
	CHECK(!strcmp(host, "127.0.0.1") && port == 5071 && tls);
	CHECK_EQ_INT(setup_proxy_endpoint("sips:p.example.org", host,
		sizeof(host), &port, &tls, why, sizeof(why)), 0);
	CHECK(port == 5061 && tls);
	CHECK_EQ_INT(setup_proxy_endpoint("sip:p.example.org", host,
		sizeof(host), &port, &tls, why, sizeof(why)), 0);
	CHECK(port == 5060 && !tls);
	CHECK_EQ_INT(setup_proxy_endpoint("p.example.org", host, sizeof(host),
		&port, &tls, why, sizeof(why)), -EINVAL);
}

int
main(void)
{
	test_set();
	test_get_and_refuse();
	test_urls();
	return test_exit();
}
