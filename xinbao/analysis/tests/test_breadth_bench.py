"""The breadth benchmark (bench/breadth.py) in small, so that it cannot rot: a few labelled demo
texts (and a few CEC texts where ../shared/data has them) placed and scored per axis."""

from __future__ import annotations

from django.test import TestCase

from xinbao.test import bench_module

bench = bench_module("breadth")


class BreadthBenchTest(TestCase):
    def test_it_scores_the_suggestions_against_the_labelled_texts_per_axis(self) -> None:
        result = bench.run(cec_per_kind=2, limit=20)
        assert result["demo_texts"] == 20
        axes = result["axes"]
        assert axes["horizon"]["texts"] == axes["sphere"]["texts"] == 20
        assert axes["region"]["texts"] == 20 + result["cec_texts"]
        for axis in ("horizon", "sphere", "region"):
            # Far better than a coin: the lexicons generalise to texts they were not written from.
            assert axes[axis]["accuracy"] >= 0.7, (axis, axes[axis])
        wrong = sum(
            n
            for axis in axes.values()
            for key, n in axis["confusion"].items()
            if key.split("->")[0] != key.split("->")[1]
        )
        assert len(result["wrong"]) == wrong
