/* Draws every network fragment on the page with vis-network (served by the app).
   Positions come from the server; physics stays off so the first draw is immediate. */
(function () {
  "use strict";
  function draw(container) {
    var source = document.getElementById(container.dataset.networkSource);
    if (!source || typeof vis === "undefined") { return; }
    var payload = JSON.parse(source.textContent);
    var nodes = new vis.DataSet(payload.nodes);
    var edges = new vis.DataSet(payload.edges);
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
    container.synergraph = { network: network, nodes: nodes, edges: edges };
    network.once("afterDrawing", function () {
      container.dataset.drawn = "true";
      container.dataset.nodeCount = String(nodes.length);
      document.dispatchEvent(new CustomEvent("synergraph:network-drawn", { detail: container.id }));
    });
    network.on("click", function (params) {
      var panel = document.getElementById("node-panel");
      if (!panel || params.nodes.length === 0) { return; }
      var node = nodes.get(params.nodes[0]);
      panel.querySelector("[data-field=name]").textContent = node.label;
      panel.querySelector("[data-field=details]").textContent = node.title;
      var link = panel.querySelector("[data-field=link]");
      if (link) { link.href = link.dataset.base + encodeURIComponent(node.id); }
      panel.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-network-source]").forEach(draw);
  });
})();
