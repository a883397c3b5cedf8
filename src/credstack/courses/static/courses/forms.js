// Show only the fields that apply: a question's answer fields for its type (choices, true/false or
// short text), a pathway's "N" for the N-of-M rule and its order for ordered pathways. Without
// JavaScript every field stays visible and the server ignores the ones that do not apply.
(function () {
  "use strict";
  var QUESTION = { choices_text: ["single", "multiple"], truth: ["truefalse"], answers_text: ["text"], match: ["text"] };

  function field(form, name) { return form.querySelector('.field[data-field="' + name + '"]'); }

  function show(el, visible) { if (el) { el.hidden = !visible && !el.classList.contains("has-error"); } }

  function questionForm(form) {
    var kind = form.querySelector('select[name$="kind"]');
    if (!kind) { return; }
    function update() {
      Object.keys(QUESTION).forEach(function (name) {
        show(field(form, name), QUESTION[name].indexOf(kind.value) !== -1);
      });
    }
    kind.addEventListener("change", update);
    update();
  }

  function pathwayForm(form) {
    var rule = form.querySelector('select[name="rule"]');
    var ordered = form.querySelector('input[name="ordered"]');
    function update() {
      if (rule) { show(field(form, "required_count"), rule.value !== "all"); }
      if (ordered) { show(field(form, "order"), ordered.checked); }
    }
    if (rule) { rule.addEventListener("change", update); }
    if (ordered) { ordered.addEventListener("change", update); }
    update();
  }

  function init() {
    document.querySelectorAll("form.question-form").forEach(questionForm);
    document.querySelectorAll("form.pathway-form").forEach(pathwayForm);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
