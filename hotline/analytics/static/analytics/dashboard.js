/* The dashboard's charts (Apache ECharts, served locally). The page carries its data as JSON
   (#dashboard-data); the wall display fetches fresh data every minute. Every chart point links to
   the order list filtered as that point: a click opens it. No interface text lives here: labels
   come from the server in the data. */
(function () {
  "use strict";
  var charts = {};

  function percent(v) { return (v * 100).toFixed(2) + " %"; }

  function formatKpi(el) {
    var raw = el.getAttribute("data-value");
    if (raw === "" || raw === null) { el.textContent = "—"; return; }
    var v = Number(raw), kind = el.getAttribute("data-kind");
    if (kind === "ratio") el.textContent = percent(v);
    else if (kind === "per_day") el.textContent = v.toFixed(1);
    else if (kind === "seconds") el.textContent = v.toFixed(1) + " s";
    else el.textContent = Math.round(v).toLocaleString();
  }

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    // The wall display is dark: ECharts' own dark theme, on the page's background.
    var dark = document.body.classList.contains("wall");
    var c = charts[id] || (charts[id] = echarts.init(el, dark ? "dark" : null));
    if (dark) option.backgroundColor = "transparent";
    c.setOption(option, true);
    c.off("click");
    c.on("click", function (p) { if (p.data && p.data.href) window.location.href = p.data.href; });
  }

  function render(data) {
    document.querySelectorAll(".kpi-value, td.pct").forEach(function (el) {
      if (el.classList.contains("pct")) el.setAttribute("data-kind", "ratio");
      formatKpi(el);
    });
    (data.headline || []).forEach(function (h) {
      var el = document.querySelector("#headline-" + h.code + " .kpi-value");
      if (el) { el.setAttribute("data-value", h.value === null ? "" : h.value); formatKpi(el); }
    });
    var at = document.getElementById("generated-at");
    if (at) at.textContent = data.generated_at;
    chart("chart-volume", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 24 },
      xAxis: { type: "category", data: data.volume.days },
      yAxis: { type: "value", minInterval: 1 },
      series: data.volume.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data };
      })
    });
    chart("chart-types", {
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "70%"], data: data.types }]
    });
    chart("chart-categories", {
      tooltip: { trigger: "item", formatter: function (p) { return p.data.full_name + "：" + p.data.value; } },
      grid: { left: 110, right: 16, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.categories.map(function (c) { return c.name; }) },
      series: [{ type: "bar", data: data.categories }]
    });
    chart("chart-regions", {
      tooltip: { trigger: "item" },
      grid: { left: 40, right: 16, top: 8, bottom: 48 },
      xAxis: { type: "category", data: data.regions.map(function (r) { return r.name; }), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.regions }]
    });
  }

  function start() {
    var node = document.getElementById("dashboard-data");
    if (!node) return;
    render(JSON.parse(node.textContent));
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
    var url = document.body.getAttribute("data-refresh-url");
    if (url) {
      var seconds = Number(document.body.getAttribute("data-refresh-seconds") || 60);
      setInterval(function () {
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (d) { if (d) { document.body.setAttribute("data-updated", d.generated_at); render(d); } })
          .catch(function () { /* keep the last figures; the next tick retries */ });
      }, seconds * 1000);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
