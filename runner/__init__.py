"""Building kernels (cached in memory and on disk) and calling them: in an isolated worker, on guarded buffers."""
