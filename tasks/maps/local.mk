# tasks/maps/local.mk - rebuild-maps: libtask_maps.a, built seeing agent/,
# postfix/ and this folder only.
noinst_LIBRARIES += libtask_maps.a
TASK_LIBS += libtask_maps.a
ALL_INCLUDES += -I$(top_srcdir)/%reldir%
libtask_maps_a_CPPFLAGS = $(BASE_CPPFLAGS) $(CORE_INCLUDES) -I$(top_srcdir)/%reldir%
libtask_maps_a_SOURCES = \
	%reldir%/rebuild_maps.c %reldir%/rebuild_maps.h \
	%reldir%/rebuild_maps_conf.c \
	%reldir%/rebuild_table.c %reldir%/rebuild_table.h \
	%reldir%/blacklist.c %reldir%/blacklist.h \
	%reldir%/mapbuild.c %reldir%/mapbuild.h \
	%reldir%/mapcount.c %reldir%/mapcount.h \
	%reldir%/maprecord.c %reldir%/maprecord.h \
	%reldir%/mapsrc.c %reldir%/mapsrc.h %reldir%/mapsrc_int.h \
	%reldir%/mapsrc_cidr.c %reldir%/mapsrc_re.c %reldir%/mapsrc_sni.c \
	%reldir%/maptable.c %reldir%/maptable.h

UNIT_TESTS += \
	tests/unit/maps/test_blacklist \
	tests/unit/maps/test_mapsrc \
	tests/unit/maps/test_maptable
tests_unit_maps_test_maptable_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=pfa_xmalloc
INTEGRATION_TESTS += \
	tests/integration/30-maps.sh \
	tests/integration/31-blacklist.sh \
	tests/integration/32-maps-kill.sh \
	tests/integration/33-sni-maps.sh
