/* Heard: small progressive enhancements. Everything works without this file.
 *
 * - Quick exit: the "Exit this page" button and the skip-style exit link blank the page at
 *   once, then replace the history entry with /exit, so Back does not return here.
 * - Shift pressed three times within five seconds does the same (GOV.UK's exit-this-page).
 * - The GOV.UK error summary takes focus when a form comes back with errors.
 * - Copy buttons (the status code) appear and copy to the clipboard.
 *
 * Nothing is written to localStorage, sessionStorage or cookies.
 */
(function () {
  "use strict";

  var EXIT_SELECTOR = "a.exit-button, a.skip-link--exit";
  var PRESSES_NEEDED = 3;
  var WINDOW_MS = 5000;

  var hiddenByExit = [];
  var overlay = null;
  var savedTitle = "";
  var presses = 0;
  var timer = null;
  var lastKeyWasModified = false;

  function exitHref() {
    var link = document.querySelector(EXIT_SELECTOR);
    return link ? link.href : "/exit";
  }

  function announce(text) {
    var status = document.getElementById("exit-status");
    if (status) {
      status.textContent = text;
    }
  }

  function blankPage() {
    if (overlay) {
      return;
    }
    var children = Array.prototype.slice.call(document.body.children);
    children.forEach(function (element) {
      if (!element.hidden) {
        element.hidden = true;
        hiddenByExit.push(element);
      }
    });
    overlay = document.createElement("div");
    overlay.className = "exit-overlay";
    overlay.setAttribute("role", "alert");
    overlay.textContent = "Loading.";
    document.body.appendChild(overlay);
    savedTitle = document.title;
    document.title = "Loading.";
  }

  function restorePage() {
    if (!overlay) {
      return;
    }
    if (overlay.parentNode) {
      overlay.parentNode.removeChild(overlay);
    }
    document.title = savedTitle;
    overlay = null;
    hiddenByExit.forEach(function (element) {
      element.hidden = false;
    });
    hiddenByExit = [];
  }

  function exitNow(href) {
    blankPage();
    window.location.replace(href || exitHref());
  }

  function resetPresses() {
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    timer = null;
    presses = 0;
  }

  function startTimer() {
    if (timer !== null) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(function () {
      timer = null;
      presses = 0;
      announce("Exit this page expired.");
    }, WINDOW_MS);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var link = target && target.closest ? target.closest(EXIT_SELECTOR) : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    exitNow(link.href);
  });

  document.addEventListener("keyup", function (event) {
    var isShift = event.key === "Shift" || event.keyCode === 16;
    // A Shift released after another key was pressed with it (Shift+Tab, capitals) is part
    // of a combination, not a deliberate press.
    if (isShift && !lastKeyWasModified) {
      presses += 1;
      if (presses >= PRESSES_NEEDED) {
        resetPresses();
        announce("");
        exitNow();
        return;
      }
      var left = PRESSES_NEEDED - presses;
      announce("Shift, press " + left + " more time" + (left === 1 ? "" : "s") + " to exit.");
      startTimer();
    } else if (!isShift && timer !== null) {
      resetPresses();
      announce("");
    }
    lastKeyWasModified = event.shiftKey;
  });

  // Restored from the back/forward cache: show the page again rather than a blank one.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      restorePage();
      resetPresses();
      announce("");
    }
  });

  // Copy buttons (the status code): shown only when the browser can copy; without them the
  // code can still be selected, or saved as a text file by a plain form.
  var copyButtons = document.querySelectorAll("button[data-copy-target]");
  Array.prototype.forEach.call(copyButtons, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source || !navigator.clipboard || !navigator.clipboard.writeText) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          if (status) {
            status.textContent = "Code copied. Paste it somewhere private.";
          }
          button.textContent = "Code copied";
        },
        function () {
          if (status) {
            status.textContent = "The code could not be copied. Select it and copy it, or save it as a text file.";
          }
        }
      );
    });
  });

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
