/* Helpers shared by the media drivers: see media-test.h. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "media-test.h"
#include "mikey.h"
#include "test-mikey-util.h"

void
mt_key_exchange(struct mikey_result *ra, struct mikey_result *rb)
{
	struct tpeer a, b;
	struct mikey_init_state *st = NULL;
	struct mikey_init_params ip;
	struct mikey_respond_params rp;
	struct mikey_fail fail;
	uint8_t *imsg = NULL, *rmsg = NULL;
	size_t ilen = 0, rlen = 0;
	uint64_t now = mikey_ntp_from_unix(time(NULL), 0);

	tpeer_make(&a, "sip:alice@example.org", NULL, 2048, MIKEY_SIGN_PKCS1,
	    true);
	tpeer_make(&b, "sip:bob@example.org", NULL, 2048, MIKEY_SIGN_PKCS1,
	    true);
	memset(&ip, 0, sizeof(ip));
	ip.self = &a.id;
	ip.peer_uri = b.uri;
	ip.suite = MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80;
	ip.ssrc = 0xa11ce001u;
	ip.now_ntp = now;
	memset(&rp, 0, sizeof(rp));
	rp.self = &b.id;
	rp.peer_uri = a.uri;
	rp.ssrc = 0xb0b00002u;
	rp.now_ntp = now;
	if (mikey_msg_build_init(&ip, &st, &imsg, &ilen) < 0 ||
	    mikey_msg_respond(imsg, ilen, &rp, rb, &rmsg, &rlen, &fail) < 0 ||
	    mikey_msg_finish(st, rmsg, rlen, NULL, now, ra, &fail) < 0) {
		fprintf(stderr, "media test: MIKEY exchange failed\n");
		exit(1);
	}
	mikey_init_state_free(st);
	free(imsg);
	free(rmsg);
	tpeer_free(&a);
	tpeer_free(&b);
}

void
mt_run_loop(struct event_base *base, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

void
mt_send_to(int fd, uint16_t port, const uint8_t *pkt, size_t len)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sa, sizeof(sa)) !=
	    (ssize_t)len)
		perror("sendto");
}

int
mt_parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	char *end;

	a = strtoul(s, &end, 10);
	if (*end != '-')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || a == 0 || b > 65535 || a + 3 > b)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}
