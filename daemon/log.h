/* The logger moved to common/log.h (one logger for every program). This
 * header only keeps "daemon/log.h" includes working until they are
 * switched; new code includes "common/log.h". */
#include "common/log.h"
