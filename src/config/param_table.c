/*
 * Every parameter of vssd, one row each: the field of struct vssd_config
 * it sets, its type, its default (as text, parsed like any user value so
 * defaults obey the same rules), its allowed range and its meaning.
 */
#include "config/param_table.h"

#include "config/params.h"

const char *const config_cell_names[] = {"slc", "mlc", "tlc", "qlc", NULL};
static const char *const gc_policy_names[] = {"greedy", "cost_benefit", "fifo", NULL};
static const char *const gc_pacing_names[] = {"line", "proportional", NULL};
static const char *const wear_levelling_names[] = {"off", "dynamic", "static", NULL};
static const char *const media_names[] = {"none", "ram", "file", NULL};
static const char *const slc_when_full_names[] = {"direct", "fold", NULL};
static const char *const workers_names[] = {"auto", "0", "1", NULL};
static const char *const ruh_type_names[] = {"initially", "persistently", NULL};
static const char *const ftl_names[] = {"conv", "ocssd", "pblk", "zns", "zns-host", NULL};
static const char *const debug_names[] = {"none", "nvme", NULL};

/* F: a field; L: a field that shapes the data on the media */
#define F(field) offsetof(struct vssd_config, field), false
#define L(field) offsetof(struct vssd_config, field), true
#define GiB (1024.0 * 1024 * 1024)

