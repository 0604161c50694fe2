// A respondent's page shown in answer to the form of the page before (surveys.views._forward) is
// still the browser's answer to that form, at that form's address. Give its history entry the
// page's own address: reloading it, going back to it or bookmarking it then asks for this page,
// and never sends the form again.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-page-url");
  if (url && window.history && typeof window.history.replaceState === "function") {
    window.history.replaceState(window.history.state, "", url);
  }
})();
