// Time on a lesson: while the page is visible, tell the server once a minute (the server caps gaps).
(function () {
  var lesson = document.querySelector("[data-ping]");
  if (!lesson || !window.fetch) return;
  setInterval(function () {
    if (document.visibilityState !== "visible") return;
    fetch(lesson.dataset.ping, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": lesson.dataset.csrf },
    }).catch(function () {});
  }, 60000);
})();

// A lesson table wider than the screen scrolls sideways: let keyboard users reach it, and say what it is.
(function () {
  document.querySelectorAll(".prose table").forEach(function (table, n) {
    if (table.scrollWidth <= table.clientWidth) return;
    table.setAttribute("tabindex", "0");
    table.setAttribute("aria-label", "Table " + (n + 1) + " (scrolls sideways)");
  });
})();
