/* Behaviours of every page, wired from data- attributes (the Content-Security-Policy runs no inline
   handler such as onclick=). Delegated from the document, so content swapped in by htmx works too.
   - <form data-confirm="Question?">: asks before submitting
   - <button data-print>: prints the page
   - <input type="checkbox" data-select-all="input[name=ids]">: ticks or unticks every matching box
   - <select data-autosubmit>: submits its form when changed
   - <button class="copy" data-copy="element-id">: copies that element's text
   - <input type="color" data-colour-for="text-id">: picker and text box follow each other
   - <input data-choose="selector">: ticking it ticks the radio button the selector names */
(function () {
  "use strict";
  /* the words a script shows, in the page's language: <template id="script-words" data-…> of the base
     templates (web/_script_words.html); English when a page has none */
  function word(key, english) {
    var words = document.getElementById("script-words");
    return (words && words.getAttribute("data-" + key)) || english;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  function copy(button) {
    var el = document.getElementById(button.dataset.copy);
    if (!el) return;
    var text = el.textContent;
    function done() { button.textContent = word("copied", "Copied"); }
    function fallback() {  /* no clipboard API outside https: select it for Ctrl+C */
      var range = document.createRange(); range.selectNodeContents(el);
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
      try { if (document.execCommand("copy")) { done(); return; } } catch (e) { /* fall through */ }
      button.textContent = word("selected-press-to-copy", "Selected: press Ctrl+C to copy.");
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print], [data-copy], [data-select-all]") : null;
    if (!target) return;
    if (target.hasAttribute("data-print")) window.print();
    else if (target.hasAttribute("data-copy")) copy(target);
    else if (target.hasAttribute("data-select-all")) {
      document.querySelectorAll(target.dataset.selectAll).forEach(function (box) { box.checked = target.checked; });
    }
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
    if (el.dataset && el.dataset.choose && el.checked) {
      var radio = document.querySelector(el.dataset.choose);
      if (radio) radio.checked = true;
    }
  });

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.dataset && el.dataset.colourFor) {  /* the picker writes its hex code into the text box */
      var text = document.getElementById(el.dataset.colourFor);
      if (text) text.value = el.value;
      return;
    }
    if (el.id) {  /* a valid code typed in the box moves the picker */
      var picker = document.querySelector('input[data-colour-for="' + el.id + '"]');
      var v = el.value.trim();
      if (picker && /^#[0-9a-fA-F]{6}$/.test(v)) picker.value = v.toLowerCase();
    }
  });
})();
