/* bus-fuzz: seeded random D-Bus method calls against a running svopid
 * (issue 9, "D-Bus method arguments"). Every method and writable property
 * of org.svopi.Daemon1 and org.svopi.Call1 is called with hostile values
 * of the right signature (empty, 64 KiB, format directives, control
 * characters, unknown or mistyped a{sv} options, nested variants) and, one
 * time in five, with a wrong signature. Each call must be answered (a
 * reply or an error) within its timeout, and after every batch the daemon
 * must still answer a property read within 100 ms. Calls that the fuzzer
 * dials are hung up. Exit 0 when all held, 1 with the seed and round of
 * the first failure otherwise.
 *
 *   bus-fuzz --seed N --rounds N [--dial-to URI]
 *   bus-fuzz --watch SECONDS
 *
 * --watch reads the daemon's Identity every 50 ms over one connection for
 * SECONDS and prints "reads N max_ms M": the daemon's own answer time,
 * without a client's start-up (used while a test floods the daemon).
 *
 * It talks to the bus of DBUS_SESSION_BUS_ADDRESS, as svopictl does. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#define DEST "org.svopi.Daemon1"
#define DPATH "/org/svopi/Daemon1"
#define DIFACE "org.svopi.Daemon1"
#define CIFACE "org.svopi.Call1"
#define CALL_TIMEOUT_US (10 * 1000000ULL)
#define ALIVE_MAX_US 100000ULL
#define LONG_LEN 65536

static uint64_t rng;

static uint32_t
rnd(uint32_t n)	/* 0..n-1, xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32) % n;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A hostile but valid UTF-8 string; static storage, valid until the next
 * call. dial_to, when set, is one of the choices (a real peer). */
static const char *dial_to;

static const char *
hostile_string(void)
{
	static char buf[LONG_LEN + 1];
	static const char *fixed[] = {
		"", " ", "%s%s%s%n%x", "sip:", "sip:@", "sip:a@", "sips:x@y",
		"sip:bob@127.0.0.1:1", "sip:bob@[::1]:0;transport=udp",
		"sip:a@b;maddr=255.255.255.255", "tel:+123", "1234-5678",
		"12345678", "0000-0000", "1234-567", "ABCD-EFGH", "123456789",
		"sip:\"quoted\"@x", "sip:a@b?Subject=x&Call-ID=y", "\t\r\n",
		"sip:bob@127.0.0.1\r\nVia: evil", "../../etc/passwd",
		"/dev/zero", "/proc/self/mem", "0123456789*#ABCD",
		"999999999999999999999999", "-1", "\xc3\xa9t\xc3\xa9",
		"\xe2\x80\xae", "sip:\xf0\x9f\x98\x80@svopi.test",
	};
	size_t n, i;

	switch (rnd(5)) {
	case 0:
		return fixed[rnd(sizeof(fixed) / sizeof(fixed[0]))];
	case 1:	/* long: repeated printable or a long URI */
		n = 1 + rnd(rnd(2) ? LONG_LEN : 300);
		for (i = 0; i < n; i++)
			buf[i] = (char)('!' + rnd(94));
		if (rnd(2) && n > 8)
			memcpy(buf, "sip:", 4);
		buf[n] = '\0';
		return buf;
	case 2:	/* control characters (valid UTF-8, not NUL) */
		n = 1 + rnd(64);
		for (i = 0; i < n; i++)
			buf[i] = (char)(1 + rnd(31));
		buf[n] = '\0';
		return buf;
	case 3:
		if (dial_to && rnd(2))
			return dial_to;
		snprintf(buf, sizeof(buf), "sip:u%u@127.0.0.%u:%u", rnd(100),
			1 + rnd(3), rnd(65536));
		return buf;
	default:	/* digits and dashes */
		n = rnd(20);
		for (i = 0; i < n; i++)
			buf[i] = "0123456789-*#AD "[rnd(16)];
		buf[n] = '\0';
		return buf;
	}
}

static int append_value(sd_bus_message *m, int depth);

