/* RFC 4733 telephone events (DTMF digits) in RTP: the 4-byte event
 * payload and the digit names. Pure; the timing (one event = many
 * packets with the same timestamp, the end sent three times) is the
 * sender's and receiver's business (daemon/media-voice.c).
 */
#ifndef SVOPI_DTMF_H
#define SVOPI_DTMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One event payload (RFC 4733 §2.3). */
#define DTMF_EVENT_LEN		4
/* Events we send and accept: the 16 DTMF digits (RFC 4733 §3.2). */
#define DTMF_EVENT_MAX		15
/* Most digits queued by one Dtmf() call: a dialled number, with room. */
#define DTMF_DIGITS_MAX		32
/* Volume we send: -10 dBm0 (§2.5.2.2 says 0..63, lower is louder). */
#define DTMF_VOLUME		10

struct dtmf_event {
	uint8_t event;		/* 0..9, 10 '*', 11 '#', 12..15 'A'..'D' */
	bool end;
	uint8_t volume;		/* 0..63 */
	uint16_t duration;	/* in timestamp units */
};

/* The event number of a digit character ("0"-"9", "*", "#", "A"-"D",
 * also lower case), or -EINVAL. */
int dtmf_from_char(char c);
/* The character of an event number 0..15, or 0. */
char dtmf_to_char(uint8_t event);
/* Checks a digit string: 1..DTMF_DIGITS_MAX valid characters. Returns 0,
 * -EINVAL (bad character or empty) or -E2BIG. */
int dtmf_check_digits(const char *s);

/* Writes e into out[DTMF_EVENT_LEN]. Returns DTMF_EVENT_LEN, or -EINVAL
 * for an event over DTMF_EVENT_MAX or a volume over 63, -ENOBUFS. */
int dtmf_event_write(const struct dtmf_event *e, uint8_t *out, size_t cap);
/* Parses a payload of exactly DTMF_EVENT_LEN bytes (several events in one
 * packet, §2.5.1.5, are not used for DTMF and refused). Returns 0,
 * -EBADMSG (wrong length) or -ENOTSUP (an event that is not a DTMF
 * digit). */
int dtmf_event_parse(const uint8_t *data, size_t len,
    struct dtmf_event *ret);

#endif
