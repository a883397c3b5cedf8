// "Copy link": copy the credential's URL and record the share (progressive enhancement).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy");
  if (!button) return;
  var url = button.getAttribute("data-url");
  var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy link"; }, 2000); };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copy this link:", url); });
  } else { window.prompt("Copy this link:", url); }
  if (!button.getAttribute("data-beacon")) return;
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  fetch(button.getAttribute("data-beacon"), { method: "POST", credentials: "same-origin",
    headers: { "X-CSRFToken": token ? token.value : "" } });
});
