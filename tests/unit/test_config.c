/* Parameters: defaults are valid, and every kind of bad value is an error
 * that names the key, the value and what is allowed. */
#include "helpers.h"

#include "config/params.h"
#include "nand/geometry.h"

static void expect_set_error(const char *pair, const char *needle)
{
	struct vssd_config cfg;
	char err[512] = "";

	config_defaults(&cfg);
	assert_int_not_equal(config_set_pair(&cfg, pair, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("'%s' gave '%s', expected it to mention '%s'", pair, err, needle);
}

static void expect_geometry_error(const char *const *pairs, const char *needle)
{
	struct vssd_config cfg;
	struct vssd_dev *dev = NULL;
	char err[512] = "";

	config_defaults(&cfg);
	for (; *pairs; pairs++)
		assert_int_equal(config_set_pair(&cfg, *pairs, err, sizeof(err)), 0);
	assert_int_not_equal(dev_create(&cfg, &dev, err, sizeof(err)), 0);
	assert_null(dev);
	if (!strstr(err, needle))
		fail_msg("got '%s', expected it to mention '%s'", err, needle);
}

static void test_defaults_build_a_device(void **state)
{
	struct vssd_dev *dev = make_dev(NULL);

	(void)state;
	assert_true(dev->geo.logical_units > 0);
	assert_true(dev->geo.logical_units < dev->geo.physical_units);
	dev_destroy(dev);
}

static void test_bad_values_name_key_and_value(void **state)
{
	(void)state;
	expect_set_error("nosuchkey=1", "unknown parameter 'nosuchkey'");
	expect_set_error("channels=0", "channels=0: out of range");
	expect_set_error("channels=abc", "channels=abc");
	expect_set_error("op=-0.1", "op=-0.1: out of range");
	expect_set_error("cell=plc", "expected one of slc|mlc|tlc|qlc");
	expect_set_error("timing=maybe", "expected on or off");
	expect_set_error("flash_page_bytes=2k", "flash_page_bytes=2k: out of range");
	expect_set_error("read_ns=1,x", "'x' is not a whole number");
	expect_set_error("channels", "expected key=value");
	expect_set_error(
		"fdp_ruh_type=persistently,sometimes",
		"fdp_ruh_type=persistently,sometimes: expected one of initially|persistently");
	expect_set_error("fdp_nrg=0", "fdp_nrg=0: out of range");
	expect_set_error("fdp_phndls=2,0,2", "fdp_phndls=2,0,2: handle 2 listed twice");
	expect_set_error("fdp_phndls=1,x", "'x' is not a handle number");
}

static void test_op_convention(void **state)
{
	const char *pairs[] = {"op=0.28", NULL};
	struct vssd_dev *dev = make_dev(pairs);

	(void)state;
	/* logical = physical / (1 + op), rounded down to whole 4 KiB units */
	assert_int_equal(dev->geo.logical_units,
			 (uint64_t)((double)dev->geo.physical_units / 1.28));
	dev_destroy(dev);
}

static void test_impossible_geometry(void **state)
{
	const char *few_lines[] = {"blocks_per_plane=4", NULL};
	const char *tiny_op[] = {"op=0.001", NULL};
	const char *oneshot[] = {"pages_per_block=64", "oneshot_pages=3", NULL};
	const char *page[] = {"flash_page_bytes=6k", NULL};
	const char *list[] = {"cell=mlc", "read_ns=1,2,3", NULL};
	const char *buffer[] = {"write_buffer_bytes=32k", NULL};
	const char *gc[] = {"gc_free_lines_low=8", "gc_free_lines_high=4", NULL};

	(void)state;
	expect_geometry_error(few_lines, "fewer lines than GC needs");
	expect_geometry_error(tiny_op, "fewer lines than GC needs");
	expect_geometry_error(oneshot, "multiple of oneshot_pages=3");
	expect_geometry_error(page, "multiple of the 4096-byte");
	expect_geometry_error(list, "read_ns has 3 values but cell=mlc has 2 page types");
	expect_geometry_error(buffer, "smaller than one program unit");
	expect_geometry_error(gc, "gc_free_lines_high=4 is below gc_free_lines_low=8");
}

static void test_impossible_fdp_layout(void **state)
{
	const char *no_fdp[] = {"fdp_nrg=2", NULL};
	const char *groups[] = {"fdp=on", "fdp_nrg=3", NULL};
	const char *ru[] = {"fdp=on", "fdp_ru_bytes=1m", NULL};
	const char *ru_split[] = {"fdp=on",    "channels=2",	  "luns_per_channel=3",
				  "fdp_nrg=2", "fdp_ru_bytes=%s", NULL};
	const char *types[] = {"fdp=on", "fdp_nruh=4", "fdp_ruh_type=initially,persistently", NULL};
	const char *phndls[] = {"fdp=on", "fdp_nruh=4", "fdp_phndls=0,4", NULL};
	struct vssd_config cfg;
	char ru_bytes[64];

	(void)state;
	expect_geometry_error(no_fdp, "fdp_nrg needs fdp=on");
	expect_geometry_error(groups, "fdp_nrg=3: must divide the");
	expect_geometry_error(ru, "fdp_ru_bytes=1048576: must be k x");
	/* two dies' blocks do not divide a group of three dies */
	config_defaults(&cfg);
	snprintf(ru_bytes, sizeof(ru_bytes), "fdp_ru_bytes=%llu",
		 2 * (unsigned long long)(cfg.planes_per_lun * cfg.pages_per_block *
					  cfg.flash_page_bytes));
	ru_split[4] = ru_bytes;
	expect_geometry_error(ru_split, "k dividing the 3 dies of a reclaim group");
	expect_geometry_error(types, "fdp_ruh_type lists 2 types but fdp_nruh=4");
	expect_geometry_error(phndls, "fdp_phndls lists handle 4 but fdp_nruh=4");
}

static void test_profiles_load(void **state)
{
	const char *names[] = {"default", "samsung_970pro", "nvmevirt_970pro", "dc_tlc"};
	struct vssd_config cfg;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct geometry geo;

		config_defaults(&cfg);
		if (config_load_profile(&cfg, names[i], err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(config_check(&cfg, err, sizeof(err)), 0);
		if (geometry_init(&geo, &cfg, err, sizeof(err)))
			fail_msg("%s: %s", names[i], err);
	}
	config_defaults(&cfg);
	assert_int_not_equal(config_load_profile(&cfg, "nosuchprofile", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "profile 'nosuchprofile' not found"));
}

static void test_970pro_matches_nvmevirt(void **state)
{
	struct vssd_config cfg;
	char err[512];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_load_profile(&cfg, "nvmevirt_970pro", err, sizeof(err)), 0);
	assert_int_equal(cfg.channels, 8);
	assert_int_equal(cfg.luns_per_channel, 2);
	assert_int_equal(cfg.flash_page_bytes, 32768);
	assert_int_equal(cfg.read_ns.ns[0], 29760);
	assert_int_equal(cfg.read_ns.ns[1], 41760);
	assert_int_equal(cfg.prog_ns.ns[0], 185000);
	assert_int_equal(cfg.channel_mbps, 800);
	assert_int_equal(cfg.pcie_mbps, 3360);
	assert_int_equal(cfg.fw_read_ns, 21500);
	assert_int_equal(cfg.write_buffer_bytes, 1 << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_build_a_device),
		cmocka_unit_test(test_bad_values_name_key_and_value),
		cmocka_unit_test(test_op_convention),
		cmocka_unit_test(test_impossible_geometry),
		cmocka_unit_test(test_impossible_fdp_layout),
		cmocka_unit_test(test_profiles_load),
		cmocka_unit_test(test_970pro_matches_nvmevirt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
