/* A seeded userspace UDP relay for the media tests: it stands between two
 * media endpoints (RTP and RTCP both ways) and drops a share of the
 * datagrams and delays each of the others by a random 0..2*jitter ms, so
 * packets also arrive out of order (netem's "loss L% delay J J" without
 * the kernel's netem qdisc, which this kernel lacks). */
#ifndef SVOPI_MEDIA_RELAY_H
#define SVOPI_MEDIA_RELAY_H

#include <stdint.h>

#include <event2/event.h>

struct media_relay;

struct media_relay_stats {
	uint64_t forwarded, dropped, reordered;
};

/* Binds two RTP/RTCP port pairs in [pmin, pmax]: what A sends to
 * *ret_port_for_a reaches port_b (and +1), what B sends to
 * *ret_port_for_b reaches port_a. loss in per mille. */
struct media_relay *media_relay_new(struct event_base *base, uint16_t pmin,
    uint16_t pmax, uint16_t port_a, uint16_t port_b, unsigned loss_pm,
    unsigned jitter_ms, uint64_t seed, uint16_t *ret_port_for_a,
    uint16_t *ret_port_for_b);
/* Datagrams still waiting for their delay. */
unsigned media_relay_pending(const struct media_relay *r);
void media_relay_stats(const struct media_relay *r,
    struct media_relay_stats *ret);
void media_relay_free(struct media_relay *r);

#endif
