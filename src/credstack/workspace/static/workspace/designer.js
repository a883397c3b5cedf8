/* Certificate designer: place text fields on the live preview.
 * - drag a field's handle on the preview (mouse, pen or touch);
 * - or focus a handle and move it with the arrow keys (1 mm; Shift: 5 mm);
 * - or click a field's row, then click the preview (and the x/y number inputs always work).
 * Positions are millimetres from the top left of the page, written into the row's x/y inputs, whose
 * change event redraws the preview (htmx). No dependencies. */
(function () {
  "use strict";
  var form = document.getElementById("designer");
  var preview = document.getElementById("preview");
  if (!form || !preview) return;
  var activeRow = null, dragging = false;
  // The handles live beside #preview (htmx replaces its content on every redraw, even mid-drag).
  var stage = document.createElement("div");
  stage.className = "preview-stage";
  preview.parentNode.insertBefore(stage, preview);
  stage.appendChild(preview);

  function pageMM() {
    var dims = form.size.value === "Letter" ? [215.9, 279.4] : [210, 297];
    return form.orientation.value === "landscape" ? [dims[1], dims[0]] : dims;
  }
  function rows() {
    return Array.prototype.filter.call(form.querySelectorAll(".el-row"), function (r) {
      return r.querySelector("input[name$='-x']") && r.querySelector("input[name$='-text']");
    });
  }
  function label(row) {
    var t = row.querySelector("input[name$='-text']");
    return (t.value || t.getAttribute("aria-label") || "field").slice(0, 40);
  }
  // Snap onto the input's step (0.5 mm, counted from its initial value as HTML does): a value off the
  // step would block the form's submission.
  function snap(input, v, max) {
    var step = parseFloat(input.step) || 0.5, base = parseFloat(input.defaultValue) || 0;
    v = base + Math.round((Math.max(0, Math.min(max, v)) - base) / step) * step;
    return Math.round(v * 100) / 100;
  }
  function commit(row, x, y) {
    var wh = pageMM();
    var xi = row.querySelector("input[name$='-x']"), yi = row.querySelector("input[name$='-y']");
    xi.value = snap(xi, x, wh[0]);
    yi.value = snap(yi, y, wh[1]);
    yi.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function place(handle, x, y) {
    var wh = pageMM();
    handle.style.left = (x / wh[0]) * 100 + "%";
    handle.style.top = (y / wh[1]) * 100 + "%";
  }

  function build() {
    if (dragging) return; // the drop redraws the preview, which builds again
    var img = document.getElementById("preview-img");
    var old = stage.querySelector(".drag-layer");
    if (old) old.remove();
    if (!img) return;
    if (!img.complete || !img.naturalWidth) {
      img.addEventListener("load", build, { once: true });
      return;
    }
    var layer = document.createElement("div");
    layer.className = "drag-layer";
    rows().forEach(function (row, i) {
      var text = row.querySelector("input[name$='-text']");
      if (!text.value.trim()) return; // an empty custom field is not on the page
      var xi = row.querySelector("input[name$='-x']"), yi = row.querySelector("input[name$='-y']");
      var h = document.createElement("button");
      h.type = "button";
      h.className = "drag-handle";
      h.dataset.field = xi.name.replace(/-x$/, "");
      h.title = "Drag, or use the arrow keys, to move: " + label(row);
      h.setAttribute("aria-label", "Move " + label(row) + " (arrow keys: 1 mm, with Shift: 5 mm)");
      h.textContent = label(row).slice(0, 24);
      place(h, parseFloat(xi.value) || 0, parseFloat(yi.value) || 0);
      layer.appendChild(h);

      h.addEventListener("pointerdown", function (e) {
        e.preventDefault();
        h.setPointerCapture(e.pointerId);
        h.classList.add("dragging");
        dragging = true;
        var box = img.getBoundingClientRect(), wh = pageMM(), last = null;
        function move(ev) {
          var x = ((ev.clientX - box.left) / box.width) * wh[0];
          var y = ((ev.clientY - box.top) / box.height) * wh[1];
          last = [x, y];
          place(h, x, y);
        }
        function up(ev) {
          h.removeEventListener("pointermove", move);
          h.removeEventListener("pointerup", up);
          h.classList.remove("dragging");
          dragging = false;
          if (last) commit(row, last[0], last[1]);
          else build();
        }
        h.addEventListener("pointermove", move);
        h.addEventListener("pointerup", up);
        h.addEventListener("pointercancel", up);
      });
      h.addEventListener("keydown", function (e) {
        var step = e.shiftKey ? 5 : 1, dx = 0, dy = 0;
        if (e.key === "ArrowLeft") dx = -step;
        else if (e.key === "ArrowRight") dx = step;
        else if (e.key === "ArrowUp") dy = -step;
        else if (e.key === "ArrowDown") dy = step;
        else return;
        e.preventDefault();
        var x = (parseFloat(xi.value) || 0) + dx, y = (parseFloat(yi.value) || 0) + dy;
        place(h, x, y);
        commit(row, x, y);
        preview.dataset.refocus = h.dataset.field; // keep keyboard focus across the redraw
      });
    });
    layer.style.left = img.offsetLeft + "px";
    layer.style.top = img.offsetTop + "px";
    layer.style.width = img.offsetWidth + "px";
    layer.style.height = img.offsetHeight + "px";
    stage.appendChild(layer);
    if (preview.dataset.refocus) {
      var again = layer.querySelector("[data-field='" + preview.dataset.refocus + "']");
      delete preview.dataset.refocus;
      if (again) again.focus();
    }
  }

  // click a row, then the preview: the field goes there
  form.addEventListener("focusin", function (e) {
    var r = e.target.closest(".el-row");
    if (r) activeRow = r;
  });
  preview.addEventListener("click", function (e) {
    if (!activeRow || e.target.id !== "preview-img") return;
    var box = e.target.getBoundingClientRect(), wh = pageMM();
    commit(activeRow, ((e.clientX - box.left) / box.width) * wh[0], ((e.clientY - box.top) / box.height) * wh[1]);
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.target === preview) build();
  });
  window.addEventListener("resize", build);
  build();
})();
