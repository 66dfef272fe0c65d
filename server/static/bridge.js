// The bridge page's boot: the session token is kept in this closure only (no cookies, no
// storage, no globals). The full bridge (postMessage RPC, Socket.IO) replaces this in lwc/.
(function () {
  "use strict";
  var bootElement = document.getElementById("bridge-boot");
  var boot = JSON.parse(bootElement.textContent);
  bootElement.parentNode.removeChild(bootElement);
  var token = boot.token;
  var status = document.getElementById("status");

  fetch("/api/v1/session", { headers: { Authorization: "Bearer " + token } })
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(body.error ? body.error.message : "HTTP " + response.status);
        }
        var expires = new Date(boot.token_expires_at);
        status.textContent =
          "Session verified by the server; token valid until " + expires.toLocaleTimeString() + ".";
      });
    })
    .catch(function (error) {
      status.className = "error";
      status.textContent = "Session not accepted: " + error.message;
    });
})();
