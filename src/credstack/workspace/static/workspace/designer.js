/* Certificate designer: a canvas over the real renderer's picture of the page.
 *
 * The design (credstack.render's JSON: page, background, elements) lives here while it is edited.
 * Every edit redraws the picture (POST preview: the same code that makes the PDF, so what is shown is
 * what is printed), and is kept as the draft a moment later (POST draft). Frames over the picture
 * select, drag, resize and rotate elements (the round handle above the frame; Shift turns in 15°
 * steps); the selection's outline and handles sit outside the content, and the guides can be hidden.
 * Shift+click adds an element to the selection, and dragging over the empty page selects what the
 * rectangle touches: the elements selected together move, align and spread out together.
 * Keys: arrows nudge (Shift 5 mm, Alt 0.1 mm), Enter edits the text in place, Delete removes,
 * Ctrl+Z / Ctrl+Shift+Z undo and redo, Escape leaves the selection.
 * No dependencies; CSP-safe (no inline code, no eval). */
(function () {
  "use strict";
  var root = document.getElementById("designer");
  var stateEl = document.getElementById("designer-state");
  if (!root || !stateEl) return;
  var boot = JSON.parse(stateEl.textContent);
  // the words it shows, in the page's language: the editor page sends them translated (issue 17)
  var wordsEl = document.getElementById("designer-words");
  var WORDS = wordsEl ? JSON.parse(wordsEl.textContent) : {};
  function t(text, args) {
    var out = WORDS[text] || text;
    if (args) out = out.replace(/%\((\w+)\)s/g, function (m, k) { return args[k]; });
    return out;
  }
  var MM_PER_PT = 25.4 / 72;

  var doc = { design: boot.design, assets: boot.assets };
  var canEdit = boot.canEdit;
  var page = boot.page; // [W, H] mm
  var selected = null; // element index
  var group = []; // indices selected together (two or more: a multi-selection)
  var undoStack = [], redoStack = [];
  var lastSaved = JSON.stringify(doc), saving = false, saveTimer = null, previewTimer = null;
  var previewSeq = 0, boxes = {}, problems = [], warnings = [], zoom = 1, fitWidth = 0;
  var editing = null; // element index being edited in place
  var dragging = false;

  var stage = document.getElementById("dz-stage");
  var layer = document.getElementById("dz-layer");
  var img = document.getElementById("preview-img");
  var viewport = document.getElementById("dz-viewport");
  var inspector = document.getElementById("dz-inspector");
  var problemsBox = document.getElementById("dz-problems");
  var status = document.getElementById("save-status");
  var guides = document.getElementById("dz-guides");
  var sampleSel = document.getElementById("dz-sample");
  // the CSRF token: the page's hx-headers (every workspace page has it), else a form's hidden input
  var csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { csrf = ""; }
  if (!csrf) csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  window.credstackDesigner = { stats: { previews: [] } };

  // ---- helpers ------------------------------------------------------------------------------
  function els() { return doc.design.elements || (doc.design.elements = []); }
  function len(v, total) {
    if (typeof v === "string" && /%$/.test(v)) return (parseFloat(v) / 100) * total;
    return parseFloat(v) || 0;
  }
  function r1(v) { return Math.round(v * 10) / 10; }
  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
  function frameOf(i) {
    // the element's box in mm: its own box, grown to where its text really landed
    var el = els()[i];
    if (!el) return null;
    var W = page[0], H = page[1], f;
    if (el.type === "text") {
      var size = parseFloat(el.size) || 12, lh = parseFloat(el.line_height) || 1.2;
      var h = el.height !== undefined ? len(el.height, H) : size * lh * MM_PER_PT;
      f = { x: len(el.x, W), y: len(el.y, H), w: len(el.width, W), h: h };
      var b = boxes[i];
      if (b) {
        var y0 = Math.min(f.y, f.y + b.top), y1 = Math.max(f.y + f.h, f.y + b.bottom);
        f.y = y0; f.h = y1 - y0;
      }
    } else if (el.type === "image" || el.type === "rect") {
      f = { x: len(el.x, W), y: len(el.y, H), w: len(el.width, W), h: len(el.height, H) };
    } else if (el.type === "qr") {
      var s = len(el.size, W);
      f = { x: len(el.x, W), y: len(el.y, H), w: s, h: s };
    } else return null;
    // the centre a rotation turns about: the element's own box (a text's frame may be grown)
    var own = el.type === "text" ? { y: len(el.y, H), h: el.height !== undefined ? len(el.height, H) : (parseFloat(el.size) || 12) * (parseFloat(el.line_height) || 1.2) * MM_PER_PT } : { y: f.y, h: f.h };
    f.cx = f.x + f.w / 2;
    f.cy = own.y + own.h / 2;
    f.rot = parseFloat(el.rotate) || 0;
    return f;
  }
  function selection() {
    if (group.length > 1) return group.slice();
    return selected !== null ? [selected] : [];
  }
  function label(el) {
    if (el.type === "text") return (el.text || "").slice(0, 40) || t("(empty text)");
    if (el.type === "image") return t("Image: %(name)s", { name: el.asset || "" });
    if (el.type === "qr") return t("QR code");
    if (el.type === "rect") return t("Box: %(name)s", { name: el.id || "" });
    return el.type + " " + (el.id || "");
  }
  function editable(el) {
    return el.type === "text" || el.type === "qr" || el.type === "rect" || (el.type === "image" && (el.asset !== "logo" || boot.hasLogo || doc.assets.logo));
  }

  // ---- history, autosave, preview -------------------------------------------------------------
  function snapshot() { return JSON.stringify(doc); }
  function change(fn, opts) {
    // every edit goes through here: history, redraw, autosave
    opts = opts || {};
    if (!canEdit) return;
    var before = snapshot();
    fn();
    if (snapshot() === before) return;
    if (!opts.merge || !undoStack.length || undoStack[undoStack.length - 1].key !== opts.merge) {
      undoStack.push({ state: before, key: opts.merge || null });
      if (undoStack.length > 200) undoStack.shift();
    }
    redoStack = [];
    changed();
  }
  function changed(fromInspector) {
    draw();
    if (fromInspector) syncInspector();
    else if (editing === null) inspect();
    schedulePreview();
    scheduleSave();
    toolbarState();
  }
  function undo() {
    if (!undoStack.length) return;
    redoStack.push({ state: snapshot(), key: null });
    doc = JSON.parse(undoStack.pop().state);
    if (selected !== null && selected >= els().length) selected = null;
    group = group.filter(function (j) { return j < els().length; });
    changed();
  }
  function redo() {
    if (!redoStack.length) return;
    undoStack.push({ state: snapshot(), key: null });
    doc = JSON.parse(redoStack.pop().state);
    changed();
  }
  function toolbarState() {
    var u = root.querySelector("[data-cmd=undo]"), r = root.querySelector("[data-cmd=redo]");
    if (u) u.disabled = !undoStack.length;
    if (r) r.disabled = !redoStack.length;
  }
  function dirty() { return snapshot() !== lastSaved; }
  function setStatus(text, bad) {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  }
  function post(url, fields, accept) {
    var body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: accept || "application/json" },
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
    });
  }
  function scheduleSave() {
    if (!canEdit) return;
    clearTimeout(saveTimer);
    setStatus(t("Unsaved changes…"));
    saveTimer = setTimeout(save, 700);
  }
  function save() {
    clearTimeout(saveTimer);
    if (!canEdit) return Promise.resolve(true);
    if (saving) return saving.then(save);
    if (!dirty()) {  // back to what is saved (an edit undone, a refused text put right)
      setStatus(t("Draft saved; publish to use it"));
      return Promise.resolve(true);
    }
    var sent = snapshot();
    setStatus(t("Saving the draft…"));
    saving = post(root.dataset.draft, { design: JSON.stringify(doc.design), assets: JSON.stringify(doc.assets) })
      .then(function (res) {
        saving = false;
        if (res.ok) {
          lastSaved = sent;
          setStatus(dirty() ? t("Unsaved changes…") : t("Draft saved (revision %(revision)s); publish to use it", { revision: res.body.revision }));
          if (dirty()) scheduleSave();
          return true;
        }
        setProblems(res.body.problems || []);
        setStatus(t("Not saved: fix the problems shown"), true);
        return false;
      })
      .catch(function () {
        saving = false;
        setStatus(t("Not saved: the server did not answer; retrying…"), true);
        saveTimer = setTimeout(save, 4000);
        return false;
      });
    return saving;
  }
  function schedulePreview(now) {
    clearTimeout(previewTimer);
    stage.dataset.previewBusy = "1"; // a newer picture is on its way (tests wait for it to land)
    previewTimer = setTimeout(refreshPreview, now ? 0 : 60);
  }
  function previewDone(seq) {
    if (seq === previewSeq) delete stage.dataset.previewBusy;
  }
  function refreshPreview() {
    var seq = ++previewSeq, started = performance.now();
    var sentY = els().map(function (e) { return len(e.y, page[1]); });
    post(root.dataset.preview, {
      design: JSON.stringify(doc.design), assets: JSON.stringify(doc.assets), sample: sampleSel.value,
    }).then(function (res) {
      if (seq !== previewSeq) return; // a newer edit is on its way
      setProblems(res.body.problems || []);
      warnings = res.body.warnings || [];
      if (!res.body.image) { showProblems(); previewDone(seq); return; }
      boxes = {};
      (res.body.boxes || []).forEach(function (b) {
        boxes[b.element] = { top: b.y0 - sentY[b.element], bottom: b.y1 - sentY[b.element] };
      });
      img.onload = null;
      img.addEventListener("load", function onload() {
        img.removeEventListener("load", onload);
        if (seq !== previewSeq) return;
        var ms = Math.round(performance.now() - started);
        var stats = window.credstackDesigner.stats;
        stats.previews.push(ms);
        stats.last = ms;
        stats.server = res.body.render_ms;
        stage.dataset.previewMs = ms;
        stage.dataset.previewSeq = seq;
        draw();
        showProblems();
        previewDone(seq);
      });
      img.src = res.body.image;
    }).catch(function () {
      if (seq === previewSeq) setStatus(t("The preview could not be drawn: the server did not answer."), true);
      previewDone(seq);
    });
  }
  function setProblems(list) { problems = list; showProblems(); }

  // ---- the frames over the picture -------------------------------------------------------------
  function pct(v, total) { return (v / total) * 100 + "%"; }
  function draw() {
    if (editing !== null && layer.querySelector(".dz-editbox")) return; // not under the person typing
    if (dragging) return; // nor under the pointer: the drop draws again
    stage.style.aspectRatio = page[0] + " / " + page[1];
    // the frames are drawn afresh: keyboard focus stays on the element it was on
    var active = document.activeElement;
    var focused = active && active.parentNode === layer ? active.dataset.index : null;
    layer.textContent = "";
    stage.classList.toggle("no-guides", !guides.checked);
    els().forEach(function (el, i) {
      if (!editable(el)) return;
      var f = frameOf(i);
      if (!f) return;
      var d = document.createElement("div");
      d.className = "dz-el dz-" + el.type;
      if (i === selected && group.length < 2) d.classList.add("selected");
      if (group.length > 1 && group.indexOf(i) >= 0) d.classList.add("in-group");
      if (problems.some(function (p) { return p.element === i; })) d.classList.add("has-problem");
      if (warnings.some(function (p) { return p.element === i; })) d.classList.add("has-warning");
      d.dataset.index = i;
      d.tabIndex = 0;
      d.setAttribute("role", "button");
      d.setAttribute("aria-label", label(el) + (canEdit ? " " + t("(arrow keys move it; Enter edits the text)") : ""));
      d.style.left = pct(f.x, page[0]);
      d.style.top = pct(f.y, page[1]);
      d.style.width = pct(f.w, page[0]);
      d.style.height = pct(f.h, page[1]);
      if (f.rot) {
        d.style.transformOrigin = "50% " + ((f.cy - f.y) / f.h) * 100 + "%";
        d.style.transform = "rotate(" + f.rot + "deg)";
        d.dataset.rotate = f.rot;
      }
      if (i === selected && canEdit && group.length < 2) {
        var handles = el.type === "text" ? ["w", "e", "rot"] : ["nw", "ne", "sw", "se", "rot"];
        handles.forEach(function (h) {
          var hd = document.createElement("span");
          hd.className = "dz-handle dz-handle-" + h;
          hd.dataset.handle = h;
          hd.setAttribute("aria-hidden", "true");
          if (h === "rot") hd.title = t("Drag to rotate (Shift: 15° steps)");
          d.appendChild(hd);
        });
        var tag = document.createElement("span");
        tag.className = "dz-tag";
        tag.textContent = el.id || el.type;
        d.appendChild(tag);
      }
      if (i === editing) d.classList.add("editing");
      layer.appendChild(d);
    });
    if (focused !== null && focused !== undefined) {
      var again = layer.querySelector("[data-index='" + focused + "']");
      if (again) again.focus({ preventScroll: true });
    }
  }
  function applyZoom() {
    if (!fitWidth) fitWidth = viewport.clientWidth - 32;
    var w = Math.max(200, fitWidth * zoom);
    stage.style.width = w + "px";
    document.getElementById("dz-zoom").textContent = Math.round(zoom * 100) + "%";
  }

  function pointToMM(ev) {
    var r = stage.getBoundingClientRect();
    return [((ev.clientX - r.left) / r.width) * page[0], ((ev.clientY - r.top) / r.height) * page[1]];
  }
  // snapping: the page's centre lines and margins, and other elements' edges and centres
  function snapTargets(skip) {
    var xs = [page[0] / 2], ys = [page[1] / 2];
    var skipped = Array.isArray(skip) ? skip : [skip];
    els().forEach(function (el, i) {
      if (skipped.indexOf(i) >= 0 || !editable(el)) return;
      var f = frameOf(i);
      if (!f) return;
      xs.push(f.x, f.x + f.w / 2, f.x + f.w);
      ys.push(f.y, f.y + f.h / 2, f.y + f.h);
    });
    return { xs: xs, ys: ys };
  }
  function snap(value, size, targets, tol) {
    var best = null;
    [0, size / 2, size].forEach(function (off) {
      targets.forEach(function (t) {
        var d = t - (value + off);
        if (Math.abs(d) <= tol && (best === null || Math.abs(d) < Math.abs(best.d))) best = { d: d, at: t };
      });
    });
    return best;
  }
  function showGuide(axis, at) {
    if (!guides.checked) return;
    var g = document.createElement("div");
    g.className = "dz-guide dz-guide-" + axis;
    if (axis === "x") g.style.left = pct(at, page[0]);
    else g.style.top = pct(at, page[1]);
    layer.appendChild(g);
  }

  // follow one pointer on ``target`` until it is let go: ``move(e)`` on each move, ``done()`` once at the end
  function follow(ev, target, move, done) {
    target.setPointerCapture(ev.pointerId);
    function up() {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
      target.removeEventListener("pointercancel", up);
      done();
    }
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
    target.addEventListener("pointercancel", up);
  }
  // the end of a drag: one undo step when it changed something, else the page drawn as it was
  function endDrag(moved, before) {
    dragging = false;
    if (moved && snapshot() !== before) {
      undoStack.push({ state: before, key: null });
      redoStack = [];
      changed();
    } else draw();
  }

  function startRotate(ev, i) {
    var el = els()[i], f0 = frameOf(i), before = snapshot(), moved = false;
    var node = layer.querySelector("[data-index='" + i + "']"), target = ev.target;
    dragging = true;
    function move(e) {
      var p = pointToMM(e);
      var a = Math.atan2(p[1] - f0.cy, p[0] - f0.cx) * 180 / Math.PI + 90;
      if (e.shiftKey) a = Math.round(a / 15) * 15;
      else if (Math.abs(a - Math.round(a / 45) * 45) < 3) a = Math.round(a / 45) * 45; // snaps to 0, 45, 90…
      a = Math.round(a * 10) / 10;
      if (a > 180) a -= 360;
      if (a <= -180) a += 360;
      moved = true;
      if (a === 0) delete el.rotate; else el.rotate = a;
      node.style.transformOrigin = "50% " + ((f0.cy - f0.y) / f0.h) * 100 + "%";
      node.style.transform = a ? "rotate(" + a + "deg)" : "";
      node.dataset.rotate = a;
      var input = inspector.querySelector("[name=rotate]");
      if (input) input.value = a;
    }
    follow(ev, target, move, function () { endDrag(moved, before); });
  }
  function startGroupDrag(ev) {
    // the elements selected together move as one; snapping follows the group's outer box
    var members = group.slice(), start = pointToMM(ev), before = snapshot(), moved = false;
    var origin = members.map(function (j) { var e = els()[j]; return [len(e.x, page[0]), len(e.y, page[1])]; });
    var box = groupBox(members), targets = snapTargets(members);
    var target = ev.target;
    dragging = true;
    function move(e) {
      var p = pointToMM(e), dx = p[0] - start[0], dy = p[1] - start[1];
      if (!moved && Math.abs(dx) < 0.4 && Math.abs(dy) < 0.4) return;
      moved = true;
      layer.querySelectorAll(".dz-guide").forEach(function (g) { g.remove(); });
      var tol = e.altKey ? 0 : 1.5;
      var sx = snap(box.x + dx, box.w, targets.xs, tol), sy = snap(box.y + dy, box.h, targets.ys, tol);
      if (sx) { dx += sx.d; showGuide("x", sx.at); }
      if (sy) { dy += sy.d; showGuide("y", sy.at); }
      members.forEach(function (j, k) {
        var el = els()[j];
        el.x = r1(origin[k][0] + dx);
        el.y = r1(origin[k][1] + dy);
        var f = frameOf(j), n = layer.querySelector("[data-index='" + j + "']");
        if (n) { n.style.left = pct(f.x, page[0]); n.style.top = pct(f.y, page[1]); }
      });
    }
    follow(ev, target, move, function () { endDrag(moved, before); });
  }
  function groupBox(members) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    members.forEach(function (j) {
      var f = frameOf(j);
      if (!f) return;
      x0 = Math.min(x0, f.x); y0 = Math.min(y0, f.y); x1 = Math.max(x1, f.x + f.w); y1 = Math.max(y1, f.y + f.h);
    });
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }

  function startDrag(ev, i, handle) {
    if (handle === "rot") { startRotate(ev, i); return; }
    var el = els()[i], f0 = frameOf(i), start = pointToMM(ev), before = snapshot(), moved = false;
    var turn = (parseFloat(el.rotate) || 0) * Math.PI / 180;
    var x0 = len(el.x, page[0]), y0 = len(el.y, page[1]);
    var dyFrame = y0 - f0.y; // a text's frame may start above its y (its text overflows upwards)
    var w0 = el.type === "qr" ? len(el.size, page[0]) : len(el.width, page[0]);
    var h0 = el.type === "image" || el.type === "rect" ? len(el.height, page[1]) : w0;
    var targets = snapTargets(i), node = layer.querySelector("[data-index='" + i + "']");
    var target = ev.target;
    node.classList.add("dragging");
    dragging = true;
    function move(e) {
      var p = pointToMM(e), dx = p[0] - start[0], dy = p[1] - start[1];
      if (!moved && Math.abs(dx) < 0.4 && Math.abs(dy) < 0.4) return;
      moved = true;
      layer.querySelectorAll(".dz-guide").forEach(function (g) { g.remove(); });
      var tol = e.altKey ? 0 : 1.5;
      if (!handle) {
        var nx = x0 + dx, ny = f0.y + dy;
        var sx = snap(nx, f0.w, targets.xs, tol), sy = snap(ny, f0.h, targets.ys, tol);
        if (sx) { nx += sx.d; showGuide("x", sx.at); }
        if (sy) { ny += sy.d; showGuide("y", sy.at); }
        el.x = r1(clamp(nx, -f0.w + 2, page[0] - 2));
        el.y = r1(clamp(ny + dyFrame, -f0.h + 2, page[1] - 2));
      } else {
        // a turned element is resized along its own sides
        var rdx = dx * Math.cos(turn) + dy * Math.sin(turn), rdy = -dx * Math.sin(turn) + dy * Math.cos(turn);
        dx = rdx; dy = rdy;
        var w = w0, h = h0, x = x0, y = y0;
        if (handle.indexOf("e") >= 0) w = w0 + dx;
        if (handle.indexOf("w") >= 0) { w = w0 - dx; x = x0 + dx; }
        if (handle.indexOf("s") >= 0) h = h0 + dy;
        if (handle.indexOf("n") >= 0) { h = h0 - dy; y = y0 + dy; }
        w = Math.max(3, w); h = Math.max(3, h);
        if (el.type === "qr") {
          var s = Math.max(w, h);
          if (handle.indexOf("w") >= 0) x = x0 + w0 - s;
          if (handle.indexOf("n") >= 0) y = y0 + h0 - s;
          el.size = r1(s);
        } else {
          el.width = r1(w);
          if (el.type !== "text") el.height = r1(h);
        }
        el.x = r1(x); el.y = r1(y);
      }
      var f = frameOf(i);
      node.style.left = pct(f.x, page[0]); node.style.top = pct(f.y, page[1]);
      node.style.width = pct(f.w, page[0]); node.style.height = pct(f.h, page[1]);
    }
    follow(ev, target, move, function () {
      endDrag(moved, before);
      var n = layer.querySelector("[data-index='" + i + "']");
      if (n) n.focus({ preventScroll: true });
    });
  }

  layer.addEventListener("pointerdown", function (ev) {
    if (editing !== null && ev.target.closest(".editing")) return;
    var node = ev.target.closest(".dz-el");
    if (!node) return;
    var i = parseInt(node.dataset.index, 10);
    if (ev.shiftKey || ev.metaKey || ev.ctrlKey) { // add to (or take out of) the selection
      ev.preventDefault();
      toggleInGroup(i);
      return;
    }
    if (group.length > 1 && group.indexOf(i) >= 0) {
      if (!canEdit) return;
      ev.preventDefault();
      startGroupDrag({ clientX: ev.clientX, clientY: ev.clientY, pointerId: ev.pointerId, target: node });
      return;
    }
    var wasSelected = i === selected;
    if (!wasSelected || group.length > 1) select(i);
    if (!canEdit) return;
    ev.preventDefault();
    var handle = ev.target.dataset.handle || null;
    // a click on a selected text (no drag) edits it in place
    var startAt = [ev.clientX, ev.clientY];
    var target = layer.querySelector("[data-index='" + i + "']");
    var realTarget = handle ? target.querySelector("[data-handle='" + handle + "']") : target;
    startDrag({ clientX: ev.clientX, clientY: ev.clientY, pointerId: ev.pointerId, target: realTarget }, i, handle);
    if (wasSelected && !handle && els()[i].type === "text") {
      realTarget.addEventListener("pointerup", function once(e) {
        realTarget.removeEventListener("pointerup", once);
        if (Math.abs(e.clientX - startAt[0]) < 3 && Math.abs(e.clientY - startAt[1]) < 3) editInPlace(i);
      });
    }
  });
  layer.addEventListener("dblclick", function (ev) {
    var node = ev.target.closest(".dz-el");
    if (node && canEdit && els()[node.dataset.index].type === "text") editInPlace(parseInt(node.dataset.index, 10));
  });
  stage.addEventListener("pointerdown", function (ev) {
    if (ev.target !== img && ev.target !== layer) return;
    ev.preventDefault();
    // a rectangle dragged over the empty page selects every element it touches
    var start = pointToMM(ev), box = null, target = layer, additive = ev.shiftKey;
    var kept = additive ? selection() : [];
    function move(e) {
      var p = pointToMM(e);
      var r = { x: Math.min(p[0], start[0]), y: Math.min(p[1], start[1]), w: Math.abs(p[0] - start[0]), h: Math.abs(p[1] - start[1]) };
      if (!box && r.w < 1 && r.h < 1) return;
      if (!box) { box = document.createElement("div"); box.className = "dz-marquee"; layer.appendChild(box); }
      box.style.left = pct(r.x, page[0]); box.style.top = pct(r.y, page[1]);
      box.style.width = pct(r.w, page[0]); box.style.height = pct(r.h, page[1]);
      box.dataset.rect = JSON.stringify(r);
    }
    function up() {
      if (!box) { if (!additive) select(null); return; }
      var r = JSON.parse(box.dataset.rect || "{}");
      box.remove();
      var hit = kept.slice();
      els().forEach(function (el, j) {
        if (!editable(el) || hit.indexOf(j) >= 0) return;
        var f = frameOf(j);
        if (f && f.x < r.x + r.w && f.x + f.w > r.x && f.y < r.y + r.h && f.y + f.h > r.y) hit.push(j);
      });
      selectMany(hit);
    }
    follow(ev, target, move, up);
  });

  function toggleInGroup(i) {
    var now = selection(), at = now.indexOf(i);
    if (at >= 0) now.splice(at, 1); else now.push(i);
    selectMany(now);
  }
  function selectMany(list) {
    if (list.length <= 1) { select(list.length ? list[0] : null); return; }
    if (editing !== null) finishEdit(true);
    group = list.slice().sort(function (a, b) { return a - b; });
    selected = group[group.length - 1];
    draw();
    inspect();
  }

  function select(i) {
    if (editing !== null) finishEdit(true);
    group = i === null ? [] : [i];
    selected = i;
    draw();
    inspect();
    if (i !== null) {
      var n = layer.querySelector("[data-index='" + i + "']");
      if (n && document.activeElement !== n) n.focus({ preventScroll: true });
    }
  }

  // ---- editing text in place -------------------------------------------------------------------
  function editInPlace(i) {
    var el = els()[i];
    editing = i;
    layer.querySelectorAll(".dz-editbox").forEach(function (b) { b.remove(); });
    draw();
    var node = layer.querySelector("[data-index='" + i + "']");
    var box = document.createElement("div");
    box.className = "dz-editbox";
    box.contentEditable = "plaintext-only";
    if (box.contentEditable !== "plaintext-only") box.contentEditable = "true";
    box.setAttribute("role", "textbox");
    box.setAttribute("aria-label", t("Text of %(name)s", { name: el.id || t("the field") }));
    box.textContent = el.text;
    var scale = stage.getBoundingClientRect().width / (page[0] / MM_PER_PT); // px per pt
    box.style.fontFamily = el.font === "serif" ? "'Noto Serif', Georgia, serif" : "'Noto Sans', Arial, sans-serif";
    box.style.fontSize = Math.max(9, (parseFloat(el.size) || 12) * scale) + "px";
    box.style.fontWeight = el.weight === "bold" ? "700" : "400";
    box.style.fontStyle = el.style === "italic" ? "italic" : "normal";
    box.style.textAlign = el.align || "left";
    node.appendChild(box);
    box.focus();
    var range = document.createRange();
    range.selectNodeContents(box);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    box.addEventListener("keydown", function (e) {
      e.stopPropagation();
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); finishEdit(true); }
      else if (e.key === "Escape") { e.preventDefault(); finishEdit(false); }
    });
    box.addEventListener("blur", function () { if (editing === i) finishEdit(true); });
  }
  function finishEdit(keep) {
    var i = editing;
    if (i === null) return;
    var box = layer.querySelector(".dz-editbox");
    var text = box ? box.innerText.replace(/\n+$/, "") : null;
    editing = null;
    if (keep && text !== null && text !== els()[i].text) change(function () { els()[i].text = text; });
    else draw();
    inspect();
    var n = layer.querySelector("[data-index='" + i + "']");
    if (n) n.focus({ preventScroll: true });
  }

  // ---- the inspector ---------------------------------------------------------------------------
  var FIELDS = {
    text: [
      ["text", t("Text"), "textarea"],
      ["tag", t("Insert a merge tag"), "tag"],
      ["font", t("Font"), "select", boot.fonts],
      ["size", t("Size"), "number", { min: 2, max: 400, unit: "pt" }],
      ["weight", t("Bold"), "check", ["regular", "bold"]],
      ["style", t("Italic"), "check", ["normal", "italic"]],
      ["color", t("Colour"), "color"],
      ["align", t("Alignment"), "select", { left: t("Left"), center: t("Centre"), right: t("Right") }],
      ["letter_spacing", t("Letter spacing"), "number", { min: -0.2, max: 2, unit: "em", dflt: 0 }],
      ["transform", t("Case"), "select", { none: t("As typed"), uppercase: t("UPPERCASE"), lowercase: t("lowercase"), capitalize: t("Capitalise Each Word") }],
      ["x", t("Left"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["y", t("Top"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["width", t("Width"), "number", { min: 1, max: 2000, unit: "mm", hint: t("the widest the text may be") }],
      ["min_size", t("Shrink to"), "number", { min: 2, max: 400, unit: "pt", hint: t("smallest size a long text shrinks to") }],
      ["max_lines", t("Lines"), "number", { min: 1, max: 20, unit: "", whole: true, dflt: 1 }],
      ["rotate", t("Rotation"), "number", { min: -360, max: 360, unit: "°", dflt: 0, hint: t("degrees clockwise") }],
    ],
    image: [
      ["x", t("Left"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["y", t("Top"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["width", t("Width"), "number", { min: 1, max: 2000, unit: "mm" }],
      ["height", t("Height"), "number", { min: 1, max: 2000, unit: "mm" }],
      ["fit", t("Fit"), "select", { contain: t("Whole image"), cover: t("Fill the box"), stretch: t("Stretch") }],
      ["opacity", t("Opacity"), "number", { min: 0, max: 1, unit: "", dflt: 1 }],
      ["rotate", t("Rotation"), "number", { min: -360, max: 360, unit: "°", dflt: 0, hint: t("degrees clockwise") }],
    ],
    rect: [
      ["x", t("Left"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["y", t("Top"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["width", t("Width"), "number", { min: 1, max: 2000, unit: "mm" }],
      ["height", t("Height"), "number", { min: 1, max: 2000, unit: "mm" }],
      ["fill", t("Fill"), "color"],
      ["opacity", t("Opacity"), "number", { min: 0, max: 1, unit: "", dflt: 1 }],
      ["rotate", t("Rotation"), "number", { min: -360, max: 360, unit: "°", dflt: 0, hint: t("degrees clockwise") }],
    ],
    qr: [
      ["x", t("Left"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["y", t("Top"), "number", { min: -2000, max: 2000, unit: "mm" }],
      ["size", t("Size"), "number", { min: 5, max: 2000, unit: "mm" }],
      ["color", t("Colour"), "color"],
      ["rotate", t("Rotation"), "number", { min: -360, max: 360, unit: "°", dflt: 0, hint: t("degrees clockwise") }],
    ],
  };
  function fieldValue(el, key, spec) {
    var v = el[key];
    if (key === "min_size" && v === undefined) v = el.size;
    if (v === undefined && spec && spec.dflt !== undefined) v = spec.dflt;
    if ((key === "x" || key === "width" || key === "size") && typeof v === "string") v = r1(len(v, page[0]));
    if ((key === "y" || key === "height") && typeof v === "string") v = r1(len(v, page[1]));
    // a drag leaves binary fractions (44.55000000000001): shown to the hundredth, as a typed value is kept
    if (typeof v === "number" && isFinite(v)) v = Math.round(v * 100) / 100;
    return v;
  }
  function checkNumber(label, raw, spec) {
    var v = Number(raw);
    var unit = spec.unit === "mm" ? t("millimetres") : spec.unit === "pt" ? t("points") : spec.unit;
    if (raw === "" || !isFinite(v)) return [null, spec.unit ? t("%(label)s must be a number of %(unit)s.", { label: label, unit: unit }) : t("%(label)s must be a number.", { label: label })];
    if (v < spec.min || v > spec.max) return [null, t("%(label)s must be from %(min)s to %(max)s%(unit)s.", { label: label, min: spec.min, max: spec.max, unit: spec.unit ? " " + spec.unit : "" })];
    if (spec.whole && v !== Math.round(v)) return [null, t("%(label)s must be a whole number.", { label: label })];
    return [Math.round(v * 100) / 100, null];
  }
  function inspect() {
    inspector.textContent = "";
    if (group.length > 1) { groupPanel(); return; }
    if (selected === null || !els()[selected]) { pagePanel(); return; }
    var el = els()[selected], i = selected;
    var h = document.createElement("h2");
    h.textContent = el.type === "text" ? t("Text: %(name)s", { name: el.id || "" }) : label(el);
    inspector.appendChild(h);
    var fields = FIELDS[el.type] || [];
    fields.forEach(function (f) {
      var key = f[0], name = f[1], kind = f[2], spec = f[3] || {};
      var row = document.createElement("div");
      row.className = "dz-field dz-field-" + kind;
      var id = "dz-f-" + key;
      var lab = document.createElement("label");
      lab.htmlFor = id;
      lab.textContent = name + (spec.unit ? " (" + spec.unit + ")" : "");
      var input;
      if (kind === "textarea") {
        input = document.createElement("textarea");
        input.rows = 2;
        input.value = el.text || "";
      } else if (kind === "select" || kind === "tag") {
        input = document.createElement("select");
        var opts = kind === "tag" ? [["", t("Choose…")]].concat(boot.tags.map(function (t) { return [t, "{" + t + "}"]; }))
          : Object.keys(spec).map(function (k) { return [k, spec[k]]; });
        opts.forEach(function (o) {
          var op = document.createElement("option");
          op.value = o[0]; op.textContent = o[1];
          input.appendChild(op);
        });
        if (kind === "select") input.value = el[key] || Object.keys(spec)[0];
      } else if (kind === "check") {
        input = document.createElement("input");
        input.type = "checkbox";
        input.checked = el[key] === spec[1];
      } else if (kind === "color") {
        input = document.createElement("input");
        input.type = "color";
        input.value = normColor(el[key] || "#000000");
      } else {
        input = document.createElement("input");
        input.type = "number";
        input.step = "any";
        input.min = spec.min; input.max = spec.max;
        var fv = fieldValue(el, key, spec);
        input.value = fv === undefined ? "" : fv;
      }
      input.id = id;
      input.name = key;
      input.disabled = !canEdit;
      var err = document.createElement("span");
      err.className = "field-error";
      err.dataset.errorFor = key;
      err.id = id + "-error";
      input.setAttribute("aria-describedby", err.id);
      if (kind === "check") { lab.prepend(input); row.appendChild(lab); }
      else { row.appendChild(lab); row.appendChild(input); }
      if (spec.hint) {
        var hint = document.createElement("span");
        hint.className = "help";
        hint.textContent = spec.hint;
        row.appendChild(hint);
      }
      row.appendChild(err);
      inspector.appendChild(row);
      function apply(ev) {
        err.textContent = "";
        if (kind === "tag") {
          if (!input.value) return;
          var ta = inspector.querySelector("textarea[name=text]");
          var tag = "{" + input.value + "}";
          var s = ta.selectionStart || ta.value.length, e2 = ta.selectionEnd || ta.value.length;
          ta.value = ta.value.slice(0, s) + tag + ta.value.slice(e2);
          input.value = "";
          change(function () { els()[i].text = ta.value; });
          return;
        }
        var v;
        if (kind === "number") {
          var res = checkNumber(name, input.value, spec);
          if (res[1]) { err.textContent = res[1]; input.setAttribute("aria-invalid", "true"); return; }
          input.removeAttribute("aria-invalid");
          v = res[0];
        } else if (kind === "check") v = input.checked ? spec[1] : spec[0];
        else v = input.value;
        change(function () {
          var t = els()[i];
          if (key === "size" && t.type === "text" && (t.min_size === undefined || t.min_size > v)) t.min_size = v;
          if (key === "min_size" && v > t.size) { t.size = v; }
          if (key === "rotate" && !v) { delete t.rotate; return; }
          t[key] = v;
        }, { merge: ev.type === "input" ? "f" + i + key : null, fromInspector: true });
      }
      input.addEventListener(kind === "number" || kind === "textarea" || kind === "color" ? "input" : "change", apply);
      if (kind === "number") input.addEventListener("change", apply);
    });
    if (canEdit) {
      var bar = document.createElement("div");
      bar.className = "dz-actions";
      [["forward", t("Bring forward")], ["back", t("Send back")], ["delete", t("Remove")]].forEach(function (a) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "btn secondary small";
        b.dataset.cmd = a[0];
        b.textContent = a[1];
        bar.appendChild(b);
      });
      inspector.appendChild(bar);
    }
    showProblems();
  }
  function syncInspector() {
    // the inspector shows the selected element's values; the field being typed in is left alone
    var el = selected !== null ? els()[selected] : null;
    if (!el) return;
    (FIELDS[el.type] || []).forEach(function (f) {
      var input = inspector.querySelector("[name='" + f[0] + "']");
      if (!input || input === document.activeElement || f[2] === "tag") return;
      if (f[2] === "check") input.checked = el[f[0]] === f[3][1];
      else if (f[2] === "textarea") input.value = el.text || "";
      else if (f[2] === "color") input.value = normColor(el[f[0]] || "#000000");
      else if (f[2] === "select") input.value = el[f[0]] || Object.keys(f[3])[0];
      else { var v = fieldValue(el, f[0], f[3]); input.value = v === undefined ? "" : v; }
    });
  }
  function groupPanel() {
    var h = document.createElement("h2");
    h.textContent = t("%(count)s elements selected", { count: group.length });
    inspector.appendChild(h);
    var p = document.createElement("p");
    p.className = "help";
    p.textContent = t("Drag any of them to move them together; arrow keys nudge them all. Shift+click adds or removes one.");
    inspector.appendChild(p);
    if (!canEdit) return;
    var grid = document.createElement("div");
    grid.className = "dz-align";
    grid.setAttribute("role", "group");
    grid.setAttribute("aria-label", t("Align and distribute"));
    [["align-left", t("Align left")], ["align-center", t("Centre")], ["align-right", t("Align right")],
     ["align-top", t("Align top")], ["align-middle", t("Middle")], ["align-bottom", t("Align bottom")],
     ["distribute-h", t("Spread across")], ["distribute-v", t("Spread down")], ["delete", t("Remove all")]].forEach(function (a) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn secondary small";
      b.dataset.cmd = a[0];
      b.textContent = a[1];
      if (a[0].indexOf("distribute") === 0 && group.length < 3) { b.disabled = true; b.title = t("Select three or more to spread them out"); }
      grid.appendChild(b);
    });
    inspector.appendChild(grid);
  }
  function alignGroup(how) {
    // aligns the elements' frames (what the page shows) to the selection's outer box
    var members = group.slice(), box = groupBox(members);
    change(function () {
      members.forEach(function (j) {
        var el = els()[j], f = frameOf(j), dx = 0, dy = 0;
        if (how === "left") dx = box.x - f.x;
        else if (how === "center") dx = box.x + box.w / 2 - (f.x + f.w / 2);
        else if (how === "right") dx = box.x + box.w - (f.x + f.w);
        else if (how === "top") dy = box.y - f.y;
        else if (how === "middle") dy = box.y + box.h / 2 - (f.y + f.h / 2);
        else if (how === "bottom") dy = box.y + box.h - (f.y + f.h);
        if (dx) el.x = r1(len(el.x, page[0]) + dx);
        if (dy) el.y = r1(len(el.y, page[1]) + dy);
      });
    });
  }
  function distributeGroup(axis) {
    // equal gaps between the frames, the first and last staying where they are
    var members = group.slice();
    if (members.length < 3) return;
    var fr = members.map(function (j) { return { j: j, f: frameOf(j) }; });
    var pos = axis === "h" ? "x" : "y", size = axis === "h" ? "w" : "h";
    fr.sort(function (a, b) { return a.f[pos] - b.f[pos]; });
    var first = fr[0].f, last = fr[fr.length - 1].f;
    var total = 0;
    fr.forEach(function (o) { total += o.f[size]; });
    var gap = (last[pos] + last[size] - first[pos] - total) / (fr.length - 1);
    change(function () {
      var at = first[pos] + first[size] + gap;
      fr.slice(1, -1).forEach(function (o) {
        var el = els()[o.j], d = at - o.f[pos];
        if (axis === "h") el.x = r1(len(el.x, page[0]) + d); else el.y = r1(len(el.y, page[1]) + d);
        at += o.f[size] + gap;
      });
    });
  }
  function normColor(c) {
    if (/^#[0-9a-f]{3}$/i.test(c)) return "#" + c[1] + c[1] + c[2] + c[2] + c[3] + c[3];
    return c;
  }
  function pagePanel() {
    var h = document.createElement("h2");
    h.textContent = t("Page");
    inspector.appendChild(h);
    var p = document.createElement("p");
    p.className = "help";
    p.textContent = t("Click a text, image or the QR code to select it; click a selected text to edit it in place.") + " " +
      (doc.design.page ? doc.design.page.size + " " + doc.design.page.orientation + ", " : "") +
      r1(page[0]) + " × " + r1(page[1]) + " mm.";
    inspector.appendChild(p);
    var bg = doc.design.background || {};
    if (bg.template) {
      [["color", t("Main colour")], ["accent", t("Accent colour")]].forEach(function (f) {
        var row = document.createElement("div");
        row.className = "dz-field";
        var lab = document.createElement("label");
        lab.htmlFor = "dz-bg-" + f[0];
        lab.textContent = f[1];
        var input = document.createElement("input");
        input.type = "color"; input.id = "dz-bg-" + f[0];
        input.value = normColor(bg[f[0]] || "#1d3f6e");
        input.disabled = !canEdit;
        input.addEventListener("input", function () {
          change(function () { doc.design.background[f[0]] = input.value; }, { merge: "bg" + f[0] });
        });
        row.appendChild(lab); row.appendChild(input);
        inspector.appendChild(row);
      });
    } else if ((bg.image || bg.pdf) && canEdit) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn secondary small"; b.dataset.cmd = "remove-background";
      b.textContent = t("Remove the uploaded background");
      inspector.appendChild(b);
    }
    showProblems();
  }
  function showProblems() {
    var mine = problems.concat(warnings);
    inspector.querySelectorAll(".field-error").forEach(function (e) {
      if (!e.dataset.local) e.textContent = "";
    });
    var elsewhere = [];
    mine.forEach(function (p) {
      if (p.element !== null && p.element === selected) {
        var slot = inspector.querySelector("[data-error-for='" + p.field + "']");
        if (slot) { slot.textContent = p.message; return; }
      }
      elsewhere.push(p);
    });
    problemsBox.textContent = "";
    problemsBox.hidden = !elsewhere.length;
    elsewhere.forEach(function (p) {
      var item = document.createElement(p.element !== null && p.element !== undefined ? "button" : "p");
      item.className = "dz-problem" + (warnings.indexOf(p) >= 0 ? " warning" : "");
      var el = p.element !== null && p.element !== undefined ? els()[p.element] : null;
      item.textContent = (el ? label(el) + ": " : "") + p.message;
      if (el) { item.type = "button"; item.dataset.select = p.element; }
      problemsBox.appendChild(item);
    });
    layer.querySelectorAll(".dz-el").forEach(function (n) {
      var i = parseInt(n.dataset.index, 10);
      n.classList.toggle("has-problem", problems.some(function (p) { return p.element === i; }));
      n.classList.toggle("has-warning", warnings.some(function (p) { return p.element === i; }));
    });
  }
  problemsBox.addEventListener("click", function (e) {
    var b = e.target.closest("[data-select]");
    if (b) select(parseInt(b.dataset.select, 10));
  });

  // ---- commands --------------------------------------------------------------------------------
  function nextId(prefix) {
    var n = 1, ids = els().map(function (e) { return e.id; });
    while (ids.indexOf(prefix + "-" + n) >= 0) n++;
    return prefix + "-" + n;
  }
  var commands = {
    undo: undo, redo: redo,
    "zoom-in": function () { zoom = Math.min(3, zoom * 1.25); applyZoom(); },
    "zoom-out": function () { zoom = Math.max(0.4, zoom / 1.25); applyZoom(); },
    "zoom-fit": function () { zoom = 1; applyZoom(); },
    "add-text": function () {
      change(function () {
        els().push({
          type: "text", id: nextId("text"), text: t("New text"), x: r1(page[0] * 0.3), y: r1(page[1] * 0.45),
          width: r1(page[0] * 0.4), size: 14, min_size: 8, font: "sans", color: "#222222", align: "center",
        });
      });
      select(els().length - 1);
    },
    forward: function () {
      var i = selected;
      if (i === null || i >= els().length - 1) return;
      change(function () { var a = els(); var t = a[i]; a[i] = a[i + 1]; a[i + 1] = t; });
      select(i + 1);
    },
    back: function () {
      var i = selected;
      if (i === null || i <= 0) return;
      change(function () { var a = els(); var t = a[i]; a[i] = a[i - 1]; a[i - 1] = t; });
      select(i - 1);
    },
    "delete": function () {
      var gone = selection().sort(function (a, b) { return b - a; });
      if (!gone.length) return;
      selected = null;
      group = [];
      change(function () { gone.forEach(function (j) { els().splice(j, 1); }); });
      inspect();
    },
    "align-left": function () { alignGroup("left"); },
    "align-center": function () { alignGroup("center"); },
    "align-right": function () { alignGroup("right"); },
    "align-top": function () { alignGroup("top"); },
    "align-middle": function () { alignGroup("middle"); },
    "align-bottom": function () { alignGroup("bottom"); },
    "distribute-h": function () { distributeGroup("h"); },
    "distribute-v": function () { distributeGroup("v"); },
    "remove-background": function () {
      change(function () {
        var meta = doc.design.meta || {};
        doc.design.background = meta.template_background || { fill: "#ffffff" };
        delete doc.assets.background;
      });
      inspect();
    },
  };
  root.addEventListener("click", function (e) {
    var b = e.target.closest("[data-cmd]");
    if (b && commands[b.dataset.cmd]) { e.preventDefault(); commands[b.dataset.cmd](); }
  });
  guides.addEventListener("change", draw);
  sampleSel.addEventListener("change", function () { schedulePreview(true); });

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t.closest && t.closest("input, textarea, select, [contenteditable]");
    var mod = e.ctrlKey || e.metaKey;
    if (mod && !typing && (e.key === "z" || e.key === "Z")) { e.preventDefault(); (e.shiftKey ? redo : undo)(); return; }
    if (mod && !typing && e.key === "y") { e.preventDefault(); redo(); return; }
    if (e.key === "Escape" && !typing && selected !== null) { select(null); return; }
    if (typing || selected === null || !t.closest || !t.closest(".dz-el")) return;
    var el = els()[selected];
    if (!el) return;
    var step = e.shiftKey ? 5 : e.altKey ? 0.1 : 1, dx = 0, dy = 0;
    if (e.key === "ArrowLeft") dx = -step;
    else if (e.key === "ArrowRight") dx = step;
    else if (e.key === "ArrowUp") dy = -step;
    else if (e.key === "ArrowDown") dy = step;
    else if (e.key === "Enter" && el.type === "text" && canEdit && group.length < 2) { e.preventDefault(); editInPlace(selected); return; }
    else if ((e.key === "Delete" || e.key === "Backspace") && canEdit) { e.preventDefault(); commands["delete"](); return; }
    else if (e.key === "Escape") { select(null); return; }
    else return;
    e.preventDefault();
    var i = selected, moving = selection();
    change(function () {
      moving.forEach(function (j) {
        var m = els()[j];
        m.x = r1(len(m.x, page[0]) + dx);
        m.y = r1(len(m.y, page[1]) + dy);
      });
    }, { merge: "nudge" + moving.join(",") });
    var n = layer.querySelector("[data-index='" + i + "']");
    if (n) n.focus({ preventScroll: true });
  });

  // ---- uploads: into the draft, no reload ------------------------------------------------------
  var upload = document.getElementById("dz-upload");
  if (upload) {
    upload.addEventListener("change", function () {
      var file = upload.files[0];
      if (!file) return;
      var role = document.getElementById("dz-upload-role").value;
      setStatus(t("Uploading %(name)s…", { name: file.name }));
      save().then(function (ok) {
        if (!ok) { upload.value = ""; return; }
        var before = snapshot();
        post(root.dataset.upload, { role: role, file: file }).then(function (res) {
          upload.value = "";
          if (!res.ok) {
            setProblems(res.body.problems || []);
            setStatus(t("Not uploaded: %(reason)s", { reason: ((res.body.problems || [])[0] || {}).message }), true);
            return;
          }
          undoStack.push({ state: before, key: null });
          redoStack = [];
          doc = { design: res.body.design, assets: res.body.assets };
          lastSaved = snapshot();
          setStatus(t("%(name)s added to the draft (revision %(revision)s)", { name: res.body.filename, revision: res.body.revision }));
          var idx = -1;
          els().forEach(function (e, j) { if (e.type === "image" && e.asset === res.body.name) idx = j; });
          draw(); schedulePreview(true); toolbarState();
          if (idx >= 0) select(idx); else inspect();
        }).catch(function () {
          upload.value = "";
          setStatus(t("Not uploaded: the server did not answer. Your edits are kept; try again."), true);
        });
      });
    });
  }

  // ---- publishing and leaving ------------------------------------------------------------------
  var publish = document.getElementById("dz-publish");
  if (publish) {
    publish.addEventListener("submit", function (e) {
      if (!dirty() && !saving) return;
      e.preventDefault();
      save().then(function (ok) { if (ok) { leaving = true; publish.submit(); } });
    });
  }
  var leaving = false;
  document.querySelectorAll("form").forEach(function (f) {
    if (f !== publish) f.addEventListener("submit", function () { if (!dirty()) leaving = true; });
  });
  window.addEventListener("beforeunload", function (e) {
    if (leaving || !canEdit || (!dirty() && !saving)) return;
    e.preventDefault();
    e.returnValue = "";
  });

  window.addEventListener("resize", function () { fitWidth = 0; applyZoom(); });
  applyZoom();
  draw();
  inspect();
  toolbarState();
  schedulePreview(true);
})();
