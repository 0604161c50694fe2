/* "Copy link" beside a read-only field: shown only where the browser can copy. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var status = document.querySelector("[data-copy-status]");
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) status.textContent = status.dataset.copied;
        }, function () {
          field.select();
        });
      });
    });
  });
})();
