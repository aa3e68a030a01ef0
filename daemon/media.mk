# --- media ---
# The SRTP media plane of svopid, built as a convenience library that the
# daemon links (LIBSVOPID_MEDIA) and the media integration driver tests.
noinst_LIBRARIES += daemon/libsvopid-media.a
daemon_libsvopid_media_a_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) \
	$(OPENSSL_CFLAGS) $(SRTP_CFLAGS)
daemon_libsvopid_media_a_SOURCES = \
	daemon/media.c daemon/media.h \
	daemon/media-null.c daemon/media-null.h

LIBSVOPID_MEDIA = daemon/libsvopid-media.a $(LIBCOMMON) $(EVENT_LIBS) \
	$(OPENSSL_LIBS) $(SRTP_LIBS) -lm
