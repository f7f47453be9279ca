"""The collection benchmark (bench/monitor.py) in small, so that it cannot rot."""

from __future__ import annotations

from django.test import TestCase, override_settings

from xinbao.test import bench_module

bench = bench_module("monitor")


class MonitorBenchTest(TestCase):
    @override_settings(XINBAO_MONITOR={"allowed_networks": ["127.0.0.0/8"]})
    def test_it_polls_a_few_feeds_end_to_end_and_measures_both_automata(self) -> None:
        result = bench.run(3, 20, 300)
        assert result["failing_sources"] == []
        # Every 20th post of the second and third feeds repeats an earlier one.
        assert result["posts_stored"] + result["reposts_linked"] == 60
        assert result["reposts_linked"] >= 2
        assert result["hits"] > 0
        matching = result["matching"]
        assert matching["pipeline_matches"] == result["hits"]
        assert matching["ahocorasick_rs"]["matches"] == matching["pyahocorasick"]["matches"]
        assert matching["ahocorasick_rs"]["mb_s"] > 0 and result["poll"]["seconds"] > 0
