// Draws a priority's matched items per week from the page's json_script data; the table
// below the chart carries the same figures without JavaScript, so this only adds.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("agenda-data");
    var box = document.querySelector('[data-chart="agenda-weeks"]');
    if (!source || !box || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    box.hidden = false;
    var chart = window.echarts.init(box);
    chart.setOption({
      title: { text: data.labels.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 20, top: 50, bottom: 40 },
      xAxis: { type: "category", data: data.weeks },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.labels.counts, type: "bar", data: data.counts }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
