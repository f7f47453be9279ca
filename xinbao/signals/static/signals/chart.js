// Draws a signal's hourly counts from the page's json_script data; the table below the chart
// carries the last day's figures without JavaScript, so this only adds.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("signal-data");
    var box = document.querySelector('[data-chart="counts"]');
    if (!source || !box || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var l = data.labels;
    box.hidden = false;
    var chart = window.echarts.init(box);
    chart.setOption({
      title: { text: l.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { top: 30 },
      grid: { left: 40, right: 20, top: 70, bottom: 60 },
      dataZoom: [{ type: "slider", startValue: Math.max(0, data.counts.length - 72) }],
      xAxis: { type: "category", data: data.hours },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: l.counts,
          type: "bar",
          data: data.counts,
          markArea: {
            data: [[{ xAxis: data.hours[data.window_from] }, { xAxis: data.hours[data.hours.length - 1] }]],
          },
        },
        {
          name: l.baseline,
          type: "line",
          symbol: "none",
          data: data.counts.map(function () { return data.baseline; }),
        },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
