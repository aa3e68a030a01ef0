/* The machine's own lateness: a process that does nothing but wake every
 * 20 ms (clock_nanosleep on absolute deadlines) and counts the wake-ups
 * that came more than 20 ms late. Run beside bench/media, it tells the
 * share of late frames the scheduler alone causes on a shared machine.
 *
 *   bench/wakeups [SECONDS]
 *
 * Prints: wakeups=N late_pct=... worst_ms=...
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	unsigned s = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10;
	unsigned n = s * 50, late = 0;
	double worst = 0;
	struct timespec t, u;

	if (!n || n > 50 * 3600)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (unsigned i = 0; i < n; i++) {
		double d;

		t.tv_nsec += 20000000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		clock_gettime(CLOCK_MONOTONIC, &u);
		d = (double)(u.tv_sec - t.tv_sec) * 1e3 +
		    (double)(u.tv_nsec - t.tv_nsec) / 1e6;
		if (d > worst)
			worst = d;
		if (d > 20.0)
			late++;
	}
	printf("wakeups=%u late_pct=%.2f worst_ms=%.1f\n", n,
	    late * 100.0 / n, worst);
	return 0;
}
