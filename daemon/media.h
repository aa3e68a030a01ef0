/* svopid media plane: one SRTP session per call on the libevent loop.
 *
 * A struct media owns a UDP socket pair (RTP on an even port, RTCP on the
 * next odd one), one libsrtp2 session for what we send (our crypto session
 * keys from MIKEY) and one for what we receive (the peer's). There is no
 * plain RTP path at all: media_new refuses to exist without both keys, every
 * packet sent goes through srtp_protect / srtp_protect_rtcp, and every packet
 * received is dropped (and counted) unless srtp_unprotect authenticates it.
 *
 * Audio comes from a struct media_source (pulled every ptime) and goes to a
 * struct media_sink (pushed per authenticated packet). The voice engine
 * (codecs, jitter buffer, PulseAudio, WAV files) implements those two; for
 * now media-null.h has a silence/tone source and a counting sink.
 *
 * Callbacks (source, sink, on_ready) run on the event loop inside the media
 * object and must not call media_free on it; defer that (event_active).
 *
 * Nothing here logs: the daemon reads media_stats() and decides.
 * See docs/media.md.
 */
#ifndef SVOPID_MEDIA_H
#define SVOPID_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "mikey-msg.h"
#include "mikey-srtp.h"

/* RTP payload types we know by number (RFC 3551). */
#define MEDIA_PT_PCMU		0
#define MEDIA_PT_PCMA		8
/* Default frame duration and RTCP report interval. */
#define MEDIA_PTIME_MS		20
#define MEDIA_RTCP_INTERVAL_MS	5000
/* Largest encoded frame a source may hand us (fits RTP_PACKET_MAX with a
 * full header). */
#define MEDIA_FRAME_MAX		1200
/* Most datagrams read per socket wake-up, so one flooding peer cannot
 * starve the rest of the loop. */
#define MEDIA_RECV_BURST	32

/* One received, authenticated frame, borrowed for the call only. */
struct media_frame {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	const uint8_t *data;
	size_t len;
	/* CLOCK_MONOTONIC (ns) when the packet reached our socket (the
	 * kernel's stamp), also when it was read later, at a frame tick. */
	uint64_t arrival_ns;
};

/* Where outgoing audio comes from. read fills out (cap bytes) with one
 * encoded frame of ptime for payload type pt and returns its length; 0 means
 * "nothing this tick" (DTX, hold): no packet goes out but the timestamp
 * still advances. A negative errno stops sending (the media object stays
 * up, receiving). close is called once from media_free (may be NULL). */
struct media_source {
	int (*read)(void *ctx, uint8_t pt, uint8_t *out, size_t cap);
	void (*close)(void *ctx);
	/* The peer's report about our stream arrived (authenticated SRTCP):
	 * the fraction it lost in the last interval, /256. May be NULL. */
	void (*feedback)(void *ctx, uint8_t fraction_lost);
	/* Asked first every tick (may be NULL): a payload > 0 bytes goes out
	 * instead of read's audio, with its own payload type, marker, and
	 * timestamp = this tick's minus *ret_ts_back (an RFC 4733 event keeps
	 * the timestamp of its start). 0 = audio this tick. */
	int (*event)(void *ctx, uint8_t *out, size_t cap, uint8_t *ret_pt,
	    bool *ret_marker, uint32_t *ret_ts_back);
	void *ctx;
};

/* Where received audio goes: every authenticated packet, in arrival order
 * (reordering and concealment are the sink's job: a jitter buffer). */
struct media_sink {
	void (*write)(void *ctx, const struct media_frame *f);
	void (*close)(void *ctx);
	void *ctx;
};

/* A bound RTP/RTCP socket pair held before the keys exist, so that the port
 * offered in SDP stays ours until media_new adopts it (and packets that
 * arrive early wait in the socket buffer). fds are -1 when not held. */
struct media_ports {
	int rtp_fd, rtcp_fd;
	uint16_t port;			/* RTP; RTCP is port + 1 */
};

#define MEDIA_PORTS_INIT { -1, -1, 0 }

/* Binds a free even/odd pair in [port_min, port_max] on local_addr, trying
 * every pair once from a random start. Returns 0 and fills *ret, or
 * -EINVAL, -EADDRINUSE (none free), -EIO, or the socket error. */
int media_ports_reserve(const char *local_addr, uint16_t port_min,
    uint16_t port_max, struct media_ports *ret);
/* Closes a held pair (NULL-safe, idempotent). */
void media_ports_close(struct media_ports *mp);

struct media_params {
	/* Numeric addresses only (no DNS in the media plane). */
	const char *local_addr;		/* "127.0.0.1", "::", ... */
	uint16_t port_min, port_max;	/* [media] rtp_ports; RTP gets an
					 * even port, RTCP the next */
	struct media_ports *ports;	/* non-NULL: use this held pair
					 * instead of binding; on success
					 * media_new owns its fds and sets
					 * them to -1 here */
	const char *remote_addr;	/* from SDP c= */
	uint16_t remote_port;		/* from SDP m=; RTCP at +1 unless */
	uint16_t remote_rtcp_port;	/* non-zero (a=rtcp) */

