"""The issue benchmark (bench/issue_render.py) in small, so that it cannot rot: three items
compiled, signed, rendered, cached by the worker's task and downloaded from the cache."""

from __future__ import annotations

from django.test import TestCase

from xinbao.documents.models import RenderedDocument, RenderState
from xinbao.test import bench_module


class IssueRenderBenchTest(TestCase):
    def test_it_times_the_render_and_the_cached_download_of_a_small_issue(self) -> None:
        result = bench_module("issue_render").run(3, 1)
        assert result["items"] == 3 and result["pdf_bytes"] > 10_000
        # Its timings are reported, not judged here: the saved results carry every one.
        assert {
            "pdf_seconds_best",
            "pdf_cpu_seconds_best",
            "pdf_seconds_best_before",
            "worker_task_seconds",
            "cached_download_first_byte_seconds",
            "cached_download_seconds",
        } <= result.keys()
        assert sorted(RenderedDocument.objects.values_list("format", "state")) == [
            ("docx", RenderState.READY),
            ("pdf", RenderState.READY),
        ]
