/*
 * The Salesforce stand-in's Canvas SDK: Sfdc.canvas.client.refreshSignedRequest, the one call
 * the bridge page makes. Like the org's SDK, it asks the hosting Lightning page over
 * postMessage (the instance's exact origin) and hands back {status, payload: {response}}.
 */
(function () {
  "use strict";
  var instanceOrigin = new URL(document.currentScript.src).origin;
  var pending = {};
  var nextId = 1;
  window.addEventListener("message", function (event) {
    var message = event.data;
    if (event.source !== window.parent || event.origin !== instanceOrigin) {
      return;
    }
    if (!message || message.type !== "canvas:signedRequest" || !pending[message.id]) {
      return;
    }
    var callback = pending[message.id];
    delete pending[message.id];
    callback({ status: message.status, payload: message.payload });
  });
  window.Sfdc = window.Sfdc || {};
  window.Sfdc.canvas = window.Sfdc.canvas || {};
  window.Sfdc.canvas.client = {
    refreshSignedRequest: function (callback) {
      var id = nextId++;
      pending[id] = callback;
      window.parent.postMessage({ type: "canvas:refreshSignedRequest", id: id }, instanceOrigin);
    },
  };
})();