const struct param config_params[] = {
	/* geometry */
	{"channels", P_UINT, "4", 1, 256, NULL, "NAND channels", L(channels)},
	{"luns_per_channel", P_UINT, "2", 1, 64, NULL, "dies (LUNs) on each channel",
	 L(luns_per_channel)},
	{"planes_per_lun", P_UINT, "1", 1, 16, NULL,
	 "planes per die; a program unit spans all planes", L(planes_per_lun)},
	{"blocks_per_plane", P_UINT, "256", 1, 1 << 20, NULL,
	 "erase blocks per plane; also the number of lines (times the die sets with FDP groups)",
	 L(blocks_per_plane)},
	{"pages_per_block", P_UINT, "192", 1, 1 << 16, NULL, "flash pages per erase block",
	 L(pages_per_block)},
	{"flash_page_bytes", P_BYTES, "16k", 4096, 1 << 20, NULL,
	 "flash page size: a multiple of the 4 KiB mapping unit", L(flash_page_bytes)},
	{"oneshot_pages", P_UINT, "3", 1, 64, NULL,
	 "flash pages programmed in one operation (per plane)", L(oneshot_pages)},
	{"lba_bytes", P_UINT, "4096", 512, 4096, NULL, "logical block size: 512 or 4096",
	 L(lba_bytes)},
	{"op", P_DOUBLE, "0.07", 0, 4, NULL, "over-provisioning (physical - logical) / logical",
	 L(op)},
	/* who maps: the device, or the host over an open-channel device */
	{"ftl", P_ENUM, "conv", 0, 0, ftl_names,
	 "conv = the device's page-mapped FTL; ocssd = an Open-Channel SSD 2.0 device (chunks, "
	 "vector commands; the host maps); pblk = that device with pblk, the host FTL, over it; "
	 "zns = a Zoned Namespace device (NVMe ZNS: the host writes zones at their write "
	 "pointers); zns-host = that device with zftl, a log-structured host FTL, over it "
	 "(vssd sim)",
	 L(ftl)},
	{"zns_zone_bytes", P_BYTES, "0", 0, 1e15, NULL,
	 "zone size: a power of two of 4 KiB LBAs, at least the capacity; 0 = the smallest "
	 "(ftl=zns)",
	 L(zns_zone_bytes)},
	{"zns_zone_cap_bytes", P_BYTES, "0", 0, 1e15, NULL,
	 "zone capacity, at most what a zone's blocks hold; 0 = all of it (ftl=zns)",
	 L(zns_zone_cap_bytes)},
	{"zns_zone_dies", P_UINT, "0", 0, 1 << 16, NULL,
	 "dies a zone is striped over (block i of each plane of each): a divisor of the dies, "
	 "0 = all; zones of other die groups run in parallel (ftl=zns)",
	 L(zns_zone_dies)},
	{"zns_max_open", P_UINT, "0", 0, 1 << 20, NULL,
	 "zones that may be open at once (MOR + 1); 0 = no limit (ftl=zns)", F(zns_max_open)},
	{"zns_max_active", P_UINT, "0", 0, 1 << 20, NULL,
	 "zones that may be open or closed at once (MAR + 1); 0 = no limit (ftl=zns)",
	 F(zns_max_active)},
	{"zns_offline_zones", P_UINT, "0", 0, 1 << 20, NULL,
	 "zones offline from the start, chosen by seed (ftl=zns)", L(zns_offline_zones)},
	{"zns_read_only_pe", P_UINT, "0", 0, 1e9, NULL,
	 "wear limit: a zone erased this many times turns read only when it next fills (its "
	 "data stays readable; the host takes it offline); 0 = never (ftl=zns)",
	 F(zns_read_only_pe)},
	{"pblk_op", P_UINT, "0", 0, 90, NULL,
	 "pblk: percent of the good chunks' data sectors kept from the user; 0 = op's "
	 "capacity, the same as the device FTL's over the same NAND (ftl=pblk; not with op)",
	 F(pblk_op)},
	{"pblk_rb_entries", P_UINT, "0", 0, 1u << 24, NULL,
	 "pblk: write buffer entries of 4 KiB, rounded up to a power of two; 0 = from the geometry "
	 "(ftl=pblk)",
	 F(pblk_rb_entries)},
	{"pblk_copy_ns", P_UINT, "300", 0, 1000000, NULL,
	 "pblk: host time to copy 4 KiB into or out of its buffer, in the simulator (ftl=pblk)",
	 F(pblk_copy_ns)},
	{"ocssd_offline_rate", P_DOUBLE, "0", 0, 0.5, NULL,
	 "fraction of chunks offline from the start (ftl=ocssd; chosen by seed)",
	 L(ocssd_offline_rate)},
	{"ocssd_write_fail", P_DOUBLE, "0", 0, 1, NULL,
	 "probability that a sector write fails with Write Fault (ftl=ocssd)", F(ocssd_write_fail)},
	{"ocssd_erase_fail", P_DOUBLE, "0", 0, 1, NULL,
	 "probability that a chunk reset fails and takes the chunk offline (ftl=ocssd)",
	 F(ocssd_erase_fail)},
	{"ocssd_reset_free", P_BOOL, "off", 0, 1, NULL,
	 "capability: a free chunk may be reset again (MCCAP bit 1; ftl=ocssd)",
	 F(ocssd_reset_free)},
	/* garbage collection */
	{"gc_policy", P_ENUM, "greedy", 0, 0, gc_policy_names, "GC victim selection", F(gc_policy)},
	{"gc_pacing", P_ENUM, "proportional", 0, 0, gc_pacing_names,
	 "line: a GC victim's NAND work all at once (NVMeVirt); proportional: in "
	 "slices over the host writes it makes room for",
	 F(gc_pacing)},
	{"gc_free_lines_low", P_UINT, "2", 2, 1 << 20, NULL,
	 "foreground GC starts when free lines (of a reclaim group) fall to this",
	 F(gc_free_lines_low)},
	{"gc_free_lines_high", P_UINT, "3", 2, 1 << 20, NULL,
	 "GC stops when free lines (of a reclaim group) reach this", F(gc_free_lines_high)},
	{"wear_levelling", P_ENUM, "off", 0, 0, wear_levelling_names,
	 "dynamic: a new line is the free one erased least; static: that, and GC moves the "
	 "data of the line erased least once erase counts are wear_level_spread apart",
	 F(wear_levelling)},
	{"wear_level_spread", P_UINT, "16", 1, 1 << 20, NULL,
	 "erase counts (most and least erased line) apart that make static wear levelling "
	 "move the least erased line's data",
	 F(wear_level_spread)},
	{"initial_pe_cycles", P_UINT, "0", 0, 1e7, NULL,
	 "erases every block has had before the run: an aged drive (ftl=conv)",
	 F(initial_pe_cycles)},
	{"gc_background", P_BOOL, "off", 0, 1, NULL,
	 "collect while the device is idle, up to gc_free_lines_high", F(gc_background)},
	/* the SLC cache */
	{"slc_cache_bytes", P_BYTES, "0", 0, 1e15, NULL,
	 "static SLC cache: host bytes held in blocks set apart and programmed as SLC (one bit "
	 "a cell, slc_prog_ns a page); host writes go there first and are folded into native "
	 "blocks later (ftl=conv; 0 = no cache)",
	 L(slc_cache_bytes)},
	{"slc_dynamic_bytes", P_BYTES, "0", 0, 1e15, NULL,
	 "dynamic SLC cache: up to this many more host bytes in free native blocks programmed as "
	 "SLC, lent while the host has not written the drive that full: it shrinks as the drive "
	 "fills (ftl=conv)",
	 F(slc_dynamic_bytes)},
	{"slc_when_full", P_ENUM, "direct", 0, 0, slc_when_full_names,
	 "once the SLC cache is full: direct = host writes go to native blocks (TLC drives); fold "
	 "= its oldest line is folded in the foreground to make room, and writes stay in the "
	 "cache (the deeper cliff of QLC drives)",
	 F(slc_when_full)},
	{"slc_prog_ns", P_UINT, "200000", 0, 1e10, NULL,
	 "program time of a flash page programmed as SLC (the SLC cache)", F(slc_prog_ns)},
	{"slc_read_ns", P_UINT, "30000", 0, 1e10, NULL,
	 "read time of a flash page programmed as SLC (the SLC cache)", F(slc_read_ns)},
	/* timing */
	{"timing", P_BOOL, "on", 0, 1, NULL, "off = zero-latency device", F(timing)},
	{"cell", P_ENUM, "tlc", 0, 0, config_cell_names, "bits per cell; sets the page types",
	 L(cell)},
	{"read_ns", P_NSLIST, "45000,55000,70000", 0, 1e10, NULL,
	 "flash page read time, one value per page type (LSB first)", F(read_ns)},
	{"prog_ns", P_NSLIST, "700000", 0, 1e10, NULL,
	 "program time of a one-shot unit, one value per page type", F(prog_ns)},
	{"erase_ns", P_UINT, "3000000", 0, 1e10, NULL, "block erase time", F(erase_ns)},
	{"suspend", P_BOOL, "off", 0, 1, NULL,
	 "program/erase suspend: a host read goes ahead of the work queued on its die and "
	 "suspends a program or erase running there (ftl=conv)",
	 F(suspend)},
	{"suspend_ns", P_UINT, "20000", 0, 1e8, NULL,
	 "time a program or erase takes to suspend before the read senses (suspend=on)",
	 F(suspend_ns)},
	{"resume_ns", P_UINT, "20000", 0, 1e8, NULL,
	 "time a suspended program or erase takes to resume after the read (suspend=on)",
	 F(resume_ns)},
	{"suspend_max", P_UINT, "5", 1, 255, NULL,
	 "suspensions one program or erase allows; reads after that wait for it to end "
	 "(suspend=on)",
	 F(suspend_max)},
	{"channel_mbps", P_UINT, "800", 1, 1e6, NULL, "NAND channel bandwidth, MB/s (10^6 B/s)",
	 F(channel_mbps)},
	{"pcie_mbps", P_UINT, "3200", 1, 1e6, NULL,
	 "PCIe link bandwidth per direction, MB/s (10^6 B/s)", F(pcie_mbps)},
	{"fw_read_ns", P_UINT, "20000", 0, 1e10, NULL, "firmware time per read command",
	 F(fw_read_ns)},
	{"fw_write_ns", P_UINT, "5000", 0, 1e10, NULL, "firmware time per write command",
	 F(fw_write_ns)},
	{"fw_cores", P_UINT, "0", 0, 1024, NULL,
	 "controller cores: each command holds one for its firmware time, so at most this "
	 "many are in firmware at once; 0 = no limit (firmware time is a latency alone)",
	 F(fw_cores)},
	{"write_buffer_bytes", P_BYTES, "1m", 4096, 64 * GiB, NULL,
	 "write buffer: host writes complete once in it", F(write_buffer_bytes)},
	{"pe_cycles", P_UINT, "0", 0, 1e7, NULL,
	 "rated program/erase cycles per block; 0 = the cell's typical (SLC 100000, "
	 "MLC 10000, TLC 3000, QLC 1000)",
	 F(pe_cycles)},
	/* media faults */
	{"read_retry_rate", P_DOUBLE, "0", 0, 1, NULL,
	 "odds that a page read needs a retry (one more sense, and again with the same odds, "
	 "up to 8), at a block's rated pe_cycles; in proportion to its erases (ftl=conv)",
	 F(read_retry_rate)},
	{"uncorrectable_pe", P_UINT, "0", 0, 1e7, NULL,
	 "erases from which a block's pages may be uncorrectable: a read fails with Unrecovered "
	 "Read Error (ftl=conv; 0 = never)",
	 F(uncorrectable_pe)},
	{"uncorrectable_rate", P_DOUBLE, "0", 0, 1, NULL,
	 "the share of pages past uncorrectable_pe that no retry recovers (chosen by seed, page "
	 "and the block's erases: the same every read)",
	 F(uncorrectable_rate)},
	{"program_fail_rate", P_DOUBLE, "0", 0, 1, NULL,
	 "odds that a program fails: its block is retired to a spare and the data programmed "
	 "again there (ftl=conv)",
	 F(program_fail_rate)},
	{"erase_fail_rate", P_DOUBLE, "0", 0, 1, NULL,
	 "odds that a block's erase fails: it is retired to a spare (ftl=conv)",
	 F(erase_fail_rate)},
	{"spare_blocks_per_die", P_UINT, "8", 0, 1 << 20, NULL,
	 "spare blocks of each die that replace failed ones; when a die has none left the drive "
	 "turns read-only (ftl=conv)",
	 F(spare_blocks_per_die)},
	/* flexible data placement */
	{"fdp", P_BOOL, "off", 0, 1, NULL,
	 "flexible data placement: writes tagged with a placement identifier (DTYPE 2, "
	 "DSPEC) go through their reclaim unit handle's own write pointer",
	 L(fdp)},
	{"fdp_nruh", P_UINT, "8", 1, VSSD_MAX_RUH, NULL, "reclaim unit handles (with fdp=on)",
	 L(fdp_nruh)},
	{"fdp_nrg", P_UINT, "1", 1, VSSD_MAX_RG, NULL,
	 "reclaim groups (with fdp=on): disjoint sets of dies, each with its own reclaim "
	 "units, free units and GC; must divide the dies",
	 L(fdp_nrg)},
	{"fdp_ru_bytes", P_BYTES, "0", 0, 1e15, NULL,
	 "reclaim unit size (with fdp=on): block i of every plane of some of a group's dies; "
	 "0 = all of them",
	 L(fdp_ru_bytes)},
	{"fdp_ruh_type", P_RUHTYPES, "initially", 0, 0, ruh_type_names,
	 "isolation: initially (GC merges handles' data) or persistently (GC keeps a handle's "
	 "data in its own units); one for all handles or a list, one per handle",
	 L(fdp_ruh_type)},
	{"fdp_phndls", P_RUHLIST, "all", 0, VSSD_MAX_RUH - 1, NULL,
	 "the namespace's placement handle list: the reclaim unit handles its writes may "
	 "use, placement handle i being the i-th listed (e.g. 2,0); all = every handle",
	 F(fdp_phndls)},
	/* real-time runtime */
	{"rt_workers", P_ENUM, "auto", 0, 0, workers_names,
	 "completion worker threads of the threaded runtime: 1 = NVMeVirt's dispatcher and "
	 "worker; 0 = the dispatcher posts completions too; auto = 1 with 4 or more CPUs",
	 F(rt_workers)},
	{"rt_spin_ns", P_UINT, "200000", 0, 1e9, NULL,
	 "how long an idle runtime thread polls before it sleeps", F(rt_spin_ns)},
	/* data */
	{"media", P_ENUM, "none", 0, 0, media_names,
	 "where data is kept: none (timing and mapping only), ram, or file (path=; survives "
	 "restarts and crashes)",
	 F(media)},
	{"ram_beyond_memory", P_BOOL, "off", 0, 1, NULL,
	 "on = allow media=ram larger than the machine's memory: only what is written costs "
	 "memory, and a run that writes more than there is gets killed",
	 F(ram_beyond_memory)},
	{"path", P_PATH, "", 0, 0, NULL,
	 "the device file of media=file: created sparse if missing, reopened if it holds a "
	 "device (an empty file is refused)",
	 F(path)},
	{"seed", P_UINT, "1", 0, 1.8e19, NULL, "random seed of the device and the workload",
	 F(seed)},
	/* what the device says while it works */
	{"debug", P_ENUM, "none", 0, 0, debug_names,
	 "nvme = one line on stderr for each command the controller rejects, naming the command, "
	 "the field and the check that failed",
	 F(debug)},
};

const size_t config_nparams = sizeof(config_params) / sizeof(config_params[0]);
