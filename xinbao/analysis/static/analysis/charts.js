// Draws the analysis charts from the page's json_script data; the tables beside the charts
// carry the same figures without JavaScript, so this only adds.
(function () {
  "use strict";
  function init(box) {
    box.hidden = false;
    var chart = window.echarts.init(box);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function breadth() {
    var source = document.getElementById("breadth-data");
    var box = document.querySelector('[data-chart="breadth"]');
    if (!source || !box) return;
    var data = JSON.parse(source.textContent);
    var l = data.labels;
    init(box).setOption({
      title: { text: l.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { top: 30 },
      grid: { left: 40, right: 40, top: 70, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        { type: "value", minInterval: 1 },
      ],
      series: [
        { name: l.totals, type: "bar", yAxisIndex: 1, data: data.totals, itemStyle: { opacity: 0.3 } },
        { name: l.early_sign, type: "line", data: data.early_sign },
        { name: l.daily_life, type: "line", data: data.daily_life },
        { name: l.outside, type: "line", data: data.outside },
      ],
    });
  }
  function mix() {
    var source = document.getElementById("mix-data");
    var box = document.querySelector('[data-chart="mix"]');
    if (!source || !box) return;
    var data = JSON.parse(source.textContent);
    var series = [];
    data.series.forEach(function (s) {
      series.push({ name: s.label, type: "line", data: s.share });
      if (s.target.some(function (t) { return t !== null; })) {
        series.push({
          name: s.label + " " + data.labels.target,
          type: "line",
          step: "end",
          symbol: "none",
          lineStyle: { type: "dashed" },
          data: s.target,
        });
      }
    });
    init(box).setOption({
      title: { text: data.labels.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { top: 30, type: "scroll" },
      grid: { left: 40, right: 20, top: 70, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: series,
    });
  }
  function draw() {
    if (typeof window.echarts === "undefined") return;
    breadth();
    mix();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
