/* Slugs filled in from names (issue 14): while the address field is empty or still holds what was filled
   in, typing the name (or a course's title) fills it: "Université de Montréal — CE" gives
   "universite-de-montreal-ce". Once the person edits the address, it is theirs. A static file: the
   Content-Security-Policy runs no inline script. */
(function () {
  "use strict";

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");
  }

  function wire(form) {
    var slug = form.querySelector("input[name=slug]");
    var source = form.querySelector("input[name=name], input[name=title]");
    if (!slug || !source || slug.disabled || slug.readOnly) return;
    var filled = slug.value === "" ? "" : null; // null: the person's own address, left alone
    source.addEventListener("input", function () {
      if (filled === null || slug.value !== filled) return;
      filled = slugify(source.value);
      slug.value = filled;
    });
    slug.addEventListener("input", function () { filled = slug.value === "" ? "" : null; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form"), wire);
  });
})();
