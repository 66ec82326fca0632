/* The claim pages' image viewer: the evidence photos and the listing's photos as filed, in one sequence,
   enlarged in a dialog with zoom. Keys: [ and ] page back and forth (they open the viewer when it is
   closed), + and − zoom, 0 fits, Esc closes. While the viewer is open the review page's one-letter
   shortcuts (a approves!) do nothing: a decision is never taken on a claim hidden behind a photo.
   Without this file every thumbnail is still a link to its full-size file. */
(function () {
  "use strict";
  var dialog = document.getElementById("image-viewer");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var items = Array.prototype.slice.call(document.querySelectorAll("a[data-zoom]"));
  if (!items.length) return;
  var stage = dialog.querySelector(".viewer-stage");
  var img = stage.querySelector("img");
  var title = dialog.querySelector("#viewer-title");
  var position = dialog.querySelector(".viewer-position");
  var scaleLabel = dialog.querySelector(".viewer-scale");
  var current = 0;
  var scale = 1;
  var STEPS = [1, 1.5, 2, 3, 4];

  function setScale(value) {
    scale = Math.max(STEPS[0], Math.min(STEPS[STEPS.length - 1], value));
    if (scale === 1) {
      img.style.width = "";
      img.style.maxWidth = "100%";
      img.style.maxHeight = "100%";
    } else {
      img.style.maxWidth = "none";
      img.style.maxHeight = "none";
      img.style.width = Math.round(stage.clientWidth * scale) + "px";
    }
    stage.classList.toggle("zoomed", scale > 1);
    scaleLabel.textContent = Math.round(scale * 100) + "%";
  }

  function step(direction) {
    var index = STEPS.indexOf(scale);
    setScale(STEPS[Math.max(0, Math.min(STEPS.length - 1, (index < 0 ? 0 : index) + direction))]);
  }

  function show(index) {
    current = (index + items.length) % items.length;
    var link = items[current];
    var thumbnail = link.querySelector("img");
    img.src = link.getAttribute("href");
    img.alt = thumbnail ? thumbnail.alt : "";
    title.textContent = link.getAttribute("data-zoom");
    position.textContent = (current + 1) + " / " + items.length;
    items.forEach(function (item, i) { item.classList.toggle("viewing", i === current); });
    if (!dialog.open) dialog.showModal();
    setScale(1);
  }

  items.forEach(function (link, i) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey) return; // a new tab, as the link says
      event.preventDefault();
      show(i);
    });
  });
  img.addEventListener("click", function () { setScale(scale > 1 ? 1 : 2); });
  dialog.addEventListener("click", function (event) {
    var control = event.target.closest ? event.target.closest("[data-viewer]") : null;
    if (!control) return;
    var action = control.getAttribute("data-viewer");
    if (action === "previous") show(current - 1);
    else if (action === "next") show(current + 1);
    else if (action === "zoom-in") step(1);
    else if (action === "zoom-out") step(-1);
    else if (action === "close") dialog.close();
  });
  dialog.addEventListener("close", function () {
    var link = items[current];
    if (link) link.focus({ preventScroll: true });
  });

  function typing(event) {
    var el = event.target;
    return event.ctrlKey || event.metaKey || event.altKey ||
      (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)));
  }

  // The capture phase on window: these keys are seen before the page's own shortcuts (static/js/portal.js).
  window.addEventListener("keydown", function (event) {
    if (typing(event)) return;
    var handled = true;
    switch (event.key) {
      case "[": show(dialog.open ? current - 1 : current); break;
      case "]": show(dialog.open ? current + 1 : current); break;
      case "ArrowLeft": if (dialog.open) show(current - 1); else handled = false; break;
      case "ArrowRight": if (dialog.open) show(current + 1); else handled = false; break;
      case "+": case "=": if (dialog.open) step(1); else handled = false; break;
      case "-": if (dialog.open) step(-1); else handled = false; break;
      case "0": if (dialog.open) setScale(1); else handled = false; break;
      default: handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    } else if (dialog.open && event.key.length === 1) {
      event.stopPropagation(); // no page shortcut behind the open viewer
    }
  }, true);
})();
