/* Tell the server the browser's time zone (an IANA name such as "Europe/Moscow") in the cookie
   "time_zone", so that the interviewer's pages show their times on the user's own clock
   (config.middleware.UserTimeZoneMiddleware checks the name). Written only when it changes. */
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) { return; }
  var current = document.cookie.split("; ").filter(function (c) { return c.indexOf("time_zone=") === 0; })[0];
  if (current === "time_zone=" + zone) { return; }
  document.cookie = "time_zone=" + zone + "; path=/; max-age=31536000; samesite=lax" +
    (window.location.protocol === "https:" ? "; secure" : "");
})();
