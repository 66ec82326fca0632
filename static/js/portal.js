/* Takedown Desk portal: drag-and-drop evidence with previews, and the reviewer's keyboard shortcuts.
   Everything works without this file; it only makes the pages quicker to use. */
(function () {
  "use strict";

  // --- evidence drop zones ----------------------------------------------------------------------------
  function showPreviews(input) {
    var target = document.getElementById(input.getAttribute("data-previews"));
    if (!target) return;
    target.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var figure = document.createElement("figure");
      if (file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        figure.appendChild(img);
      }
      var caption = document.createElement("figcaption");
      caption.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      figure.appendChild(caption);
      // One kind per file, in the files' order (`evidence_kinds`): a photo is an image, the rest documents.
      var options = document.getElementById("evidence-kind-options");
      var kinds = input.getAttribute("data-kinds");
      if (options && kinds) {
        var select = document.createElement("select");
        select.name = kinds;
        select.setAttribute("aria-label", file.name);
        select.appendChild(options.content.cloneNode(true));
        select.value = file.type.indexOf("image/") === 0 ? "image" : "document";
        figure.appendChild(select);
      }
      target.appendChild(figure);
    });
  }

  // --- a form's error summary takes the focus, so a screen reader reads it and Tab leads to the fields ----
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  document.querySelectorAll(".dropzone").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) return;
    input.addEventListener("change", function () { showPreviews(input); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var transfer = new DataTransfer();
      if (input.multiple) Array.prototype.forEach.call(input.files, function (f) { transfer.items.add(f); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (f) { transfer.items.add(f); });
      input.files = transfer.files;
      showPreviews(input);
    });
  });

  // --- select all -------------------------------------------------------------------------------------
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll(box.getAttribute("data-select-all")).forEach(function (other) { other.checked = box.checked; });
    });
  });

  // --- confirm before destructive buttons -------------------------------------------------------------
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // --- keyboard shortcuts -----------------------------------------------------------------------------
  var mode = document.body.getAttribute("data-shortcuts");
  if (!mode) return;

  function typing(event) {
    var el = event.target;
    return event.ctrlKey || event.metaKey || event.altKey ||
      (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)));
  }

  function focusFromHash() {
    var target = { "#reject": "reject-reason", "#request-info": "info-note", "#approve": "approve" }[window.location.hash];
    if (target && document.getElementById(target)) document.getElementById(target).focus();
  }

  if (mode === "queue") {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-claim]"));
    var current = -1;
    var select = function (index, keepFocus) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(rows.length - 1, index));
      rows.forEach(function (row, i) { row.classList.toggle("current", i === current); row.removeAttribute("aria-current"); });
      rows[current].setAttribute("aria-current", "true");
      var link = rows[current].querySelector("a.open");
      if (link && !keepFocus) link.focus({ preventScroll: false });
    };
    // Tabbing onto a row's brand link or checkbox makes that row current without taking the focus away.
    rows.forEach(function (row, i) { row.addEventListener("focusin", function () { select(i, true); }); });
    document.addEventListener("keydown", function (event) {
      if (typing(event)) return;
      var row = rows[current];
      switch (event.key) {
        case "j": select(current + 1); break;
        case "k": select(current - 1); break;
        case "x": if (row) { var box = row.querySelector("input[type=checkbox]"); box.checked = !box.checked; } break;
        case "Enter":
          // Enter on a focused link or button does what that control does (a brand link opens the brand).
          if (event.target && event.target.closest && event.target.closest("a[href], button, summary")) return;
          if (row) window.location = row.querySelector("a.open").href; else return;
          break;
        case "o": if (row) window.location = row.querySelector("a.open").href; else return; break;
        case "a":
          // Never a decision unseen: "a" opens the claim with its approve button focused; there "a" approves.
          if (row) window.location = row.querySelector("a.open").href + "#approve"; else return;
          break;
        case "r": if (row) window.location = row.querySelector("a.open").href + "#reject"; break;
        case "i": if (row) window.location = row.querySelector("a.open").href + "#request-info"; break;
        case "n": var next = document.getElementById("next-unassigned"); if (next) next.click(); else return; break;
        default: return;
      }
      event.preventDefault();
    });
  }

  if (mode === "review") {
    focusFromHash();
    document.addEventListener("keydown", function (event) {
      if (typing(event)) return;
      var click = function (id) { var el = document.getElementById(id); if (el) { el.click(); return true; } return false; };
      var focus = function (id) { var el = document.getElementById(id); if (el) { el.focus(); return true; } return false; };
      var handled = false;
      switch (event.key) {
        case "a": handled = click("approve"); break;
        case "r": handled = focus("reject-reason"); break;
        case "i": handled = focus("info-note"); break;
        case "j": handled = click("next-claim"); break;
        case "k": handled = click("previous-claim"); break;
        case "s": handled = click("start-review"); break;
      }
      if (handled) event.preventDefault();
    });
  }
})();

/* Report exports: small files download at once; large ones answer 202 with a URL that we poll, showing
   the progress, and then download. Without JavaScript the link still works (the API answers JSON). */
(function () {
  "use strict";
  var status = document.getElementById("export-status");
  if (!status) return;
  // The page's words, in the reader's language (data-* on the status line): "{name}" and "{percent}" filled in.
  function say(key, name, percent) {
    var text = status.getAttribute("data-" + key) || "{name}";
    status.textContent = text.replace("{name}", name).replace("{percent}", String(percent || 0) + "%");
  }
  function download(response, fallbackName) {
    return response.blob().then(function (blob) {
      var match = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = match ? match[1] : fallbackName;
      document.body.appendChild(link);
      link.click();
      link.remove();
      say("downloaded", link.download);
    });
  }
  function poll(url, name) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      if (response.status === 202) {
        return response.json().then(function (body) {
          say("progress", name, body.progress);
          window.setTimeout(function () { poll(body.url, name); }, 1500);
        });
      }
      if (!response.ok) {
        return response.json().then(function (body) { status.textContent = name + ": " + (body.detail || response.status); });
      }
      return download(response, name);
    }).catch(function () { say("failed", name); });
  }
  document.querySelectorAll("a[data-export]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      say("working", link.textContent.trim());
      poll(link.href, link.textContent.trim());
    });
  });
})();
