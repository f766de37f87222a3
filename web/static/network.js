/* Draws every network fragment on the page with vis-network (served by the app).
   Positions come from the server; physics stays off so the first draw is immediate.
   Also: the node panel (click), the actor search, and the PNG export of the view. */
(function () {
  "use strict";
  var networks = [];

  function openPanel(node) {
    var panel = document.getElementById("node-panel");
    if (!panel || !node) { return; }
    panel.querySelector("[data-field=name]").textContent = node.label;
    panel.querySelector("[data-field=details]").textContent = node.title || "";
    var link = panel.querySelector("[data-field=link]");
    if (link) {
      if (node.aggregate) { link.hidden = true; }
      else { link.hidden = false; link.href = link.dataset.base + encodeURIComponent(node.id); }
    }
    panel.hidden = false;
    panel.dataset.nodeId = String(node.id);
  }

  function draw(container) {
    var source = document.getElementById(container.dataset.networkSource);
    if (!source || typeof vis === "undefined") { return; }
    var payload = JSON.parse(source.textContent);
    if (payload.edgeTitle) {  // "1 shared project" / "N shared projects", translated
      payload.edges.forEach(function (e) {
        if (!e.title) {
          e.title = payload.edgeTitle[e.value === 1 ? 0 : 1].replace("%(num)d", String(e.value));
        }
      });
    }
    var nodes = new vis.DataSet(payload.nodes);
    var edges = new vis.DataSet(payload.edges);
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);
    container.synergraph = { network: network, nodes: nodes, edges: edges };
    networks.push(container);
    network.once("afterDrawing", function () {
      container.dataset.nodeCount = String(nodes.length);
      container.dataset.edgeCount = String(edges.length);
      container.dataset.drawnAt = String(Math.round(performance.now()));
      container.dataset.drawn = "true";
      document.dispatchEvent(new CustomEvent("synergraph:network-drawn", { detail: container.id }));
    });
    network.on("click", function (params) {
      if (params.nodes.length === 0) { return; }
      openPanel(nodes.get(params.nodes[0]));
    });
  }

  function search() {
    var input = document.getElementById("actor-search");
    var status = document.getElementById("search-status");
    if (!input || networks.length === 0) { return; }
    var query = input.value.trim().toLowerCase();
    if (!query) { return; }
    var s = networks[0].synergraph;
    var found = s.nodes.get({ filter: function (n) { return String(n.label).toLowerCase() === query; } });
    if (found.length === 0) {
      found = s.nodes.get({ filter: function (n) { return String(n.label).toLowerCase().indexOf(query) >= 0; } });
    }
    if (found.length === 0) { if (status) { status.textContent = "0"; } return; }
    var node = found[0];
    s.network.selectNodes([node.id]);
    s.network.focus(node.id, { scale: 1.5, animation: false });
    if (status) { status.textContent = found.length > 1 ? "1 / " + found.length : ""; }
    openPanel(node);
  }

  function exportPng(button) {
    if (networks.length === 0) { return; }
    var canvas = networks[0].querySelector("canvas");
    if (!canvas) { return; }
    // Paint a white background under the transparent canvas for the exported image.
    var copy = document.createElement("canvas");
    copy.width = canvas.width; copy.height = canvas.height;
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(canvas, 0, 0);
    var link = document.createElement("a");
    link.download = button.dataset.filename || "network.png";
    link.href = copy.toDataURL("image/png");
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-network-source]").forEach(draw);
    var go = document.getElementById("actor-search-go");
    if (go) { go.addEventListener("click", search); }
    var input = document.getElementById("actor-search");
    if (input) {
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(); } });
    }
    var png = document.getElementById("export-png");
    if (png) { png.addEventListener("click", function () { exportPng(png); }); }
  });
})();
