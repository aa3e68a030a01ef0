#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hex.h"
#include "log.h"
#include "trustd.h"

/* evhttp's own caps, above ours so that our checks answer in JSON. */
#define HTTP_BODY_MAX (4 * FORM_BODY_MAX)
#define HTTP_HEADERS_MAX (16 * 1024)
/* Idle keep-alive and slow clients; above the longest long poll. */
#define HTTP_TIMEOUT_S (TRUSTD_WAIT_MAX + 15)

int64_t
trustd_now(void)
{
	return (int64_t)time(NULL);
}

void
set_security_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
}

void
reply_json(struct evhttp_request *req, int code, struct json_object *o)
{
	struct evbuffer *b = evbuffer_new();
	const char *s = json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	const char *reason;

	switch (code) {
	case 200: reason = "OK"; break;
	case 400: reason = "Bad Request"; break;
	case 401: reason = "Unauthorized"; break;
	case 404: reason = "Not Found"; break;
	case 405: reason = "Method Not Allowed"; break;
	case 413: reason = "Payload Too Large"; break;
	case 415: reason = "Unsupported Media Type"; break;
	case 429: reason = "Too Many Requests"; break;
	case 503: reason = "Service Unavailable"; break;
	default: reason = "Error"; break;
	}
	set_security_headers(req);
	evhttp_add_header(evhttp_request_get_output_headers(req),
		"Content-Type", "application/json");
	if (b) {
		evbuffer_add(b, s, strlen(s));
		evbuffer_add(b, "\n", 1);
	}
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
	json_object_put(o);
}

void
reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_string(msg));
	if (code == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req),
			"WWW-Authenticate", "Form realm=\"svopi\"");
	reply_json(req, code, o);
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
	const char *text)
{
	struct evbuffer *b = evbuffer_new();

	set_security_headers(req);
	evhttp_add_header(evhttp_request_get_output_headers(req),
		"Content-Type", "text/plain; charset=utf-8");
	if (b)
		evbuffer_add(b, text, strlen(text));
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

const char *
request_addr(struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port;

	if (!c)
		return "?";
	evhttp_connection_get_peer(c, &addr, &port);
	return addr ? addr : "?";
}

int
request_form(struct evhttp_request *req, int json, struct form **ret)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *ct = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Content-Type");
	static const char form_type[] = "application/x-www-form-urlencoded";
	size_t len = evbuffer_get_length(in), tl = sizeof(form_type) - 1;
	const uint8_t *data;
	int r;

	if (!ct || strncasecmp(ct, form_type, tl) != 0 ||
	    (ct[tl] != '\0' && ct[tl] != ';')) {
		if (json)
			reply_error(req, 415, "expected %s", form_type);
		else
			reply_text(req, 415, "Unsupported Media Type",
				"expected a form\n");
		return -EINVAL;
	}
	if (len > FORM_BODY_MAX) {
		if (json)
			reply_error(req, 413, "body over %d bytes",
				FORM_BODY_MAX);
		else
			reply_text(req, 413, "Payload Too Large",
				"form too large\n");
		return -E2BIG;
	}
	data = evbuffer_pullup(in, -1);
	r = form_parse(data ? data : (const uint8_t *)"", len, ret);
	if (r < 0) {
		const char *why = r == -E2BIG ?
			"form over a limit (fields, name or value size)" :
			r == -ENOMEM ? "out of memory" : "malformed form";

		if (json)
			reply_error(req, r == -E2BIG ? 413 : 400, "%s", why);
		else
			reply_text(req, 400, "Bad Request", "bad form\n");
	}
	return r;
}

/* SHA-256, fetched once: an implicit fetch per digest costs locks. */
static EVP_MD *sha256;

int
cert_from_pem(const char *pem, int parse, char fp[STORE_FP_LEN + 1],
	uint8_t **ret_der, size_t *ret_der_len)
{
	size_t n = strlen(pem);
	unsigned char md[32];
	unsigned int mdlen = 0;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long len = 0;
	BIO *bio;
	int r = -EBADMSG;

	if (n > TRUSTD_PEM_MAX)
		return -E2BIG;
	if (!sha256)
		return -EIO;
	bio = BIO_new_mem_buf(pem, (int)n);
	if (!bio)
		return -ENOMEM;
	/* The fingerprint is over the DER inside the PEM. Validation only
	 * compares it with enrolled fingerprints, so it skips the costly
	 * X.509 parse; enrolment parses the whole certificate. */
	if (PEM_read_bio(bio, &name, &header, &der, &len) != 1 ||
	    strcmp(name, PEM_STRING_X509) != 0 || *header || len <= 0)
		goto out;
	if (parse) {
		const unsigned char *p = der;
		X509 *x = d2i_X509(NULL, &p, len);

		X509_free(x);
		if (!x || p != der + len)
			goto out;
	}
	if (!EVP_Digest(der, (size_t)len, md, &mdlen, sha256, NULL)) {
		r = -EIO;
		goto out;
	}
	hex_encode(md, sizeof(md), fp);
	if (ret_der) {
		*ret_der = der;
		*ret_der_len = (size_t)len;
		der = NULL;
	}
	r = 0;
out:
	ERR_clear_error();
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	return r;
}

