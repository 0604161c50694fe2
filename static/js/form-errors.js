/* After a refused submit, move the focus to the error summary (its links lead to each field),
 * so keyboard and screen-reader users hear what to correct; a link moves the focus to the
 * field's first input. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        var input = target.querySelector("input, textarea, select");
        if (input) {
          event.preventDefault();
          target.scrollIntoView({block: "center"});
          input.focus();
        }
      });
    });
  });
})();
