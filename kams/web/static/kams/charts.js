/* Small wrappers around ECharts so that every page draws its charts the same way. */
(function () {
  const charts = [];
  function make(id) {
    const el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    const chart = echarts.init(el);
    charts.push(chart);
    return chart;
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  window.kamsBarChart = function (id, data) {
    const chart = make(id);
    if (!chart) return;
    chart.setOption({
      grid: { left: 40, right: 10, top: 10, bottom: 60 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.values, itemStyle: { color: "#0b4f8a" } }],
    });
  };
  window.kamsLineChart = function (id, data) {
    const chart = make(id);
    if (!chart) return;
    chart.setOption({
      grid: { left: 40, right: 10, top: 10, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", smooth: true, areaStyle: {}, data: data.values, itemStyle: { color: "#0b4f8a" } }],
    });
  };
})();