	enum mikey_srtp_suite suite;
	const struct mikey_cs_keys *tx;	/* ours: key, salt, ssrc, roc */
	const struct mikey_cs_keys *rx;	/* peer's; ssrc 0 = any (locked to
					 * the first authenticated one) */

	uint8_t pt;			/* payload type we send */
	uint32_t clock_rate;		/* 0 = 8000; else 8000..96000,
					 * a multiple of 1000 */
	unsigned ptime_ms;		/* 0 = MEDIA_PTIME_MS; 10..120 */
	unsigned rtcp_interval_ms;	/* 0 = default; >= 100 */
	/* Once started and the first packet after the start was handled,
	 * the RTP socket is read on the frame clock at this phase (ms, <
	 * ptime) instead of on each arrival: give the sink's playout phase
	 * (media_voice_params.play_phase_ms), so that packets are read just
	 * before playout and a call costs one wake-up per ptime. */
	unsigned rx_phase_ms;
	const char *cname;		/* NULL = random */

	struct media_source source;	/* read NULL = no sending */
	struct media_sink sink;		/* write NULL = discard */

	/* Called once, on the first authenticated RTP packet. */
	void (*on_ready)(void *ctx);
	void *ctx;
};

struct media_stats {
	uint64_t sent;			/* SRTP packets sent */
	uint64_t sent_octets;		/* payload octets in them */
	uint64_t received;		/* authenticated RTP packets */
	uint64_t rejected;		/* sum of the four below */
	uint64_t rejected_auth;		/* authentication failed */
	uint64_t rejected_replay;	/* replayed or too old */
	uint64_t rejected_malformed;	/* not RTP, too big/short */
	uint64_t rejected_ssrc;		/* not the peer's SSRC */
	uint64_t send_errors;		/* sendto failed */
	/* Frame slots of the shared clock (media-clock.h) that ran more than
	 * a ptime after their time, and those skipped (no frame at all). */
	uint64_t frames_late, frames_skipped;
	uint64_t rtcp_sent;		/* SRTCP packets sent */
	uint64_t rtcp_received;		/* authenticated SRTCP packets */
	uint64_t rtcp_rejected;		/* any SRTCP failure */
	/* Reception quality of the peer's stream, as we see it. */
	int64_t lost;			/* expected - received */
	uint32_t jitter_us;		/* RFC 3550 interarrival jitter */
	/* From the peer's last report block about our stream. */
	int64_t rtt_us;			/* -1 until known */
	int32_t peer_lost;
	uint8_t peer_fraction_lost;	/* /256, last interval */
	uint32_t peer_jitter_us;
};

struct media;

/* Once per process, before the first media_new: srtp_init. Returns 0 or
 * -EIO. Further calls are no-ops. */
int media_global_init(void);
/* srtp_shutdown, for leak-free exits. */
void media_global_done(void);

/* Creates the session and binds the sockets (the first free even port in
 * [port_min, port_max], starting at a random one). Nothing is sent before
 * media_start. Returns 0 and *ret_media, or -EINVAL (missing/odd-length
 * keys, bad address, bad suite), -EADDRINUSE (no free pair in the range),
 * -EIO (libsrtp), -ENOMEM, or the socket error. */
/* On success m owns p->source and p->sink (closed by media_free); on
 * failure they stay the caller's. */
int media_new(struct event_base *base, const struct media_params *p,
    struct media **ret_media);
/* Wipes the keys (srtp_dealloc), closes the sockets and the source/sink.
 * NULL-safe; returns NULL. */
struct media *media_free(struct media *m);

/* The local RTP port (RTCP is +1): for our SDP. */
uint16_t media_local_port(const struct media *m);
/* Sets where packets go (the peer's SDP answer arrived after media_new):
 * RTCP at rtcp_port, or port + 1 when 0. Returns 0 or -EINVAL. */
int media_set_remote(struct media *m, const char *addr, uint16_t port,
    uint16_t rtcp_port);
/* Replaces what we send and how (payload type, clock rate, source and
 * sink) before media_start: the codec is known only once the peer's SDP
 * answer arrived, after media_new bound the ports for our offer. The old
 * source and sink are closed; m owns the new ones on success (on failure
 * they stay the caller's). Returns 0, -EALREADY (started) or -EINVAL. */
int media_set_stream(struct media *m, uint8_t pt, uint32_t clock_rate,
    const struct media_source *source, const struct media_sink *sink);
/* Sends the first frame, joins the shared frame clock and starts the RTCP
 * timer. Returns 0 or -EALREADY. */
int media_start(struct media *m);
/* Stops sending; receiving (and counting) goes on until media_free. */
void media_stop(struct media *m);
void media_stats(const struct media *m, struct media_stats *ret_stats);
/* Authenticated packets seen: the stream is up. */
bool media_ready(const struct media *m);

/* Fills p's keys from a MIKEY result: initiator sends with cs[0] and
 * receives cs[1]; the responder the other way. Borrows from res. */
void media_params_from_mikey(struct media_params *p,
    const struct mikey_result *res, bool initiator);

#endif
