/* svopictl setup: what setup.c (options, prompts, files) and
 * setup-check.c (the live checks) share. */
#ifndef SVOPICTL_SETUP_H
#define SVOPICTL_SETUP_H

#include <stdbool.h>
#include <stddef.h>

/* What the checks look at, read back from the written configuration.
 * Every field borrows from setup.c's strings; NULL or "" = not set. */
struct setup_target {
	const char *config_path;	/* the user's svopid.conf */
	const char *check_conf;		/* text the check daemon reads */
	const char *uri, *proxy, *auth_user;
	const char *sip_ca_file;
	const char *trust_server, *trust_ca_file;
};

/* The names of the parts setup checks, as it prints them. */
#define PART_CONFIG "configuration"
#define PART_PROXY_TLS "TLS to the proxy"
#define PART_TRUST_TLS "TLS to the trust server"
#define PART_REGISTER "REGISTER at the proxy"
#define PART_LOGIN "trust-server login"
#define PART_ENROL "enrolment"

/* Prints "ok      PART: detail" or "FAILED  PART: detail" and, for a
 * failure, "        What to do: fix". */
void setup_report(bool ok, const char *part, const char *detail,
	const char *fix);

/* --- setup-check.c --- */
/* Host and port of a proxy SIP URI; *ret_tls says whether it is TLS.
 * Returns 0 or -EINVAL with a reason in why. */
int setup_proxy_endpoint(const char *proxy, char *host, size_t hostlen,
	unsigned *ret_port, bool *ret_tls, char *why, size_t whylen);
/* Host and port of an https:// URL. 0 or -EINVAL. */
int setup_https_endpoint(const char *url, char *host, size_t hostlen,
	unsigned *ret_port);
/* TLS with HOST:PORT verified against ca_file (NULL: the system store).
 * Returns 0 or a negative errno with the reason in why and the advice in
 * fix. */
int setup_tls_probe(const char *host, unsigned port, const char *ca_file,
	char *why, size_t whylen, const char **fix);
/* Finds the certificate with SHA-256 fingerprint fp (hex pairs, colons
 * optional) in the chain HOST:PORT sends and writes it as PEM to path.
 * Returns 0 or a negative errno with the reason in why. */
int setup_fetch_ca(const char *host, unsigned port, const char *fp,
	const char *path, char *why, size_t whylen);
/* Runs `svopid --check-config` on text, to be written as shown_name. 0,
 * or -EINVAL with svopid's reason ("shown_name:line: ...") in why. */
int setup_check_config(const char *text, const char *shown_name, char *why,
	size_t whylen);
/* Runs the checks in order; stops at the first failure. with_daemon:
 * also REGISTER and enrolment through a temporary svopid. Returns 0 when
 * every part passed, 1 otherwise. */
int setup_check_all(const struct setup_target *t, bool with_daemon);

#endif
