/* The scenario form's live template preview: as staff type an SMS or email template, ask the
   console to render it with sample values (POST with the page's CSRF token in a header) and
   show the text, or the problems that stop it. Without this script the form's Preview button
   renders the same previews on the server. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function setup(area) {
    var url = area.getAttribute("data-preview-url");
    var token = area.form ? area.form.querySelector("input[name=csrf_token]") : null;
    var text = document.getElementById(area.id + "-preview-text");
    var problems = document.getElementById(area.id + "-preview-problems");
    if (!url || !token || !text || !problems) {
      return;
    }
    var timer = null;
    var asked = 0;

    function show(shown, trouble) {
      text.textContent = shown;
      while (problems.firstChild) {
        problems.removeChild(problems.firstChild);
      }
      trouble.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        problems.appendChild(item);
      });
    }

    function ask() {
      var mine = ++asked;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token.value },
        body: JSON.stringify({ field: area.name, template: area.value })
      })
        .then(function (response) {
          if (!response.ok && response.status !== 400) {
            throw new Error("preview " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (mine === asked) {  // an older answer arriving late is not shown
            show(data.text || "", data.problems || []);
          }
        })
        .catch(function () {
          if (mine === asked) {
            show("", ["The live preview is unavailable: use the Preview button."]);
          }
        });
    }

    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    });
  }

  document.querySelectorAll("textarea[data-preview-url]").forEach(setup);
})();
