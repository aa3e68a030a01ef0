/* Change notices between the event loops (see wake.c). */
#ifndef TRUSTD_WAKE_H
#define TRUSTD_WAKE_H

#include <stdint.h>

struct trustd;

/* Sets up the loop's wake event; wake_stop() frees it and the queue. */
int wake_init(struct trustd *td);
void wake_stop(struct trustd *td);
/* Something changed for the pair (or for every pair of uid_a when uid_b
 * is 0): every loop's on_change callback runs, this loop's at once. */
void wake_changed(struct trustd *td, int64_t uid_a, int64_t uid_b);

#endif
