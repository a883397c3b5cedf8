/* The credential page's "Copy link" button: <button data-copy-link="URL">. Copies the URL to the
   clipboard and says so; where the browser has no clipboard for the page, it shows the link selected
   in a text box for Ctrl+C. A static file: the Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  function word(key, english) {  /* the page's words (web/_script_words.html), else English */
    var words = document.getElementById("script-words");
    return (words && words.getAttribute("data-" + key)) || english;
  }

  function announce(button, copied) {
    var live = button.parentNode.querySelector(".copied");
    if (!button.hasAttribute("data-label")) button.setAttribute("data-label", button.textContent);
    button.textContent = copied ? word("link-copied", "Link copied") : word("press-to-copy", "Press Ctrl+C to copy.");
    button.classList.add("done");
    if (live) live.textContent = copied ? word("link-on-clipboard", "The link is on your clipboard.") : "";
    window.setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
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
      box.setAttribute("aria-label", word("credential-link", "The credential’s link"));
      button.parentNode.appendChild(box);
    }
    box.value = url;
    box.focus();
    box.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    announce(button, copied);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-link]") : null;
    if (!button) return;
    var url = button.getAttribute("data-copy-link");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(
        function () { announce(button, true); },
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
        function () { said(word("code-on-clipboard", "The code is on your clipboard.")); },
        function () { said(word("press-to-copy", "Press Ctrl+C to copy.")); }
      );
    } else {
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      said(copied ? word("code-on-clipboard", "The code is on your clipboard.") : word("press-to-copy", "Press Ctrl+C to copy."));
    }
  });
})();