static void
route(struct evhttp_request *req, void *arg)
{
	struct trustd *td = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

	td->requests++;
	if (!path) {
		reply_error(req, 400, "bad request target");
		return;
	}
	log_debug("[%d] %s %s %s", td->index, request_addr(req),
		evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "POST" :
		"GET", path);
	if (strncmp(path, "/api/", 5) == 0)
		api_handle(td, req, path);
	else
		web_handle(td, req, path);
}

static struct bufferevent *
bevcb(struct event_base *base, void *arg)
{
	struct trustd *td = arg;
	struct bufferevent *bev;
	SSL *ssl = SSL_new(td->ssl);

	if (!ssl)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
		BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

SSL_CTX *
server_tls_new(const struct trustd_config *c)
{
	SSL_CTX *ctx;

	/* Fetched here, before any loop thread runs. */
	if (!sha256 && !(sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)))
		return NULL;
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
		SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	/* TLS 1.2: forward secrecy and AEAD only. */
	if (!SSL_CTX_set_cipher_list(ctx,
		"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM") ||
	    SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, c->tls_key,
		SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		unsigned long e = ERR_get_error();
		char buf[256];

		ERR_error_string_n(e, buf, sizeof(buf));
		log_err("TLS setup (%s, %s): %s", c->tls_cert, c->tls_key,
			buf);
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	return ctx;
}

int
server_start(struct trustd *td)
{
	const struct trustd_config *c = td->cfg;
	struct evutil_addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_protocol = IPPROTO_TCP,
		.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_NUMERICSERV |
			EVUTIL_AI_ADDRCONFIG,
	};
	struct evutil_addrinfo *ai = NULL;
	struct evconnlistener *l;
	int one = 1, r;

	td->http = evhttp_new(td->base);
	if (!td->http)
		return -ENOMEM;
	evhttp_set_bevcb(td->http, bevcb, td);
	evhttp_set_gencb(td->http, route, td);
	evhttp_set_max_body_size(td->http, HTTP_BODY_MAX);
	evhttp_set_max_headers_size(td->http, HTTP_HEADERS_MAX);
	evhttp_set_timeout(td->http, HTTP_TIMEOUT_S);
	evhttp_set_allowed_methods(td->http, EVHTTP_REQ_GET |
		EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
	evhttp_set_default_content_type(td->http, "text/plain");
	r = evutil_getaddrinfo(c->listen_host, c->listen_port, &hints, &ai);
	if (r != 0 || !ai) {
		log_err("cannot resolve %s: %s", c->listen_host,
			evutil_gai_strerror(r));
		return -EINVAL;
	}
	/* One socket per loop with SO_REUSEPORT: the kernel spreads the
	 * connections over the loops. */
	l = evconnlistener_new_bind(td->base, NULL, NULL,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
		LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT, 511,
		ai->ai_addr, (int)ai->ai_addrlen);
	evutil_freeaddrinfo(ai);
	if (!l) {
		log_err("cannot listen on %s:%s: %s", c->listen_host,
			c->listen_port, strerror(errno));
		return -EADDRINUSE;
	}
	/* Accepted sockets inherit it (Linux): an answer goes out in
	 * several TLS records, and Nagle against the client's delayed ACK
	 * would hold the last one back for 40 ms. */
	if (setsockopt(evconnlistener_get_fd(l), IPPROTO_TCP, TCP_NODELAY,
		&one, sizeof(one)) < 0)
		log_warning("TCP_NODELAY: %s", strerror(errno));
	if (!evhttp_bind_listener(td->http, l)) {
		evconnlistener_free(l);
		return -ENOMEM;
	}
	if (td->index == 0)
		log_info("listening on https://%s:%s", c->listen_host,
			c->listen_port);
	return 0;
}

void
server_stop(struct trustd *td)
{
	if (td->http)
		evhttp_free(td->http);
	td->http = NULL;
}

void
server_global_free(void)
{
	EVP_MD_free(sha256);
	sha256 = NULL;
}
