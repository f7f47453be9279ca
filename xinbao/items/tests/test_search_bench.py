"""The search benchmark (bench/search.py) in small, so that it cannot rot."""

from __future__ import annotations

import pytest
from django.test import TestCase

from xinbao.test import bench_module

bench = bench_module("search")


@pytest.mark.skipif(
    not bench.DATA_PRESENT, reason="../shared/data (the benchmark's corpus) is absent"
)
class SearchBenchTest(TestCase):
    def test_it_runs_the_benchmark_on_a_few_hundred_items(self) -> None:
        result = bench.run(300, repeat=1)
        assert result["items"] == 300
        assert result["per_query"]["发展"]["found"] > 0
        assert result["per_query"]["量子纠缠"]["found"] == 0
        assert result["search"]["p95_ms"] > 0 and result["bare"]["p95_ms"] > 0
