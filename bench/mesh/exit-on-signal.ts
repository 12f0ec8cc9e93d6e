// Preloaded into the benchmark's children only when profiling (BENCH_PROF=1):
// SIGTERM becomes a normal exit, so `--cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
