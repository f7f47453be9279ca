// Draws the statistics charts from the page's json_script data. Without JavaScript (or
// without ECharts) the tables on the page carry the same figures, so this only adds.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("scoring-data");
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var l = data.labels;
    var options = {};
    if (data.ranking) {
      options.ranking = {
        title: { text: l.ranking, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        grid: { left: 100, right: 20, top: 40, bottom: 20 },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: data.ranking.units },
        series: [{ name: l.points, type: "bar", data: data.ranking.points }],
      };
      options.rates = {
        title: { text: l.rates, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { top: 24 },
        grid: { left: 50, right: 20, top: 60, bottom: 80 },
        xAxis: { type: "category", data: data.ranking.units, axisLabel: { rotate: 45 } },
        yAxis: { type: "value", max: 100 },
        series: [
          { name: l.adoption, type: "bar", data: data.ranking.adoption },
          { name: l.timeliness, type: "bar", data: data.ranking.timeliness },
        ],
      };
    }
    options.trend = {
      title: { text: l.trend, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { top: 24 },
      grid: { left: 50, right: 50, top: 60, bottom: 30 },
      xAxis: { type: "category", data: data.trend.months },
      yAxis: [{ type: "value", name: l.points }, { type: "value", name: l.submitted }],
      series: [
        { name: l.points, type: "line", data: data.trend.points },
        { name: l.submitted, type: "line", yAxisIndex: 1, data: data.trend.submitted },
      ],
    };
    options.mix = {
      title: { text: l.mix, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{ type: "pie", radius: ["35%", "65%"], top: 30, data: data.mix }],
    };
    document.querySelectorAll(".xb-charts").forEach(function (row) { row.hidden = false; });
    var charts = [];
    document.querySelectorAll(".xb-chart").forEach(function (el) {
      var option = options[el.dataset.chart];
      if (!option) return;
      // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which
      // the Content-Security-Policy refuses.
      option.tooltip.renderMode = "richText";
      var chart = window.echarts.init(el);
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
