// The lot's genealogy as a layered graph (Cytoscape + dagre): heats at the top, the lot
// at the bottom, each edge labelled with the tonnes that flowed along it.
(function () {
  "use strict";
  function draw() {
    const el = document.getElementById("genealogy");
    const data = document.getElementById("genealogy-data");
    if (!el || !data) return;
    const elements = JSON.parse(data.textContent);
    const layout = typeof cytoscapeDagre !== "undefined"
      ? { name: "dagre", rankDir: "TB", nodeSep: 30, rankSep: 60, padding: 20 }
      : { name: "breadthfirst", directed: true, padding: 20 };
    const cy = cytoscape({
      container: el,
      elements,
      layout,
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 1.3,
      style: [
        { selector: "node", style: {
          "shape": "round-rectangle", "width": "label", "height": "label", "padding": "8px",
          "label": "data(label)", "text-wrap": "wrap", "text-valign": "center", "text-halign": "center",
          "font-size": 11, "font-family": "system-ui, sans-serif",
          "background-color": "#e8eef5", "border-width": 1, "border-color": "#2f5d8a", "color": "#1b2733" } },
        { selector: "node[kind = 'heat']", style: { "shape": "ellipse", "background-color": "#fbe9d6", "border-color": "#d17a22" } },
        { selector: "node[kind = 'root']", style: { "background-color": "#2f5d8a", "color": "#fff", "border-width": 2 } },
        { selector: "edge", style: {
          "width": 1.5, "line-color": "#8a9bb0", "target-arrow-color": "#8a9bb0",
          "target-arrow-shape": "triangle", "curve-style": "bezier",
          "label": "data(label)", "font-size": 10, "text-background-color": "#fff",
          "text-background-opacity": 0.9, "text-background-padding": "2px", "color": "#445" } },
      ],
    });
    cy.on("tap", "node[href]", (ev) => { window.location.href = ev.target.data("href"); });
    window.steeltraceGenealogy = cy;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
