# notify: svopi-notify, the desktop front-end (docs/notify.md). Included
# from Makefile.am after tests/fuzz/local.mk (its fuzz target uses
# FUZZ_MAIN).
bin_PROGRAMS += notify/svopi-notify
notify_svopi_notify_SOURCES = notify/main.c \
	notify/prompt.c notify/prompt.h \
	notify/slot.c notify/slot.h \
	notify/watch.c notify/watch.h \
	notify/server.c notify/server.h \
	notify/owner.c notify/owner.h \
	notify/entry.c notify/entry.h \
	notify/text.c notify/text.h
notify_svopi_notify_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
notify_svopi_notify_LDADD = $(LIBCOMMON) $(SYSTEMD_LIBS) $(OPENSSL_LIBS)
dist_man_MANS += man/svopi-notify.1

# The systemd user unit (a template so paths follow --bindir) and the XDG
# autostart file for sessions without systemd user units.
systemduserunit_DATA += systemd/svopi-notify.service
EXTRA_DIST += systemd/svopi-notify.service.in notify/svopi-notify.desktop.in
CLEANFILES += systemd/svopi-notify.service notify/svopi-notify.desktop
systemd/svopi-notify.service: $(srcdir)/systemd/svopi-notify.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
		$(srcdir)/systemd/svopi-notify.service.in >$@.tmp && mv $@.tmp $@
xdgautostartdir = $(sysconfdir)/xdg/autostart
xdgautostart_DATA = notify/svopi-notify.desktop
notify/svopi-notify.desktop: $(srcdir)/notify/svopi-notify.desktop.in Makefile
	$(AM_V_GEN)$(MKDIR_P) notify && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
		$(srcdir)/notify/svopi-notify.desktop.in >$@.tmp && mv $@.tmp $@

# Tests: the pure text helpers, their fuzz target (corpus replayed in make
# check), and the desktop tests against dunst.
check_PROGRAMS += tests/unit/test-notify-text
tests_unit_test_notify_text_SOURCES = tests/unit/test-notify-text.c \
	tests/unit/test.h notify/text.c notify/text.h
tests_unit_test_notify_text_CFLAGS = $(AM_CFLAGS)
TESTS += tests/unit/test-notify-text

check_PROGRAMS += tests/fuzz/fuzz-notify-text
tests_fuzz_fuzz_notify_text_SOURCES = tests/fuzz/fuzz-notify-text.c \
	notify/text.c $(FUZZ_MAIN)
tests_fuzz_fuzz_notify_text_CFLAGS = $(FUZZ_TGT_CF) \
	-DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/notify-text\"
tests_fuzz_fuzz_notify_text_LDFLAGS = $(FUZZ_TGT_LD)
if !FUZZING
TESTS += tests/fuzz/fuzz-notify-text
endif

NOTIFY_ITESTS = tests/integration/notify-first.sh
TESTS += $(NOTIFY_ITESTS)
dist_check_SCRIPTS += $(NOTIFY_ITESTS)
EXTRA_DIST += tests/integration/notify-common.sh \
	tests/integration/notify-log.py
