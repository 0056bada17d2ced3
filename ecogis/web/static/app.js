/* ecogis serve: the screening page. Talks to the JSON API; no inline script, no external resource. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").dataset.json);
  var L_ = data.labels;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var VERDICT_ORDER = ["符合", "需论证", "限制", "禁止"];
  var LONLAT_SUFFIXES = [".csv", ".xlsx", ".geojson", ".json", ".kml", ".kmz"];
  var COLORS = ["#1565c0", "#6a1b9a", "#00838f", "#2e7d32", "#ad1457", "#4e342e", "#283593", "#558b2f", "#ef6c00"];

  function $(sel) { return document.querySelector(sel); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function api(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({"X-CSRF-Token": csrf, "Accept": "application/json"}, options.headers || {});
    return fetch(url, options).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (!resp.ok) {
          var detail = body && body.detail;
          throw new Error(typeof detail === "string" ? detail : (JSON.stringify(detail) || resp.statusText));
        }
        return body;
      });
    });
  }

  // ---- map -------------------------------------------------------------------------------------
  var map = L.map("map", {preferCanvas: false}).setView([41.1, 122.0], 9);
  var resultLayer = L.featureGroup().addTo(map);
  var drawLayer = L.featureGroup().addTo(map);
  var control = L.control.layers(null, {}, {collapsed: false}).addTo(map);
  api("/api/project/boundary").then(function (gj) {
    var b = L.geoJSON(gj, {style: {color: "#555", weight: 1, fill: false, dashArray: "4"}}).addTo(map);
    if (b.getLayers().length && !data.check) { map.fitBounds(b.getBounds()); }
  }).catch(function () {});

  function showMap(checkId) {
    return api("/api/checks/" + checkId + "/map").then(function (m) {
      resultLayer.clearLayers();
      Object.keys(m.layers).forEach(function (name, i) {
        var info = m.layers[name];
        var color = COLORS[i % COLORS.length];
        var layer = L.geoJSON(info.features, {
          style: {color: color, weight: 2, fillOpacity: 0.15},
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 4, color: color}); },
          onEachFeature: function (f, lyr) { lyr.bindTooltip((data.lang === "en" ? info.label_en : info.label) + ": " + (f.properties.name || "")); }
        });
        resultLayer.addLayer(layer);
        control.addOverlay(layer, data.lang === "en" ? info.label_en : info.label);
      });
      if (m.site) {
        var site = L.geoJSON(m.site, {
          style: {color: "#d50000", weight: 3, fillOpacity: 0.3},
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 7, color: "#d50000"}); }
        });
        site.options.ecogisSite = true;
        resultLayer.addLayer(site);
        window.ecogisSiteLayer = site;
        map.fitBounds(L.latLngBounds(m.bounds).pad(0.5), {maxZoom: 15});
      }
    });
  }

  // ---- drawing ---------------------------------------------------------------------------------
  var draw = {type: null, points: []};
  function redraw() {
    drawLayer.clearLayers();
    draw.points.forEach(function (p) { drawLayer.addLayer(L.circleMarker(p, {radius: 4, color: "#d50000"})); });
    if (draw.type === "line" && draw.points.length > 1) { drawLayer.addLayer(L.polyline(draw.points, {color: "#d50000"})); }
    if (draw.type === "polygon" && draw.points.length > 2) { drawLayer.addLayer(L.polygon(draw.points, {color: "#d50000"})); }
  }
  function xy(p) { return p.lng.toFixed(7) + " " + p.lat.toFixed(7); }
  function drawnWkt() {
    var pts = draw.points;
    if (draw.type === "point" && pts.length) { return "POINT (" + xy(pts[pts.length - 1]) + ")"; }
    if (draw.type === "line" && pts.length > 1) { return "LINESTRING (" + pts.map(xy).join(", ") + ")"; }
    if (draw.type === "polygon" && pts.length > 2) { return "POLYGON ((" + pts.concat([pts[0]]).map(xy).join(", ") + "))"; }
    return "";
  }
  document.querySelectorAll("[data-draw]").forEach(function (b) {
    b.addEventListener("click", function () { draw = {type: b.dataset.draw, points: []}; redraw(); $("#draw-wkt").textContent = ""; });
  });
  map.on("click", function (e) {
    if (currentMode() !== "draw" || !draw.type) { return; }
    if (draw.type === "point") { draw.points = []; }
    draw.points.push(e.latlng);
    redraw();
  });
  $("#draw-finish").addEventListener("click", function () { $("#draw-wkt").textContent = drawnWkt(); });
  $("#draw-clear").addEventListener("click", function () { draw.points = []; redraw(); $("#draw-wkt").textContent = ""; });

  // ---- the form --------------------------------------------------------------------------------
  function currentMode() { return document.querySelector('input[name="mode"]:checked').value; }
  function looksLonLat(text) {
    var nums = (text.match(/-?\d+(\.\d+)?/g) || []).map(Number);
    if (nums.length < 2) { return false; }
    for (var i = 0; i + 1 < nums.length; i += 2) {
      if (!(nums[i] >= 73 && nums[i] <= 136 && nums[i + 1] >= 3 && nums[i + 1] <= 54)) { return false; }
    }
    return true;
  }
  function lonLatFile(input) {
    var f = input.files[0];
    return !!f && LONLAT_SUFFIXES.some(function (s) { return f.name.toLowerCase().endsWith(s); });
  }
  function needsGcjQuestion() {
    var mode = currentMode();
    if (mode === "coords") { return looksLonLat($("#coords").value); }
    return mode === "file" && lonLatFile($("#site-file"));
  }
  // the CRS box of a form (prefix "" for the single site, "batch-" for the batch): the GCJ-02 question
  // is asked, and must be answered, for longitude/latitude input
  function updateCrsBox(prefix, ask, hidden) {
    $("#" + prefix + "gcj-question").hidden = !ask;
    document.querySelectorAll('input[name="' + prefix + 'web_crs"]').forEach(function (r) { r.required = ask; });
    $("#" + prefix + "crs-other").hidden = $("#" + prefix + "site-crs").value !== "other";
    $("#" + prefix + "crs-box").hidden = hidden;
  }
  function chosenCrs(prefix) {
    var web = document.querySelector('input[name="' + prefix + 'web_crs"]:checked');
    if (!$("#" + prefix + "gcj-question").hidden && web && web.value !== "none") { return web.value; }
    var chosen = $("#" + prefix + "site-crs").value;
    return chosen === "other" ? $("#" + prefix + "crs-other").value.trim() : chosen;
  }
  function updateForm() {
    var mode = currentMode();
    document.querySelectorAll("[data-mode]").forEach(function (d) { d.hidden = d.dataset.mode !== mode; });
    updateCrsBox("", needsGcjQuestion(), mode === "draw");
  }
  function updateBatchForm() { updateCrsBox("batch-", lonLatFile($("#batch-file")), false); }
  ["change", "input"].forEach(function (ev) {
    $("#check-form").addEventListener(ev, updateForm);
    $("#batch-form").addEventListener(ev, updateBatchForm);
  });
  updateForm();
  updateBatchForm();

  function siteCrs() {
    if (currentMode() === "draw") { return "EPSG:4490"; }   // the map shows CGCS2000 longitude/latitude
    return chosenCrs("");
  }

  $("#check-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = new FormData();
    var mode = currentMode();
    if (mode === "file" && $("#site-file").files[0]) { form.append("file", $("#site-file").files[0]); }
    if (mode === "coords") { form.append("coordinates", $("#coords").value); }
    if (mode === "draw") { form.append("coordinates", $("#draw-wkt").textContent || drawnWkt()); }
    form.append("site_crs", siteCrs());
    form.append("buffers", $("#buffers").value);
    form.append("site_use", $("#site-use").value);
    form.append("industry", $("#industry").value);
    form.append("description", $("#description").value);
    form.append("lang", $("#report-lang").value);
    $("#check-status").textContent = L_.running;
    $("#check-status").className = "";
    $("#run").disabled = true;
    api("/api/check", {method: "POST", body: form}).then(function (doc) {
      $("#check-status").textContent = "";
      showResult(doc);
      drawLayer.clearLayers();
      return showMap(doc.id);
    }).catch(function (err) {
      $("#check-status").textContent = L_.error + ": " + err.message;
      $("#check-status").className = "error";
    }).then(function () { $("#run").disabled = false; });
  });

  // ---- the answer ------------------------------------------------------------------------------
  function verdictText(v, en) { return data.lang === "en" ? (en || v) : v; }
  function num(x, digits) { return (x === null || x === undefined) ? "" : Number(x).toFixed(digits); }
  function noteText(n) { return typeof n === "string" ? n : (n.text || n.message || JSON.stringify(n)); }

  function showResult(doc) {
    $("#result").hidden = false;
    var banner = $("#verdict");
    var rank = VERDICT_ORDER.indexOf(doc.verdict);
    banner.className = "banner " + (rank >= 0 ? "verdict-" + rank : "verdict-unknown");
    banner.textContent = L_.overall + ": " + verdictText(doc.verdict, doc.verdict_en);
    var notes = $("#assumptions");
    notes.textContent = "";
    (doc.assumptions_text || doc.assumptions || []).forEach(function (n) { notes.appendChild(el("li", noteText(n))); });
    var body = $("#findings tbody");
    body.textContent = "";
    var hidden = 0;
    (doc.findings || []).forEach(function (f) {
      if (f.relation !== "intersects" && f.verdict === "符合") { hidden += 1; return; }
      var tr = el("tr");
      var area = f.overlap_area_m2 === null || f.overlap_area_m2 === undefined ? "" :
        num(f.overlap_area_m2, 2) + " m² / " + num(f.overlap_area_ha, 4) + " ha / " + num(f.overlap_area_mu, 2) + " 亩";
      var rule = (data.lang === "en" && f.rule_en ? f.rule_en : (f.rule || "")) + (f.basis ? " — " + f.basis : "");
      [f.site_name || f.site, f.layer, f.feature, f.zone || "", data.relation[f.relation] || f.relation, area,
       num(f.distance_m, 1), verdictText(f.verdict, f.verdict_en), rule].forEach(function (c) { tr.appendChild(el("td", c)); });
      body.appendChild(tr);
    });
    if (!(doc.findings || []).length) { body.appendChild(el("tr")).appendChild(el("td", L_.no_findings)); }
    $("#clear-within").textContent = hidden ? L_.clear_within.replace("{n}", hidden) : "";
    var dl = $("#downloads");
    dl.textContent = "";
    var outs = doc.outputs || {};
    ["docx", "xlsx", "json", "txt"].forEach(function (fmt) {
      if (!outs[fmt]) { return; }
      var a = el("a", fmt === "txt" ? L_.site_txt : fmt.toUpperCase());
      a.href = outs[fmt];
      a.id = "download-" + fmt;
      a.setAttribute("download", "");
      dl.appendChild(a);
    });
    if (outs.html) {
      var r = el("a", L_.open_report);
      r.href = outs.html; r.target = "_blank"; r.rel = "noopener"; r.id = "open-report";
      dl.appendChild(r);
    }
  }

  if (data.check) {
    api("/api/checks/" + encodeURIComponent(data.check) + "?lang=" + data.lang).then(function (doc) { showResult(doc); return showMap(doc.id); })
      .catch(function (err) { $("#check-status").textContent = L_.error + ": " + err.message; });
  }

  // ---- tabs, batch, reload ---------------------------------------------------------------------
  document.querySelectorAll("[data-tab]").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll("[data-tab]").forEach(function (o) { o.classList.toggle("active", o === b); });
      $("#tab-check").hidden = b.dataset.tab !== "check";
      $("#tab-batch").hidden = b.dataset.tab !== "batch";
      $("#tab-audit").hidden = b.dataset.tab !== "audit";
    });
  });

  $("#batch-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = new FormData();
    form.append("file", $("#batch-file").files[0]);
    form.append("buffers", $("#batch-form input[name=buffers]").value);
    form.append("site_crs", chosenCrs("batch-"));
    form.append("lang", $("#report-lang").value);
    $("#batch-assumptions").textContent = "";
    $("#batch-downloads").textContent = "";
    $("#batch-status").textContent = L_.running;
    api("/api/batch", {method: "POST", body: form}).then(function (job) { poll(job.status_url); })
      .catch(function (err) { $("#batch-status").textContent = L_.error + ": " + err.message; });
  });

  function poll(url) {
    api(url).then(function (job) {
      var bar = $("#batch-progress");
      bar.max = Math.max(job.total, 1);
      bar.value = job.done;
      $("#batch-count").textContent = job.done + " / " + job.total + " " + L_.sites_done;
      if (job.status === "error") { $("#batch-status").textContent = L_.error + ": " + job.error; return; }
      if (job.status !== "done") { setTimeout(function () { poll(url); }, 400); return; }
      $("#batch-status").textContent = L_.overall + ": " + job.verdict;
      (job.assumptions || []).forEach(function (n) { $("#batch-assumptions").appendChild(el("li", n)); });
      Object.keys(job.outputs).forEach(function (fmt) {
        var a = el("a", fmt.toUpperCase());
        a.href = job.outputs[fmt]; a.id = "batch-download-" + fmt; a.setAttribute("download", "");
        $("#batch-downloads").appendChild(a);
      });
    }).catch(function (err) { $("#batch-status").textContent = L_.error + ": " + err.message; });
  }

  // ---- audit -----------------------------------------------------------------------------------
  api("/api/audits").then(function (specs) {
    var select = $("#audit-name");
    specs.forEach(function (sp) {
      var o = el("option", sp.name + " — " + (data.lang === "en" ? sp.title_en : sp.title));
      o.value = sp.name;
      select.appendChild(o);
    });
    if (!specs.length) { select.appendChild(el("option", L_.audit_none)).value = ""; }
  }).catch(function () {});

  $("#audit-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = new FormData();
    var upload = document.querySelector('input[name="audit_mode"]:checked').value === "upload";
    if (upload && $("#audit-file").files[0]) { form.append("file", $("#audit-file").files[0]); }
    if (!upload) { form.append("name", $("#audit-name").value); }
    form.append("lang", data.lang);
    $("#audit-status").textContent = L_.running;
    $("#audit-run").disabled = true;
    api("/api/audit", {method: "POST", body: form}).then(function (job) { pollAudit(job.status_url); })
      .catch(function (err) { $("#audit-status").textContent = L_.error + ": " + err.message; $("#audit-run").disabled = false; });
  });

  function pollAudit(url) {
    api(url).then(function (job) {
      if (job.status === "error") { throw new Error(job.error); }
      if (job.status !== "done") { setTimeout(function () { pollAudit(url); }, 500); return; }
      $("#audit-status").textContent = "";
      $("#audit-run").disabled = false;
      showAudit(job);
    }).catch(function (err) { $("#audit-status").textContent = L_.error + ": " + err.message; $("#audit-run").disabled = false; });
  }

  function showAudit(job) {
    var doc = job.result;
    $("#audit-result").hidden = false;
    var banner = $("#audit-verdict");
    banner.className = "banner " + (doc.passed ? "verdict-0" : "verdict-3");
    banner.textContent = doc.title + ": " + L_["audit_" + doc.verdict];
    var body = $("#audit-table tbody");
    body.textContent = "";
    doc.checks.forEach(function (c) {
      var tr = el("tr");
      [c.id, c.title, c.value, c.expected, L_["audit_" + c.verdict] || c.verdict, c.method || ""]
        .forEach(function (v) { tr.appendChild(el("td", v)); });
      body.appendChild(tr);
    });
    var notes = $("#audit-notes");
    notes.textContent = "";
    (job.notes || doc.notes || []).forEach(function (n) { notes.appendChild(el("li", n)); });
    var dl = $("#audit-downloads");
    dl.textContent = "";
    Object.keys(job.outputs).forEach(function (fmt) {
      var a = el("a", L_.audit_files[fmt] || fmt);
      a.href = job.outputs[fmt]; a.id = "audit-download-" + fmt; a.setAttribute("download", "");
      dl.appendChild(a);
    });
  }

  var reload = $("#reload");
  if (reload) {
    reload.addEventListener("click", function () {
      api("/api/admin/reload", {method: "POST"}).then(function () { $("#check-status").textContent = L_.reloaded; })
        .catch(function (err) { $("#check-status").textContent = L_.error + ": " + err.message; });
    });
  }
}());
