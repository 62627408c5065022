// Import monitor charts (ECharts), drawn from the JSON the server put in the panel.
// The panel is re-rendered by HTMX when a filter changes or a block commits; the charts
// are then disposed and drawn again from the new data.
(function () {
  "use strict";
  const palette = ["#2f5d8a", "#d17a22", "#3b8c5a", "#b23b3b", "#7a5ea8", "#2a9d9d", "#a0782c", "#5a6b7b", "#c25b8f", "#8c9c2f"];

  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    const c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(Object.assign({ color: palette, animationDuration: 300 }, option));
  }

  function tonnes(v) {
    return Number(v).toLocaleString("en-GB", { maximumFractionDigits: 1 }) + " t";
  }

  // One colour per country in both stacks; the melted-and-poured bars are striped, so a
  // country whose two bars differ in height stands out.
  function colourByCountry(series) {
    const colours = {};
    let next = 0;
    return series.map((s) => {
      if (!(s.country in colours)) colours[s.country] = palette[next++ % palette.length];
      const melted = s.stack === "melted and poured";
      return Object.assign({}, s, {
        barMaxWidth: 56,
        itemStyle: {
          color: colours[s.country],
          decal: melted
            ? { symbol: "rect", symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [3, 4], rotation: -0.785, color: "rgba(255,255,255,0.5)" }
            : { symbol: "none" },
        },
      });
    });
  }

  function draw() {
    const data = document.getElementById("monitor-data");
    if (!data) return;
    const d = JSON.parse(data.textContent);
    chart("chart-monthly", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: tonnes },
      legend: { type: "scroll", top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.monthly.months },
      yAxis: { type: "value", name: "t", axisLabel: { formatter: (v) => v.toLocaleString("en-GB") } },
      aria: { enabled: true, decal: { show: true } },
      series: colourByCountry(d.monthly.series),
    });
    chart("chart-category", {
      tooltip: { trigger: "item", valueFormatter: tonnes },
      legend: { type: "scroll", bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: d.category, label: { formatter: "{b}: {d}%" } }],
    });
    chart("chart-port", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: tonnes },
      grid: { left: 140, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", name: "t" },
      yAxis: { type: "category", data: d.port.ports, inverse: true },
      series: [{ type: "bar", data: d.port.tonnes, name: "tonnes", barMaxWidth: 36 }],
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSwap", (ev) => {
    if (ev.detail && ev.detail.target && ev.detail.target.id === "monitor-panel") draw();
  });
  window.addEventListener("resize", () => {
    document.querySelectorAll(".chart").forEach((el) => {
      const c = echarts.getInstanceByDom(el);
      if (c) c.resize();
    });
  });
})();
