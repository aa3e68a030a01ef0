/* svopictl setup: the live checks, in the order a call needs them.
 *
 * TLS is checked directly (a TCP connection and an OpenSSL handshake
 * verified as svopid verifies it), so that a wrong CA or an unreachable
 * host is named with its certificate or socket error. REGISTER and
 * enrolment are checked by the real daemon: setup starts a temporary
 * svopid with the new configuration on a private dbus-daemon (its own
 * socket in a temporary folder), waits for its registration, calls
 * Enroll and stops it again. The temporary daemon listens on no port
 * ([sip] listen is emptied) so that it never fights a running svopid;
 * it uses the same state folder, so the identity it enrols is the one
 * the real daemon will use (setup-daemon.c). See
 * docs/getting-started.md. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ctl.h"
#include "hex.h"
#include "setup.h"

/* Seconds: connecting and the TLS handshake on a working link take well
 * under a second. */
#define CHECK_CONNECT_SEC 5

/* A connected TCP socket to host:port, or -errno with the reason in why. */
static int
check_connect(const char *host, unsigned port, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	char service[8];
	int fd = -1, err = ECONNREFUSED, r;

	snprintf(service, sizeof(service), "%u", port);
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0) {
		snprintf(why, whylen, "cannot resolve \"%s\": %s", host,
			gai_strerror(r));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t len = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
			SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			err = 0;
		} else if (errno != EINPROGRESS) {
			err = errno;
		} else {
			pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
			r = poll(&pfd, 1, CHECK_CONNECT_SEC * 1000);
			if (r == 0)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) < 0)
				err = errno;
		}
		if (err) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, whylen, "cannot connect to %s port %u: %s", host,
			port, err == ETIMEDOUT ? "no answer within 5 s" :
			err == ECONNREFUSED ? "connection refused (nothing "
			"listens there)" : strerror(err));
		return -err;
	}
	/* Blocking from here, with time limits, for the handshake. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	{
		struct timeval tv = { .tv_sec = CHECK_CONNECT_SEC };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	return fd;
}

static bool
is_ip_literal(const char *host)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;
	bool ip = getaddrinfo(host, NULL, &hints, &res) == 0;

	freeaddrinfo(res);
	return ip;
}

/* A TLS client for host on fd: verify says whether to check the chain
 * against ca_file (NULL: the system store) and the name. Returns the
 * connection after the handshake was tried; *ret_ok says how it went. */
static SSL *
check_tls(int fd, const char *host, const char *ca_file, bool verify,
	bool *ret_ok, char *why, size_t whylen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;

	*ret_ok = false;
	if (!ctx) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (ca_file && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		snprintf(why, whylen, "cannot read the CA file %s", ca_file);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (!ca_file)
		SSL_CTX_set_default_verify_paths(ctx);
	SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
		NULL);
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx);
	if (!ssl) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (is_ip_literal(host)) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set1_host(ssl, host);
	}
	SSL_set_fd(ssl, fd);
	ERR_clear_error();
	if (SSL_connect(ssl) == 1) {
		*ret_ok = true;
		return ssl;
	}
	if (SSL_get_verify_result(ssl) != X509_V_OK) {
		snprintf(why, whylen, "the certificate of %s is not trusted: %s",
			host, X509_verify_cert_error_string(
			SSL_get_verify_result(ssl)));
	} else {
		unsigned long e = ERR_peek_last_error();

		snprintf(why, whylen, "the TLS handshake with %s failed: %s",
			host, e ? ERR_reason_error_string(e) :
			"the connection closed (is this a TLS port?)");
	}
	return ssl;
}

/* Appends "; it was issued to ... by ..." for the peer's certificate. */
static void
check_describe_peer(SSL *ssl, char *why, size_t whylen)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);
	char subj[256], iss[256];
	size_t n = strlen(why);

	if (!cert || n + 1 >= whylen)
		return;
	X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
	X509_NAME_oneline(X509_get_issuer_name(cert), iss, sizeof(iss));
	snprintf(why + n, whylen - n, " (its certificate: subject %s, issuer "
		"%s)", subj, iss);
}

int
setup_tls_probe(const char *host, unsigned port, const char *ca_file,
	char *why, size_t whylen, const char **fix)
{
	int fd = check_connect(host, port, why, whylen);
	SSL *ssl;
	bool ok;

	*fix = "check the address and port (is the server running there, "
		"and does a firewall let you through?)";
	if (fd < 0)
		return fd;
	ssl = check_tls(fd, host, ca_file, true, &ok, why, whylen);
	if (ssl && !ok && SSL_get_verify_result(ssl) != X509_V_OK) {
		check_describe_peer(ssl, why, whylen);
		*fix = ca_file ? "give the CA certificate that signed the "
			"server's certificate (--ca-file FILE), or ask the "
			"server's admin for a certificate for this name" :
			"the system does not trust this certificate: give the "
			"CA that signed it with --ca-file FILE";
	} else if (!ssl) {
		*fix = "give a readable PEM CA certificate with --ca-file FILE";
	} else if (!ok) {
		*fix = "check that the port speaks TLS (SIP over TLS is "
			"usually 5061)";
	} else if (ok) {
		snprintf(why, whylen, "%s port %u, certificate verified (%s)",
			host, port, SSL_get_version(ssl));
	}
	if (ssl)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	return ok ? 0 : -EPROTO;
}

/* Reads a fingerprint as hex pairs, colons optional. */
static int
check_parse_fp(const char *fp, uint8_t out[32])
{
	char hex[65];
	size_t n = 0;

	for (const char *p = fp; *p; p++) {
		if (*p == ':')
			continue;
		if (n == 64)
			return -EINVAL;
		hex[n++] = *p;
	}
	return n == 64 && hex_decode(hex, 64, out, 32) == 32 ? 0 : -EINVAL;
}

int
setup_fetch_ca(const char *host, unsigned port, const char *fp,
	const char *path, char *why, size_t whylen)
{
	STACK_OF(X509) *chain;
	uint8_t want[32], md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	X509 *found = NULL;
	SSL *ssl;
	bool ok;
	int fd, r = -ENOENT;

	if (check_parse_fp(fp, want) < 0) {
		snprintf(why, whylen, "\"%s\" is not a SHA-256 fingerprint "
			"(32 hex pairs)", fp);
		return -EINVAL;
	}
	fd = check_connect(host, port, why, whylen);
	if (fd < 0)
		return fd;
	/* Unverified on purpose: the chain is judged by the fingerprint. */
	ssl = check_tls(fd, host, NULL, false, &ok, why, whylen);
	chain = ok ? SSL_get_peer_cert_chain(ssl) : NULL;
	for (int i = 0; chain && i < sk_X509_num(chain) && !found; i++) {
		X509 *c = sk_X509_value(chain, i);

		if (X509_digest(c, EVP_sha256(), md, &mdlen) == 1 &&
		    mdlen == 32 && memcmp(md, want, 32) == 0)
			found = c;
	}
	if (found) {
		FILE *f;
		int wfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);

		f = wfd >= 0 ? fdopen(wfd, "w") : NULL;
		r = f && PEM_write_X509(f, found) == 1 ? 0 : -EIO;
		if (f ? fclose(f) != 0 : (wfd >= 0 && close(wfd) != 0))
			r = -EIO;
		if (r < 0)
			snprintf(why, whylen, "cannot write %s", path);
	} else if (ok) {
		snprintf(why, whylen, "the trust server %s does not send a "
			"certificate with fingerprint %s in its chain", host, fp);
	}
	if (ssl)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	return r;
}
