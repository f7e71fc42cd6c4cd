"""engines.windowed_results: the one submit loop of the local pool and of Dask."""
from __future__ import annotations

from kp_extract.run import engines


class Done:
    """A future whose result is known; records whether it was cancelled."""

    def __init__(self, value):
        self.value = value
        self.cancelled = False

    def result(self):
        return self.value

    def cancel(self):
        self.cancelled = True


def test_results_come_in_chunk_order_with_a_bounded_window(monkeypatch):
    monkeypatch.setattr(engines, "IN_FLIGHT_PER_WORKER", 2)
    chunks = [[f"f{i}a", f"f{i}b"] for i in range(7)]
    submitted: list[list[str]] = []
    taken: list[Done] = []
    in_flight: list[int] = []  # chunks submitted and not yet taken, at each submit

    class Taken(Done):
        def result(self):
            taken.append(self)
            return super().result()

    def submit(chunk):
        submitted.append(chunk)
        in_flight.append(len(submitted) - len(taken))
        return Taken([p.upper() for p in chunk])

    results = list(engines.windowed_results(chunks, submit, workers=2))
    assert results == [p.upper() for c in chunks for p in c]
    assert submitted == chunks  # each chunk as given, none merged or split
    assert max(in_flight) == 2 * 2


def test_a_run_stopped_early_cancels_what_is_in_flight():
    futures: list[Done] = []

    def submit(chunk):
        futures.append(Done(chunk))
        return futures[-1]

    results = engines.windowed_results([["a"], ["b"], ["c"], ["d"]], submit, workers=1)
    assert next(results) == "a"
    results.close()
    assert [f.cancelled for f in futures] == [False, True, True, True]