/* One a{sv}: known keys of every type, unknown keys, nested variants. */
static int
append_options(sd_bus_message *m, int depth)
{
	static const char *keys[] = { "play", "record", "volume", "", "PLAY",
		"codec" };
	unsigned n = rnd(4);
	int r;

	r = sd_bus_message_open_container(m, 'a', "{sv}");
	for (unsigned i = 0; r >= 0 && i < n; i++) {
		const char *k = rnd(4) ? keys[rnd(6)] : hostile_string();

		r = sd_bus_message_open_container(m, 'e', "sv");
		if (r >= 0)
			r = sd_bus_message_append_basic(m, 's', k);
		if (r >= 0)
			r = append_value(m, depth + 1);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

/* One variant of a random type (s, u, b, i, as, a{sv}, v). */
static int
append_value(sd_bus_message *m, int depth)
{
	uint32_t u = rnd(100000);
	int b = (int)rnd(2), r;

	switch (depth > 3 ? rnd(3) : rnd(7)) {
	case 0:
		return sd_bus_message_append(m, "v", "s", hostile_string());
	case 1:
		return sd_bus_message_append(m, "v", "u", u);
	case 2:
		return sd_bus_message_append(m, "v", "b", b);
	case 3:
		return sd_bus_message_append(m, "v", "i", -(int32_t)u);
	case 4:
		return sd_bus_message_append(m, "v", "as", 2, hostile_string(),
			"x");
	case 5:
		r = sd_bus_message_open_container(m, 'v', "a{sv}");
		if (r >= 0)
			r = append_options(m, depth);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
		return r;
	default:
		r = sd_bus_message_open_container(m, 'v', "v");
		if (r >= 0)
			r = append_value(m, depth + 1);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
		return r;
	}
}

/* Arguments of a wrong signature, one to three of them. */
static int
append_wrong(sd_bus_message *m)
{
	unsigned n = 1 + rnd(3);
	int r = 0;

	for (unsigned i = 0; r >= 0 && i < n; i++) {
		switch (rnd(4)) {
		case 0:
			r = sd_bus_message_append(m, "u", rnd(7));
			break;
		case 1:
			r = sd_bus_message_append(m, "s", hostile_string());
			break;
		case 2:
			r = append_options(m, 0);
			break;
		default:
			r = append_value(m, 1);
		}
	}
	return r;
}

struct target {
	const char *iface, *member, *sig;
	bool on_call;
};

static const struct target targets[] = {
	{ DIFACE, "Ping", "s", false },
	{ DIFACE, "Dial", "sa{sv}", false },
	{ DIFACE, "Enroll", "", false },
	{ DIFACE, "EnterVuc", "ss", false },
	{ DIFACE, "ListCalls", "", false },
	{ DIFACE, "VucList", "", false },
	{ DIFACE, "TrustList", "", false },
	{ DIFACE, "TrustForget", "s", false },
	{ DIFACE, "NoSuchMethod", "s", false },
	{ CIFACE, "Answer", "a{sv}", true },
	{ CIFACE, "Hangup", "", true },
	{ CIFACE, "Dtmf", "s", true },
	{ "org.freedesktop.DBus.Properties", "Set", "ssv", true },
	{ "org.freedesktop.DBus.Properties", "GetAll", "s", true },
};

/* A call path: one the fuzzer dialled, or one that does not exist. */
static char last_call[128] = "/org/svopi/Call/1";

static int
append_args(sd_bus_message *m, const struct target *t)
{
	int r = 0;

	if (rnd(5) == 0)
		return append_wrong(m);
	/* A third of the dials reach the real peer, so that Call1 methods
	 * meet live calls. */
	if (dial_to && strcmp(t->member, "Dial") == 0 && rnd(3) == 0)
		return sd_bus_message_append(m, "sa{sv}", dial_to, 0);
	for (const char *s = t->sig; r >= 0 && *s; s++) {
		if (*s == 's')
			r = sd_bus_message_append_basic(m, 's',
				hostile_string());
		else if (*s == 'a') {
			r = append_options(m, 0);
			s += 4;		/* a{sv} */
		} else if (*s == 'v')
			r = append_value(m, 0);
	}
	return r;
}

/* Properties.Set: mostly Call1.Mute, with a right or wrong type. */
static int
append_set(sd_bus_message *m)
{
	int r = sd_bus_message_append(m, "ss", rnd(4) ? CIFACE : DIFACE,
		rnd(4) ? "Mute" : hostile_string());

	if (r >= 0)
		r = rnd(2) ? sd_bus_message_append(m, "v", "b", (int)rnd(2)) :
			append_value(m, 0);
	return r;
}

/* One call. Returns 0 when it was answered, -1 on a timeout or a broken
 * connection (the daemon did not answer). */
static int
one_call(sd_bus *bus, const struct target *t, unsigned *errors)
{
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *path = DPATH;
	int r;

	if (t->on_call)
		path = rnd(4) ? last_call : "/org/svopi/Call/4294967295";
	r = sd_bus_message_new_method_call(bus, &m, DEST, path, t->iface,
		t->member);
	if (r >= 0)
		r = strcmp(t->member, "Set") == 0 ? append_set(m) :
			strcmp(t->member, "GetAll") == 0 ?
			sd_bus_message_append(m, "s", CIFACE) :
			append_args(m, t);
	if (r < 0) {	/* our own message could not be built: no call */
		sd_bus_message_unref(m);
		return 0;
	}
	if (strcmp(t->member, "Ping") == 0) {
		/* A ping of an unreachable URI waits for the SIP transaction
		 * (up to 32 s): sent without waiting for its answer. */
		r = sd_bus_send(bus, m, NULL);
		sd_bus_message_unref(m);
		return r < 0 ? -1 : 0;
	}
	r = sd_bus_call(bus, m, CALL_TIMEOUT_US, &e, &reply);
	if (r < 0 && (r == -ETIMEDOUT || r == -ECONNRESET ||
	    r == -ENOTCONN || sd_bus_error_has_name(&e,
	    SD_BUS_ERROR_NO_REPLY) || sd_bus_error_has_name(&e,
	    SD_BUS_ERROR_SERVICE_UNKNOWN) || sd_bus_error_has_name(&e,
	    SD_BUS_ERROR_NAME_HAS_NO_OWNER))) {
		fprintf(stderr, "bus-fuzz: %s.%s: no answer: %s\n", t->iface,
			t->member, e.message ? e.message : strerror(-r));
		sd_bus_error_free(&e);
		sd_bus_message_unref(m);
		return -1;
	}
	if (r < 0)
		(*errors)++;
	else if (strcmp(t->member, "Dial") == 0) {
		const char *p;

		if (sd_bus_message_read(reply, "o", &p) > 0)
			snprintf(last_call, sizeof(last_call), "%s", p);
	}
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	return 0;
}

/* The daemon still answers at once: a property read within 100 ms. */
static int
alive(sd_bus *bus)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *id = NULL;
	uint64_t t0 = now_us(), dt;
	int r;

	r = sd_bus_get_property_string(bus, DEST, DPATH, DIFACE, "Identity",
		&e, &id);
	dt = now_us() - t0;
	free(id);
	if (r < 0)
		fprintf(stderr, "bus-fuzz: Identity: %s\n",
			e.message ? e.message : strerror(-r));
	sd_bus_error_free(&e);
	if (r >= 0 && dt > ALIVE_MAX_US) {
		fprintf(stderr, "bus-fuzz: Identity took %" PRIu64 " us\n",
			dt);
		return -1;
	}
	return r < 0 ? -1 : 0;
}

static int
watch(sd_bus *bus, unsigned long seconds)
{
	uint64_t end = now_us() + seconds * 1000000ULL, max = 0;
	unsigned long n = 0;

	while (now_us() < end) {
		sd_bus_error e = SD_BUS_ERROR_NULL;
		uint64_t t0 = now_us(), dt;
		char *id = NULL;
		int r = sd_bus_get_property_string(bus, DEST, DPATH, DIFACE,
			"Identity", &e, &id);

		dt = now_us() - t0;
		free(id);
		if (r < 0) {
			fprintf(stderr, "bus-fuzz: Identity: %s\n",
				e.message ? e.message : strerror(-r));
			sd_bus_error_free(&e);
			return 1;
		}
		if (dt > max)
			max = dt;
		n++;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	printf("reads %lu max_ms %" PRIu64 "\n", n, (max + 999) / 1000);
	return 0;
}

/* Hangs up every call the daemon lists, so that dials do not pile up. */
static void
hangup_all(sd_bus *bus)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *p;

	if (sd_bus_call_method(bus, DEST, DPATH, DIFACE, "ListCalls", &e,
	    &reply, "") < 0) {
		sd_bus_error_free(&e);
		return;
	}
	if (sd_bus_message_enter_container(reply, 'a', "o") > 0)
		while (sd_bus_message_read(reply, "o", &p) > 0) {
			sd_bus_call_method(bus, DEST, p, CIFACE, "Hangup",
				NULL, NULL, "");
		}
	sd_bus_message_unref(reply);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "dial-to", required_argument, NULL, 'd' },
		{ "watch", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long seed = 1, rounds = 1000, watch_s = 0;
	unsigned errors = 0;
	sd_bus *bus = NULL;
	int o, r;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (o == 's')
			seed = strtoul(optarg, NULL, 10);
		else if (o == 'r')
			rounds = strtoul(optarg, NULL, 10);
		else if (o == 'd')
			dial_to = optarg;
		else if (o == 'w')
			watch_s = strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	rng = 0x9e3779b97f4a7c15ULL ^ seed;
	r = sd_bus_open_user(&bus);
	if (r < 0) {
		fprintf(stderr, "bus-fuzz: cannot connect: %s\n", strerror(-r));
		return 2;
	}
	if (watch_s) {
		r = watch(bus, watch_s);
		sd_bus_flush_close_unref(bus);
		return r;
	}
	for (unsigned long i = 1; i <= rounds; i++) {
		const struct target *t = &targets[rnd(sizeof(targets) /
			sizeof(targets[0]))];

		if (one_call(bus, t, &errors) < 0 ||
		    (i % 50 == 0 && alive(bus) < 0)) {
			fprintf(stderr, "bus-fuzz: FAILED at seed %lu round "
				"%lu (%s.%s)\n", seed, i, t->iface, t->member);
			sd_bus_unref(bus);
			return 1;
		}
		if (i % 50 == 0)
			hangup_all(bus);
	}
	hangup_all(bus);
	r = alive(bus);
	printf("bus-fuzz: seed %lu: %lu calls, %u answered with an error, "
		"daemon %s\n", seed, rounds, errors, r < 0 ? "DEAD" : "alive");
	sd_bus_flush_close_unref(bus);
	return r < 0 ? 1 : 0;
}
