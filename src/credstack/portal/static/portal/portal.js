// "Copy link": copy the credential's URL and record the share (progressive enhancement).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy");
  if (!button) return;
  var url = button.getAttribute("data-url");
  var words = document.getElementById("script-words");  /* the page's words (web/_script_words.html) */
  var word = function (key, english) { return (words && words.getAttribute("data-" + key)) || english; };
  var label = button.getAttribute("data-label") || button.textContent;
  button.setAttribute("data-label", label);
  var done = function () { button.textContent = word("copied", "Copied"); setTimeout(function () { button.textContent = label; }, 2000); };
  var ask = function () { window.prompt(word("copy-this-link", "Copy this link:"), url); };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(url).then(done, ask);
  } else { ask(); }
  if (!button.getAttribute("data-beacon")) return;
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  fetch(button.getAttribute("data-beacon"), { method: "POST", credentials: "same-origin",
    headers: { "X-CSRFToken": token ? token.value : "" } });
});
