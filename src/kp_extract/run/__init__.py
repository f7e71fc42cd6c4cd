"""The run: the pipeline that wires the stages over a folder (in this process, a process pool or on
Dask), the per-page cache, progress events and the end-of-run summary."""
