/* The credential page's "Copy link" button: <button data-copy-link="URL">. Copies the URL to the
   clipboard and says so; where the browser has no clipboard for the page, it shows the link selected
   in a text box for Ctrl+C. A static file: the Content-Security-Policy runs no inline script. */
(function () {
  "use strict";

  function announce(button, text) {
    var live = button.parentNode.querySelector(".copied");
    button.textContent = text;
    button.classList.add("done");
    if (live) live.textContent = text === "Link copied" ? "The link is on your clipboard." : "";
    window.setTimeout(function () {
      button.textContent = "Copy link";
      button.classList.remove("done");
    }, 4000);
  }

  function showForCopying(button, url) {
    var box = button.parentNode.querySelector("input.copy-box");
    if (!box) {
      box = document.createElement("input");
      box.type = "text";
      box.readOnly = true;
      box.className = "copy-box";
      box.setAttribute("aria-label", "The credential's link");
      button.parentNode.appendChild(box);
    }
    box.value = url;
    box.focus();
    box.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    announce(button, copied ? "Link copied" : "Press Ctrl+C to copy");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-link]") : null;
    if (!button) return;
    var url = button.getAttribute("data-copy-link");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(
        function () { announce(button, "Link copied"); },
        function () { showForCopying(button, url); }
      );
    } else {
      showForCopying(button, url);
    }
  });

  // "Copy code" of the embed snippet: <button data-copy-from="TEXTAREA-ID">
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-from]") : null;
    if (!button) return;
    var box = document.getElementById(button.getAttribute("data-copy-from"));
    if (!box) return;
    var live = button.parentNode.querySelector(".copied");
    function said(text) { if (live) live.textContent = text; }
    box.focus();
    box.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(
        function () { said("The code is on your clipboard."); },
        function () { said("Press Ctrl+C to copy."); }
      );
    } else {
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      said(copied ? "The code is on your clipboard." : "Press Ctrl+C to copy.");
    }
  });
})();
