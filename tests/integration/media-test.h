/* Helpers shared by the media drivers: a real MIKEY DH-SIGN exchange that
 * keys both endpoints, running the loop for a while, port ranges. */
#ifndef SVOPI_MEDIA_TEST_H
#define SVOPI_MEDIA_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "mikey-msg.h"

/* A initiates, B responds, A finishes (fresh RSA-2048 identities; SSRCs
 * 0xa11ce001 and 0xb0b00002). Exits the program on failure. */
void mt_key_exchange(struct mikey_result *ra, struct mikey_result *rb);
/* Runs the loop for ms milliseconds. */
void mt_run_loop(struct event_base *base, unsigned ms);
/* One datagram to 127.0.0.1:port. */
void mt_send_to(int fd, uint16_t port, const uint8_t *pkt, size_t len);
/* "MIN-MAX" with at least 4 ports. Returns 0 or -1. */
int mt_parse_ports(const char *s, uint16_t *lo, uint16_t *hi);

#endif
